"""Large imports on SQLite and PostgreSQL: the work per row stays constant, the documented row
limit is one a file can reach, and a big import keeps doing what a small one does.

Speed itself is measured by benchmarks/import_speed.py; these tests count work instead (SQL
statements, ORM objects, reads of the session's pending set), which does not depend on how
busy the machine is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.db.engine import transaction
from matchmaker.db.models import Event, Institution, PortfolioEntry, Project
from matchmaker.errors import ImportRejected
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.registrations import ImportReport, import_registrations

DATA = Path(__file__).parent / "data"


def sheet(kind: str, n: int, prefix: str, tag_names: bool = False) -> bytes:
    """``n`` rows cycled from tests/data/<kind>.csv, with ids ``prefix-0`` … (both sessions).

    Names are unique within an event: a row past the first cycle (or every row, with
    ``tag_names``, for sheets of several prefixes in one event) gets its id after its name.
    """
    header, *rows = list(csv.reader(io.StringIO((DATA / f"{kind}.csv").read_text("utf-8-sig"))))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for i in range(n):
        row = list(rows[i % len(rows)])
        row[0] = f"{prefix}-{i}"
        if tag_names or i >= len(rows):
            row[1] = f"{row[1]}·{row[0]}"
        writer.writerow(row)
    return out.getvalue().encode()


def run_import(factory: sessionmaker[Session], kind: str, data: bytes) -> ImportReport:
    with transaction(factory) as db:
        return import_registrations(db, get_event(db, "T2026"), kind, data, f"{kind}.csv")


@contextmanager
def counting(factory: sessionmaker[Session]) -> Iterator[dict[str, int]]:
    """Count SQL statements sent and ORM registration objects built or loaded meanwhile."""
    counts = {"statements": 0, "objects": 0}
    engine = factory.kw["bind"]

    def statement(*_args: object) -> None:
        counts["statements"] += 1

    def built(*_args: object) -> None:
        counts["objects"] += 1

    hooks = [(engine, "before_cursor_execute", statement)]
    hooks += [
        (m, e, built) for m in (Project, Institution, PortfolioEntry) for e in ("init", "load")
    ]
    for target, name, fn in hooks:
        sa_event.listen(target, name, fn)
    try:
        yield counts
    finally:
        for target, name, fn in hooks:
            sa_event.remove(target, name, fn)


def version(factory: sessionmaker[Session]) -> int:
    with factory() as db:
        return db.scalar(select(Event.registrations_version).where(Event.code == "T2026"))


@pytest.mark.parametrize("kind", ["projects", "institutions"])
def test_import_work_does_not_grow_per_row(factory, event, kind) -> None:  # type: ignore[no-untyped-def]
    """Twice the rows: the same statements (executemany batches) and no ORM object per row."""
    runs = {}
    for n, prefix in ((150, "A"), (300, "B")):
        with counting(factory) as first:
            assert run_import(factory, kind, sheet(kind, n, prefix, True)).created == n
        with counting(factory) as again:
            assert run_import(factory, kind, sheet(kind, n, prefix, True)).unchanged == n
        runs[n] = (first, again)
    (small_first, small_again), (large_first, large_again) = runs[150], runs[300]
    assert large_first == small_first, runs
    assert large_again == small_again, runs
    assert large_first["objects"] == large_again["objects"] == 0, runs


def test_the_version_hook_reads_the_pending_rows_once_per_flush(  # type: ignore[no-untyped-def]
    factory, event, monkeypatch
) -> None:
    """Edits through the ORM (forms, the API) still bump the version, at a cost per flush that
    does not multiply with the rows flushed: ``Session.new`` builds a new set on every read."""
    reads = {"new": 0}
    pending = Session.new

    def counted(session: Session) -> object:
        reads["new"] += 1
        return pending.fget(session)  # type: ignore[attr-defined]

    monkeypatch.setattr(Session, "new", property(counted))
    before = version(factory)
    with transaction(factory) as db:
        event_id = get_event(db, "T2026").id
        for i in range(300):
            db.add(
                Project(event_id=event_id, code=f"ORM-{i}", name=f"项目{i}", track="green_economy")
            )
        db.flush()
    assert reads["new"] <= 3, reads
    assert version(factory) == before + 1


def test_every_kind_of_change_moves_the_version_and_none_keeps_it(factory, event) -> None:  # type: ignore[no-untyped-def]
    """The matchers of other processes reload on a new version: an import that changes nothing
    must not move it; new rows, an edited field, sessions or a portfolio alone must."""
    data = sheet("institutions", 3, "V")
    start = version(factory)
    run_import(factory, "institutions", data)
    assert version(factory) == start + 1
    run_import(factory, "institutions", data)
    assert version(factory) == start + 1
    edits = [
        (b"S1;S2", b"S2"),  # V-1's sessions only
        ("晋北智造（工业机器人，天使轮）".encode(), "晋北智造（工业机器人）".encode()),  # V-0
        (b"Silverline Angels", b"Silverline Angel Fund"),  # V-1's name
    ]
    for step, (old, new) in enumerate(edits, start=2):
        data = data.replace(old, new)
        report = run_import(factory, "institutions", data)
        assert (report.updated, report.unchanged, version(factory)) == (1, 2, start + step)
    with factory() as db:
        v0 = db.scalar(select(Institution).where(Institution.code == "V-0"))
        assert [(p.company, p.sectors, p.stage) for p in v0.portfolio] == [
            ("清源储能科技", ["储能"], "a"),
            ("晋北智造", ["工业机器人"], None),
        ]
        v1 = db.scalar(select(Institution).where(Institution.code == "V-1"))
        assert ([s.code for s in v1.sessions], v1.name) == (["S2"], "Silverline Angel Fund")
        assert "silverlineangelfund" in v1.search_text
        assert v1.updated_at > v1.created_at


def test_the_row_limit_is_a_count_of_data_rows(factory, event, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A file of exactly the documented number of rows imports (its header is not one of them);
    one row more is refused naming that row, and nothing is written."""
    monkeypatch.setattr("matchmaker.tabular.read.MAX_ROWS", 40)
    title = "2026年测试大赛报名汇总表\n".encode()
    report = run_import(factory, "projects", title + sheet("projects", 40, "L"))
    assert report.created == 40
    with pytest.raises(ImportRejected) as info:
        run_import(factory, "projects", title + sheet("projects", 41, "M"))
    [problem] = info.value.problems
    assert (problem.code, problem.row, problem.params["limit"]) == ("import.too_many_rows", 43, 40)
    with factory() as db:
        assert db.scalar(select(func.count()).select_from(Project)) == 40


def test_what_the_transaction_loaded_before_an_import_shows_the_import(factory, event) -> None:  # type: ignore[no-untyped-def]
    """The bulk statements bypass the session: copies it held before are reloaded after."""
    run_import(factory, "projects", sheet("projects", 5, "E"))
    with transaction(factory) as db:
        found = get_event(db, "T2026")
        s1 = next(s for s in found.sessions if s.code == "S1")
        first = db.scalar(select(Project).where(Project.code == "E-0"))
        assert sorted(p.code for p in s1.projects) == ["E-0", "E-1", "E-4"]
        edited = sheet("projects", 8, "E").replace("晋能储能电池管理系统".encode(), b"BMS")
        import_registrations(db, found, "projects", edited, "projects.csv")
        assert first.name == "BMS"
        assert sorted(p.code for p in s1.projects) == ["E-0", "E-1", "E-4", "E-5", "E-6"]
