"""No-shows and late arrivals on the day: what the organiser is offered to repair, and the repairs.

A no-show (a meeting marked absent) leaves the absent party's meetings still to come in the
agenda; the organiser's repair takes that party out of the rest of the session and refills the
seats it held. A party's own "I'm 20 minutes late" is a pending report until an organiser
confirms it, which runs the late-arrival repair from the first slot the party can reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    Institution,
    LateReport,
    MatchmakingSession,
    Meeting,
    Project,
    Unavailability,
    User,
)
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ, MeetingStatus, NoticeKind, Role
from matchmaker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.messages import Ref
from matchmaker.services.agendas.attendance import KEY, absent_side, attendance_of, new_client_key
from matchmaker.services.agendas.build import Outcome, ensure_not_over
from matchmaker.services.agendas.repair import arrives_late, repair_agenda
from matchmaker.services.audit import record
from matchmaker.services.matching.matcher import Matcher
from matchmaker.services.notifications.outbox import notify

MAX_MINUTES = 600
TO_COME = (MeetingStatus.SCHEDULED, MeetingStatus.REQUESTED)


@dataclass(frozen=True)
class NoShow:
    """A no-show whose absent party still has meetings to come: a repair is offered."""

    meeting: Meeting
    absent: Project | Institution
    to_come: int  # the absent party's meetings in slots not yet begun


def _party_column(party: Project | Institution) -> str:
    return "project_id" if isinstance(party, Project) else "institution_id"


def _to_come(
    db: Session, session: MatchmakingSession, party: Project | Institution, now: datetime
) -> list[Meeting]:
    future = [slot.id for slot in session.slots if slot.starts_at > now]
    if not future:
        return []
    column = getattr(Meeting, _party_column(party))
    return list(
        db.scalars(
            select(Meeting).where(
                Meeting.session_id == session.id,
                column == party.id,
                Meeting.slot_id.in_(future),
                Meeting.status.in_(TO_COME),
            )
        )
    )


def no_shows(db: Session, session: MatchmakingSession, now: datetime | None = None) -> list[NoShow]:
    """Return the session's no-shows whose absent party still has meetings to come, by slot."""
    now = now or utcnow()
    if session.ends_at <= now:
        return []
    found = db.scalars(
        select(Meeting).where(
            Meeting.session_id == session.id, Meeting.status == MeetingStatus.NO_SHOW
        )
    )
    out, seen = [], set()
    for meeting in sorted(found, key=lambda m: (m.slot.number, m.id)):
        absent = _absent(db, meeting)
        if absent is None or (type(absent), absent.id) in seen:
            continue
        seen.add((type(absent), absent.id))
        left = _to_come(db, session, absent, now)
        if left:
            out.append(NoShow(meeting, absent, len(left)))
    return out


def _absent(db: Session, meeting: Meeting) -> Project | Institution | None:
    side = absent_side(attendance_of(db, meeting).marks)
    if side is None:
        return None
    return meeting.project if side == "project" else meeting.institution


def repair_no_show(
    db: Session, matcher: Matcher, meeting: Meeting, actor: User, lang: str = "zh"
) -> Outcome:
    """Take the absent party of no-show ``meeting`` out of the rest of its session: its
    meetings still to come are cancelled, it is away in every slot to come, and the session is
    repaired (the seats it held are refilled, the fewest other meetings moved)."""
    session = meeting.session
    ensure_not_over(session)
    absent = _absent(db, meeting) if meeting.status == MeetingStatus.NO_SHOW else None
    if absent is None:
        raise Conflict("attendance.not_no_show")
    now = utcnow()
    cancelled = _to_come(db, session, absent, now)
    for gone in cancelled:
        before = {"status": gone.status.value, "slot_id": gone.slot_id}
        gone.status = MeetingStatus.CANCELLED
        db.flush()
        record(db, gone, "cancel", actor, before, {"status": "cancelled", "reason": "no_show"})
    column = _party_column(absent)
    for slot in session.slots:
        if slot.starts_at <= now:
            continue
        exists = db.scalar(
            select(Unavailability).where(
                Unavailability.slot_id == slot.id, getattr(Unavailability, column) == absent.id
            )
        )
        if exists is None:
            db.add(Unavailability(slot_id=slot.id, reason="no_show", **{column: absent.id}))
    db.flush()
    return repair_agenda(db, matcher, session, actor, lang=lang, freed=cancelled)


# ---- late arrivals the parties report themselves ------------------------------------------


