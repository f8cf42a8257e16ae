"""Bookings: free slots for a pair, meeting requests, and the other side's answer."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import booking_rules, db
from matchmaker.api.resources.common import event_code, rate_limited
from matchmaker.api.schemas.agendas import FreeSlotsArgs, RequestIn, RequestOut, SlotOut
from matchmaker.db.models import MeetingRequest, Slot
from matchmaker.domain import Role
from matchmaker.services.agendas.bookings import (
    Answer,
    answer_request,
    book_meeting,
    find_free_slots,
    visible_requests,
)

blp = Blueprint(
    "bookings",
    __name__,
    url_prefix="/api/v1",
    description="Meeting requests: entrants and investors book free slots; the other side answers",
)


@blp.route("/projects/<code>/free-slots")
class FreeSlots(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT, Role.INVESTOR)
    @blp.arguments(FreeSlotsArgs, location="query")
    @blp.response(200, SlotOut(many=True))
    def get(self, args: dict[str, Any], code: str) -> list[Slot]:
        """Slots of a session in which both the project and the institution are free."""
        event = event_code(user(), args.get("event"))
        slots = find_free_slots(db(), user(), event, code, args["institution"], args["session"])
        db().commit()  # expired requests released
        return slots


@blp.route("/meeting-requests")
class Requests(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF, Role.ENTRANT, Role.INVESTOR)
    @blp.response(200, RequestOut(many=True))
    def get(self) -> list[MeetingRequest]:
        """Requests made or received: entrants see their project's, investors their own."""
        return visible_requests(db(), user())

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT, Role.INVESTOR)
    @blp.arguments(RequestIn)
    @blp.response(201, RequestOut)
    @rate_limited(blp)
    def post(self, data: dict[str, Any]) -> MeetingRequest:
        """Ask for a meeting in a free slot; 409 if the slot was just taken or a cap is reached."""
        created = book_meeting(
            db(),
            booking_rules(),
            user(),
            event_code(user(), data.get("event")),
            data["session"],
            data["project_id"],
            data["institution_id"],
            data["slot"],
            data["message"],
        )
        db().commit()
        return created


def _answer(request_id: int, action: Answer) -> MeetingRequest:
    answered = answer_request(db(), user(), request_id, action)
    db().commit()
    return answered


@blp.route("/meeting-requests/<int:request_id>/accept")
class Accept(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT, Role.INVESTOR)
    @blp.response(200, RequestOut)
    def post(self, request_id: int) -> MeetingRequest:
        """Accept a request made to you: its held slot becomes a scheduled meeting."""
        return _answer(request_id, "accept")


@blp.route("/meeting-requests/<int:request_id>/decline")
class Decline(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT, Role.INVESTOR)
    @blp.response(200, RequestOut)
    def post(self, request_id: int) -> MeetingRequest:
        """Decline a request made to you: its slot is freed."""
        return _answer(request_id, "decline")


@blp.route("/meeting-requests/<int:request_id>/withdraw")
class Withdraw(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT, Role.INVESTOR)
    @blp.response(200, RequestOut)
    def post(self, request_id: int) -> MeetingRequest:
        """Withdraw a live request (pending or accepted) and free its slot."""
        return _answer(request_id, "withdraw")
