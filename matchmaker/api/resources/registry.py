"""The registry over HTTP: events and sessions; projects and institutions by registration id."""

from __future__ import annotations

from typing import Any

from flask import Response, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import attachments, db, download, matcher
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import envelope
from matchmaker.api.schemas.common import EventOnly, PageArgs
from matchmaker.api.schemas.registry import (
    AttachmentOut,
    EventIn,
    EventOut,
    EventPage,
    EventPatch,
    InstitutionFields,
    InstitutionOut,
    InstitutionPage,
    InstitutionQuery,
    LocksIn,
    LocksOut,
    NewInstitution,
    NewProject,
    PdfUpload,
    ProjectFields,
    ProjectOut,
    ProjectPage,
    ProjectQuery,
    RulesIn,
    RulesOut,
    SessionEdited,
    SessionIn,
    SessionOut,
    SessionPatch,
)
from matchmaker.db.models import Attachment, Event, Institution, MatchmakingSession, Project
from matchmaker.domain import Role
from matchmaker.services.agendas.session_edit import edit_session
from matchmaker.services.operations.event_archive import event_archive
from matchmaker.services.registry import attachments as files
from matchmaker.services.registry import eligibility, events, parties, profiles
from matchmaker.services.registry.events import SessionSpec
from matchmaker.services.registry.parties import Shown
from matchmaker.services.registry.profiles import Locks
from matchmaker.services.registry.scopes import require_unscoped

blp = Blueprint(
    "events",
    __name__,
    url_prefix="/api/v1/events",
    description="Events (大赛) and their matchmaking sessions (对接专场)",
)
projects = Blueprint(
    "projects",
    __name__,
    url_prefix="/api/v1/projects",
    description="Entrant projects (参赛项目), addressed by registration id",
)
institutions = Blueprint(
    "institutions",
    __name__,
    url_prefix="/api/v1/institutions",
    description="Institutions (创投机构), addressed by registration id",
)


# ---- events and sessions -------------------------------------------------------------------


