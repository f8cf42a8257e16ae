"""Schema revisions: the Alembic config of the packaged migrations, and which revision is where.

Kept apart from ``engine.py`` so that code given a connection (a backup reading its snapshot)
can ask about revisions without reaching the module that builds engines.
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def head_revision() -> str | None:
    """Return the newest migration this code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> list[str]:
    """Return every migration this code knows, newest first."""
    return [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]


def schema_revision(connection: Connection) -> str | None:
    """Return the migration the database behind ``connection`` is at (None: not set up)."""
    return MigrationContext.configure(connection).get_current_revision()
