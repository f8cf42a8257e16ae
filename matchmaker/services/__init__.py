"""Use cases. Each takes a SQLAlchemy Session from the caller and never commits on its own."""
