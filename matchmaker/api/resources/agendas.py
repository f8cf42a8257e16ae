"""Session agendas: build, publish, lock, repair; everyone's own agenda and its exports."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, make_response
from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, download, matcher, queue
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import file_response, format_parameter
from matchmaker.api.resources.jobs import JobOut, start
from matchmaker.api.schemas.agendas import (
    AgendaOut,
    BroadcastIn,
    BroadcastOut,
    BuildIn,
    ExportArgs,
    InstanceOut,
    LateIn,
    LockIn,
    OutcomeOut,
    PairIn,
    RowOut,
)
from matchmaker.domain import JobKind, Role
from matchmaker.errors import InvalidInput, Problem
from matchmaker.services.agendas.build import (
    AgendaState,
    MeetingRef,
    Outcome,
    build_agenda,
    ensure_not_over,
    get_meeting,
    instance_of,
    publish_agenda,
    set_locked,
)
from matchmaker.services.agendas.options import AgendaOptions
from matchmaker.services.agendas.repair import add_must_meet, arrives_late, cancel_meeting
from matchmaker.services.agendas.views import FORMATS, AgendaView, export_file, session_agenda
from matchmaker.services.notifications.broadcast import broadcast
from matchmaker.services.registry import catalog
from matchmaker.services.registry.events import get_session

blp = Blueprint(
    "agendas",
    __name__,
    url_prefix="/api/v1",
    description="Session agendas: optimal schedules, publishing, changes on the day, exports",
)
ORGANISER = (Role.ORGANISER,)
SESSION = "/events/<code>/sessions/<session_code>/agenda"


@blp.route(SESSION)
class SessionAgenda(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, AgendaOut)
    def get(self, code: str, session_code: str) -> AgendaView:
        """The session's agenda: organisers and staff see all of it, parties their own part."""
        shown = session_agenda(db(), user(), get_session(db(), code, session_code), lang())
        db().commit()  # an empty draft is made the first time
        return shown


@blp.route(SESSION + "/build")
class Build(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.arguments(BuildIn, required=False)  # no body: the defaults
    @blp.response(200, OutcomeOut)
    @blp.alt_response(202, schema=JobOut, description="queued as a background job")
    def post(self, data: dict[str, Any], code: str, session_code: str) -> Any:
        """Solve the session (kept: locked meetings and bookings) and store it as a draft."""
        session = get_session(db(), code, session_code)
        ensure_not_over(session)  # before queueing, so the refusal is this answer, not the job's
        background = data.pop("background")
        options = AgendaOptions(**data).check()  # limits that contradict: this answer, too
        if background or (background is None and queue().background):
            job = start(JobKind.AGENDA_BUILD, session.event, session, data)
            return make_response(jsonify(JobOut().dump(job)), 202)  # not the 200 schema
        outcome = build_agenda(db(), matcher(), session, options, user(), lang())
        db().commit()
        return outcome


@blp.route(SESSION + "/publish")
class Publish(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.response(200, AgendaOut)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")  # the validator rejects it
    def post(self, code: str, session_code: str) -> AgendaState:
        """Publish the draft once the independent validator passes it."""
        published = publish_agenda(db(), matcher(), get_session(db(), code, session_code), user())
        db().commit()
        return published


@blp.route(SESSION + "/instance")
class Instance(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.response(200, InstanceOut)
    def get(self, code: str, session_code: str) -> dict[str, Any]:
        """The session as a ``matchmaker schedule`` instance (solve it elsewhere)."""
        data = instance_of(db(), matcher(), get_session(db(), code, session_code))
        db().commit()  # an empty draft is made the first time
        return data


@blp.route(SESSION + "/late")
class Late(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.arguments(LateIn)
    @blp.response(200, OutcomeOut)
    def post(self, data: dict[str, Any], code: str, session_code: str) -> Outcome:
        """Someone arrives late: free their earlier slots and move the fewest meetings."""
        session = get_session(db(), code, session_code)
        party = _party(data, code)
        outcome = arrives_late(db(), matcher(), session, party, data["first_slot"], user(), lang())
        db().commit()
        return outcome


@blp.route(SESSION + "/must-meet")
class MustMeet(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.arguments(PairIn)
    @blp.response(200, OutcomeOut)
    def post(self, data: dict[str, Any], code: str, session_code: str) -> Outcome:
        """Fit a new must-meet pair in with the fewest other meetings moved (it is locked)."""
        session = get_session(db(), code, session_code)
        institution = catalog.get_institution(db(), data["institution_id"], code)
        project = catalog.get_project(db(), data["project_id"], code)
        outcome = add_must_meet(db(), matcher(), session, institution, project, user(), lang())
        db().commit()
        return outcome


@blp.route("/events/<code>/sessions/<session_code>/broadcast")
class Broadcast(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.arguments(BroadcastIn)
    @blp.response(200, BroadcastOut)
    def post(self, data: dict[str, Any], code: str, session_code: str) -> dict[str, Any]:
        """Send a message (1–1000 characters) to every account of the session's parties."""
        session = get_session(db(), code, session_code)
        accounts = broadcast(db(), user(), session, data["text"])
        db().commit()
        return {"session": session.code, "accounts": accounts}


@blp.route("/meetings/<int:meeting_id>/lock")
class Lock(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.arguments(LockIn)
    @blp.response(200, RowOut)
    def post(self, data: dict[str, Any], meeting_id: int) -> MeetingRef:
        """Lock a meeting so rebuilds and repairs keep it where it is (or unlock it)."""
        meeting = set_locked(db(), get_meeting(db(), meeting_id), data["locked"], user())
        db().commit()
        return meeting


@blp.route("/meetings/<int:meeting_id>/cancel")
class Cancel(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.response(200, OutcomeOut)
    def post(self, meeting_id: int) -> Outcome:
        """Cancel a meeting and repair the session around it; says which meetings moved."""
        outcome = cancel_meeting(db(), matcher(), get_meeting(db(), meeting_id), user(), lang())
        db().commit()
        return outcome


@blp.route("/events/<code>/agenda.<fmt>", parameters=format_parameter(*FORMATS))
class Export(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.alt_response(403, response="FORBIDDEN")  # asking for another party's meetings
    @blp.arguments(ExportArgs, location="query")
    @file_response(blp, *FORMATS)
    def get(self, args: dict[str, Any], code: str, fmt: str) -> Response:
        """Agenda as ``csv``, ``xlsx`` or ``ics``, per session, institution, project or table."""
        content, name = export_file(db(), user(), code, fmt, lang(), **args)
        return download(content, fmt, name)


def _party(data: dict[str, Any], code: str) -> Any:
    if bool(data.get("project_id")) == bool(data.get("institution_id")):
        raise InvalidInput(
            "error.invalid_input",
            [Problem("agenda.one_party", column="project_id / institution_id")],
        )
    if data.get("project_id"):
        return catalog.get_project(db(), data["project_id"], code)
    return catalog.get_institution(db(), data["institution_id"], code)
