"""Server-rendered pages, one module per feature (common: sign-in, CSRF, notices, paging)."""
