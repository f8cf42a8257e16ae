"""The rate-limit counters in the database answer as the limits library's own memory storage
does: one contract, run against both, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest
from limits.storage import MemoryStorage, storage_from_string

from matchmaker.db.rate_limits import DatabaseStorage


@pytest.fixture(params=["memory", "database"])
def storage(request: pytest.FixtureRequest, engine: Any) -> Any:
    """The library's memory storage (the reference, beside each database) or ours."""
    if request.param == "memory":
        return MemoryStorage()
    return storage_from_string("matchmaker-db://", engine=engine)


def test_the_database_storage_is_found_by_its_scheme(engine) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(storage_from_string("matchmaker-db://", engine=engine), DatabaseStorage)
    with pytest.raises(ValueError, match="engine"):
        storage_from_string("matchmaker-db://")


def test_a_moving_window_counts_takes_and_moves_on(storage) -> None:  # type: ignore[no-untyped-def]
    started = time.time()
    assert [storage.acquire_entry("k", 3, 60) for _ in range(4)] == [True, True, True, False]
    oldest, count = storage.get_moving_window("k", 3, 60)
    assert count == 3 and started <= oldest <= time.time()
    assert storage.acquire_entry("other", 3, 60)  # keys count apart
    assert not storage.acquire_entry("big", 2, 60, amount=3)
    assert storage.acquire_entry("short", 1, 1) and not storage.acquire_entry("short", 1, 1)
    time.sleep(1.1)
    assert storage.acquire_entry("short", 1, 1)  # the window has moved past the first entry
    storage.clear("k")
    assert storage.get_moving_window("k", 3, 60)[1] == 0
    assert storage.check()


def test_a_fixed_window_counts_until_it_ends(storage) -> None:  # type: ignore[no-untyped-def]
    assert [storage.incr("f", 60) for _ in range(2)] == [1, 2]
    assert storage.incr("f", 60, amount=3) == 5 and storage.get("f") == 5
    assert 55 < storage.get_expiry("f") - time.time() <= 60
    storage.clear("f")
    assert storage.get("f") == 0
    storage.incr("g", 60)
    storage.reset()
    assert storage.get("g") == 0 and storage.get_moving_window("k", 3, 60)[1] == 0


def test_the_window_after_a_take_is_answered_from_the_take(engine) -> None:  # type: ignore[no-untyped-def]
    # flask-limiter reads the window right after each take (for its headers): the database
    # storage answers from what the take read, with no second connection, and answers the same
    from sqlalchemy import event

    storage = storage_from_string("matchmaker-db://", engine=engine)
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert storage.acquire_entry("w", 2, 60) and storage.acquire_entry("w", 2, 60)
        statements.clear()
        remembered = storage.get_moving_window("w", 2, 60)
        assert statements == []  # no query
        asked = storage.get_moving_window("w", 2, 60)  # once only: this one asks the database
        assert statements != []
        assert remembered == asked and asked[1] == 2
        assert not storage.acquire_entry("w", 2, 60)  # refused: the window is what it was
        assert storage.get_moving_window("w", 2, 60) == asked
        storage.acquire_entry("x", 2, 60)
        statements.clear()
        assert storage.get_moving_window("w", 2, 60) == asked  # another key's take: asked
        assert statements != []
    finally:
        event.remove(engine, "before_cursor_execute", seen)
