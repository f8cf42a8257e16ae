"""The demo event in the package: three sessions, projects, institutions, one account per role.

The sessions keep their hours and spacing but move with the calendar: the first is two weeks
from the day the demo is loaded, so it can always be booked. The demo also carries a small
follow-up ledger: a pre-contest session held five weeks earlier with its meetings, the intents
signed after it along the ladder, and due-diligence tasks, so the ledger, board and report
pages have something to show on ``make run``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    AuditEntry,
    Event,
    Institution,
    Intent,
    MatchmakingSession,
    Meeting,
    Project,
)
from matchmaker.domain import (
    LOCAL_TZ,
    YUAN_PER_WAN,
    AgendaStatus,
    DropReason,
    DueDiligenceStatus,
    IntentStatus,
    MeetingStatus,
    Progress,
    Role,
    SessionKind,
)
from matchmaker.errors import Conflict
from matchmaker.services.agendas.build import agenda_of
from matchmaker.services.agendas.seats import seat_all
from matchmaker.services.audit import record
from matchmaker.services.ledger.due_diligence import create_task
from matchmaker.services.ledger.intent_changes import create_intent, update_intent
from matchmaker.services.ledger.intents import today_local
from matchmaker.services.registry.accounts import create_user, get_user
from matchmaker.services.registry.events import SessionSpec, add_session, create_event
from matchmaker.services.registry.registrations import import_registrations

DEMO_PASSWORD = "demo1234"
LEAD_DAYS = 14  # the first demo session is this many days after the demo is loaded
HELD_DAYS_AGO = 35  # the pre-contest session of the demo ledger, before every signing


@dataclass
class DemoAccount:
    """A sign-in the demo creates, printed for the person trying it."""

    username: str
    role: Role
    bound_to: str


def demo_event_code() -> str:
    """Return the code of the packaged demo event."""
    return str(json.loads(demo_file("event.json"))["event"]["code"])


def other_events(db: Session) -> list[str]:
    """Return the codes of the events in ``db`` that are not the demo's: a database holding any is
    somebody's own contest, which ``matchmaker demo --reset`` refuses to empty without --force.
    A database with no schema yet holds none."""
    from sqlalchemy import inspect

    if not inspect(db.connection()).has_table(Event.__tablename__):
        return []
    demo = demo_event_code()
    return list(db.scalars(select(Event.code).where(Event.code != demo).order_by(Event.code)))


def demo_file(name: str) -> bytes:
    """Return a file of the packaged demo data."""
    return resources.files("matchmaker.demo").joinpath("data", name).read_bytes()


def load_demo(
    db: Session, progress: Progress | None = None, ledger: bool = False
) -> tuple[Event, list[DemoAccount]]:
    """Create the demo event with its sessions, registrations and one account per role.

    ``ledger`` also records the demo intents and due-diligence tasks (:func:`load_demo_ledger`);
    off by default, as tests count on an empty ledger. Loading twice is refused by the event
    code (Conflict); the CLI resets the database first.
    """
    spec: dict[str, Any] = json.loads(demo_file("event.json"))
    info = spec["event"]
    if db.scalar(select(Event.id).where(Event.code == info["code"])) is not None:
        raise Conflict("demo.exists", code=info["code"])
    event = create_event(
        db,
        code=info["code"],
        name=info["name"],
        name_en=info.get("name_en", ""),
        year=int(info["year"]),
        city=info.get("city", ""),
        organiser=info.get("organiser", ""),
    )
    specs = [SessionSpec.from_dict(session) for session in spec["sessions"]]
    shift = today_local() + timedelta(days=LEAD_DAYS) - min(s.day for s in specs)
    for session_spec in specs:
        add_session(db, event, replace(session_spec, day=session_spec.day + shift))
    db.refresh(event)
    import_registrations(
        db, event, "institutions", demo_file("institutions.csv"), "institutions.csv", progress
    )
    import_registrations(db, event, "projects", demo_file("projects.csv"), "projects.csv", progress)
    accounts = _demo_accounts(db, event)
    if ledger:
        load_demo_ledger(db, event)
    return event, accounts


def _held_session(
    db: Session, event: Event, pairs: list[tuple[Project, Institution]], day: date
) -> MatchmakingSession:
    """Add the pre-contest session ``S0`` on ``day`` with a published agenda in which every pair
    of ``pairs`` met (each institution at its own table, its meetings in slots 1, 2, …)."""
    session = add_session(
        db,
        event,
        SessionSpec(
            code="S0",
            name="赛前预对接会",
            name_en="Pre-contest matchmaking",
            kind=SessionKind.LOCAL,
            day=day,
            start=time(14),
            end=time(17),
            slot_minutes=20,
            tables=8,
            venue="星火创业孵化基地一号楼路演中心",
        ),
    )
    for project, institution in pairs:
        if session not in project.sessions:
            project.sessions.append(session)
        if session not in institution.sessions:
            institution.sessions.append(session)
    db.flush()
    tables = seat_all(db, session, sorted({i for _p, i in pairs}, key=lambda i: i.code))
    taken: dict[int, int] = {}
    for project, institution in pairs:
        taken[institution.id] = taken.get(institution.id, 0) + 1
        db.add(
            Meeting(
                session_id=session.id,
                slot_id=session.slots[taken[institution.id] - 1].id,
                table_id=tables[institution.id].id,
                institution_id=institution.id,
                project_id=project.id,
                status=MeetingStatus.HELD,
            )
        )
    organiser = get_user(db, "organiser")
    agenda = agenda_of(db, session)
    agenda.status, agenda.revision, agenda.summary = AgendaStatus.PUBLISHED, 1, {}
    db.flush()
    summary = {"revision": 1, "meetings": len(pairs)}
    built = record(db, agenda, "build", organiser, after=summary | {"status": "draft"})
    published = record(db, agenda, "publish", organiser, after=summary | {"status": "published"})
    for entry, days_before in ((built, 4), (published, 3)):
        entry.at = datetime.combine(
            day - timedelta(days=days_before), time(10), tzinfo=LOCAL_TZ
        ).astimezone(UTC)
    agenda.built_at, agenda.published_at = built.at, published.at
    return session


def _date_the_story(db: Session, intent: Intent, days: list[date]) -> None:
    """Date the demo intent's audit entries (one per day in ``days``, oldest first) and its
    status clock at 10:00 local on those days."""
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == Intent.__tablename__, AuditEntry.entity_id == intent.id)
        .order_by(AuditEntry.id)
    ).all()
    moments = [datetime.combine(d, time(10), tzinfo=LOCAL_TZ).astimezone(UTC) for d in days]
    for entry, moment in zip(entries, moments, strict=True):
        entry.at = moment
    intent.created_at, intent.status_since = moments[0], moments[-1]


def _demo_accounts(db: Session, event: Event) -> list[DemoAccount]:
    institution = db.scalars(
        select(Institution).where(Institution.event_id == event.id).order_by(Institution.code)
    ).first()
    project = db.scalars(
        select(Project).where(Project.event_id == event.id).order_by(Project.code)
    ).first()
    accounts = [
        DemoAccount("organiser", Role.ORGANISER, ""),
        DemoAccount("staff", Role.STAFF, ""),
        DemoAccount("investor", Role.INVESTOR, institution.code if institution else ""),
        DemoAccount("entrant", Role.ENTRANT, project.code if project else ""),
    ]
    names = {
        "organiser": "大赛组委会",
        "staff": "中小企业服务中心",
        "investor": institution.name if institution else "",
        "entrant": project.name if project else "",
    }
    for account in accounts:
        create_user(
            db,
            account.username,
            account.role,
            DEMO_PASSWORD,
            display_name=names[account.username],
            institution=institution if account.role is Role.INVESTOR else None,
            project=project if account.role is Role.ENTRANT else None,
            check_policy=False,  # shared demo accounts, printed on the sign-in page
        )
    return accounts


# (project, institution, status, amount in 万元, days since signing, landed 万元, drop reason)
_INTENTS: tuple[tuple[str, str, IntentStatus, int | None, int, int | None, str], ...] = (
    ("P001", "I01", IntentStatus.SIGNED, 800, 6, None, ""),
    ("P006", "I08", IntentStatus.DUE_DILIGENCE, 1500, 12, None, ""),
    ("P012", "I09", IntentStatus.INVESTED, 1800, 30, 1200, ""),
    ("P015", "I05", IntentStatus.NEGOTIATING, 250, 0, None, ""),
    ("P014", "I05", IntentStatus.SIGNED, 2000, 4, None, ""),
    ("P003", "I05", IntentStatus.WATCHING, None, 0, None, ""),
    ("P010", "I09", IntentStatus.SIGNED, 500, 8, None, ""),
    ("P002", "I01", IntentStatus.DROPPED, None, 0, None, DropReason.SECTOR_MISMATCH.value),
    ("P005", "I05", IntentStatus.SIGNED, 1600, 3, None, ""),
    ("P004", "I10", IntentStatus.DUE_DILIGENCE, 1000, 10, None, ""),
    ("P013", "I09", IntentStatus.SIGNED, 900, 2, None, ""),
    ("P011", "I09", IntentStatus.WATCHING, None, 0, None, ""),
)
# Pairs that met at the pre-contest session without (yet) an intent: not every meeting leads on.
_MET_ONLY: tuple[tuple[str, str], ...] = (
    ("P007", "I01"),
    ("P008", "I01"),
    ("P009", "I08"),
    ("P016", "I08"),
    ("P017", "I10"),
    ("P018", "I10"),
)
# (project, institution, owner, due in days from today, next follow-up in days, outcome if done)
_TASKS: tuple[tuple[str, str, str, int, int | None, str], ...] = (
    ("P006", "I08", "王敏", -4, -1, ""),
    ("P004", "I10", "李强", 3, 0, ""),
    ("P001", "I01", "王敏", 20, 7, ""),
    ("P012", "I09", "赵丽", -10, None, "入场考察完成，首期 1200 万元已到账，项目落地太原综改区"),
)


def load_demo_ledger(db: Session, event: Event) -> None:
    """Record the demo's intents and due-diligence tasks as the demo staff account.

    Dates count back from today (Asia/Shanghai), so the board always has overdue and upcoming
    tasks and no date lies in the future; everything else is fixed. The demo's invented history
    is dated as its story goes (an intent signed six days ago has been signed for six days), so
    the report's days-in-stage are not all zero.
    """
    staff, today = get_user(db, "staff"), today_local()
    projects = {p.code: p for p in db.scalars(select(Project).where(Project.event_id == event.id))}
    institutions = {
        i.code: i for i in db.scalars(select(Institution).where(Institution.event_id == event.id))
    }
    prefix = event.code + "-"
    pairs = [(p, i) for p, i, *_rest in _INTENTS] + list(_MET_ONLY)
    held = _held_session(
        db,
        event,
        [(projects[prefix + p], institutions[prefix + i]) for p, i in pairs],
        today - timedelta(days=HELD_DAYS_AGO),
    )
    for project_code, institution_code, status, wan, days, landed, drop in _INTENTS:
        project, institution = (
            projects[prefix + project_code],
            institutions[prefix + institution_code],
        )
        values: dict[str, Any] = {"status": status, "drop_reason": drop, "session_id": held.id}
        if wan is not None:
            values["amount"] = wan * YUAN_PER_WAN
        if status not in (IntentStatus.WATCHING, IntentStatus.NEGOTIATING, IntentStatus.DROPPED):
            values["signed_at"] = today - timedelta(days=days)
            values["signatories"] = "张总、刘经理"
        if landed is not None:
            values["invested_amount"] = landed * YUAN_PER_WAN
            values["invested_at"] = today - timedelta(days=days // 3)
        intent = create_intent(db, staff, event, project, institution.id, values)
        began = values.get("invested_at") or values.get("signed_at") or today - timedelta(days=5)
        moments = [began]
        if project_code == "P010":  # one step back, with its reason, to show in the history
            update_intent(
                db,
                staff,
                intent,
                {"status": IntentStatus.NEGOTIATING},
                reason="对方要求重新评估估值，退回洽谈",
            )
            moments.append(today - timedelta(days=1))
        _date_the_story(db, intent, moments)
    for project_code, institution_code, owner, due, follow, outcome in _TASKS:
        if 0 <= due <= 6:  # due "this week" whatever today's weekday: by Sunday at the latest
            due = min(due, 6 - today.weekday())
        values = {
            "owner": owner,
            "due_date": today + timedelta(days=due),
            "next_follow_up": None if follow is None else today + timedelta(days=follow),
        }
        if outcome:
            values.update(status=DueDiligenceStatus.DONE, outcome=outcome)
        create_task(
            db,
            staff,
            projects[prefix + project_code],
            institutions[prefix + institution_code].id,
            values,
        )