@blp.route("")
class Events(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, EventPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List events."""
        return envelope(events.list_events(db(), **args))

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(EventIn)
    @blp.response(201, EventOut)
    def post(self, data: dict[str, Any]) -> Event:
        """Create an event (organisers over every event: an account scoped to some is refused)."""
        require_unscoped(db())
        event = events.create_event(db(), **data)
        db().commit()
        return event


@blp.route("/<code>")
class EventItem(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, EventOut)
    def get(self, code: str) -> Event:
        """Get an event with its sessions and slots."""
        return events.get_event(db(), code)

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(EventPatch, required=False)
    @blp.response(200, EventOut)
    def patch(self, data: dict[str, Any], code: str) -> Event:
        """Update an event's names, year, city, organiser or languages (organisers); place it
        under a city's event or in its division (organisers over every event only)."""
        event = events.update_event(db(), code, data, actor=user())
        db().commit()
        return event


@blp.route("/<code>/sessions")
class Sessions(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, SessionOut(many=True))
    def get(self, code: str) -> list[MatchmakingSession]:
        """List an event's sessions."""
        return list(events.get_event(db(), code).sessions)

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(SessionIn)
    @blp.response(201, SessionOut)
    def post(self, spec: SessionSpec, code: str) -> MatchmakingSession:
        """Add a session; its slots are laid out from start to end around its breaks, its
        tables counted or labelled."""
        session = events.create_session(db(), code, spec)
        db().commit()
        return session


@blp.route("/<code>/sessions/<session_code>")
class SessionItem(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, SessionOut)
    def get(self, code: str, session_code: str) -> MatchmakingSession:
        """Get a session with its slots."""
        return events.get_session(db(), code, session_code)

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(SessionPatch, required=False)
    @blp.response(200, SessionEdited)
    def patch(self, data: dict[str, Any], code: str, session_code: str) -> Edited:
        """Change a session (organisers). Before its agenda is published, slots and tables are
        laid out again and draft meetings that no longer fit are dropped; afterwards meetings
        whose slot or table goes are re-placed by a repair, listed in ``change.moved``. Nothing
        changes when that is impossible (409)."""
        drop = bool(data.pop("drop_meetings", False))
        change = edit_session(db(), matcher(), code, session_code, data, user(), lang(), drop)
        db().commit()
        return Edited(events.get_session(db(), code, session_code), change.to_dict())

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.response(204)
    def delete(self, code: str, session_code: str) -> None:
        """Delete a session that holds no meeting (organisers)."""
        events.delete_session(db(), code, session_code, user())
        db().commit()


class Edited:
    """A session as just edited, with what the edit moved (``SessionEdited``)."""

    def __init__(self, session: MatchmakingSession, change: dict[str, Any]) -> None:
        self.session = session
        self.change = change

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


@blp.route("/<code>/locks")
class EventLocks(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.response(200, LocksOut)
    def get(self, code: str) -> Locks:
        """The registration fields parties may no longer change, and the deadline (organisers)."""
        return profiles.locks_of(db(), user(), code)

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(LocksIn)
    @blp.response(200, LocksOut)
    def put(self, data: dict[str, Any], code: str) -> Locks:
        """Lock registration fields for parties, and set the registration deadline after which
        name, track and group lock by themselves (organisers; audited). A party changing a
        locked field is refused with 403 naming it; organisers still may."""
        found = profiles.lock_event(
            db(), user(), code, data["locked_fields"], data["registration_deadline"]
        )
        db().commit()
        return found


@blp.route("/<code>/rules")
class EventRules(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.response(200, RulesOut)
    def get(self, code: str) -> dict[str, Any]:
        """The event's eligibility rules and its barred past winners (organisers)."""
        return eligibility.rules_of(events.get_event(db(), code)).to_dict()

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(RulesIn, required=False)
    @blp.response(200, RulesOut)
    def patch(self, data: dict[str, Any], code: str) -> dict[str, Any]:
        """Switch rules (off, refuse, warn) and replace the barred list (organisers); imports and
        project edits are then checked against them."""
        event = events.get_event(db(), code)
        rules = eligibility.update_rules(
            db(), event, user(), data.get("rules", {}), barred=data.get("barred")
        )
        db().commit()
        return rules.to_dict()


@blp.route("/<code>/archive.zip")
class Archive(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF)
    @blp.response(200, {"type": "string", "format": "binary"}, content_type="application/zip")
    def get(self, code: str) -> Response:
        """Everything about the event in one ZIP (organisers, staff): registrations, agendas
        (XLSX, .ics), intents, due-diligence tasks, the outcome report, the audit trail (CSV)
        and a README in Chinese and English."""
        event = events.get_event(db(), code)
        return download(event_archive(db(), event, lang()), "zip", f"{event.code}-archive")


# ---- projects ------------------------------------------------------------------------------


@projects.route("")
class Projects(MethodView):
    @projects.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
    @projects.arguments(ProjectQuery, location="query")
    @projects.response(200, ProjectPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List projects, filtered by track, stage, group, session, region, text and ask."""
        return envelope(parties.list_projects(db(), user(), **args))

    @projects.doc(security=BEARER)
    @require(Role.ORGANISER)
    @projects.arguments(NewProject)
    @projects.response(201, ProjectOut)
    def post(self, data: dict[str, Any]) -> Shown[Project]:
        """Register a project (organisers)."""
        project = parties.register_project(db(), user(), data)
        db().commit()
        return project


@projects.route("/<code>")
class ProjectItem(MethodView):
    @projects.doc(security=BEARER)
    @require()
    @projects.alt_response(403, response="FORBIDDEN")  # an entrant asking for another project
    @projects.arguments(EventOnly, location="query")
    @projects.response(200, ProjectOut)
    def get(self, args: dict[str, Any], code: str) -> Shown[Project]:
        """Get a project; entrants may read only their own."""
        return parties.show_project(db(), user(), code, args.get("event"))

    @projects.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT)
    @projects.arguments(EventOnly, location="query")
    @projects.arguments(ProjectFields(partial=True), required=False)
    @projects.response(200, ProjectOut)
    def patch(self, args: dict[str, Any], data: dict[str, Any], code: str) -> Shown[Project]:
        """Update a project; an entrant may edit only their own."""
        project = parties.edit_project(db(), user(), code, args.get("event"), data)
        db().commit()
        return project


@projects.route("/<code>/attachments")
class ProjectAttachments(MethodView):
    @projects.doc(security=BEARER)
    @require()
    @projects.alt_response(403, response="FORBIDDEN")  # an entrant asking for another project
    @projects.arguments(EventOnly, location="query")
    @projects.response(200, AttachmentOut(many=True))
    def get(self, args: dict[str, Any], code: str) -> list[Attachment]:
        """A project's files (its team, organisers, staff and the event's investors)."""
        return files.attachments_of(db(), user(), code, args.get("event"))

    @projects.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT)
    @projects.arguments(EventOnly, location="query")
    @projects.arguments(PdfUpload, location="files")
    @projects.response(201, AttachmentOut)
    def post(self, args: dict[str, Any], upload: dict[str, Any], code: str) -> Attachment:
        """Add a PDF (a business plan) to a project: its own team or organisers. Checked by its
        first bytes (%PDF-) and size (MATCHMAKER_ATTACHMENT_MAX_BYTES, 413); audited."""
        sent = upload["file"]
        found = files.add_attachment(
            db(), attachments(), user(), code, args.get("event"), sent.filename or "", sent.read()
        )
        db().commit()
        return found


@projects.route("/<code>/attachments/<int:attachment_id>")
class ProjectAttachment(MethodView):
    @projects.doc(security=BEARER)
    @require()
    @projects.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf")
    def get(self, code: str, attachment_id: int) -> Response:
        """Download a project's file (404 for anyone who may not see it)."""
        found, path = files.attachment_file(db(), attachments(), user(), attachment_id, code)
        return send_file(
            path, mimetype="application/pdf", as_attachment=True, download_name=found.filename
        )

    @projects.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT)
    @projects.response(204)
    def delete(self, code: str, attachment_id: int) -> None:
        """Delete a project's file: its own team or organisers (audited)."""
        files.delete_attachment(db(), attachments(), user(), attachment_id, code)
        db().commit()


# ---- institutions --------------------------------------------------------------------------


@institutions.route("")
class Institutions(MethodView):
    @institutions.doc(security=BEARER)
    @require()
    @institutions.arguments(InstitutionQuery, location="query")
    @institutions.response(200, InstitutionPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List institutions, filtered by type, stage, session and text."""
        return envelope(parties.list_institutions(db(), user(), **args))

    @institutions.doc(security=BEARER)
    @require(Role.ORGANISER)
    @institutions.arguments(NewInstitution)
    @institutions.response(201, InstitutionOut)
    def post(self, data: dict[str, Any]) -> Shown[Project]:
        """Register an institution (organisers)."""
        institution = parties.register_institution(db(), user(), data)
        db().commit()
        return institution


@institutions.route("/<code>")
class InstitutionItem(MethodView):
    @institutions.doc(security=BEARER)
    @require()
    @institutions.arguments(EventOnly, location="query")
    @institutions.response(200, InstitutionOut)
    def get(self, args: dict[str, Any], code: str) -> Shown[Institution]:
        """Get an institution."""
        return parties.show_institution(db(), user(), code, args.get("event"))

    @institutions.doc(security=BEARER)
    @require(Role.ORGANISER, Role.INVESTOR)
    @institutions.arguments(EventOnly, location="query")
    @institutions.arguments(InstitutionFields(partial=True), required=False)
    @institutions.response(200, InstitutionOut)
    def patch(self, args: dict[str, Any], data: dict[str, Any], code: str) -> Shown[Institution]:
        """Update an institution; an investor may edit only their own."""
        institution = parties.edit_institution(db(), user(), code, args.get("event"), data)
        db().commit()
        return institution
