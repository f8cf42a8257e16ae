"""Attendance pages: one tap at the table (held / absent, rating, follow-up), "I'm late", and
the organiser's no-show and late-arrival repairs from the agenda grid.

The forms a person may send offline (``data-offline="queue"``) carry a ``client_key`` drawn
here at render time; the service records a key once, so a form replayed after the connection
returns changes nothing the second time and answers the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for

from matchmaker.api.context import db, matcher
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.agendas import _outcome_notice
from matchmaker.api.pages.common import (
    check_csrf,
    notice,
    page_event,
    run_action,
    safe_next,
    safe_user,
    signed_in,
    signed_in_user,
)
from matchmaker.db.models import LateReport, MatchmakingSession, Meeting, User
from matchmaker.db.types import utcnow
from matchmaker.domain import LOCAL_TZ, MeetingStatus, Role
from matchmaker.errors import MatchmakerError, NotFound
from matchmaker.services.agendas.attendance import (
    Attendance,
    Tap,
    attendance_of,
    new_client_key,
    record_tap,
    side_of,
)
from matchmaker.services.agendas.build import get_meeting
from matchmaker.services.agendas.lateness import (
    NoShow,
    decide_late,
    first_reachable,
    no_shows,
    pending_late,
    repair_no_show,
    report_late,
)
from matchmaker.services.ledger.intent_changes import watch_after_meeting
from matchmaker.services.registry.events import get_session

bp = Blueprint("attendance_pages", __name__)
LATE_WINDOW = timedelta(hours=12)  # a late report is for a session under way or starting soon


@dataclass(frozen=True)
class MeetingActions:
    """What the signed-in person may tap on one meeting of their agenda, and what they did."""

    side: str
    state: Attendance
    begun: bool

    @property
    def can_mark(self) -> bool:
        """Whether the attendance buttons show (the meeting has begun and is live)."""
        return self.begun and self.state.status in (
            MeetingStatus.SCHEDULED,
            MeetingStatus.HELD,
            MeetingStatus.NO_SHOW,
        )

    @property
    def can_rate(self) -> bool:
        """Whether the rating form shows: a party's, on a meeting not marked a no-show."""
        return (
            self.can_mark
            and self.side != "organiser"
            and self.state.status != MeetingStatus.NO_SHOW
        )

    @property
    def mine(self) -> str | None:
        """Return this side's latest mark."""
        return self.state.marks.get(self.side)

    @property
    def rating(self) -> int | None:
        """Return this side's latest rating."""
        return self.state.ratings.get(self.side)

    @property
    def follow_up(self) -> bool | None:
        """Return this side's latest follow-up answer."""
        return self.state.follow_ups.get(self.side)

    @staticmethod
    def key() -> str:
        """Return a fresh client key for one form."""
        return new_client_key()


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "meeting_actions": meeting_actions,
        "late_choices": late_choices,
        "day_changes": day_changes,
        "mark_label": mark_label,
    }


def mark_label(mark: str | None) -> str:
    """Return a stored mark as the person reads it."""
    return t(f"ui.att_{mark}") if mark else ""


def meeting_actions(row: Any) -> MeetingActions | None:
    """Return what the signed-in person may tap on agenda row ``row`` (None: nothing)."""
    me = safe_user()
    meeting = db().get(Meeting, row.meeting_id)
    if me is None or meeting is None:
        return None
    try:
        side = side_of(me, meeting)
    except MatchmakerError:
        return None
    begun = meeting.slot.starts_at <= utcnow()
    return MeetingActions(side, attendance_of(db(), meeting), begun)


@dataclass(frozen=True)
class LateChoice:
    """A session the signed-in party may report being late to, with its pending report."""

    session: MatchmakingSession
    pending: LateReport | None

    @staticmethod
    def key() -> str:
        """Return a fresh client key for the form."""
        return new_client_key()

    @property
    def pending_time(self) -> str:
        """Return when the pending report expects the party, ``HH:MM``."""
        if self.pending is None:
            return ""
        return self.pending.expected_at.astimezone(LOCAL_TZ).strftime("%H:%M")


def late_choices() -> list[LateChoice]:
    """Return the signed-in party's sessions under way or starting within hours."""
    me = safe_user()
    if me is None or me.role not in (Role.INVESTOR, Role.ENTRANT):
        return []
    party = me.institution if me.role == Role.INVESTOR else me.project
    if party is None:
        return []
    now = utcnow()
    out = []
    for session in sorted(party.sessions, key=lambda s: s.starts_at):
        if session.ends_at <= now or session.starts_at - now > LATE_WINDOW:
            continue
        pending = next(
            (
                r
                for r in pending_late(db(), session)
                if (r.project_id or r.institution_id) == party.id
                and (r.project_id is not None) == (me.role == Role.ENTRANT)
            ),
            None,
        )
        out.append(LateChoice(session, pending))
    return out


