"""Events and their matchmaking sessions."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from matchmaker.api.auth import BEARER, require
from matchmaker.api.context import db, download
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import envelope
from matchmaker.api.schemas.common import (
    EventIn,
    EventOut,
    EventPage,
    EventPatch,
    PageArgs,
    SessionIn,
    SessionOut,
    SessionPatch,
)
from matchmaker.db.models import Event, MatchmakingSession
from matchmaker.domain import Role
from matchmaker.errors import Conflict
from matchmaker.services.operations.event_archive import event_archive
from matchmaker.services.registry.catalog import paginate
from matchmaker.services.registry.events import (
    SessionSpec,
    add_session,
    create_event,
    find_session,
    get_event,
    get_session,
)

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/api/v1/events",
    description="Events (大赛) and their matchmaking sessions (对接专场)",
)


@blp.route("")
class Events(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, EventPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List events."""
        return envelope(paginate(db(), select(Event).order_by(Event.code), **args))

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(EventIn)
    @blp.response(201, EventOut)
    def post(self, data: dict[str, Any]) -> Event:
        """Create an event (organisers)."""
        event = create_event(db(), **data)
        db().commit()
        return event


@blp.route("/<code>")
class EventItem(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, EventOut)
    def get(self, code: str) -> Event:
        """Get an event with its sessions and slots."""
        return get_event(db(), code)

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(EventPatch, required=False)
    @blp.response(200, EventOut)
    def patch(self, data: dict[str, Any], code: str) -> Event:
        """Update an event's names, city or organiser (organisers)."""
        event = get_event(db(), code)
        for key, value in data.items():
            setattr(event, key, value)
        db().commit()
        return event


@blp.route("/<code>/sessions")
class Sessions(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, SessionOut(many=True))
    def get(self, code: str) -> list[MatchmakingSession]:
        """List an event's sessions."""
        return list(get_event(db(), code).sessions)

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(SessionIn)
    @blp.response(201, SessionOut)
    def post(self, data: dict[str, Any], code: str) -> MatchmakingSession:
        """Add a session; its slots and tables are laid out from start, end and slot length."""
        event = get_event(db(), code)
        spec = SessionSpec(
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            day=data["date"],
            start=data["start"],
            end=data["end"],
            slot_minutes=data["slot_minutes"],
            tables=data["tables"],
            venue=data["venue"],
            name_en=data["name_en"],
        )
        if find_session(event, data["code"]) is not None:
            raise Conflict("error.duplicate_code", key=data["code"])
        session = add_session(db(), event, spec)
        db().commit()
        return session


@blp.route("/<code>/sessions/<session_code>")
class SessionItem(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, SessionOut)
    def get(self, code: str, session_code: str) -> MatchmakingSession:
        """Get a session with its slots."""
        return get_session(db(), code, session_code)

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(SessionPatch, required=False)
    @blp.response(200, SessionOut)
    def patch(self, data: dict[str, Any], code: str, session_code: str) -> MatchmakingSession:
        """Rename a session or change its venue (organisers)."""
        session = get_session(db(), code, session_code)
        for key, value in data.items():
            setattr(session, key, value)
        db().commit()
        return session


@blp.route("/<code>/archive.zip")
class Archive(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF)
    @blp.response(200, {"type": "string", "format": "binary"}, content_type="application/zip")
    def get(self, code: str) -> Response:
        """Everything about the event in one ZIP (organisers, staff): registrations, agendas
        (XLSX, .ics), intents, due-diligence tasks, the outcome report, the audit trail (CSV)
        and a README in Chinese and English."""
        event = get_event(db(), code)
        return download(event_archive(db(), event, lang()), "zip", f"{event.code}-archive")
