"""Rate-limit counters in the database: a storage for the ``limits`` library that every worker
shares, for a server without Redis (``matchmaker-db://``, the engine passed as an option).

Each counted attempt is a row of ``rate_limit_hits`` kept while it is inside its window; a
moving window counts the rows of its key younger than the window. Taking an entry is one short
transaction that first serialises on the key (PostgreSQL: an advisory lock on the key's hash;
SQLite: the write lock, ``BEGIN IMMEDIATE``), so two workers cannot both take the last entry.
Rows past their window are swept away at most once a minute per process, by one process at a
time (takers only insert, so a sweep never deadlocks with them).

flask-limiter asks for the window right after taking an entry (for the ``X-RateLimit-*``
headers). The take already read it, so the thread that took answers that question from what it
read (its own entry counted) rather than with another connection and query.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from limits.storage import MovingWindowSupport, Storage
from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from matchmaker.db.models import RateLimitHit

HITS = RateLimitHit.__table__
KEY_LENGTH = 255
SWEEP_SECONDS = 60
SWEEP_LOCK = 0x6D6D726C  # the advisory lock of the sweep ("mmrl")
FRESH_SECONDS = 1.0  # how long a take's reading of its window answers the next question


class DatabaseStorage(Storage, MovingWindowSupport):
    """Counters in ``rate_limit_hits`` of the database behind ``engine``."""

    STORAGE_SCHEME = ["matchmaker-db"]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        engine = options.get("engine")
        if not isinstance(engine, Engine):
            raise ValueError("matchmaker-db:// needs the engine (storage option 'engine')")
        self.engine = engine
        self._swept_at = 0.0
        self._taken = threading.local()  # this thread's last take: (key, expiry, at, window)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    # ---- moving window: the strategy the app uses ----------------------------------------

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Take ``amount`` entries of ``key`` if the window of ``expiry`` seconds has room."""
        if amount > limit:
            return False
        self._sweep()
        key = _stored(key)
        with self._serialised(key) as conn:
            now = time.time()
            oldest, used = _read(conn.execute(_window(key, now - expiry)).one(), now)
            if used + amount > limit:
                self._taken.last = (key, expiry, now, (oldest, used))
                return False
            rows = [{"key": key, "at": now, "expires_at": now + expiry}] * amount
            conn.execute(insert(HITS), rows)
        self._taken.last = (key, expiry, now, (oldest, used + amount))
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """Return (when the oldest entry in the window was taken, how many are in it)."""
        key = _stored(key)
        taken = getattr(self._taken, "last", None)
        self._taken.last = None  # answers one question: the one that follows the take
        if taken is not None and taken[:2] == (key, expiry):
            if time.time() - taken[2] < FRESH_SECONDS:
                return taken[3]  # type: ignore[no-any-return]
        now = time.time()
        with self.engine.connect() as conn:
            return _read(conn.execute(_window(key, now - expiry)).one(), now)

    # ---- fixed window (the interface asks for it; the app does not use it) --------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count ``amount`` more in ``key``'s window (opened now if none is open)."""
        self._sweep()
        key = _stored(key)
        with self._serialised(key) as conn:
            now = time.time()
            ends = conn.scalar(_window_end(key, now)) or now + expiry
            conn.execute(insert(HITS), [{"key": key, "at": now, "expires_at": ends}] * amount)
            return int(conn.scalar(_count(key, None, now)) or 0)

    def get(self, key: str) -> int:
        """Return the count in ``key``'s open window."""
        with self.engine.connect() as conn:
            return int(conn.scalar(_count(_stored(key), None, time.time())) or 0)

    def get_expiry(self, key: str) -> float:
        """Return when ``key``'s open window ends (now when none is open)."""
        now = time.time()
        with self.engine.connect() as conn:
            return float(conn.scalar(_window_end(_stored(key), now)) or now)

    # ---- upkeep ------------------------------------------------------------------------------

    def check(self) -> bool:
        """Return True when the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.scalar(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; return how many entries there were."""
        self._taken.last = None
        with self.engine.begin() as conn:
            return conn.execute(delete(HITS)).rowcount

    def clear(self, key: str) -> None:
        """Forget ``key``'s counter."""
        self._taken.last = None
        with self.engine.begin() as conn:
            conn.execute(delete(HITS).where(HITS.c.key == _stored(key)))

    def _sweep(self) -> None:
        """Delete the entries past their window (at most once a minute in this process)."""
        now = time.time()
        if now - self._swept_at < SWEEP_SECONDS:
            return
        self._swept_at = now
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # one sweeper at a time; the others skip it
                if not conn.scalar(select(func.pg_try_advisory_xact_lock(SWEEP_LOCK))):
                    return
            elif conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.execute(delete(HITS).where(HITS.c.expires_at <= now))
            conn.commit()

    @contextmanager
    def _serialised(self, key: str) -> Iterator[Connection]:
        """A transaction that no other taker of ``key`` runs beside."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
            yield conn
            conn.commit()


def _stored(key: str) -> str:
    """The key as stored: as given, or a digest when longer than the column."""
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _count(key: str, after: float | None, alive_at: float | None = None) -> Any:
    query = select(func.count()).select_from(HITS).where(HITS.c.key == key)
    if after is not None:
        query = query.where(HITS.c.at > after)
    if alive_at is not None:
        query = query.where(HITS.c.expires_at > alive_at)
    return query


def _window(key: str, after: float) -> Any:
    """When the oldest of ``key``'s entries taken after ``after`` was taken, and how many."""
    return select(func.min(HITS.c.at), func.count()).where(HITS.c.key == key, HITS.c.at > after)


def _read(found: Any, now: float) -> tuple[float, int]:
    """A window's (oldest, count) from :func:`_window`'s row; ``now`` as oldest when empty."""
    count = int(found[1])
    return (float(found[0]) if count else now, count)


def _window_end(key: str, now: float) -> Any:
    return select(func.min(HITS.c.expires_at)).where(HITS.c.key == key, HITS.c.expires_at > now)
