"""The ``matchmaker`` command: set up the database, import/export registrations, match, serve."""

from matchmaker.cli import (  # noqa: F401 - registers the commands
    accounts,
    agendas,
    eligibility,
    events,
    landings,
    ledger,
    library,
    matching,
    notifications,
    operations,
    registry,
    roadshow,
    signups,
    targets,
)
from matchmaker.cli.base import accept_json_after_the_command, main

accept_json_after_the_command(main)

__all__ = ["main"]
