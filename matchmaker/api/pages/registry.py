"""Registry pages: project and institution lists and profiles, registration import and export,
the event's eligibility rules."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for

from matchmaker.api.context import db, download, queue, session_factory
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    event_choice,
    event_of_code,
    group_options,
    hidden_404,
    notice,
    page_event,
    page_number,
    signed_in,
    signed_in_user,
    text_filters,
    track_options,
    type_options,
    uploaded_file,
    vocab_filters,
)
from matchmaker.domain import Role, Stage
from matchmaker.errors import ImportRejected, InvalidInput, NotFound, TooLarge
from matchmaker.services.library.history import history_for
from matchmaker.services.operations import jobs
from matchmaker.services.registry import access, catalog, eligibility, profile_views
from matchmaker.services.registry.events import all_events
from matchmaker.services.registry.registrations import (
    KINDS,
    export_registrations,
    import_registrations,
)
from matchmaker.services.registry.sheet_templates import sheet_template

bp = Blueprint("registry_pages", __name__)


@bp.get("/projects")
@signed_in(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
def projects() -> str:
    """Browse projects with filters."""
    filters = vocab_filters(
        ("track", track_options()), ("stage", Stage), ("group", group_options())
    )
    filters.update(text_filters("session", "q", "region"))
    page = catalog.list_projects(
        db(), event=page_event().code, page=page_number(), page_size=30, **filters
    )
    return render_template("projects.html", page=page, filters=request.args)


@bp.get("/projects/<code>")
@signed_in()
def project(code: str) -> Any:
    """One project (an entrant sees only their own): its files, and its changes for organisers."""
    return project_page(code)


def project_page(code: str, upload_error: str | None = None, status: int = 200) -> Any:
    """The project page, with a refused upload's sentence beside its form."""
    viewer = signed_in_user()
    view = profile_views.project_view(db(), viewer, code, *event_of_code())
    # other contests' rows, meetings and amounts: organisers only (services/library/history.py)
    history = history_for(db(), viewer, view.shown.row) if viewer.role is Role.ORGANISER else None
    return render_template(
        "project.html",
        p=view.shown,
        view=view,
        history=history,
        show_contact=view.shown.show_contact,
        upload_error=upload_error,
        notice=session.pop("notice", None),
    ), status


@bp.get("/institutions")
@signed_in()
def institutions() -> str:
    """Browse institutions with filters."""
    filters = vocab_filters(("type", type_options()), ("stage", Stage))
    filters.update(text_filters("session", "q"))
    page = catalog.list_institutions(
        db(), event=page_event().code, page=page_number(), page_size=30, **filters
    )
    return render_template("institutions.html", page=page, filters=request.args)


@bp.get("/institutions/<code>")
@signed_in()
def institution(code: str) -> Any:
    """One institution, and its changes for organisers."""
    view = profile_views.institution_view(db(), signed_in_user(), code, *event_of_code())
    return render_template(
        "institution.html",
        i=view.shown,
        view=view,
        show_contact=view.shown.show_contact,
        notice=session.pop("notice", None),
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
            hidden_404(exc)
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


@bp.get("/import/template/<kind>.<fmt>")
@signed_in(Role.ORGANISER, Role.STAFF)
def sheet_template_file(kind: str, fmt: str) -> Response:
    """Download a blank sheet (headers and one example row) in the page's or ``?lang=`` language."""
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        abort(404)
    language = (
        "en" if request.args.get("lang") == "en" else "zh" if request.args.get("lang") else lang()
    )
    data = sheet_template(page_event(), kind, fmt, language)
    return download(data, fmt, f"{kind}-template-{language}")


@bp.get("/export/<kind>.<fmt>")
@signed_in(Role.ORGANISER, Role.STAFF)
def export(kind: str, fmt: str) -> Response:
    """Download projects or institutions as CSV or XLSX."""
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        abort(404)
    event = page_event()
    reveal = access.sees_ids(signed_in_user())
    data = export_registrations(db(), event, kind, fmt, lang(), reveal_ids=reveal)
    return download(data, fmt, f"{event.code}-{kind}")


@bp.route("/rules", methods=["GET", "POST"])
@signed_in(Role.ORGANISER)
def rules_page() -> Any:
    """The event's eligibility rules: each switched off, to refuse or to warn; the barred list
    pasted or uploaded. Nothing changes when any of it is refused."""
    event, rejected = page_event(), None
    if request.method == "POST":
        switches = {r: request.form.get(f"mode_{r}", "off") for r in eligibility.RULES}
        upload = request.files.get("barred_file")
        given = (upload.filename, upload.read()) if upload and upload.filename else None
        try:
            eligibility.update_rules(
                db(), event, signed_in_user(), switches, request.form.get("barred"), given
            )
            db().commit()
            notice("ok", t("ui.rules_saved"))
            return redirect(url_for("registry_pages.rules_page"))
        except InvalidInput as exc:
            db().rollback()
            rejected = exc
    shown = eligibility.rules_of(event)
    return render_template(
        "rules.html",
        event=event,
        rules=shown,
        names=eligibility.RULES,
        rejected=rejected,
        notice=session.pop("notice", None),
    ), (422 if rejected else 200)


# The contest set-up pages live in their own module and register on ``bp`` when imported.
from matchmaker.api.pages import events as _setup_pages  # noqa: E402, F401
