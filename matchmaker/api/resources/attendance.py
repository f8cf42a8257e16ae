"""Attendance on the day: taps on a meeting, late reports, the organiser's no-show repair."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, matcher
from matchmaker.api.i18n import lang
from matchmaker.api.schemas.agendas import OutcomeOut
from matchmaker.api.schemas.attendance import (
    AttendanceOut,
    LateReportIn,
    LateReportOut,
    NoShowOut,
    TapIn,
)
from matchmaker.db.models import LateReport
from matchmaker.domain import Role
from matchmaker.services.agendas.attendance import Attendance, Tap, record_tap
from matchmaker.services.agendas.build import Outcome, get_meeting
from matchmaker.services.agendas.lateness import (
    NoShow,
    decide_late,
    no_shows,
    pending_late,
    repair_no_show,
    report_late,
)
from matchmaker.services.ledger.intent_changes import watch_after_meeting
from matchmaker.services.registry.events import get_session

blp = Blueprint(
    "attendance",
    __name__,
    url_prefix="/api/v1",
    description="Attendance on the day: held or absent, ratings, follow-ups, late arrivals",
)
SESSION = "/events/<code>/sessions/<session_code>"


@blp.route("/meetings/<int:meeting_id>/attendance")
class MeetingAttendance(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.INVESTOR, Role.ENTRANT)
    @blp.arguments(TapIn)
    @blp.response(200, AttendanceOut)
    def post(self, data: dict[str, Any], meeting_id: int) -> Attendance:
        """One side's tap once the meeting has begun: held / absent, rating, follow-up.

        The investor's mark wins over the entrant's, an organiser's over both; an investor's
        follow-up "yes" opens the pair's 关注 intent. A repeated ``client_key`` changes nothing.
        """
        state = record_tap(db(), user(), meeting_id, Tap(**data))
        if state.follow_up and not state.repeated:
            watch_after_meeting(db(), user(), meeting_id)
        db().commit()
        return state


@blp.route(SESSION + "/late-reports")
class LateReports(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.response(200, LateReportOut(many=True))
    def get(self, code: str, session_code: str) -> list[LateReport]:
        """Late reports of the session waiting for an organiser."""
        return pending_late(db(), get_session(db(), code, session_code))

    @blp.doc(security=BEARER)
    @require(Role.INVESTOR, Role.ENTRANT)
    @blp.arguments(LateReportIn)
    @blp.response(200, LateReportOut)
    def post(self, data: dict[str, Any], code: str, session_code: str) -> LateReport:
        """Your party will be ``minutes`` late; organisers are told and confirm it."""
        session = get_session(db(), code, session_code)
        report, _new = report_late(db(), user(), session, data["minutes"], data.get("client_key"))
        db().commit()
        return report


@blp.route("/late-reports/<int:report_id>/<any(confirm, dismiss):action>")
class DecideLate(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.response(200, OutcomeOut)
    def post(self, report_id: int, action: str) -> Outcome | dict[str, Any]:
        """Confirm (the late-arrival repair runs from the first slot reached) or dismiss."""
        outcome = decide_late(db(), matcher(), report_id, action == "confirm", user(), lang())
        db().commit()
        return outcome if outcome is not None else {"status": "dismissed"}


@blp.route(SESSION + "/no-shows")
class NoShows(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.response(200, NoShowOut(many=True))
    def get(self, code: str, session_code: str) -> list[NoShow]:
        """No-shows whose absent party still has meetings to come (a repair is offered)."""
        return no_shows(db(), get_session(db(), code, session_code))


@blp.route("/meetings/<int:meeting_id>/no-show-repair")
class NoShowRepair(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.response(200, OutcomeOut)
    def post(self, meeting_id: int) -> Outcome:
        """Take the absent party out of the rest of the session; refill the seats it held."""
        outcome = repair_no_show(db(), matcher(), get_meeting(db(), meeting_id), user(), lang())
        db().commit()
        return outcome
