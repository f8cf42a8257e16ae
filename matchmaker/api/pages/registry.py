"""Registry pages: project and institution lists and profiles, registration import and export."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from matchmaker.api.context import db, download, queue, session_factory
from matchmaker.api.i18n import lang
from matchmaker.api.pages.common import (
    event_choice,
    event_of_code,
    page_event,
    page_number,
    signed_in,
    signed_in_user,
    text_filters,
    track_options,
    uploaded_file,
    vocab_filters,
)
from matchmaker.domain import Group, InstitutionType, Role, Stage
from matchmaker.errors import ImportRejected, InvalidInput, NotFound, TooLarge
from matchmaker.services.operations import jobs
from matchmaker.services.registry import catalog, names, parties
from matchmaker.services.registry.events import all_events
from matchmaker.services.registry.registrations import (
    KINDS,
    export_registrations,
    import_registrations,
)

bp = Blueprint("registry_pages", __name__)


@bp.get("/projects")
@signed_in(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
def projects() -> str:
    """Browse projects with filters."""
    filters = vocab_filters(("track", track_options()), ("stage", Stage), ("group", Group))
    filters.update(text_filters("session", "q", "region"))
    page = catalog.list_projects(
        db(), event=page_event().code, page=page_number(), page_size=30, **filters
    )
    return render_template("projects.html", page=page, filters=request.args)


@bp.get("/projects/<code>")
@signed_in()
def project(code: str) -> str:
    """One project (an entrant sees only their own)."""
    me = signed_in_user()
    shown = parties.show_project(db(), me, code, *event_of_code())
    history = names.renames(db(), me, shown.event_id, shown.row)
    return render_template(
        "project.html", p=shown, show_contact=shown.show_contact, renames=history
    )


@bp.get("/institutions")
@signed_in()
def institutions() -> str:
    """Browse institutions with filters."""
    filters = vocab_filters(("type", InstitutionType), ("stage", Stage))
    filters.update(text_filters("session", "q"))
    page = catalog.list_institutions(
        db(), event=page_event().code, page=page_number(), page_size=30, **filters
    )
    return render_template("institutions.html", page=page, filters=request.args)


@bp.get("/institutions/<code>")
@signed_in()
def institution(code: str) -> str:
    """One institution."""
    me = signed_in_user()
    shown = parties.show_institution(db(), me, code, *event_of_code())
    history = names.renames(db(), me, shown.event_id, shown.row)
    return render_template(
        "institution.html", i=shown, show_contact=shown.show_contact, renames=history
    )


@bp.route("/import", methods=["GET", "POST"])
@signed_in(Role.ORGANISER)
def import_page() -> Any:
    """Upload a registration sheet; every problem is listed and nothing is written on error."""
    report, rejected, kind, queued = None, None, "projects", None
    status = 200
    if request.method == "POST":
        try:
            name, data = uploaded_file()
            kind = request.form.get("kind", "projects")
            if kind not in KINDS:
                abort(400)
            event = page_event()
            me = signed_in_user()
            report = import_registrations(db(), event, kind, data, name, actor=me)
            event_id, actor_id = event.id, me.id
            db().commit()
            queued = jobs.rebuild_after_import(session_factory(), queue(), event_id, actor_id)
        except (ImportRejected, InvalidInput, NotFound) as exc:
            db().rollback()
            rejected = exc
        status = (413 if isinstance(rejected, TooLarge) else 422) if rejected else 200
    chosen = event_choice()
    return render_template(
        "import.html",
        report=report,
        rejected=rejected,
        kind=kind,
        events=all_events(db()),
        chosen=chosen["chosen"] if chosen else None,
        queued=queued,
    ), status


@bp.get("/export/<kind>.<fmt>")
@signed_in(Role.ORGANISER, Role.STAFF)
def export(kind: str, fmt: str) -> Response:
    """Download projects or institutions as CSV or XLSX."""
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        abort(404)
    event = page_event()
    data = export_registrations(db(), event, kind, fmt, lang())
    return download(data, fmt, f"{event.code}-{kind}")
