"""Engines, sessions and schema migration for SQLite (default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_SECONDS = 30


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


@contextmanager
def transaction(factory: sessionmaker[Session], immediate: bool = False) -> Iterator[Session]:
    """Yield a session; commit if the block succeeds, roll back everything if it raises.

    ``immediate`` takes SQLite's write lock at once, so what the block reads before its first
    write cannot change under it (PostgreSQL locks the rows it writes; nothing to do there).
    """
    with factory() as session, session.begin():
        if immediate:
            begin_write(session)
        yield session


def begin_write(session: Session) -> None:
    """Make the transaction ``session`` is in a writer from its start.

    SQLite: take the write lock now (``BEGIN IMMEDIATE``, waiting out another writer up to the
    busy timeout). A transaction that reads first and writes later cannot take the lock when
    another writer committed meanwhile: SQLite refuses at once with "database is locked", no
    waiting. Begun as a writer, it queues instead, and what it reads stays true until it
    commits. Nothing to do on PostgreSQL (rows are locked as they are written), nor when the
    transaction has begun already (it wrote, and holds the lock, or it must go on as it is).
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.dbapi_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def snapshot(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a read-only session whose every read sees the database at one moment.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: an explicit read transaction
    (the driver begins none for SELECTs, so each would otherwise see its own moment).
    """
    with factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.connection(
                execution_options={
                    "isolation_level": "REPEATABLE READ",
                    "postgresql_readonly": True,
                }
            )
        else:
            session.connection().exec_driver_sql("BEGIN")
        try:
            yield session
        finally:
            session.rollback()


def alembic_config(engine: Engine | None = None) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (creates every table on an empty database).

    On SQLite the migrations run as one transaction with foreign keys off, as SQLite's own
    procedure for rebuilding a table asks: a rebuilt table is dropped and renamed, and with
    foreign keys on, dropping it would first delete its rows and fire ON DELETE actions in the
    tables that point at it. Before the commit every reference is checked; a dangling one rolls
    the whole migration back.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:  # only outside a transaction does this pragma take effect
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:  # the driver would begin none for DDL: make it one transaction
                    connection.exec_driver_sql("BEGIN")
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


def head_revision() -> str | None:
    """Return the newest migration this code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> list[str]:
    """Return every migration this code knows, newest first."""
    return [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]


def schema_revision(connection: Connection) -> str | None:
    """Return the migration the database behind ``connection`` is at (None: not set up)."""
    return MigrationContext.configure(connection).get_current_revision()


def reset_schema(engine: Engine) -> None:
    """Drop every table of the schema (and Alembic's stamp): all data in it is lost."""
    from sqlalchemy import text

    from matchmaker.db.models import Base

    Base.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
