"""Engines, sessions and schema migration for SQLite (default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.db.revisions import alembic_config, head_revision, schema_revision

# Where they lived before db/transactions.py: the shell and the tests import them from here.
from matchmaker.db.transactions import begin_write, snapshot, transaction

__all__ = [
    "alembic_config",
    "begin_write",
    "make_engine",
    "migrate",
    "normalise_url",
    "reset_schema",
    "schema_is_current",
    "session_factory",
    "snapshot",
    "transaction",
]

SQLITE_BUSY_SECONDS = 30
# The PostgreSQL advisory lock a migration holds (any fixed number: "matchmaker" in ASCII hex,
# truncated to fit a bigint), so app nodes started at once migrate one after the other.
MIGRATION_LOCK = 0x6D617463686D6B


def normalise_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout, and its folder."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # The busy timeout: a writer waits up to this long for another to commit.
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_SECONDS, **kwargs.get("connect_args", {})}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory the shell (CLI, app) uses; services never open sessions."""
    import matchmaker.db.versioning  # noqa: F401 - registers the version bump on flush

    return sessionmaker(bind=engine, expire_on_commit=False)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (creates every table on an empty database).

    On SQLite the migrations run as one transaction with foreign keys off, as SQLite's own
    procedure for rebuilding a table asks: a rebuilt table is dropped and renamed, and with
    foreign keys on, dropping it would first delete its rows and fire ON DELETE actions in the
    tables that point at it. Before the commit every reference is checked; a dangling one rolls
    the whole migration back.

    On PostgreSQL the transaction first takes an advisory lock: several app nodes started
    together on a new database each run this, and without the lock all but one failed with
    "relation already exists". The others wait, then find the schema current and do nothing.
    """
    sqlite = engine.dialect.name == "sqlite"
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        if sqlite:  # only outside a transaction does this pragma take effect
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:  # the driver would begin none for DDL: make it one transaction
                    connection.exec_driver_sql("BEGIN")
                if postgres:  # released at commit or rollback
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                config = alembic_config(engine)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if dangling:
                        raise RuntimeError(f"migration left dangling references: {dangling[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def schema_is_current(engine: Engine) -> bool:
    """Return True when the database is at the newest migration."""
    with engine.connect() as connection:
        return schema_revision(connection) == head_revision()


def reset_schema(engine: Engine) -> None:
    """Drop every table of the schema (and Alembic's stamp): all data in it is lost."""
    from sqlalchemy import text

    from matchmaker.db.models import Base

    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