@dataclass(frozen=True)
class DayChanges:
    """What the organiser is offered on a session's grid: no-shows to repair, late reports."""

    no_shows: list[NoShow]
    late: list[tuple[LateReport, int]]  # each pending report and the first slot it reaches


def day_changes(session: MatchmakingSession) -> DayChanges | None:
    """Return the no-shows and late reports of ``session`` for an organiser (None: nothing)."""
    me = safe_user()
    if me is None or me.role != Role.ORGANISER:
        return None
    late = [(r, first_reachable(session, r.expected_at)) for r in pending_late(db(), session)]
    found = DayChanges(no_shows(db(), session), late)
    return found if found.no_shows or found.late else None


# ---- the taps ------------------------------------------------------------------------------


def tap_from_form(form: Any) -> Tap:
    """Return the tap a form sent (empty fields: not sent); a non-number rating is refused by
    the service as out of range."""
    rating = form.get("rating", "").strip()
    follow = form.get("follow_up", "")
    return Tap(
        mark=form.get("mark") or None,
        rating=(int(rating) if rating.isdigit() and len(rating) < 3 else 0) if rating else None,
        follow_up={"yes": True, "no": False}.get(follow) if follow else None,
        client_key=form.get("client_key") or None,
    )


def tap_and_follow(me: User, meeting_id: int, tap: Tap) -> Attendance:
    """Record ``tap``; an investor's "follow up: yes" opens the pair's 关注 intent."""
    state = record_tap(db(), me, meeting_id, tap)
    if state.follow_up and not state.repeated:
        watch_after_meeting(db(), me, meeting_id)
    return state


@bp.post("/agenda/meetings/<int:meeting_id>/attendance")
@signed_in(Role.ORGANISER, Role.INVESTOR, Role.ENTRANT)
def tap(meeting_id: int) -> Response:
    """One tap on a meeting (from the agenda, or replayed by the offline queue)."""
    check_csrf()
    me = signed_in_user()
    try:
        get_meeting(db(), meeting_id)
    except NotFound:
        abort(404)
    state = run_action(lambda: tap_and_follow(me, meeting_id, tap_from_form(request.form)))
    if state is not None:
        notice("ok", t("ui.att_recorded", status=state.status.label(lang())))
    return redirect(_back())


@bp.post("/agenda/late")
@signed_in(Role.INVESTOR, Role.ENTRANT)
def late() -> Response:
    """A party says it will be late to a session (the organiser confirms on the grid)."""
    check_csrf()
    me = signed_in_user()
    event = page_event()
    code = request.form.get("session", "")
    raw = request.form.get("minutes", "").strip()
    minutes = int(raw) if raw.isdigit() and len(raw) < 5 else 0

    def report() -> Any:
        session = get_session(db(), event.code, code)
        return report_late(db(), me, session, minutes, request.form.get("client_key") or None)

    made = run_action(report)
    if made is not None:
        notice("ok", t("ui.late_sent", minutes=made[0].minutes))
    return redirect(url_for("agenda_pages.my_agenda"))


@bp.post("/sessions/<session_code>/no-shows/<int:meeting_id>/repair")
@signed_in(Role.ORGANISER)
def repair(session_code: str, meeting_id: int) -> Response:
    """Take a no-show's absent party out of the rest of the session and refill its seats."""
    check_csrf()
    session = get_session(db(), page_event().code, session_code)
    meeting = db().get(Meeting, meeting_id)
    if meeting is None or meeting.session_id != session.id:
        abort(404)
    me = signed_in_user()
    outcome = run_action(lambda: repair_no_show(db(), matcher(), meeting, me, lang()))
    if outcome is not None:
        _outcome_notice(outcome)
    return redirect(url_for("agenda_pages.grid", session_code=session_code))


@bp.post("/sessions/<session_code>/late-reports/<int:report_id>")
@signed_in(Role.ORGANISER)
def decide(session_code: str, report_id: int) -> Response:
    """Confirm a late report (the late-arrival repair runs) or dismiss it."""
    check_csrf()
    action = request.form.get("action", "")
    if action not in ("confirm", "dismiss"):
        abort(400)
    session = get_session(db(), page_event().code, session_code)
    report = db().get(LateReport, report_id)
    if report is None or report.session_id != session.id:
        abort(404)
    me = signed_in_user()
    failure: list[MatchmakerError] = []
    outcome = run_action(
        lambda: decide_late(db(), matcher(), report_id, action == "confirm", me, lang()), failure
    )
    if outcome is not None:
        _outcome_notice(outcome)
    elif not failure:
        notice("ok", t("ui.day_late_dismissed"))
    return redirect(url_for("agenda_pages.grid", session_code=session_code))


def _back() -> str:
    """Where a tap returns: the page it came from on this site (``next``), else the agenda."""
    if request.form.get("next"):
        return safe_next(request.form.get("next"))
    return url_for("agenda_pages.my_agenda")
