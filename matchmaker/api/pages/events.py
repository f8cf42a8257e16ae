"""The contest set-up page (活动设置), organisers only: events and their sessions.

Registered on the registry pages' blueprint. Forms post, redirect and show a notice; a refused
form comes back with each problem beside its field and the values as typed (nothing written).
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for

from matchmaker.api.context import db, matcher
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import notice, page_event, signed_in, signed_in_user
from matchmaker.api.pages.registry import bp
from matchmaker.db.models import Event, MatchmakingSession
from matchmaker.domain import InstitutionType, Role, SessionKind, split_multi
from matchmaker.errors import Conflict, InvalidInput, MatchmakerError, NotFound
from matchmaker.services.agendas.session_edit import edit_session
from matchmaker.services.registry import events, vocabulary
from matchmaker.services.registry.scopes import division_name, require_unscoped
from matchmaker.services.registry.sessions import FIELDS, SessionSpec, default_label, spec_of
from matchmaker.vocabulary import DEFAULT_PRESET

EVENT_FORM = (
    "code", "name", "name_en", "year", "city", "organiser", "languages", "parent", "division"
)  # fmt: skip
PLACEMENT = ("parent", "division")
Errors = dict[str, list[str]]


@bp.get("/setup")
@signed_in(Role.ORGANISER)
def setup() -> Any:
    """Events, the chosen one's details and its sessions, with the forms to change them."""
    return _setup_page()


@bp.post("/setup/events")
@signed_in(Role.ORGANISER)
def event_create() -> Any:
    """Create an event and show it (not for an account scoped to some events: a 403)."""
    require_unscoped(db())
    form = _form(EVENT_FORM)
    try:
        code = form.pop("code", "")
        preset = request.form.get("preset", DEFAULT_PRESET)
        tracks = split_multi(request.form.get("tracks", ""))
        groups = split_multi(request.form.get("groups", ""))
        types = split_multi(request.form.get("institution_types", ""))
        created = events.create_event(
            db(), code, preset=preset, tracks=tracks, groups=groups, institution_types=types, **form
        )
    except InvalidInput as exc:
        db().rollback()
        return _setup_page(new_event=request.form, errors=_by_field(exc))
    except MatchmakerError as exc:  # the code is taken
        db().rollback()
        return _setup_page(new_event=request.form, errors={"code": [exc.message(lang())]})
    db().commit()
    notice("ok", t("ui.event_created", event=created.code))
    return redirect(url_for(".setup", event=created.code))


@bp.post("/setup/events/<code>")
@signed_in(Role.ORGANISER)
def event_save(code: str) -> Any:
    """Save the event's details."""
    try:
        events.update_event(db(), code, _form(EVENT_FORM[1:]), actor=signed_in_user())
    except InvalidInput as exc:
        db().rollback()
        return _setup_page(code, event_form=request.form, errors=_by_field(exc))
    db().commit()
    notice("ok", t("ui.event_saved", event=code))
    return redirect(url_for(".setup", event=code))


@bp.post("/setup/events/<code>/sessions")
@signed_in(Role.ORGANISER)
def session_add(code: str) -> Any:
    """Add a session to the event."""
    try:
        spec = SessionSpec.from_dict(_form(FIELDS))
        events.create_session(db(), code, spec)
    except InvalidInput as exc:
        db().rollback()
        return _setup_page(code, new_session=request.form, errors=_by_field(exc))
    except MatchmakerError as exc:
        if isinstance(exc, NotFound):
            raise
        db().rollback()
        return _setup_page(code, new_session=request.form, errors={"code": [exc.message(lang())]})
    db().commit()
    notice("ok", t("ui.session_added", session=spec.code))
    return redirect(url_for(".setup", event=code))


@bp.get("/setup/events/<code>/sessions/<session_code>")
@signed_in(Role.ORGANISER)
def session_page(code: str, session_code: str) -> Any:
    """One session's form, and its delete button."""
    return _session_page(code, session_code)


