"""What the agendas tell people (#16): a request asked, answered, withdrawn or lapsed; an
agenda published; meetings of a published agenda moved, cancelled or added.

Every notice is written with :mod:`matchmaker.services.notifications.outbox` in the caller's
transaction, so a change that is refused or rolled back tells nobody. Params and items are
plain JSON: names, the session's name in both languages, ``MM-DD`` dates, ``HH:MM`` times at
the venue (Asia/Shanghai) and the table's label in both languages (``table``/``table_en``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    Agenda,
    Institution,
    MatchmakingSession,
    Meeting,
    MeetingRequest,
    Project,
    Slot,
    Table,
    User,
)
from matchmaker.domain import LOCAL_TZ, AgendaStatus, MeetingStatus, NoticeKind, Role
from matchmaker.services.agendas.seats import table_label
from matchmaker.services.notifications.outbox import Letter, notify, notify_each, party_users

PROJECT, INSTITUTION = "project", "institution"
CONFIRMED = (MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.NO_SHOW)


def session_params(session: MatchmakingSession) -> dict[str, str]:
    """Return the session as a notice names it: its name in both languages and its date."""
    return {
        "session": session.name,
        "session_en": session.name_en or session.name,
        "date": session.starts_at.astimezone(LOCAL_TZ).strftime("%m-%d"),
        "venue": session.venue,
    }


def place(starts_at: datetime, table: Table | None) -> dict[str, str]:
    """Return where and when a meeting is: ``date`` (MM-DD), ``time`` (HH:MM), table labels."""
    local = starts_at.astimezone(LOCAL_TZ)
    return {
        "date": local.strftime("%m-%d"),
        "time": local.strftime("%H:%M"),
        "table": table_label(table, "zh"),
        "table_en": table_label(table, "en"),
    }


# ---- requests ---------------------------------------------------------------------------------


def tell_request(
    db: Session,
    request: MeetingRequest,
    kind: NoticeKind,
    actor: User | None,
    sides: Iterable[str],
    hold: Meeting | None = None,
) -> None:
    """Tell the accounts of ``sides`` (``project``/``institution``) of ``request`` what became
    of it; the actor is never told of their own act. ``hold``: the request's meeting when the
    caller has it in hand (it is looked up otherwise)."""
    params = _request_params(db, request, hold)
    items = []
    if kind == NoticeKind.REQUEST_RECEIVED and request.message:
        items.append({"what": "message", "text": request.message})
    for side in sides:
        users = _side_users(db, request, side)
        users = [u for u in users if actor is None or u.id != actor.id]
        if not users:
            continue
        other = request.institution if side == PROJECT else request.project
        notify(
            db,
            users,
            kind,
            {**params, "counterpart": other.name},
            event_id=request.session.event_id,
            items=items,
        )


def asker_side(request: MeetingRequest) -> str:
    """Return the side that asked: the institution when an investor did, else the project (an
    organiser books on a project's behalf, as :func:`bookings.decide` reads it)."""
    return INSTITUTION if request.requested_by == Role.INVESTOR else PROJECT


def asked_side(request: MeetingRequest) -> str:
    """Return the side that was asked (and answers)."""
    return PROJECT if asker_side(request) == INSTITUTION else INSTITUTION


def _side_users(db: Session, request: MeetingRequest, side: str) -> list[User]:
    if side == PROJECT:
        return party_users(db, projects=[request.project_id])
    return party_users(db, institutions=[request.institution_id])


def _request_params(
    db: Session, request: MeetingRequest, hold: Meeting | None = None
) -> dict[str, Any]:
    if hold is None:
        hold = db.scalar(select(Meeting).where(Meeting.request_id == request.id))
    table = db.get(Table, hold.table_id) if hold is not None and hold.table_id else None
    slot = request.slot or (hold.slot if hold is not None else None)
    asker = request.institution if asker_side(request) == INSTITUTION else request.project
    params: dict[str, Any] = {
        **session_params(request.session),
        "request_id": request.id,
        "project": request.project.name,
        "institution": request.institution.name,
        "by": asker.name,
    }
    if slot is not None:
        params |= place(slot.starts_at, table)
    if request.expires_at is not None:
        expires = request.expires_at.astimezone(LOCAL_TZ)
        params["expires"] = expires.strftime("%m-%d %H:%M")
    return params


# ---- an agenda published ---------------------------------------------------------------------


def tell_published(db: Session, session: MatchmakingSession, actor: User | None = None) -> int:
    """Give every account of every party of ``session`` one notice listing its own day (time,
    table, counterpart); return how many notices. A few queries whatever the session's size:
    the accounts of all parties in one, the meetings in one."""
    slots = {s.id: s for s in session.slots}
    tables = {t.id: t for t in session.tables}
    projects = {p.id: p for p in session.projects}
    institutions = {i.id: i for i in session.institutions}
    mine: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    meetings = db.execute(
        select(Meeting.institution_id, Meeting.project_id, Meeting.slot_id, Meeting.table_id)
        .where(Meeting.session_id == session.id, Meeting.status.in_(CONFIRMED))
        .order_by(Meeting.slot_id)
    ).all()
    for institution_id, project_id, slot_id, table_id in meetings:
        at = place(slots[slot_id].starts_at, tables.get(table_id) if table_id else None)
        project, institution = projects.get(project_id), institutions.get(institution_id)
        at["what"] = "meeting"
        mine[(PROJECT, project_id)].append({**at, "counterpart": _name(institution)})
        mine[(INSTITUTION, institution_id)].append({**at, "counterpart": _name(project)})
    params = session_params(session)
    letters: list[Letter] = []
    for user in party_users(db, projects=projects, institutions=institutions):
        if actor is not None and user.id == actor.id:
            continue
        items = sorted(mine[_party_of(user)], key=lambda item: item["time"])
        letters.append((user, {**params, "count": len(items)}, items))
    notify_each(
        db,
        NoticeKind.AGENDA_PUBLISHED,
        letters,
        event_id=session.event_id,
        fold_key=f"agenda:{session.id}",
    )
    return len(letters)


# ---- changes to a published agenda -------------------------------------------------------------


class _Where(NamedTuple):
    institution_id: int
    project_id: int
    starts_at: datetime
    table: str
    table_en: str


@contextmanager
def watching(db: Session, session: MatchmakingSession, actor: User | None = None) -> Iterator[None]:
    """Tell everyone whose meetings in ``session`` the block moved, cancelled or added, one
    ``meetings_changed`` notice per person listing every change (folded per session).

    Only a published agenda is watched: a draft is the organiser's and tells nobody. Watches
    nest (a cancellation repairs, a session edit repairs): only the outermost one tells, once,
    what the whole change did; a block that raises tells nothing.
    """
    active: set[int] = db.info.setdefault("agenda_watches", set())
    if session.id in active or not _published(db, session):
        yield
        return
    active.add(session.id)
    try:
        before = _where_now(db, session)
        yield
        after = _where_now(db, session)
    finally:
        active.discard(session.id)
    tell_changes(db, session, before, after, actor)


def tell_changes(
    db: Session,
    session: MatchmakingSession,
    before: Mapping[int, _Where],
    after: Mapping[int, _Where],
    actor: User | None,
) -> int:
    """Write the ``meetings_changed`` notices for the difference of two snapshots (meeting id →
    where); return how many people were told."""
    changes: list[tuple[_Where, dict[str, Any]]] = []
    for meeting_id in sorted(set(before) | set(after)):
        old, new = before.get(meeting_id), after.get(meeting_id)
        if old is not None and new is not None:
            if (old.starts_at, old.table) == (new.starts_at, new.table):
                continue
            moved = _at(new) | {f"from_{k}": v for k, v in _at(old).items()}
            changes.append((new, {"what": "moved", **moved}))
        elif old is not None:
            changes.append((old, {"what": "cancelled", **_at(old)}))
        elif new is not None:
            changes.append((new, {"what": "added", **_at(new)}))
    if not changes:
        return 0
    project_ids = {w.project_id for w, _item in changes}
    institution_ids = {w.institution_id for w, _item in changes}
    names = _names(db, project_ids, institution_ids)
    mine: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for where, item in changes:
        mine[(PROJECT, where.project_id)].append(
            {**item, "counterpart": names[(INSTITUTION, where.institution_id)]}
        )
        mine[(INSTITUTION, where.institution_id)].append(
            {**item, "counterpart": names[(PROJECT, where.project_id)]}
        )
    params = session_params(session)
    letters: list[Letter] = [
        (user, params, mine[_party_of(user)])
        for user in party_users(db, projects=project_ids, institutions=institution_ids)
        if actor is None or user.id != actor.id
    ]
    notify_each(
        db,
        NoticeKind.MEETINGS_CHANGED,
        letters,
        event_id=session.event_id,
        fold_key=f"changes:{session.id}",
    )
    return len(letters)


def _where_now(db: Session, session: MatchmakingSession) -> dict[int, _Where]:
    """Return meeting id → where each live meeting of ``session`` is (labels read now: an edit
    may delete the table or slot a meeting was in)."""
    rows = db.execute(
        select(Meeting.id, Meeting.institution_id, Meeting.project_id, Slot.starts_at, Table)
        .join(Slot, Slot.id == Meeting.slot_id)
        .outerjoin(Table, Table.id == Meeting.table_id)
        .where(Meeting.session_id == session.id, Meeting.status != MeetingStatus.CANCELLED)
    ).all()
    return {
        meeting_id: _Where(i, p, starts, table_label(table, "zh"), table_label(table, "en"))
        for meeting_id, i, p, starts, table in rows
    }


def _at(where: _Where) -> dict[str, str]:
    local = where.starts_at.astimezone(LOCAL_TZ)
    return {
        "date": local.strftime("%m-%d"),
        "time": local.strftime("%H:%M"),
        "table": where.table,
        "table_en": where.table_en,
    }


def _published(db: Session, session: MatchmakingSession) -> bool:
    status = db.scalar(select(Agenda.status).where(Agenda.session_id == session.id))
    return status == AgendaStatus.PUBLISHED


def _names(
    db: Session, project_ids: Iterable[int], institution_ids: Iterable[int]
) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    for pid, name in db.execute(
        select(Project.id, Project.name).where(Project.id.in_(project_ids))
    ):
        names[(PROJECT, pid)] = name
    for iid, name in db.execute(
        select(Institution.id, Institution.name).where(Institution.id.in_(institution_ids))
    ):
        names[(INSTITUTION, iid)] = name
    return names


def _party_of(user: User) -> tuple[str, int]:
    if user.project_id is not None:
        return (PROJECT, user.project_id)
    return (INSTITUTION, user.institution_id or 0)


def _name(party: Project | Institution | None) -> str:
    return party.name if party is not None else ""
