"""Attendance on the day: each side marks a meeting held or the other side absent, then rates it.

A side's latest mark counts; the organiser's mark wins over both parties' and the investor's
over the entrant's, and the meeting's status follows (held / no-show, audited). Ratings (1–5)
and "继续跟进?" are taps of the same kind, allowed on a meeting that was held: a "yes" from the
investor opens a 关注 (watching) intent for the pair in the ledger (the edge asks the ledger:
the two rooms do not import each other). Every tap carries a client
key, so a form queued offline and sent twice is recorded once.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.db.models import Meeting, MeetingMark, User
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ, MeetingStatus, NoticeKind, Role
from matchmaker.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.messages import Ref
from matchmaker.services.audit import record
from matchmaker.services.notifications.outbox import notify

SIDES = ("investor", "entrant", "organiser")
MARKS = ("held", "project_absent", "institution_absent")
PRECEDENCE = ("organiser", "investor", "entrant")  # whose latest mark decides, first found
MARKABLE = (MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.NO_SHOW)
KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def new_client_key() -> str:
    """Return a fresh key for one tap (the server fills it into each form it renders)."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Tap:
    """What one side sends: a mark (``held``, ``absent`` = the other side, or for organisers
    ``project_absent`` / ``institution_absent``), a rating, a follow-up answer, or several."""

    mark: str | None = None
    rating: int | None = None
    follow_up: bool | None = None
    client_key: str | None = None


@dataclass
class Attendance:
    """A meeting's attendance as recorded: its status and each side's latest mark and answers."""

    meeting_id: int
    status: MeetingStatus
    marks: dict[str, str | None] = field(default_factory=dict)
    ratings: dict[str, int | None] = field(default_factory=dict)
    follow_ups: dict[str, bool | None] = field(default_factory=dict)
    repeated: bool = False  # the client key was seen before: nothing changed
    # the investor answered "继续跟进? yes" in this tap: the edge asks the ledger for the pair's
    # 关注 intent (:func:`matchmaker.services.ledger.intent_changes.watch_after_meeting`)
    follow_up: bool = False

    @property
    def absent(self) -> str | None:
        """Return ``project`` or ``institution`` for a no-show (who did not come), else None."""
        return absent_side(self.marks)


def side_of(viewer: User, meeting: Meeting) -> str:
    """Return the side ``viewer`` speaks for at ``meeting``; PermissionDenied for anyone else."""
    if viewer.role == Role.ORGANISER:
        return "organiser"
    if viewer.role == Role.INVESTOR and viewer.institution_id == meeting.institution_id:
        return "investor"
    if viewer.role == Role.ENTRANT and viewer.project_id == meeting.project_id:
        return "entrant"
    raise PermissionDenied()


def absent_side(marks: dict[str, str | None]) -> str | None:
    """Return who was absent by the deciding mark (``project`` / ``institution``), or None."""
    deciding = next((marks[s] for s in PRECEDENCE if marks.get(s)), None)
    if deciding in ("project_absent", "institution_absent"):
        return deciding.split("_")[0]
    return None


def attendance_of(db: Session, meeting: Meeting) -> Attendance:
    """Return each side's latest mark, rating and follow-up answer for ``meeting``."""
    state = Attendance(meeting.id, meeting.status)
    for side in SIDES:
        state.marks[side] = state.ratings[side] = state.follow_ups[side] = None
    rows = db.scalars(
        select(MeetingMark).where(MeetingMark.meeting_id == meeting.id).order_by(MeetingMark.id)
    )
    for row in rows:  # oldest first: later taps overwrite
        if row.mark is not None:
            state.marks[row.side] = row.mark
        if row.rating is not None:
            state.ratings[row.side] = row.rating
        if row.follow_up is not None:
            state.follow_ups[row.side] = row.follow_up
    return state


