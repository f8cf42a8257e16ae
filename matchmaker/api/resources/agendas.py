"""Session agendas: build, publish, lock, repair; everyone's own agenda and its exports."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, make_response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, download, matcher, queue
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import file_response, format_parameter
from matchmaker.api.resources.jobs import JobOut, start
from matchmaker.api.schemas.common import JsonBoolean
from matchmaker.db.models import Meeting, User
from matchmaker.domain import JobKind, Role
from matchmaker.errors import InvalidInput, NotFound, PermissionDenied, Problem
from matchmaker.messages import Ref
from matchmaker.services.agendas.build import (
    add_must_meet,
    agenda_of,
    arrives_late,
    build_agenda,
    cancel_meeting,
    ensure_not_over,
    options_of,
    publish_agenda,
    set_locked,
)
from matchmaker.services.agendas.instance import session_instance
from matchmaker.services.agendas.options import LIMIT_TOP, AgendaOptions
from matchmaker.services.agendas.views import FORMATS, AgendaRow, agenda_rows, export_agenda
from matchmaker.services.registry import catalog
from matchmaker.services.registry.events import get_event, get_session

blp = Blueprint(
    "agendas",
    __name__,
    url_prefix="/api/v1",
    description="Session agendas: optimal schedules, publishing, changes on the day, exports",
)
ORGANISER = (Role.ORGANISER,)
SESSION = "/events/<code>/sessions/<session_code>/agenda"


class BuildIn(Schema):
    fair = JsonBoolean(
        load_default=True,
        metadata={"description": "raise every project's minimum to the largest feasible value"},
    )
    time_limit = fields.Float(load_default=10.0, validate=validate.Range(0.5, 300))
    project_min = fields.Integer(
        load_default=0,
        validate=validate.Range(0, LIMIT_TOP),
        metadata={"description": "meetings per project, at least"},
    )
    project_max = fields.Integer(
        validate=validate.Range(1, LIMIT_TOP),
        metadata={
            "description": "meetings per project, at most (default: 1.5 × a fair share of the "
            "room); a project holding more bookings or locked meetings keeps them all"
        },
    )
    institution_min = fields.Integer(
        load_default=0,
        validate=validate.Range(0, LIMIT_TOP),
        metadata={"description": "meetings per institution, at least"},
    )
    institution_max = fields.Integer(
        validate=validate.Range(1, LIMIT_TOP),
        metadata={
            "description": "meetings per institution, at most (default: every slot); an "
            "institution holding more bookings or locked meetings keeps them all"
        },
    )
    background = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "run on a background worker and answer 202 with the job; "
            "default: when a queue (Redis) is configured"
        },
    )


class LockIn(Schema):
    locked = JsonBoolean(required=True)


class LateIn(Schema):
    project_id = fields.String(validate=validate.Length(1, 64))
    institution_id = fields.String(validate=validate.Length(1, 64))
    first_slot = fields.Integer(required=True, validate=validate.Range(1, 1000))


class PairIn(Schema):
    project_id = fields.String(required=True, validate=validate.Length(1, 64))
    institution_id = fields.String(required=True, validate=validate.Length(1, 64))


class RowOut(Schema):
    meeting_id = fields.Integer()
    session = fields.String()
    slot = fields.Integer()
    start = fields.String()
    end = fields.String()
    table = fields.String()
    institution_id = fields.String()
    institution = fields.String()
    project_id = fields.String()
    project = fields.String()
    status = fields.String()
    status_label = fields.String()
    locked = fields.Boolean()


class AgendaOut(Schema):
    session = fields.String()
    status = fields.String()
    revision = fields.Integer()
    solver_status = fields.String()
    objective = fields.Float()
    bound = fields.Float()
    fair_minimum = fields.Integer(allow_none=True)
    summary = fields.Dict()
    meetings = fields.List(fields.Nested(RowOut))


class OutcomeOut(Schema):
    status = fields.String(metadata={"description": "optimal, feasible or infeasible"})
    agenda_status = fields.String()
    revision = fields.Integer()
    objective = fields.Float()
    bound = fields.Float()
    fair_minimum = fields.Integer(allow_none=True)
    meetings = fields.Integer()
    moved = fields.List(fields.Dict())
    dropped = fields.List(fields.Dict())
    added = fields.List(fields.Dict())
    diagnostics = fields.List(fields.Dict())
    stats = fields.Dict()


class InstanceOut(Schema):
    """A session as the standalone solver's input (``matchmaker schedule --input``)."""

    slots = fields.List(fields.Dict(), metadata={"description": "id, session, start, minutes"})
    institutions = fields.List(
        fields.Dict(), metadata={"description": "id, min_meetings, max_meetings, unavailable"}
    )
    projects = fields.List(
        fields.Dict(), metadata={"description": "id, min_meetings, max_meetings, unavailable"}
    )
    scores = fields.List(fields.Dict(), metadata={"description": "institution, project, score"})
    tables = fields.List(fields.Dict(), metadata={"description": "session, ids"})
    must_meet = fields.List(fields.Dict())
    forbidden = fields.List(fields.Dict())
    locked = fields.List(fields.Dict(), metadata={"description": "institution, project, slot"})


