"""The only HTTP layer: flask-smorest blueprints, marshmallow schemas, one error handler, pages."""
