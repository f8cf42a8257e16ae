"""Profile pages: a party edits its own project or institution, adds its files; an organiser
edits any and locks registration fields per event.

A refused form comes back with each problem beside its field and the values as typed, and
nothing is saved; a saved one redirects to the profile with a notice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, redirect, render_template, request, send_file, session, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from matchmaker.api.context import attachments, db
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    check_csrf,
    event_of_code,
    notice,
    page_event,
    signed_in,
    signed_in_user,
    uploaded_file,
)
from matchmaker.api.pages.ledger.base import FormErrors
from matchmaker.api.pages.registry import project_page
from matchmaker.api.schemas.profile_forms import (
    InstitutionForm,
    LocksForm,
    ProjectForm,
    deadline_of,
)
from matchmaker.db.models import Event, Institution, Project
from matchmaker.domain import (
    YUAN_PER_WAN,
    Need,
    Role,
    Stage,
    format_yuan,
    local_minute,
)
from matchmaker.errors import Conflict, InvalidInput, PermissionDenied
from matchmaker.messages import size_text
from matchmaker.services.registry import attachments as files
from matchmaker.services.registry import parties, profile_views, profiles
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.vocabulary import (
    event_vocabulary,
    groups_of,
    institution_types_of,
    vocabulary_of,
)
from matchmaker.vocabulary import Vocabulary

bp = Blueprint("profile_pages", __name__)
UPLOAD_SLACK = 64 * 1024  # the form around a file: a file just over the limit is named so


# ---- editing a profile ---------------------------------------------------------------------


def _wan(yuan: int | None) -> str:
    """An amount as the form shows it: 万元, without a unit (1234.5 for 12,345,000 yuan)."""
    if yuan is None:
        return ""
    text = f"{Decimal(yuan) / YUAN_PER_WAN:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _project_values(p: Project) -> dict[str, Any]:
    return {
        "name": p.name,
        "track": p.track,
        "group": p.group or "",
        "sectors": "、".join(p.sectors),
        "stage": p.stage.value if p.stage else "",
        "funding_ask": _wan(p.funding_ask),
        "region": p.region,
        "needs": list(p.needs),
        "description": p.description,
        "contact_name": p.contact_name,
        "contact_phone": p.contact_phone,
        "contact_email": p.contact_email,
    }


def _institution_values(i: Institution) -> dict[str, Any]:
    return {
        "name": i.name,
        "type": i.type,
        "focus_sectors": "、".join(i.focus_sectors),
        "stages": list(i.stages),
        "ticket_min": _wan(i.ticket_min),
        "ticket_max": _wan(i.ticket_max),
        "regions": "、".join(i.regions),
        "thesis": i.thesis,
        "portfolio": "\n".join(profiles.plain(e) for e in i.portfolio),
        "contact_name": i.contact_name,
        "contact_phone": i.contact_phone,
        "contact_email": i.contact_email,
    }


def _posted() -> dict[str, Any]:
    """The posted form as the page shows it again: one value a field, lists for checkboxes."""
    values: dict[str, Any] = {key: request.form.get(key, "") for key in request.form}
    for key in ("needs", "stages"):
        values[key] = [v for v in request.form.getlist(key) if v]
    return values


def _edit_page(kind: str, view: Any, values: dict[str, Any], errors: FormErrors | None) -> Any:
    return render_template(
        f"{kind}_edit.html",
        tracks=vocabulary_of(get_event(db(), view.shown.event_code)),
        groups=groups_of(get_event(db(), view.shown.event_code)),
        types=institution_types_of(get_event(db(), view.shown.event_code)),
        view=view,
        p=view.shown,
        form=values,
        errors=errors.by_field if errors else {},
        locked=view.locked,
    ), (422 if errors else 200)


def _save(kind: str, code: str, schema: Any, view: Any) -> Any:
    """Read the form (leaving out locked fields: they are shown, not posted), save it with one
    service call, and redirect to the profile; or show the form again beside its problems."""
    me, errors = signed_in_user(), FormErrors()
    posted = {k: v for k, v in request.form.lists() if k not in view.locked}
    values = errors.read(schema, _multi(posted))
    if not errors:
        edit = parties.edit_project if kind == "project" else parties.edit_institution
        try:
            edit(db(), me, code, view.shown.event_code, values)
        except (InvalidInput, Conflict) as exc:
            errors.add(*exc.problems)
            if not exc.problems:
                errors.by_field.setdefault("", []).append(exc.message(lang()))
        except PermissionDenied as exc:
            if not exc.problems:
                raise
            errors.add(*exc.problems)  # a field locked since the form was opened
    if errors:
        db().rollback()
        return _edit_page(kind, view, _posted(), errors)
    db().commit()
    notice("ok", t("ui.profile_saved"))
    target = "registry_pages.project" if kind == "project" else "registry_pages.institution"
    return redirect(url_for(target, code=code, event=view.shown.event_code), 303)


def _multi(values: dict[str, list[str]]) -> MultiDict[str, str]:
    return MultiDict([(k, v) for k, vs in values.items() for v in vs])


@bp.route("/projects/<code>/edit", methods=["GET", "POST"])
@signed_in(Role.ORGANISER, Role.ENTRANT)
def edit_project(code: str) -> Any:
    """A project's profile form: its own team's, or any for organisers."""
    if request.method == "POST":
        check_csrf()
    view = profile_views.project_to_edit(db(), signed_in_user(), code, *event_of_code())
    if request.method == "POST":
        return _save("project", code, ProjectForm(), view)
    return _edit_page("project", view, _project_values(view.shown.row), None)


@bp.route("/institutions/<code>/edit", methods=["GET", "POST"])
@signed_in(Role.ORGANISER, Role.INVESTOR)
def edit_institution(code: str) -> Any:
    """An institution's profile form: its own staff's, or any for organisers."""
    if request.method == "POST":
        check_csrf()
    view = profile_views.institution_to_edit(db(), signed_in_user(), code, *event_of_code())
    if request.method == "POST":
        return _save("institution", code, InstitutionForm(), view)
    return _edit_page("institution", view, _institution_values(view.shown.row), None)


@bp.app_context_processor
def _vocabularies() -> dict[str, Any]:
    return {
        "change_rows": change_rows,
        "LOCKABLE": profiles.LOCKABLE,
        "attachment_limit": lambda: size_text(attachments().max_bytes),
        "size_text": size_text,
    }


# ---- changes, as organisers read them ------------------------------------------------------

_VOCABS: dict[str, Any] = {
    "stage": Stage, "needs": Need, "stages": Stage,
}  # fmt: skip
_MONEY = ("funding_ask", "ticket_min", "ticket_max")
SHOWN_CHARS = 120


def _shown(key: str, value: Any, own: dict[str, Vocabulary]) -> str:
    if value in (None, "", []):
        return "—"
    if key in _MONEY:
        return format_yuan(value, lang())
    if isinstance(value, bool):
        return t("ui.yes") if value else t("ui.no")
    if isinstance(value, list):
        return "、".join(_label(key, v) for v in value)
    if key in own:  # the event's own tracks, groups and institution types
        return own[key].label(str(value), lang())
    if key in _VOCABS:
        return _label(key, value)
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _label(key: str, value: Any) -> str:
    """A vocabulary member's label; a value outside it (a need kept as written) as it is."""
    vocab = _VOCABS.get(key)
    try:
        return str(vocab(value).label(lang())) if vocab else str(value)
    except ValueError:
        return str(value)