class ExportArgs(Schema):
    session = fields.String(validate=validate.Length(max=64))
    institution = fields.String(validate=validate.Length(max=64))
    project = fields.String(validate=validate.Length(max=64))
    table = fields.Integer(validate=validate.Range(1, 10_000))


@blp.route(SESSION)
class SessionAgenda(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, AgendaOut)
    def get(self, code: str, session_code: str) -> dict[str, Any]:
        """The session's agenda: organisers and staff see all of it, parties their own part."""
        session = get_session(db(), code, session_code)
        agenda = agenda_of(db(), session)
        db().commit()
        viewer = user()
        rows = agenda_rows(
            db(),
            session.event,
            session=session,
            published_only=viewer.role not in (Role.ORGANISER, Role.STAFF),
            lang=lang(),
            **_own(viewer),
        )
        return {
            "session": session.code,
            "status": agenda.status.value,
            "revision": agenda.revision,
            "solver_status": agenda.solver_status,
            "objective": agenda.objective,
            "bound": agenda.bound,
            "fair_minimum": agenda.fair_minimum,
            "summary": agenda.summary if viewer.role in (Role.ORGANISER, Role.STAFF) else {},
            "meetings": [r.to_dict(lang()) for r in rows],
        }


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
        return outcome.to_dict()