def record_tap(
    db: Session, viewer: User, meeting_id: int, tap: Tap, now: datetime | None = None
) -> Attendance:
    """Record one side's tap on meeting ``meeting_id`` and return the meeting's attendance.

    A client key seen before returns the attendance as it is, changing nothing. Refused: a
    meeting not yet begun or not live (409), a mark or rating out of range (422), anyone but
    the meeting's two parties and organisers (403).
    """
    now = now or utcnow()
    _check(tap)
    meeting = db.scalar(select(Meeting).where(Meeting.id == meeting_id).with_for_update())
    if meeting is None:
        raise NotFound(what=Ref("what.meeting"), key=meeting_id)
    side = side_of(viewer, meeting)
    key = tap.client_key or new_client_key()
    seen = _seen(db, key, meeting, viewer)
    if seen is not None:
        return seen
    if meeting.status not in MARKABLE:
        raise Conflict("attendance.not_live")
    if meeting.slot.starts_at > now:
        start = meeting.slot.starts_at.astimezone(LOCAL_TZ).strftime("%H:%M")
        raise Conflict("attendance.not_begun", start=start)
    mark = _normalised(side, tap.mark)
    rates = tap.rating is not None or tap.follow_up is not None
    if rates:
        if side == "organiser":
            raise InvalidInput(
                "attendance.invalid", [Problem("attendance.parties_rate", column="rating")]
            )
        if mark is None and meeting.status != MeetingStatus.HELD:
            mark = "held"  # rating a meeting says it took place
        after = {**attendance_of(db, meeting).marks, **({side: mark} if mark else {})}
        if status_of(after) != MeetingStatus.HELD:
            raise Conflict("attendance.rate_held_only")
    row = MeetingMark(
        meeting_id=meeting.id,
        side=side,
        mark=mark,
        rating=tap.rating,
        follow_up=tap.follow_up,
        user_id=viewer.id,
        client_key=key,
        at=now,
    )
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # the same key, sent twice at once: the other one recorded it
        again = _seen(db, key, meeting, viewer)
        if again is None:
            raise
        return again
    state = attendance_of(db, meeting)
    _follow_status(db, meeting, state, viewer, side)
    if state.ratings["investor"] is not None or state.ratings["entrant"] is not None:
        # the investor's rating when given (the learner reads every side's from the marks)
        meeting.rating = state.ratings["investor"] or state.ratings["entrant"]
    state.status = meeting.status
    state.follow_up = side == "investor" and bool(tap.follow_up)
    db.flush()
    return state


def status_of(marks: dict[str, str | None]) -> MeetingStatus | None:
    """Return the status the deciding mark gives (held / no-show), None when nobody marked."""
    deciding = next((marks[s] for s in PRECEDENCE if marks.get(s)), None)
    if deciding is None:
        return None
    return MeetingStatus.HELD if deciding == "held" else MeetingStatus.NO_SHOW


def _check(tap: Tap) -> None:
    problems = []
    if tap.mark is None and tap.rating is None and tap.follow_up is None:
        problems.append(Problem("attendance.empty", column="mark"))
    if tap.mark is not None and tap.mark not in ("absent", *MARKS):
        problems.append(Problem("attendance.bad_mark", column="mark", value=tap.mark))
    if tap.rating is not None and not 1 <= tap.rating <= 5:
        problems.append(Problem("attendance.bad_rating", column="rating", value=tap.rating))
    if tap.client_key is not None and not KEY.fullmatch(tap.client_key):
        problems.append(Problem("attendance.bad_key", column="client_key", value=tap.client_key))
    if problems:
        raise InvalidInput("attendance.invalid", problems)


def _normalised(side: str, mark: str | None) -> str | None:
    """Return ``mark`` as stored: ``absent`` from a party names the other side. A party may
    say only that the other side was absent; an organiser must say which side."""
    if mark is None or mark == "held":
        return mark
    other = {"investor": "project_absent", "entrant": "institution_absent"}
    if side == "organiser":
        if mark == "absent":
            raise InvalidInput(
                "attendance.invalid", [Problem("attendance.which_absent", column="mark")]
            )
        return mark
    if mark not in ("absent", other[side]):
        raise InvalidInput(
            "attendance.invalid", [Problem("attendance.other_side", column="mark", value=mark)]
        )
    return other[side]


def _seen(db: Session, key: str, meeting: Meeting, viewer: User) -> Attendance | None:
    """Return the attendance unchanged when ``key`` was used before by the same person on the
    same meeting; Conflict when it was used for something else (a client's mistake)."""
    row = db.scalar(select(MeetingMark).where(MeetingMark.client_key == key))
    if row is None:
        return None
    if row.meeting_id != meeting.id or row.user_id != viewer.id:
        raise Conflict("attendance.key_reused")
    state = attendance_of(db, meeting)
    state.repeated = True
    return state


def _follow_status(
    db: Session, meeting: Meeting, state: Attendance, viewer: User, side: str
) -> None:
    """Set the meeting's status from the deciding mark; audit it; tell organisers of a no-show."""
    status = status_of(state.marks)
    if status is None or status == meeting.status:
        return
    before = {"status": meeting.status.value}
    meeting.status = status
    db.flush()
    record(db, meeting, "attendance", viewer, before, {"status": status.value, "side": side})
    if status == MeetingStatus.NO_SHOW:
        _tell_organisers(db, meeting, state)


def _tell_organisers(db: Session, meeting: Meeting, state: Attendance) -> None:
    absent = meeting.project if state.absent == "project" else meeting.institution
    organisers = db.scalars(
        select(User).where(User.role == Role.ORGANISER, User.active.is_(True)).order_by(User.id)
    )
    params = {
        "session": meeting.session.code,
        "slot": meeting.slot.number,
        "time": meeting.slot.starts_at.astimezone(LOCAL_TZ).strftime("%H:%M"),
        "absent": absent.name,
        "reg": absent.code,
    }
    notify(db, list(organisers), NoticeKind.NO_SHOW, params, event_id=meeting.session.event_id)
