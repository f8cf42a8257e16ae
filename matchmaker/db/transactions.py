"""Transactions: commit or roll back, a writer from the start, one moment's reads.

Nothing here builds an engine, so services may use it (``begin_write``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker


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
