"""Matching pages: a shortlist with like/pass, recommendations, registrations alike."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request

from matchmaker.api.context import db, matcher
from matchmaker.api.i18n import t
from matchmaker.api.pages.common import (
    check_csrf,
    event_of_code,
    page_event,
    page_number,
    safe_next,
    signed_in,
    signed_in_user,
    text_filters,
    track_options,
    type_options,
    vocab_filters,
)
from matchmaker.db.models import Event, Institution, Project
from matchmaker.domain import Role, Stage, Verdict
from matchmaker.services.agendas.bookings import booking_offers
from matchmaker.services.matching.duplicates import event_duplicates
from matchmaker.services.matching.matcher import ShortlistQuery
from matchmaker.services.matching.shortlists import recommendations_of, shortlist_of
from matchmaker.services.matching.verdicts import record_verdict
from matchmaker.services.registry import access, catalog, names, parties

bp = Blueprint("matching_pages", __name__)


def _chooser(model: type[Institution] | type[Project], param: str, title: str) -> str:
    """The page that asks which institution (or project) to show: every one of the event."""
    choices = catalog.event_registrations(db(), model, page_event().id)
    return render_template("choose.html", choices=choices, param=param, title=title)


@bp.get("/shortlist")
@signed_in(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
def shortlist_page() -> Any:
    """An institution's ranked projects with reasons and like/pass."""
    institution = access.own_institution(signed_in_user())
    if institution is None:
        code = request.args.get("institution") or None
        if code is None:
            return _chooser(Institution, "institution", t("ui.choose_institution"))
        institution = catalog.get_institution(db(), code, *event_of_code())
    tracks = track_options(db().get_one(Event, institution.event_id))
    filters = vocab_filters(("track", tracks), ("stage", Stage))
    filters.update(text_filters("session", "region"))
    query = ShortlistQuery(
        k=20,
        page=page_number(),
        diversity=0.3 if request.args.get("diverse") else 0.0,
        include_passed=bool(request.args.get("passed")),
        **{k: getattr(v, "value", v) for k, v in filters.items()},
    )
    found = shortlist_of(db(), matcher(), institution, query)
    db().commit()
    return render_template(
        "shortlist.html",
        event=found.event,
        institution=institution,
        items=found.items,
        page=found,
        filters=request.args,
        offers=booking_offers(institution.sessions, "projects"),  # (bookable, every session over)
    )


@bp.post("/shortlist/feedback")
@signed_in(Role.ORGANISER, Role.INVESTOR)
def shortlist_feedback() -> Any:
    """Record like/pass from the shortlist page and go back to it."""
    check_csrf()
    me = signed_in_user()
    institution = parties.institution_for(
        db(), me, request.form.get("institution", ""), *event_of_code()
    )
    try:
        verdict = Verdict.parse(request.form.get("verdict", ""))
    except ValueError:
        abort(400)
    project = catalog.get_project(db(), request.form.get("project", ""), *event_of_code())
    if project.event_id != institution.event_id:
        abort(404)
    record_verdict(db(), institution, project, verdict, me.id)
    db().commit()
    return redirect(safe_next(request.form.get("next")))


@bp.get("/recommendations")
@signed_in(Role.ORGANISER, Role.STAFF, Role.ENTRANT)
def recommendations_page() -> Any:
    """A project's best-fitting institutions with reasons."""
    project = access.own_project(signed_in_user())
    if project is None:
        code = request.args.get("project") or None
        if code is None:
            return _chooser(Project, "project", t("ui.choose_project"))
        project = catalog.get_project(db(), code, *event_of_code())
    types = type_options(db().get_one(Event, project.event_id))
    kind = vocab_filters(("type", types))
    query = ShortlistQuery(k=20, page=page_number(), type=kind.get("type"))
    found = recommendations_of(db(), matcher(), project, query)
    db().commit()
    return render_template(
        "recommendations.html",
        event=found.event,
        project=project,
        items=found.items,
        page=found,
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
    titles = catalog.project_names(db(), event.id)
    history = names.renames(db(), signed_in_user(), event.id)
    return render_template(
        "duplicates.html", event=event, pairs=pairs, names=titles, renames=history
    )
