"""Marshmallow schemas: what the API accepts and returns, one module per feature."""
