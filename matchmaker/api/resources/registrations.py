"""Projects and institutions: filtered lists, get, create and update by registration id."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db
from matchmaker.api.resources.common import envelope, event_code, present
from matchmaker.api.schemas.common import (
    EventOnly,
    InstitutionFields,
    InstitutionIn,
    InstitutionOut,
    InstitutionPage,
    InstitutionQuery,
    ProjectFields,
    ProjectIn,
    ProjectOut,
    ProjectPage,
    ProjectQuery,
)
from matchmaker.db.models import Institution, Project, User
from matchmaker.domain import Role
from matchmaker.errors import PermissionDenied
from matchmaker.services.registry import catalog
from matchmaker.services.registry.events import get_event

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

STAFF_SIDE = (Role.ORGANISER, Role.STAFF)


class NewProject(ProjectIn):
    event = fields.String(metadata={"description": "event code (needed if several)"})


class NewInstitution(InstitutionIn):
    event = fields.String(metadata={"description": "event code (needed if several)"})


@projects.route("")
class Projects(MethodView):
    @projects.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
    @projects.arguments(ProjectQuery, location="query")
    @projects.response(200, ProjectPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List projects, filtered by track, stage, group, session, region, text and ask."""
        args["event"] = event_code(user(), args.get("event"))
        page = catalog.list_projects(db(), **args)
        present(page.items, user())
        return envelope(page)

    @projects.doc(security=BEARER)
    @require(Role.ORGANISER)
    @projects.arguments(NewProject)
    @projects.response(201, ProjectOut)
    def post(self, data: dict[str, Any]) -> Project:
        """Register a project (organisers)."""
        event = get_event(db(), data.pop("event", None))
        project = catalog.create_project(db(), event, data, user())
        db().commit()
        present([project], user())
        return project


@projects.route("/<code>")
class ProjectItem(MethodView):
    @projects.doc(security=BEARER)
    @require()
    @projects.alt_response(403, response="FORBIDDEN")  # an entrant asking for another project
    @projects.arguments(EventOnly, location="query")
    @projects.response(200, ProjectOut)
    def get(self, args: dict[str, Any], code: str) -> Project:
        """Get a project; entrants may read only their own."""
        project = catalog.get_project(db(), code, event_code(user(), args.get("event")))
        viewer = user()
        if viewer.role is Role.ENTRANT and viewer.project_id != project.id:
            raise PermissionDenied()
        present([project], viewer)
        return project

    @projects.doc(security=BEARER)
    @require(Role.ORGANISER, Role.ENTRANT)
    @projects.arguments(EventOnly, location="query")
    @projects.arguments(ProjectFields(partial=True), required=False)
    @projects.response(200, ProjectOut)
    def patch(self, args: dict[str, Any], data: dict[str, Any], code: str) -> Project:
        """Update a project; an entrant may edit only their own."""
        project = catalog.get_project(db(), code, event_code(user(), args.get("event")))
        viewer = user()
        if viewer.role is Role.ENTRANT and viewer.project_id != project.id:
            raise PermissionDenied()
        keep_sessions(viewer, project, data)
        catalog.update_project(db(), project, data, viewer)
        db().commit()
        present([project], viewer)
        return project


@institutions.route("")
class Institutions(MethodView):
    @institutions.doc(security=BEARER)
    @require()
    @institutions.arguments(InstitutionQuery, location="query")
    @institutions.response(200, InstitutionPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List institutions, filtered by type, stage, session and text."""
        args["event"] = event_code(user(), args.get("event"))
        page = catalog.list_institutions(db(), **args)
        present(page.items, user())
        return envelope(page)

    @institutions.doc(security=BEARER)
    @require(Role.ORGANISER)
    @institutions.arguments(NewInstitution)
    @institutions.response(201, InstitutionOut)
    def post(self, data: dict[str, Any]) -> Institution:
        """Register an institution (organisers)."""
        event = get_event(db(), data.pop("event", None))
        institution = catalog.create_institution(db(), event, data, user())
        db().commit()
        present([institution], user())
        return institution


@institutions.route("/<code>")
class InstitutionItem(MethodView):
    @institutions.doc(security=BEARER)
    @require()
    @institutions.arguments(EventOnly, location="query")
    @institutions.response(200, InstitutionOut)
    def get(self, args: dict[str, Any], code: str) -> Institution:
        """Get an institution."""
        institution = catalog.get_institution(db(), code, event_code(user(), args.get("event")))
        present([institution], user())
        return institution

    @institutions.doc(security=BEARER)
    @require(Role.ORGANISER, Role.INVESTOR)
    @institutions.arguments(EventOnly, location="query")
    @institutions.arguments(InstitutionFields(partial=True), required=False)
    @institutions.response(200, InstitutionOut)
    def patch(self, args: dict[str, Any], data: dict[str, Any], code: str) -> Institution:
        """Update an institution; an investor may edit only their own."""
        institution = catalog.get_institution(db(), code, event_code(user(), args.get("event")))
        viewer = user()
        if viewer.role is Role.INVESTOR and viewer.institution_id != institution.id:
            raise PermissionDenied()
        keep_sessions(viewer, institution, data)
        catalog.update_institution(db(), institution, data, viewer)
        db().commit()
        present([institution], viewer)
        return institution


def keep_sessions(viewer: User, row: Project | Institution, data: dict[str, Any]) -> None:
    """Sessions are the organisers' invitations: a party may edit its registration, not move it."""
    if viewer.role is Role.ORGANISER or "sessions" not in data:
        return
    if set(data["sessions"]) != {session.code for session in row.sessions}:
        raise PermissionDenied("auth.sessions_by_organisers")