def report_late(
    db: Session,
    viewer: User,
    session: MatchmakingSession,
    minutes: int,
    client_key: str | None = None,
    now: datetime | None = None,
) -> tuple[LateReport, bool]:
    """Record that ``viewer``'s party will be ``minutes`` late to ``session``; return the
    report and whether it is new (a client key seen before changes nothing).

    A newer report replaces the party's pending one. Organisers are told.
    """
    now = now or utcnow()
    problems = []
    if not 1 <= minutes <= MAX_MINUTES:
        problems.append(Problem("late.bad_minutes", column="minutes", value=minutes))
    if client_key is not None and not KEY.fullmatch(client_key):
        problems.append(Problem("attendance.bad_key", column="client_key", value=client_key))
    if problems:
        raise InvalidInput("late.invalid", problems)
    party = _own_party(viewer, session)
    key = client_key or new_client_key()
    seen = db.scalar(select(LateReport).where(LateReport.client_key == key))
    if seen is not None:
        if seen.user_id != viewer.id or seen.session_id != session.id:
            raise Conflict("attendance.key_reused")
        return seen, False
    ensure_not_over(session)
    column = _party_column(party)
    for older in db.scalars(
        select(LateReport).where(
            LateReport.session_id == session.id,
            getattr(LateReport, column) == party.id,
            LateReport.status == "pending",
        )
    ):
        older.status = "dismissed"
        record(db, older, "replace", viewer, {"status": "pending"}, {"status": "dismissed"})
    report = LateReport(
        session_id=session.id,
        minutes=minutes,
        expected_at=now + timedelta(minutes=minutes),
        status="pending",
        user_id=viewer.id,
        client_key=key,
        at=now,
        **{column: party.id},
    )
    try:
        with db.begin_nested():
            db.add(report)
            db.flush()
    except IntegrityError:  # the same key, sent twice at once
        again = db.scalar(select(LateReport).where(LateReport.client_key == key))
        if again is None:
            raise
        return again, False
    record(db, report, "report", viewer, None, {"minutes": minutes, "status": "pending"})
    organisers = db.scalars(
        select(User).where(User.role == Role.ORGANISER, User.active.is_(True)).order_by(User.id)
    )
    params = {
        "session": session.code,
        "party": party.name,
        "reg": party.code,
        "minutes": minutes,
        "time": report.expected_at.astimezone(LOCAL_TZ).strftime("%H:%M"),
    }
    notify(db, list(organisers), NoticeKind.LATE_REPORTED, params, event_id=session.event_id)
    return report, True


def _own_party(viewer: User, session: MatchmakingSession) -> Project | Institution:
    party: Project | Institution | None = None
    if viewer.role == Role.INVESTOR:
        party = viewer.institution
        members: list[Project] | list[Institution] = session.institutions
    elif viewer.role == Role.ENTRANT:
        party = viewer.project
        members = session.projects
    if party is None or all(m.id != party.id for m in members):
        raise PermissionDenied()
    return party


def pending_late(db: Session, session: MatchmakingSession) -> list[LateReport]:
    """Return the session's late reports waiting for an organiser, oldest first."""
    return list(
        db.scalars(
            select(LateReport)
            .where(LateReport.session_id == session.id, LateReport.status == "pending")
            .order_by(LateReport.id)
        )
    )


def first_reachable(session: MatchmakingSession, expected_at: datetime) -> int:
    """Return the number of the first slot starting at or after ``expected_at`` (one past the
    last when none does: the party misses the whole rest of the session)."""
    for slot in session.slots:
        if slot.starts_at >= expected_at:
            return slot.number
    return len(session.slots) + 1


def decide_late(
    db: Session,
    matcher: Matcher,
    report_id: int,
    confirm: bool,
    actor: User,
    lang: str = "zh",
) -> Outcome | None:
    """Confirm (run the late-arrival repair) or dismiss a pending late report."""
    report = db.scalar(select(LateReport).where(LateReport.id == report_id).with_for_update())
    if report is None:
        raise NotFound(what=Ref("what.late_report"), key=report_id)
    if report.status != "pending":
        raise Conflict("late.decided")
    report.status = "confirmed" if confirm else "dismissed"
    report.decided_by, report.decided_at = actor.id, utcnow()
    db.flush()
    record(db, report, report.status, actor, {"status": "pending"}, {"status": report.status})
    if not confirm:
        return None
    party: Project | Institution | None = report.project or report.institution
    assert party is not None  # a check constraint guarantees one
    first = first_reachable(report.session, report.expected_at)
    return arrives_late(db, matcher, report.session, party, first, actor, lang)
