"""Check-in on the day: a badge's code in, the party's arrival recorded once; who has arrived."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import app_secret, db
from matchmaker.api.schemas.checkins import ArrivalsOut, CheckInIn, CheckInOut
from matchmaker.domain import Role
from matchmaker.services.agendas.checkins import CheckInResult, arrivals, check_in
from matchmaker.services.registry.events import get_event, get_session

blp = Blueprint(
    "checkins",
    __name__,
    url_prefix="/api/v1",
    description="Check-in on the day: signed badge codes scanned or typed, arrivals per session",
)
DAY_STAFF = (Role.ORGANISER, Role.STAFF)


@blp.route("/events/<code>/check-ins")
class CheckIns(MethodView):
    @blp.doc(security=BEARER)
    @require(*DAY_STAFF)
    @blp.arguments(CheckInIn)
    @blp.response(200, CheckInOut)
    def post(self, data: dict[str, Any], code: str) -> CheckInResult:
        """Check in the party a badge code names (a second time: when it first did).

        A forged or altered code, or a genuine one of another event, is refused (422) with a
        sentence saying which; nothing is recorded.
        """
        event = get_event(db(), code)
        result = check_in(
            db(), app_secret(), event, data["code"], data["session"], user(), data["method"]
        )
        db().commit()
        return result


@blp.route("/events/<code>/sessions/<session_code>/check-ins")
class Arrivals(MethodView):
    @blp.doc(security=BEARER)
    @require(*DAY_STAFF)
    @blp.response(200, ArrivalsOut)
    def get(self, code: str, session_code: str) -> dict[str, Any]:
        """Every party expected at the session and when it arrived (null: not yet)."""
        shown = arrivals(db(), get_session(db(), code, session_code))
        return {
            "session": session_code,
            "expected": len(shown),
            "checked_in": sum(1 for a in shown if a.at is not None),
            "arrivals": shown,
        }
