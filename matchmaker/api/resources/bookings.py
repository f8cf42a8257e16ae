"""Bookings: free slots for a pair, meeting requests, and the other side's answer."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import event_code, rate_limited
from matchmaker.api.schemas.common import LocalDateTime
from matchmaker.db.models import Event, MeetingRequest, Project
from matchmaker.domain import Role
from matchmaker.errors import PermissionDenied
from matchmaker.services.agendas.bookings import (
    BookingRules,
    decide,
    free_slots,
    get_request,
    request_meeting,
    requests_of,
    withdraw,
)
from matchmaker.services.registry import catalog
from matchmaker.services.registry.events import get_session

blp = Blueprint(
    "bookings",
    __name__,
    url_prefix="/api/v1",
    description="Meeting requests: entrants and investors book free slots; the other side answers",
)


class FreeSlotsArgs(Schema):
    institution = fields.String(required=True, validate=validate.Length(1, 64))
    session = fields.String(required=True, validate=validate.Length(1, 64))
    event = fields.String(metadata={"description": "event code"})


class SlotOut(Schema):
    number = fields.Integer()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()


class RequestIn(Schema):
    event = fields.String(metadata={"description": "event code"})
    session = fields.String(required=True, validate=validate.Length(1, 64))
    project_id = fields.String(required=True, validate=validate.Length(1, 64))
    institution_id = fields.String(required=True, validate=validate.Length(1, 64))
    slot = fields.Integer(required=True, validate=validate.Range(1, 1000))
    message = fields.String(load_default="", validate=validate.Length(max=500))


class RequestOut(Schema):
    id = fields.Integer()
    session = fields.String()
    project_id = fields.String()
    institution_id = fields.String()
    slot = fields.Integer(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    requested_by = fields.String()
    message = fields.String()
    created_at = LocalDateTime()
    expires_at = LocalDateTime(allow_none=True)


def rules() -> BookingRules:
    """Return the configured booking rules."""
    return current_app.config.get("MATCHMAKER_BOOKING_RULES") or BookingRules()


def present(request: MeetingRequest) -> dict[str, Any]:
    """Return the JSON-ready request."""
    return {
        "id": request.id,
        "session": request.session.code,
        "project_id": request.project.code,
        "institution_id": request.institution.code,
        "slot": request.slot.number if request.slot else None,
        "status": request.status.value,
        "status_label": request.status.label(lang()),
        "requested_by": request.requested_by.value,
        "message": request.message,
        "created_at": request.created_at,
        "expires_at": request.expires_at,
    }


@blp.route("/projects/<code>/free-slots")
class FreeSlots(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT, Role.INVESTOR)
    @blp.arguments(FreeSlotsArgs, location="query")
    @blp.response(200, SlotOut(many=True))
    def get(self, args: dict[str, Any], code: str) -> list[Any]:
        """Slots of a session in which both the project and the institution are free."""
        event = event_code(user(), args.get("event"))
        project = catalog.get_project(db(), code, event)
        institution = catalog.get_institution(db(), args["institution"], event)
        viewer = user()
        if viewer.role == Role.ENTRANT and viewer.project_id != project.id:
            raise PermissionDenied()
        if viewer.role == Role.INVESTOR and viewer.institution_id != institution.id:
            raise PermissionDenied()
        session = get_session(db(), _event_code(project), args["session"])
        slots = free_slots(db(), session, project, institution)
        db().commit()  # expired requests released
        return slots


@blp.route("/meeting-requests")
class Requests(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF, Role.ENTRANT, Role.INVESTOR)
    @blp.response(200, RequestOut(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Requests made or received: entrants see their project's, investors their own."""
        viewer = user()
        if viewer.role == Role.ENTRANT:
            found = requests_of(db(), project_id=viewer.project_id)
        elif viewer.role == Role.INVESTOR:
            found = requests_of(db(), institution_id=viewer.institution_id)
        else:
            found = requests_of(db())
        return [present(r) for r in found]

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT, Role.INVESTOR)
    @blp.arguments(RequestIn)
    @blp.response(201, RequestOut)
    @rate_limited(blp)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Ask for a meeting in a free slot; 409 if the slot was just taken or a cap is reached."""
        event = event_code(user(), data.get("event"))
        project = catalog.get_project(db(), data["project_id"], event)
        institution = catalog.get_institution(db(), data["institution_id"], event)
        session = get_session(db(), _event_code(project), data["session"])
        created = request_meeting(
            db(), rules(), user(), session, project, institution, data["slot"], data["message"]
        )
        db().commit()
        return present(created)


def _event_code(project: Project) -> str:
    return db().get_one(Event, project.event_id).code


def _answer(request_id: int, action: str) -> dict[str, Any]:
    request = get_request(db(), request_id)
    viewer = user()
    if action == "withdraw":
        withdraw(db(), viewer, request)
    else:
        decide(db(), viewer, request, accept=action == "accept")
    db().commit()
    return present(request)


@blp.route("/meeting-requests/<int:request_id>/accept")
class Accept(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT, Role.INVESTOR)
    @blp.response(200, RequestOut)
    def post(self, request_id: int) -> dict[str, Any]:
        """Accept a request made to you: its held slot becomes a scheduled meeting."""
        return _answer(request_id, "accept")


@blp.route("/meeting-requests/<int:request_id>/decline")
class Decline(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT, Role.INVESTOR)
    @blp.response(200, RequestOut)
    def post(self, request_id: int) -> dict[str, Any]:
        """Decline a request made to you: its slot is freed."""
        return _answer(request_id, "decline")


@blp.route("/meeting-requests/<int:request_id>/withdraw")
class Withdraw(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT, Role.INVESTOR)
    @blp.response(200, RequestOut)
    def post(self, request_id: int) -> dict[str, Any]:
        """Withdraw a live request (pending or accepted) and free its slot."""
        return _answer(request_id, "withdraw")