@bp.post("/setup/events/<code>/sessions/<session_code>")
@signed_in(Role.ORGANISER)
def session_save(code: str, session_code: str) -> Any:
    """Save a session; what the change moved or dropped is listed in the notice."""
    changes = _form(FIELDS[1:])
    drop = request.form.get("drop_meetings") == "1"
    try:
        change = edit_session(
            db(), matcher(), code, session_code, changes, signed_in_user(), lang(), drop
        )
    except InvalidInput as exc:
        db().rollback()
        return _session_page(code, session_code, request.form, _by_field(exc))
    except MatchmakerError as exc:
        if isinstance(exc, NotFound):
            raise
        db().rollback()  # refused (a published agenda cannot absorb it): nothing changed
        return _session_page(code, session_code, request.form, {"": [exc.message(lang())]})
    db().commit()
    details = [
        f"{m['institution']} × {m['project']}: {m['slot']} {m['table']} → "
        f"{m['to_slot']} {m['to_table']}"
        for m in change.moved
    ]
    details += [
        f"{m['institution']} × {m['project']}: {m['slot']} {m['table']}" for m in change.dropped
    ]
    text = t("ui.session_saved", session=session_code)
    if change.moved:
        text += " " + t("ui.session_moved", count=len(change.moved))
    if change.dropped:
        key = "session.dropped_published" if change.published else "ui.session_dropped"
        text += " " + t(key, count=len(change.dropped))
    notice("ok", text, details)
    return redirect(url_for(".setup", event=code))


@bp.post("/setup/events/<code>/sessions/<session_code>/delete")
@signed_in(Role.ORGANISER)
def session_delete(code: str, session_code: str) -> Any:
    """Delete a session without meetings (refused, with the count, otherwise)."""
    try:
        events.delete_session(db(), code, session_code, signed_in_user())
    except MatchmakerError as exc:
        if isinstance(exc, NotFound):
            raise
        db().rollback()
        notice("error", exc.message(lang()))
        return redirect(url_for(".session_page", code=code, session_code=session_code))
    db().commit()
    notice("ok", t("ui.session_deleted", session=session_code))
    return redirect(url_for(".setup", event=code))


# ---- helpers ---------------------------------------------------------------------------------


def _form(names: tuple[str, ...]) -> dict[str, str]:
    """The posted fields of ``names``, trimmed."""
    return {n: request.form.get(n, "").strip() for n in names if n in request.form}


def _by_field(exc: InvalidInput) -> Errors:
    errors: Errors = {}
    for problem in exc.problems or []:
        errors.setdefault(problem.column or "", []).append(problem.message(lang()))
    if not errors:
        errors[""] = [exc.message(lang())]
    return errors


def _chosen(code: str | None) -> Event | None:
    if code is not None:
        return events.get_event(db(), code)
    try:
        return page_event()
    except NotFound:
        if request.args.get("event"):
            raise
        return None  # no event yet


def _setup_page(
    code: str | None = None,
    *,
    new_event: Any = None,
    event_form: Any = None,
    new_session: Any = None,
    errors: Errors | None = None,
    vocab_errors: str | None = None,
) -> Any:
    event = _chosen(code)
    errors = errors or {}
    forms = {
        "new_event": new_event if new_event is not None else {"languages": "zh,en"},
        "event": event_form if event_form is not None else _event_values(event),
        "new_session": new_session if new_session is not None else {"slot_minutes": "20"},
    }
    forms["tracks"], forms["groups"], forms["institution_types"] = {}, {}, {}
    # which form the errors belong to: the one posted
    where = "new_event" if new_event is not None else "event" if event_form is not None else ""
    where = "new_session" if new_session is not None else where
    where = vocab_errors or where
    page = render_template(
        "setup.html",
        events=events.all_events(db(), newest_first=True),
        event=event,
        sessions=[_session_values(s) for s in event.sessions] if event else [],
        tracks=_terms(event, vocabulary.TRACK),
        groups=_terms(event, vocabulary.GROUP),
        institution_types=_terms(event, vocabulary.INSTITUTION_TYPE),
        likes=[(k.value, k.label(lang())) for k in InstitutionType],
        forms=forms,
        errors={k: (errors if k == where else {}) for k in forms},
        kinds=list(SessionKind),
        notice=session.pop("notice", None),
    )
    return page, 422 if errors else 200


def _terms(event: Event | None, kind: vocabulary.Kind) -> list[tuple[Any, int]]:
    """The event's tracks (赛道), groups (组别) or institution types, each with how many
    registrations use it."""
    if event is None:
        return []
    counts = vocabulary.term_counts(db(), event, kind)
    return [(term, counts.get(term.key, 0)) for term in kind.of(vocabulary.event_vocabulary(event))]


