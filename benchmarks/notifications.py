"""Notifications: publishing a 242-project × 41-institution session's agenda notifies every
party; what that adds to the publish, and how fast the outbox delivers to a local SMTP server
beside a bare smtplib loop to the same server.

Builds, in a SQLite file, an event of the demo's 41 institutions and 242 projects (the demo's
240 and two more made from its rows), all in one session S1 (9:00–12:00, 20-minute slots, 41
tables), an agenda built by the solver, and an account for every project and institution
contact (``invite_contacts``). A copy of the database taken before the accounts were made is
the baseline: the same publish with nobody to tell. Then, in the same run:

  publish    publish_agenda + commit with every party's account: one notice per person,
             their day as its items (the request's own cost)
  baseline   the same publish on the copy without accounts (no notice written)
  deliver    ``send_due`` until the outbox is empty: fan-out, claim, render in the person's
             language (plain text + HTML), send over one SMTP connection per batch, record
             each attempt — to an aiosmtpd server on loopback
  bare       the same messages (their text rendered beforehand, untimed) composed as e-mails
             with a plain-text and an HTML part and sent by a bare smtplib loop over one
             connection to the same server; and beneath it the floor of sending them only

Goals (issue #16): publishing adds ≤ 1 s to the request; the outbox delivers at ≥ 50% of the
bare loop's messages per second. The 2 cores are shared, so the ratios measured in the same
run are what compare; tests check correctness, nothing here asserts a time.
Run: .venv/bin/python benchmarks/notifications.py
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import smtplib
import socket
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import delete, func, select

from matchmaker.config import Settings
from matchmaker.db.engine import make_engine, migrate, session_factory, transaction
from matchmaker.db.models import Notice, NoticeDelivery
from matchmaker.domain import NoticeKind
from matchmaker.services.agendas.build import build_agenda, publish_agenda
from matchmaker.services.agendas.options import AgendaOptions
from matchmaker.services.notifications.render import Rendered, render_notice
from matchmaker.services.notifications.sender import send_due
from matchmaker.services.operations.demo import demo_file
from matchmaker.services.registry.events import (
    add_session,
    create_event,
    get_event,
    get_session,
)
from matchmaker.services.registry.invitations import invite_contacts
from matchmaker.services.registry.registrations import import_registrations
from matchmaker.services.registry.sessions import SessionSpec
from matchmaker.tabular.write import write_table
from matchmaker.wiring import build_matcher

EVENT = "NOTE2026"
PROJECTS = 242


class Sink:
    """An SMTP handler that accepts every message and counts it."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def sheet(name: str, n: int | None = None) -> bytes:
    """Return the demo's sheet with every row in S1 (``n`` rows: the demo's, then copies)."""
    reader = csv.reader(io.StringIO(demo_file(name).decode("utf-8-sig")))
    header, *rows = list(reader)
    column = next(i for i, h in enumerate(header) if h in ("对接专场", "参加专场"))
    out = []
    for i in range(n if n is not None else len(rows)):
        row = list(rows[i % len(rows)])
        if i >= len(rows):  # a copy: a new id and name (names are unique within an event)
            row[0] = f"{row[0]}-{i}"
            row[1] = f"{row[1]}·{i}"
        row[column] = "S1"
        out.append(row)
    return write_table(header, out, "csv")


def prepare(path: Path, settings: Settings) -> int:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    factory = session_factory(engine)
    day = date.today() + timedelta(days=14)
    with transaction(factory) as db:
        event = create_event(db, EVENT, "通知基准", day.year)
        spec = {
            "code": "S1",
            "name": "S1 对接专场",
            "kind": "local",
            "date": day.isoformat(),
            "start": "09:00",
            "end": "12:00",
            "slot_minutes": 20,
            "tables": 41,
        }
        add_session(db, event, SessionSpec.from_dict(spec))
        import_registrations(db, event, "institutions", sheet("institutions.csv"), "i.csv")
        import_registrations(db, event, "projects", sheet("projects.csv", PROJECTS), "p.csv")
    matcher = build_matcher(settings)
    with transaction(factory) as db:
        session = get_session(db, EVENT, "S1")
        assert len(session.projects) == PROJECTS and len(session.institutions) == 41
        outcome = build_agenda(db, matcher, session, AgendaOptions(time_limit=20))
        meetings = outcome.meetings
    engine.dispose()
    return int(meetings)


