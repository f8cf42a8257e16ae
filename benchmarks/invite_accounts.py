"""Bulk invitations: accounts and one-time links for N project contacts in one step, against a
bare floor.

Builds an event of N projects (default 300; the demo's rows with new ids, so contacts repeat
as they do in real sheets and usernames fall back to phone or event-code) in a SQLite file,
then times, in the same run:
  invite   invite_contacts(...) and commit: usernames derived, N users and N invitations
           written, N tokens drawn and hashed, audit entries written (no password hashing)
  again    the same call once more (invites nobody: every contact already has an account)
  floor    the same N user rows and N invitation rows inserted bare with SQLAlchemy core
           (executemany, one transaction) into a copy of the database as it was before
prints each with its ratio to the floor. The 2 cores are shared with other work, so the ratio
measured in the same run is what compares; tests/test_accounts.py checks correctness, nothing
here asserts a time. Target: the invite of 300 well under 5 s.
Run: .venv/bin/python benchmarks/invite_accounts.py [N]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from matchmaker.db.engine import make_engine, migrate, session_factory, transaction
from matchmaker.db.models import Invitation, User
from matchmaker.services.operations.demo import demo_file
from matchmaker.services.registry.events import create_event, get_event
from matchmaker.services.registry.invitations import invite_contacts
from matchmaker.services.registry.registrations import import_registrations
from matchmaker.tabular.write import write_table

EVENT = "BENCH2026"


def projects_sheet(n: int) -> bytes:
    reader = csv.reader(io.StringIO(demo_file("projects.csv").decode("utf-8-sig")))
    header, *rows = list(reader)
    sessions = header.index("对接专场")  # the benchmark event has no sessions
    out = []
    for i in range(n):
        row = list(rows[i % len(rows)])
        row[0] = f"BENCH-{i:04d}"
        row[1] = f"{row[1]}·{i}"  # names are unique within an event
        row[sessions] = ""
        out.append(row)
    return write_table(header, out, "csv")


def prepare(path: Path, n: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with transaction(session_factory(engine)) as db:
        event = create_event(db, EVENT, "邀请基准", 2026)
        report = import_registrations(db, event, "projects", projects_sheet(n), "p.csv")
        assert report.total == n, report
    engine.dispose()


def invite(
    path: Path,
) -> tuple[float, float, int, list[dict[str, object]], list[dict[str, object]]]:
    engine = make_engine(f"sqlite:///{path}")
    factory = session_factory(engine)
    start = time.perf_counter()
    with transaction(factory) as db:
        run = invite_contacts(db, get_event(db, EVENT), "projects", "https://mm.example.org")
    first = time.perf_counter() - start
    start = time.perf_counter()
    with transaction(factory) as db:
        again = invite_contacts(db, get_event(db, EVENT), "projects", "https://mm.example.org")
    second = time.perf_counter() - start
    assert again.invites == [], "a second run must invite nobody"
    with transaction(factory) as db:  # the rows written, to insert bare in the floor
        users = [
            {c.name: getattr(u, c.key) for c in User.__table__.columns}
            for u in db.scalars(select(User).order_by(User.id))
        ]
        links = [
            {c.name: getattr(i, c.key) for c in Invitation.__table__.columns}
            for i in db.scalars(select(Invitation).order_by(Invitation.id))
        ]
    engine.dispose()
    return first, second, len(run.invites), users, links


def floor(path: Path, users: list[dict[str, object]], links: list[dict[str, object]]) -> float:
    engine = make_engine(f"sqlite:///{path}")
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(User.__table__), users)
        conn.execute(insert(Invitation.__table__), links)
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=300, help="project contacts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        prepare(folder / "invite.db", args.n)
        shutil.copy(folder / "invite.db", folder / "floor.db")
        first, second, count, users, links = invite(folder / "invite.db")
        bare = floor(folder / "floor.db", users, links)
    assert count == args.n, (count, args.n)
    load = os.getloadavg()[0]
    print(f"invite {args.n} project contacts (SQLite file; times include the commit)")
    print(f"{'run':<62} {'seconds':>8} {'× floor':>8}   load {load:.1f}")
    for label, seconds in (
        (f"invite_contacts: {count} accounts + links + audit", first),
        ("invite_contacts again (nobody new: all skipped)", second),
        (f"floor: SQLAlchemy core insert of {len(users)} users + {len(links)} links", bare),
    ):
        print(f"{label:<62} {seconds:>8.3f} {seconds / bare:>8.1f}")
    print(f"target: ≤ 5 s for 300 — {'met' if first <= 5 else 'NOT met'} ({first:.2f} s)")


if __name__ == "__main__":
    main()
