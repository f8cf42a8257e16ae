"""Timed notices, read off the database when they fall due (#16): the reminder the evening
before a day of meetings and the one some minutes before each meeting, due-diligence tasks due
or overdue, and booking requests that lapsed with nobody looking.

Nothing is scheduled ahead: each scan (the sender's pass, or ``matchmaker notifications
remind``) writes what is due *now*, under a deterministic idempotency key checked before writing,
so a second scan writes nothing and two senders racing write each reminder once (the key is
unique). A reminder's key holds its meeting's slot start: a meeting that moves has a new key,
its reminder follows it, and the old time never fires. A reminder is written only between its
time and the meeting's start (the evening one only that evening): a scan hours late sends
nothing stale.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.config import Settings
from matchmaker.db.models import (
    Agenda,
    DueDiligence,
    Institution,
    MatchmakingSession,
    Meeting,
    MeetingRequest,
    Notice,
    Project,
    Slot,
    Table,
    User,
)
from matchmaker.db.types import utcnow
from matchmaker.domain import (
    LOCAL_TZ,
    AgendaStatus,
    DueDiligenceStatus,
    NoticeKind,
    RequestStatus,
    Role,
)
from matchmaker.errors import InvalidInput, Problem
from matchmaker.services.agendas.bookings import expire_stale
from matchmaker.services.agendas.notices import CONFIRMED, place, session_params
from matchmaker.services.notifications.outbox import party_users

__all__ = [
    "evening_time",
    "expire_lapsed",
    "queue_reminders",
    "queue_task_notices",
    "reminder_offsets",
]


def reminder_offsets(settings: Settings) -> list[int]:
    """Return the minutes before a meeting at which it is reminded of (``15,60`` → [15, 60]);
    InvalidInput naming ``MATCHMAKER_REMINDER_MINUTES`` for a bad list. Empty: none."""
    raw = settings.reminder_minutes.replace("，", ",")
    offsets: set[int] = set()
    for part in filter(None, (p.strip() for p in raw.split(","))):
        if not part.isdigit() or not 1 <= int(part) <= 7 * 24 * 60:
            raise InvalidInput(
                None,
                [
                    Problem(
                        "notice.reminder.bad_minutes",
                        column="MATCHMAKER_REMINDER_MINUTES",
                        value=part,
                    )
                ],
            )
        offsets.add(int(part))
    return sorted(offsets)


def evening_time(settings: Settings) -> time | None:
    """Return the local time of the day-before reminder (``18:00``); None when it is off (an
    empty setting). InvalidInput naming ``MATCHMAKER_REMINDER_EVENING`` when it is no HH:MM."""
    raw = settings.reminder_evening.strip()
    if not raw:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        problem = Problem(
            "notice.reminder.bad_evening", column="MATCHMAKER_REMINDER_EVENING", value=raw
        )
        raise InvalidInput(None, [problem]) from None


def queue_reminders(db: Session, settings: Settings, now: datetime | None = None) -> int:
    """Write every notice that has fallen due at ``now`` and return how many: meeting reminders
    (:func:`meeting_reminders`), due-diligence tasks (:func:`queue_task_notices`) and lapsed
    requests (:func:`expire_lapsed`, whose parties are told). The sender calls it each pass."""
    now = now or utcnow()
    written = meeting_reminders(db, settings, now)
    written += queue_task_notices(db, now)
    expire_lapsed(db, now)
    return written


def meeting_reminders(db: Session, settings: Settings, now: datetime) -> int:
    """Write the reminders due at ``now``; return how many.

    (a) At ``reminder_evening`` (Asia/Shanghai) on the day before, each person with meetings
    the next day gets one listing them; (b) each meeting is reminded of ``reminder_minutes``
    before it starts, to each person of both its parties. Of several offsets already passed
    only the latest (the nearest the meeting) fires.
    """
    offsets = reminder_offsets(settings)
    evening = evening_time(settings)
    local_now = now.astimezone(LOCAL_TZ)
    upper = now + timedelta(minutes=max(offsets, default=0))
    tomorrow: date | None = None
    if evening is not None and local_now.time() >= evening:
        tomorrow = local_now.date() + timedelta(days=1)
        day_after = datetime.combine(tomorrow + timedelta(days=1), time(), LOCAL_TZ)
        upper = max(upper, day_after)
    meetings = _coming(db, now, upper)
    if not meetings:
        return 0
    users = party_users(
        db,
        projects={m["project_id"] for m in meetings},
        institutions={m["institution_id"] for m in meetings},
    )
    people: dict[tuple[str, int], list[User]] = defaultdict(list)
    for user in users:
        people[_party(user)].append(user)
    wanted: list[Notice] = []
    evenings: dict[User, list[dict[str, Any]]] = defaultdict(list)  # person → tomorrow's
    for meeting in meetings:
        start: datetime = meeting["starts_at"]
        due = [o for o in offsets if start - timedelta(minutes=o) <= now]
        for side, other in (("project", "institution"), ("institution", "project")):
            for user in people[(side, meeting[f"{side}_id"])]:
                item = {**meeting["at"], "what": "meeting", "counterpart": meeting[other]}
                if due:
                    offset = min(due)  # the nearest the meeting; earlier ones are stale
                    key = f"reminder:{user.id}:{meeting['id']}:{offset}:{_stamp(start)}"
                    params = {**meeting["params"], **meeting["at"], "minutes": offset}
                    wanted.append(_notice(user, meeting["event_id"], key, params, [item]))
                if tomorrow is not None and start.astimezone(LOCAL_TZ).date() == tomorrow:
                    evenings[user].append(meeting | {"item": item})
    for user, theirs in evenings.items():
        first = theirs[0]  # the meetings come in time order
        params = {**first["params"], **first["at"]}
        key = f"reminder:{user.id}:eve:{tomorrow:%Y%m%d}"
        items = [m["item"] for m in theirs]
        wanted.append(_notice(user, first["event_id"], key, params, items))
    return _write_new(db, wanted)


def queue_task_notices(db: Session, now: datetime | None = None) -> int:
    """Tell each open due-diligence task's owner, once a day, that it is due today or overdue;
    return how many notices were written.

    ``DueDiligence.owner`` is a name typed by staff: it is matched to an active account by
    username or display name. A task whose owner matches no account goes to every active
    organiser and staff account (someone must chase it). A person's tasks of one day fold into
    one notice (``fold_key`` ``tasks:<day>``); a task already listed to them that day is not
    listed again.
    """
    now = now or utcnow()
    today = now.astimezone(LOCAL_TZ).date()
    tasks = list(
        db.scalars(
            select(DueDiligence)
            .where(
                DueDiligence.status == DueDiligenceStatus.OPEN,
                DueDiligence.due_date.is_not(None),
                DueDiligence.due_date <= today,
            )
            .order_by(DueDiligence.due_date, DueDiligence.id)
        )
    )
    if not tasks:
        return 0
    owners = {t.owner.strip() for t in tasks if t.owner.strip()}
    accounts = list(
        db.scalars(
            select(User).where(
                User.active.is_(True),
                or_(User.username.in_(owners), User.display_name.in_(owners)),
            )
        )
    ) if owners else []  # fmt: skip
    by_name: dict[str, list[User]] = defaultdict(list)
    for user in accounts:
        for name in {user.username, user.display_name}:
            if name in owners:
                by_name[name].append(user)
    fallback: list[User] | None = None
    mine: dict[User, list[DueDiligence]] = defaultdict(list)
    for task in tasks:
        owners_of = by_name.get(task.owner.strip(), [])
        if not owners_of:
            if fallback is None:
                fallback = _chasers(db)
            owners_of = fallback
        for user in owners_of:
            mine[user].append(task)
    fold = f"tasks:{today:%Y%m%d}"
    told = _told_today(db, [u.id for u in mine], fold)
    written = 0
    for user, theirs in sorted(mine.items(), key=lambda pair: pair[0].id):
        fresh = [t for t in theirs if t.id not in told.get(user.id, set())]
        if not fresh:
            continue
        items = [_task_item(t, today) for t in fresh]
        open_notice = _open_today(db, user.id, fold) if user.id in told else None
        if open_notice is not None:
            open_notice.items = [*open_notice.items, *items]
            open_notice.params = {**open_notice.params, "count": len(open_notice.items)}
            continue
        params = {"day": f"{today:%m-%d}", "count": len(items)}
        key = f"task_due:{user.id}:{today:%Y%m%d}:{fresh[0].id}"
        notice = _notice(user, fresh[0].project.event_id, key, params, items, NoticeKind.TASK_DUE)
        notice.fold_key = fold
        written += _write_new(db, [notice])
    return written


def expire_lapsed(db: Session, now: datetime | None = None) -> int:
    """Expire the pending requests of every session that are past their time (their parties
    are told), so a request lapses on time even when nobody opens a page; return how many."""
    now = now or utcnow()
    sessions = db.scalars(
        select(MatchmakingSession).where(
            MatchmakingSession.id.in_(
                select(MeetingRequest.session_id).where(
                    MeetingRequest.status == RequestStatus.PENDING,
                    MeetingRequest.expires_at < now,
                )
            )
        )
    ).all()
    return sum(expire_stale(db, session, now) for session in sessions)


# ---- reading and writing ----------------------------------------------------------------------


def _coming(db: Session, now: datetime, upper: datetime) -> list[dict[str, Any]]:
    """Return the confirmed meetings people hold starting in (now, upper]."""
    rows = db.execute(
        select(Meeting, Slot.starts_at, Table, MatchmakingSession, Project.name, Institution.name)
        .join(Slot, Slot.id == Meeting.slot_id)
        .outerjoin(Agenda, Agenda.session_id == Meeting.session_id)
        .join(MatchmakingSession, MatchmakingSession.id == Meeting.session_id)
        .join(Project, Project.id == Meeting.project_id)
        .join(Institution, Institution.id == Meeting.institution_id)
        .outerjoin(Table, Table.id == Meeting.table_id)
        .where(
            # a published agenda's meetings, and accepted bookings (their parties see them
            # before the agenda is published)
            or_(Agenda.status == AgendaStatus.PUBLISHED, Meeting.request_id.is_not(None)),
            Meeting.status.in_(CONFIRMED),
            Slot.starts_at > now,
            Slot.starts_at <= upper,
        )
        .order_by(Slot.starts_at, Meeting.id)
    ).all()
    return [
        {
            "id": meeting.id,
            "event_id": session.event_id,
            "project_id": meeting.project_id,
            "institution_id": meeting.institution_id,
            "project": project,
            "institution": institution,
            "starts_at": starts_at,
            "at": place(starts_at, table),
            "params": session_params(session),
        }
        for meeting, starts_at, table, session, project, institution in rows
    ]


def _notice(
    user: User,
    event_id: int | None,
    key: str,
    params: dict[str, Any],
    items: list[Any],
    kind: NoticeKind = NoticeKind.REMINDER,
) -> Notice:
    return Notice(
        event_id=event_id, user_id=user.id, kind=kind.value, key=key, params=params, items=items
    )


def _write_new(db: Session, notices: list[Notice]) -> int:
    """Add the notices whose key is not written yet; return how many were added. A sender
    racing this one may write the same key first: then that one stays and this one is skipped."""
    if not notices:
        return 0
    keys = [n.key for n in notices]
    seen: set[str] = set()
    for start in range(0, len(keys), 500):
        seen.update(db.scalars(select(Notice.key).where(Notice.key.in_(keys[start : start + 500]))))
    fresh = [n for n in notices if n.key not in seen]
    try:
        with db.begin_nested():
            db.add_all(fresh)
    except IntegrityError:  # someone wrote some of them meanwhile: add the rest one by one
        written = 0
        for notice in fresh:
            try:
                with db.begin_nested():
                    db.add(_copy(notice))  # the rolled-back savepoint dropped the first try
                written += 1
            except IntegrityError:
                continue
        return written
    return len(fresh)


def _copy(notice: Notice) -> Notice:
    names = ("event_id", "user_id", "kind", "key", "fold_key", "params", "items")
    return Notice(**{name: getattr(notice, name) for name in names})


def _chasers(db: Session) -> list[User]:
    return list(
        db.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_((Role.ORGANISER, Role.STAFF)))
            .order_by(User.id)
        )
    )


def _told_today(db: Session, user_ids: list[int], fold: str) -> dict[int, set[int]]:
    told: dict[int, set[int]] = defaultdict(set)
    if not user_ids:
        return told
    notices = db.scalars(
        select(Notice).where(
            Notice.kind == NoticeKind.TASK_DUE.value,
            Notice.fold_key == fold,
            Notice.user_id.in_(user_ids),
        )
    )
    for notice in notices:
        told[notice.user_id].update(int(i["task_id"]) for i in notice.items if "task_id" in i)
    return told


def _open_today(db: Session, user_id: int, fold: str) -> Notice | None:
    return db.scalars(
        select(Notice)
        .where(
            Notice.user_id == user_id,
            Notice.kind == NoticeKind.TASK_DUE.value,
            Notice.fold_key == fold,
            Notice.dispatched_at.is_(None),
        )
        .order_by(Notice.id.desc())
        .limit(1)
        .with_for_update()
    ).first()


def _task_item(task: DueDiligence, today: date) -> dict[str, Any]:
    assert task.due_date is not None  # the query asks for a due date
    return {
        "what": "task_due" if task.due_date == today else "task_overdue",
        "task_id": task.id,
        "project": task.project.name,
        "institution": task.counterpart_name,
        "due": task.due_date.isoformat(),
    }


def _party(user: User) -> tuple[str, int]:
    if user.project_id is not None:
        return ("project", user.project_id)
    return ("institution", user.institution_id or 0)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y%m%dT%H%M")