def change_rows(changes: list[profiles.Change], owner: Any = None) -> list[dict[str, Any]]:
    """Profile changes as rows: when (Beijing time), who, what, each field before → after; a
    track, group or institution type by its label in the event of ``owner`` (the party
    shown)."""
    own: dict[str, Vocabulary] = {}
    if owner is not None:
        vocab = event_vocabulary(db().get_one(Event, owner.event_id))
        own = {"track": vocab.tracks, "group": vocab.groups, "type": vocab.institution_types}
    return [
        {
            "at": local_minute(c.at),
            "actor": c.actor,
            "action": t(f"ui.action_{c.action}"),
            "fields": [
                (t(f"ui.field_{k}"), _shown(k, before, own), _shown(k, after, own))
                for k, before, after in c.fields
            ],
        }
        for c in changes
    ]


# ---- attachments ---------------------------------------------------------------------------


@bp.before_app_request
def _attachment_limit() -> None:
    # An attachment may be larger than other uploads (MATCHMAKER_ATTACHMENT_MAX_BYTES): its
    # body limit is set before the first hook reads the form (this one is registered first).
    if request.endpoint in ("profile_pages.upload_attachment", "projects.ProjectAttachments"):
        request.max_content_length = attachments().max_bytes + UPLOAD_SLACK


@bp.post("/projects/<code>/attachments")
@signed_in(Role.ORGANISER, Role.ENTRANT)
def upload_attachment(code: str) -> Any:
    """Add a PDF to a project (its own team, organisers); a refused file stores nothing and is
    named on the project's page."""
    store = attachments()
    event, _prefer = event_of_code()
    try:
        name, data = uploaded_file()
        found = files.add_attachment(db(), store, signed_in_user(), code, event, name, data)
    except InvalidInput as exc:  # TooLarge too
        db().rollback()
        return project_page(code, upload_error=exc.message(lang()), status=exc.http_status)
    db().commit()
    notice("ok", t("ui.attachment_added", name=found.filename))
    return redirect(url_for("registry_pages.project", code=code, event=event), 303)


@bp.get("/attachments/<int:attachment_id>")
@signed_in()
def download_attachment(attachment_id: int) -> Response:
    """Download a project's file (organisers, staff, its team, the event's investors)."""
    found, path = files.attachment_file(db(), attachments(), signed_in_user(), attachment_id)
    return send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=found.filename
    )


@bp.post("/attachments/<int:attachment_id>/delete")
@signed_in(Role.ORGANISER, Role.ENTRANT)
def delete_attachment(attachment_id: int) -> Response:
    """Delete a project's file (its team, organisers)."""
    check_csrf()
    gone = files.delete_attachment(db(), attachments(), signed_in_user(), attachment_id)
    db().commit()
    notice("ok", t("ui.attachment_deleted", name=gone.filename))
    return redirect(url_for("registry_pages.project", code=gone.project, event=gone.event), 303)


# ---- an event's locks (organisers) ---------------------------------------------------------


@bp.route("/locks", methods=["GET", "POST"])
@signed_in(Role.ORGANISER)
def locks() -> Any:
    """The event's locked registration fields and deadline (organisers)."""
    me, event, errors = signed_in_user(), page_event(), FormErrors()
    if request.method == "POST":
        check_csrf()
        values = errors.read(LocksForm(), request.form)
        if not errors:
            try:
                profiles.set_locks(
                    db(), me, event, values["locked_fields"], deadline_of(values["deadline"])
                )
            except InvalidInput as exc:
                errors.add(*exc.problems)
        if not errors:
            db().commit()
            notice("ok", t("ui.locks_saved"))
            return redirect(url_for(".locks"), 303)
        db().rollback()
    return render_template(
        "locks.html",
        event=event,
        locks=profiles.event_locks(event),
        form=request.form if errors else None,
        errors=errors.by_field,
        notice=session.pop("notice", None),
    ), (422 if errors else 200)