@bp.post("/setup/events/<code>/tracks")
@signed_in(Role.ORGANISER)
def track_add(code: str) -> Any:
    """Add a track (赛道) to the event; it is offered to imports and forms at once."""
    return _term_add(code, vocabulary.TRACK)


@bp.post("/setup/events/<code>/tracks/remove")
@signed_in(Role.ORGANISER)
def track_remove(code: str) -> Any:
    """Remove a track no project uses; one in use is refused, naming its projects."""
    return _term_remove(code, vocabulary.TRACK)


@bp.post("/setup/events/<code>/groups")
@signed_in(Role.ORGANISER)
def group_add(code: str) -> Any:
    """Add a group (组别) to the event; it is offered to imports and forms at once."""
    return _term_add(code, vocabulary.GROUP)


@bp.post("/setup/events/<code>/groups/remove")
@signed_in(Role.ORGANISER)
def group_remove(code: str) -> Any:
    """Remove a group no project is in; one in use is refused, naming its projects."""
    return _term_remove(code, vocabulary.GROUP)


@bp.post("/setup/events/<code>/institution-types")
@signed_in(Role.ORGANISER)
def institution_type_add(code: str) -> Any:
    """Add an institution type (机构类型), matched like one of the six if the form says so."""
    return _term_add(code, vocabulary.INSTITUTION_TYPE)


@bp.post("/setup/events/<code>/institution-types/remove")
@signed_in(Role.ORGANISER)
def institution_type_remove(code: str) -> Any:
    """Remove an institution type no institution uses; one in use is refused, naming them."""
    return _term_remove(code, vocabulary.INSTITUTION_TYPE)


def _term_add(code: str, kind: vocabulary.Kind) -> Any:
    try:
        term = vocabulary.add_term(
            db(),
            events.get_event(db(), code),
            kind,
            request.form.get("label", "").strip(),
            en=request.form.get("en", "").strip(),
            actor=signed_in_user(),
            like=request.form.get("like", "").strip(),
        )
    except InvalidInput as exc:
        db().rollback()
        return _setup_page(code, errors=_by_field(exc), vocab_errors=kind.attr)
    db().commit()
    notice("ok", t(kind.code("added"), **{kind.name: term.label(lang())}))
    return redirect(url_for(".setup", event=code))


def _term_remove(code: str, kind: vocabulary.Kind) -> Any:
    try:
        term = vocabulary.remove_term(
            db(), events.get_event(db(), code), kind, request.form.get(kind.name, ""),
            signed_in_user(),
        )  # fmt: skip
    except (InvalidInput, Conflict) as exc:
        db().rollback()
        said = [exc.message(lang()), *(p.message(lang()) for p in exc.problems)]
        return _setup_page(code, errors={"": said}, vocab_errors=kind.attr)
    db().commit()
    notice("ok", t(kind.code("removed"), **{kind.name: term.label(lang())}))
    return redirect(url_for(".setup", event=code))


def _session_page(
    code: str, session_code: str, form: Any = None, errors: Errors | None = None
) -> Any:
    found = events.get_session(db(), code, session_code)
    page = render_template(
        "setup_session.html",
        event=found.event,
        session=found,
        form=form if form is not None else _session_values(found),
        errors=errors or {},
        kinds=list(SessionKind),
        notice=session.pop("notice", None),
    )
    return page, 422 if errors else 200


def _event_values(event: Event | None) -> dict[str, Any]:
    if event is None:
        return {}
    values = {name: getattr(event, name) for name in EVENT_FORM if name not in PLACEMENT}
    values["parent"] = event.parent.code if event.parent is not None else ""
    values["division"] = str(event.division) if event.division else ""
    values["division_name"] = division_name(event.division)
    return values


def _session_values(session: MatchmakingSession) -> dict[str, Any]:
    """A session as its form shows it: a bare count when its tables have the default labels."""
    values = spec_of(session)
    labels = values["tables"]
    plain = labels == [default_label(n) for n in range(1, len(labels) + 1)]
    values["tables"] = str(len(labels)) if plain else ",".join(labels)
    values["breaks"] = ",".join(values["breaks"])
    values["slots"] = len(session.slots)
    values["kind_label"] = session.kind.label(lang())
    return values
