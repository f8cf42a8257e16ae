"""The ``matchmaker`` command: set up the database, import/export registrations, match, serve."""

from matchmaker.cli import agendas, matching, registrations, scheduling  # noqa: F401 - registers the commands
from matchmaker.cli.base import main

__all__ = ["main"]