def invite_everyone(path: Path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    factory = session_factory(engine)
    with transaction(factory) as db:
        event = get_event(db, EVENT)
        people = len(invite_contacts(db, event, "projects", "https://mm.example.org").invites)
        people += len(invite_contacts(db, event, "institutions", "https://mm.example.org").invites)
        db.execute(delete(Notice))  # the invitations' own notices are not what is measured
    engine.dispose()
    return people


def publish(path: Path, settings: Settings) -> tuple[float, int]:
    engine = make_engine(f"sqlite:///{path}")
    factory = session_factory(engine)
    matcher = build_matcher(settings)
    with transaction(factory) as db:  # warm: the session's instance reads the matcher's state
        session = get_session(db, EVENT, "S1")
        matcher.state(db, session.event)
    start = time.perf_counter()
    with transaction(factory) as db:
        session = get_session(db, EVENT, "S1")
        publish_agenda(db, matcher, session)
    seconds = time.perf_counter() - start
    with transaction(factory) as db:
        notices = int(db.scalar(select(func.count(Notice.id))) or 0)
    engine.dispose()
    return seconds, notices


def deliver(path: Path, settings: Settings) -> tuple[float, int]:
    engine = make_engine(f"sqlite:///{path}")
    factory = session_factory(engine)
    start = time.perf_counter()
    sent = 0
    while True:
        report = send_due(factory, settings, limit=500)
        sent += report.sent
        assert not report.failed, report.errors[:3]
        if report.sent + report.retrying == 0 and report.dispatched == 0:
            break
    seconds = time.perf_counter() - start
    with transaction(factory) as db:
        pending = db.scalar(
            select(func.count(NoticeDelivery.id)).where(NoticeDelivery.status != "sent")
        )
        assert pending == 0, f"{pending} deliveries not sent"
    engine.dispose()
    return seconds, sent


def rendered(path: Path, n: int) -> list[Rendered]:
    """The same notices as the outbox sent, rendered beforehand (outside any timing)."""
    engine = make_engine(f"sqlite:///{path}")
    with transaction(session_factory(engine)) as db:
        query = select(Notice).order_by(Notice.id).limit(n)
        out = [render_notice(notice, "zh") for notice in db.scalars(query)]
    engine.dispose()
    return out


def compose(text: Rendered, n: int) -> EmailMessage:
    """An e-mail as a hand-written loop would make it: plain text and HTML, the usual headers."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = text.subject
    message["From"] = "bench@localhost"
    message["To"] = f"person{n}@example.org"
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="localhost")
    message.set_content(text.text)
    message.add_alternative(text.html, subtype="html")
    return message


def bare(port: int, texts: list[Rendered]) -> float:
    """A bare smtplib loop over one connection: compose each message, send it."""
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n, text in enumerate(texts):
            smtp.send_message(compose(text, n))
    return time.perf_counter() - start


def bare_send(port: int, texts: list[Rendered]) -> float:
    """The floor beneath it: the same messages composed beforehand, only sent."""
    messages = [compose(text, n) for n, text in enumerate(texts)]
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for message in messages:
            smtp.send_message(message)
    return time.perf_counter() - start


def main() -> None:
    sink = Sink()
    with socket.socket() as probe:  # a free loopback port (aiosmtpd wants one named)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            settings = replace(
                Settings.from_env(),
                database_url=f"sqlite:///{folder / 'notes.db'}",
                instance_dir=folder,
                smtp_url=f"smtp://127.0.0.1:{port}?from=bench@localhost",
                base_url="https://mm.example.org",
            )
            meetings = prepare(folder / "notes.db", settings)
            shutil.copy(folder / "notes.db", folder / "baseline.db")
            people = invite_everyone(folder / "notes.db")
            base_seconds, base_notices = publish(
                folder / "baseline.db",
                replace(settings, database_url=f"sqlite:///{folder / 'baseline.db'}"),
            )
            pub_seconds, notices = publish(folder / "notes.db", settings)
            assert base_notices == 0, base_notices
            engine = make_engine(settings.database_url)
            with transaction(session_factory(engine)) as db:
                kinds = set(db.scalars(select(Notice.kind)))
            engine.dispose()
            assert kinds == {NoticeKind.AGENDA_PUBLISHED.value}, kinds
            before = sink.count
            out_seconds, sent = deliver(folder / "notes.db", settings)
            assert sink.count - before == sent
            messages = rendered(folder / "notes.db", sent)
            bare_seconds = bare(port, messages)
            floor_seconds = bare_send(port, messages)
    finally:
        controller.stop()
    load = os.getloadavg()[0]
    added = pub_seconds - base_seconds
    outbox_rate = sent / out_seconds
    bare_rate = len(messages) / bare_seconds
    print(
        f"session S1: {PROJECTS} projects × 41 institutions, {meetings} meetings; "
        f"{people} accounts; load {load:.1f}"
    )
    print(f"{'run':<64} {'seconds':>8} {'msg/s':>8}")
    print(f"{'publish + commit, nobody to tell (baseline)':<64} {base_seconds:>8.3f}")
    print(f"{f'publish + commit, {notices} notices written':<64} {pub_seconds:>8.3f}")
    print(f"{'  added by the notices':<64} {added:>8.3f}")
    outbox = f"outbox: send_due until empty ({sent} e-mails to aiosmtpd)"
    print(f"{outbox:<64} {out_seconds:>8.3f} {outbox_rate:>8.1f}")
    loop = f"bare smtplib loop: compose + send {len(messages)} e-mails, same server"
    print(f"{loop:<64} {bare_seconds:>8.3f} {bare_rate:>8.1f}")
    floor = "  (floor: the same e-mails composed beforehand, only sent)"
    print(f"{floor:<64} {floor_seconds:>8.3f} {len(messages) / floor_seconds:>8.1f}")
    ratio = outbox_rate / bare_rate
    print(f"outbox / bare: {ratio:.2f} (goal ≥ 0.50: {'met' if ratio >= 0.5 else 'NOT met'})")
    print(f"publishing adds {added:.3f} s (goal ≤ 1 s: {'met' if added <= 1 else 'NOT met'})")


if __name__ == "__main__":
    main()