@blp.route(SESSION + "/publish")
class Publish(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.response(200, AgendaOut)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")  # the validator rejects it
    def post(self, code: str, session_code: str) -> dict[str, Any]:
        """Publish the draft once the independent validator passes it."""
        session = get_session(db(), code, session_code)
        agenda = publish_agenda(db(), matcher(), session, user())
        db().commit()
        return {"session": session.code, "status": agenda.status.value, "revision": agenda.revision}


@blp.route(SESSION + "/instance")
class Instance(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.response(200, InstanceOut)
    def get(self, code: str, session_code: str) -> dict[str, Any]:
        """The session as a ``matchmaker schedule`` instance (solve it elsewhere)."""
        session = get_session(db(), code, session_code)
        data = session_instance(db(), matcher(), session, options_of(agenda_of(db(), session)))
        db().commit()
        return data


@blp.route(SESSION + "/late")
class Late(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.arguments(LateIn)
    @blp.response(200, OutcomeOut)
    def post(self, data: dict[str, Any], code: str, session_code: str) -> dict[str, Any]:
        """Someone arrives late: free their earlier slots and move the fewest meetings."""
        session = get_session(db(), code, session_code)
        party = _party(data, code)
        outcome = arrives_late(db(), matcher(), session, party, data["first_slot"], user(), lang())
        db().commit()
        return outcome.to_dict()


@blp.route(SESSION + "/must-meet")
class MustMeet(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.arguments(PairIn)
    @blp.response(200, OutcomeOut)
    def post(self, data: dict[str, Any], code: str, session_code: str) -> dict[str, Any]:
        """Fit a new must-meet pair in with the fewest other meetings moved (it is locked)."""
        session = get_session(db(), code, session_code)
        institution = catalog.get_institution(db(), data["institution_id"], code)
        project = catalog.get_project(db(), data["project_id"], code)
        outcome = add_must_meet(db(), matcher(), session, institution, project, user(), lang())
        db().commit()
        return outcome.to_dict()


@blp.route("/meetings/<int:meeting_id>/lock")
class Lock(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.arguments(LockIn)
    @blp.response(200, RowOut)
    def post(self, data: dict[str, Any], meeting_id: int) -> dict[str, Any]:
        """Lock a meeting so rebuilds and repairs keep it where it is (or unlock it)."""
        meeting = set_locked(db(), _meeting(meeting_id), data["locked"], user())
        db().commit()
        return _row(meeting)


@blp.route("/meetings/<int:meeting_id>/cancel")
class Cancel(MethodView):
    @blp.doc(security=BEARER)
    @require(*ORGANISER)
    @blp.response(200, OutcomeOut)
    def post(self, meeting_id: int) -> dict[str, Any]:
        """Cancel a meeting and repair the session around it; says which meetings moved."""
        outcome = cancel_meeting(db(), matcher(), _meeting(meeting_id), user(), lang())
        db().commit()
        return outcome.to_dict()


@blp.route("/events/<code>/agenda.<fmt>", parameters=format_parameter(*FORMATS))
class Export(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.alt_response(403, response="FORBIDDEN")  # asking for another party's meetings
    @blp.arguments(ExportArgs, location="query")
    @file_response(blp, *FORMATS)
    def get(self, args: dict[str, Any], code: str, fmt: str) -> Response:
        """Agenda as ``csv``, ``xlsx`` or ``ics``, per session, institution, project or table."""
        content, name = export_file(user(), code, fmt, args)
        return download(content, fmt, name)


def export_file(viewer: User, code: str, fmt: str, args: dict[str, Any]) -> tuple[bytes, str]:
    """Return the export's bytes and file name (shared with the pages)."""
    if fmt not in FORMATS:
        raise InvalidInput(
            "error.invalid_input", [Problem("error.bad_request", column="format", value=fmt)]
        )
    event = get_event(db(), code)
    rows, scope = visible_rows(viewer, event, args)
    parts = [event.code] + [
        getattr(v, "code", None) or f"T{v}" for v in scope.values() if v is not None
    ]
    return export_agenda(rows, fmt, lang(), title=event.name), "agenda-" + "-".join(parts)


def visible_rows(
    viewer: User, event: Any, args: dict[str, Any]
) -> tuple[list[AgendaRow], dict[str, Any]]:
    """Return the meetings ``viewer`` may see, narrowed by ``session/institution/project/table``.

    Parties see only their own meetings (asking for someone else's is 403), and only published
    ones plus their bookings; organisers and staff see everything.
    """
    scope: dict[str, Any] = {}
    if args.get("session"):
        scope["session"] = get_session(db(), event.code, args["session"])
    if args.get("institution"):
        scope["institution"] = catalog.get_institution(db(), args["institution"], event.code)
    if args.get("project"):
        scope["project"] = catalog.get_project(db(), args["project"], event.code)
    if args.get("table"):
        scope["table"] = args["table"]
    own = _own(viewer)
    for key, value in own.items():
        if key in scope and scope[key].id != value.id:
            raise PermissionDenied()
    scope |= own
    published_only = viewer.role not in (Role.ORGANISER, Role.STAFF)
    rows = agenda_rows(db(), event, published_only=published_only, lang=lang(), **scope)
    return rows, scope


def _own(viewer: User) -> dict[str, Any]:
    """Investors see only their institution's meetings, entrants only their project's."""
    if viewer.role == Role.INVESTOR:
        return {"institution": viewer.institution}
    if viewer.role == Role.ENTRANT:
        return {"project": viewer.project}
    return {}


def _meeting(meeting_id: int) -> Meeting:
    meeting = db().get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what=Ref("what.meeting"), key=meeting_id)
    return meeting


def _party(data: dict[str, Any], code: str) -> Any:
    if bool(data.get("project_id")) == bool(data.get("institution_id")):
        raise InvalidInput(
            "error.invalid_input",
            [Problem("agenda.one_party", column="project_id / institution_id")],
        )
    if data.get("project_id"):
        return catalog.get_project(db(), data["project_id"], code)
    return catalog.get_institution(db(), data["institution_id"], code)


def _row(meeting: Meeting) -> dict[str, Any]:
    return {
        "meeting_id": meeting.id,
        "session": meeting.session.code,
        "slot": meeting.slot.number,
        "institution_id": meeting.institution.code,
        "project_id": meeting.project.code,
        "status": meeting.status.value,
        "locked": meeting.locked,
    }
