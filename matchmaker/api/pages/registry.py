"""Server-rendered pages: sign-in, event overview, project and institution lists, import."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    redirect,
    render_template,
    request,
)
from sqlalchemy import select

from matchmaker.api.auth import current_user
from matchmaker.api.context import db, download, matcher, queue, session_factory
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    bp,
    check_csrf,
    event_choice,
    event_of_code,
    page_event,
    page_number,
    safe_next,
    safe_user,
    signed_in,
    text_filters,
    uploaded_file,
    vocab_filters,
)
from matchmaker.db.models import Event, Institution, Project
from matchmaker.domain import (
    Group,
    InstitutionType,
    Role,
    Stage,
    Track,
    Verdict,
)
from matchmaker.errors import (
    ImportRejected,
    InvalidInput,
    NotFound,
    TooLarge,
)
from matchmaker.services.agendas.bookings import booking_offers
from matchmaker.services.matching.duplicates import event_duplicates
from matchmaker.services.matching.matcher import ShortlistQuery, record_verdict
from matchmaker.services.operations import jobs
from matchmaker.services.registry import catalog, names
from matchmaker.services.registry.catalog import Page
from matchmaker.services.registry.registrations import (
    KINDS,
    export_registrations,
    import_registrations,
)


@bp.get("/projects")
@signed_in(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
def projects() -> str:
    """Browse projects with filters."""
    filters = vocab_filters(("track", Track), ("stage", Stage), ("group", Group))
    filters.update(text_filters("session", "q", "region"))
    page = catalog.list_projects(
        db(), event=page_event().code, page=page_number(), page_size=30, **filters
    )
    return render_template("projects.html", page=page, filters=request.args)


@bp.get("/projects/<code>")
@signed_in()
def project(code: str) -> str:
    """One project."""
    item = catalog.get_project(db(), code, *event_of_code())
    user = safe_user()
    if user.role is Role.ENTRANT and user.project_id != item.id:
        abort(403)
    show_contact = user.role in (Role.ORGANISER, Role.STAFF) or user.project_id == item.id
    history = names.renames(db(), user, item.event_id, item)
    return render_template("project.html", p=item, show_contact=show_contact, renames=history)


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
    item = catalog.get_institution(db(), code, *event_of_code())
    user = safe_user()
    show_contact = user.role in (Role.ORGANISER, Role.STAFF) or user.institution_id == item.id
    history = names.renames(db(), user, item.event_id, item)
    return render_template("institution.html", i=item, show_contact=show_contact, renames=history)


def _subject(model: Any, bound_id: int | None, param: str, title: str) -> Any:
    """Return the page's subject: the user's own record, the one in ``?param=``, or a chooser."""
    if bound_id is not None:
        return db().get_one(model, bound_id)
    code = request.args.get(param) or None
    if code:
        return (
            catalog.get_institution(db(), code, *event_of_code())
            if model is Institution
            else catalog.get_project(db(), code, *event_of_code())
        )
    event_id = page_event().id
    choices = (
        db().scalars(select(model).where(model.event_id == event_id).order_by(model.code)).all()
    )
    return render_template("choose.html", choices=choices, param=param, title=title)


@bp.get("/shortlist")
@signed_in(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
def shortlist_page() -> Any:
    """An institution's ranked projects with reasons and like/pass."""
    user = safe_user()
    bound = user.institution_id if user.role is Role.INVESTOR else None
    institution = _subject(Institution, bound, "institution", t("ui.choose_institution"))
    if not isinstance(institution, Institution):
        return institution  # the chooser page
    filters = vocab_filters(("track", Track), ("stage", Stage))
    filters.update(text_filters("session", "region"))
    query = ShortlistQuery(
        k=20,
        page=page_number(),
        diversity=0.3 if request.args.get("diverse") else 0.0,
        include_passed=bool(request.args.get("passed")),
        **{k: getattr(v, "value", v) for k, v in filters.items()},
    )
    event = db().get_one(Event, institution.event_id)
    items, total = matcher().shortlist(db(), event, institution, query)
    db().commit()
    pager = Page(items, total, query.page, query.k)
    return render_template(
        "shortlist.html",
        event=event,
        institution=institution,
        items=items,
        page=pager,
        filters=request.args,
        offers=booking_offers(institution.sessions, "projects"),  # (bookable, every session over)
    )


@bp.post("/shortlist/feedback")
@signed_in(Role.ORGANISER, Role.INVESTOR)
def shortlist_feedback() -> Any:
    """Record like/pass from the shortlist page and go back to it."""
    check_csrf()
    user = safe_user()
    institution = catalog.get_institution(
        db(), request.form.get("institution", ""), *event_of_code()
    )
    if user.role is Role.INVESTOR and user.institution_id != institution.id:
        abort(403)
    try:
        verdict = Verdict.parse(request.form.get("verdict", ""))
    except ValueError:
        abort(400)
    project = catalog.get_project(db(), request.form.get("project", ""), *event_of_code())
    if project.event_id != institution.event_id:
        abort(404)
    record_verdict(db(), institution, project, verdict, user.id)
    db().commit()
    return redirect(safe_next(request.form.get("next")))


@bp.get("/recommendations")
@signed_in(Role.ORGANISER, Role.STAFF, Role.ENTRANT)
def recommendations_page() -> Any:
    """A project's best-fitting institutions with reasons."""
    user = safe_user()
    bound = user.project_id if user.role is Role.ENTRANT else None
    project = _subject(Project, bound, "project", t("ui.choose_project"))
    if not isinstance(project, Project):
        return project  # the chooser page
    kind = vocab_filters(("type", InstitutionType))
    query = ShortlistQuery(k=20, page=page_number(), type=kind["type"].value if kind else None)
    event = db().get_one(Event, project.event_id)
    items, total = matcher().recommend(db(), event, project, query)
    db().commit()
    pager = Page(items, total, query.page, query.k)
    return render_template(
        "recommendations.html",
        event=event,
        project=project,
        items=items,
        page=pager,
        filters=request.args,
        offers=booking_offers(project.sessions, "institutions"),  # (bookable, every session over)
    )


@bp.get("/duplicates")
@signed_in(Role.ORGANISER, Role.STAFF)
def duplicates_page() -> Any:
    """Registrations that look like one project entered twice or copied."""
    event = page_event()
    pairs = event_duplicates(db(), event, matcher())
    db().commit()
    titles = dict(
        db().execute(select(Project.code, Project.name).where(Project.event_id == event.id)).all()
    )
    history = names.renames(db(), safe_user(), event.id)
    return render_template(
        "duplicates.html", event=event, pairs=pairs, names=titles, renames=history
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
            report = import_registrations(db(), event, kind, data, name, actor=current_user())
            event_id, signed_in = event.id, current_user().id
            db().commit()
            queued = jobs.rebuild_after_import(
                session_factory(),
                queue(),
                event_id,
                signed_in,
            )
        except (ImportRejected, InvalidInput, NotFound) as exc:
            db().rollback()
            rejected = exc
        status = (413 if isinstance(rejected, TooLarge) else 422) if rejected else 200
    events = db().scalars(select(Event).order_by(Event.code)).all()
    chosen = event_choice()
    return render_template(
        "import.html",
        report=report,
        rejected=rejected,
        kind=kind,
        events=events,
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
