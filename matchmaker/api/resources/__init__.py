"""REST resources, one blueprint each, under /api/v1."""
