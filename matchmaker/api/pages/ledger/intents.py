"""The ledger pages for intents: the filtered list and its totals, one intent, sheets in and out."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, request, session, url_for

from matchmaker.api.context import db, download
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    check_csrf,
    hidden_404,
    notice,
    page_event,
    signed_in,
    signed_in_user,
    track_options,
    uploaded_file,
    vocab_filters,
)
from matchmaker.api.pages.ledger.base import (
    STAFF,
    WRITERS,
    Form,
    FormErrors,
    bp,
    named_pair,
    trail_rows,
)
from matchmaker.api.schemas.ledger.forms import IntentForm, NewIntentForm
from matchmaker.db.models import Event, Intent
from matchmaker.domain import IntentStatus, yuan_to_wan
from matchmaker.errors import Conflict, ImportRejected, InvalidInput, NotFound, Problem, TooLarge
from matchmaker.services.ledger.intent_changes import (
    create_intent,
    delete_intent,
    intent_problems,
    intent_values,
    update_intent,
)
from matchmaker.services.ledger.intent_files import export_intents, import_intents
from matchmaker.services.ledger.intents import (
    IntentFilters,
    get_intent,
    list_intents,
    may_write,
    pair_choices,
    regions_seen,
    today_local,
    totals,
    trail_of,
)
from matchmaker.services.ledger.reports import NO_SESSION
from matchmaker.tabular.records import INTENTS


def _filters() -> IntentFilters:
    """The ledger's filters from the query; an unknown status or track (a hand-edited URL) is
    ignored, and "-" for the session means intents of no session."""
    args = request.args
    chosen = vocab_filters(("status", IntentStatus), ("track", track_options()))
    session_code = args.get("session") or None
    return IntentFilters(
        session=None if session_code == NO_SESSION else session_code,
        no_session=session_code == NO_SESSION,
        status=chosen.get("status"),
        track=chosen.get("track"),
        region=args.get("region") or None,
        institution=args.get("institution") or None,
        text=(args.get("q") or "").strip()[:100],
    )


def _values(event: Event, read: dict[str, Any], errors: FormErrors) -> dict[str, Any]:
    """The service's values of what the intent form read; an unknown session is a problem."""
    try:
        return intent_values(db(), event, read)
    except NotFound:  # the form offers the event's sessions only: a hand-made post
        code = read.pop("session")
        errors.add(Problem("schedule.unknown_session", column="session", value=code))
        return intent_values(db(), event, read)


def _form_of(intent: Intent) -> dict[str, str]:
    """The edit form filled with an intent's current values (amounts in 万元, exact)."""

    def wan(value: int | None) -> str:  # "500万" reads unambiguously and parses back exactly
        return "" if value is None else f"{yuan_to_wan(value)}万"

    return {
        "status": intent.status.value,
        "session": intent.session.code if intent.session else "",
        "amount": wan(intent.amount),
        "signed_at": intent.signed_at.isoformat() if intent.signed_at else "",
        "signatories": intent.signatories,
        "invested_amount": wan(intent.invested_amount),
        "invested_amount_pending": "on" if intent.invested_amount_pending else "",
        "invested_at": intent.invested_at.isoformat() if intent.invested_at else "",
        "drop_reason": intent.drop_reason,
        "note": intent.note,
        "version": str(intent.version),
    }


def _ledger_page(form: Form | None = None, errors: FormErrors | None = None) -> Any:
    me, event = signed_in_user(), page_event()
    rows = list_intents(db(), event, me, _filters())
    projects, institutions = pair_choices(db(), event, me)
    return render_template(
        "ledger.html",
        event=event,
        rows=rows,
        totals=totals(rows),
        filters=request.args,
        projects=projects,
        institutions=institutions,
        regions=regions_seen(db(), event, me),
        form=form or {"status": IntentStatus.WATCHING.value},
        errors=errors.by_field if errors else {},
        can_write=me.role in WRITERS,
        notice=session.pop("notice", None),
    ), (422 if errors else 200)


@bp.get("/intents")
@signed_in()
def ledger() -> Any:
    """The intents you may see, filtered, with the signed total of what is shown."""
    return _ledger_page()


@bp.post("/intents")
@signed_in(*WRITERS)
def ledger_create() -> Any:
    """Record a new intent from the ledger's form; refused forms come back with the problems."""
    check_csrf()
    me, event, errors = signed_in_user(), page_event(), FormErrors()
    read = errors.read(NewIntentForm(), request.form)
    project, institution = named_pair(event, read, errors)
    reason = read.get("reason", "")
    values = _values(event, read, errors)
    if institution is not None and not may_write(me, institution.id):
        abort(403)
    if values.get("session_id") is None:
        values.pop("session_id", None)  # let the service take the session of their meeting
    if errors and project is not None and institution is not None:
        errors.also(intent_problems(db(), None, values, project.id, institution.id, reason))
    if not errors:
        try:
            assert project is not None and institution is not None
            intent = create_intent(db(), me, event, project, institution.id, values, reason)
        except (InvalidInput, Conflict) as exc:
            errors.add(*(exc.problems or [Problem(exc.code, params=exc.params)]))
    if errors:
        db().rollback()
        return _ledger_page(request.form, errors)
    db().commit()
    notice("ok", t("ui.intent_created", project=project.name, institution=institution.name))
    return redirect(url_for(".intent_page", intent_id=intent.id))


def _intent_page(intent_id: int, form: Form | None = None, errors: FormErrors | None = None) -> Any:
    me = signed_in_user()
    intent = get_intent(db(), intent_id, me)
    return render_template(
        "ledger_intent.html",
        intent=intent,
        event=intent.event,
        form=form or _form_of(intent),
        errors=errors.by_field if errors else {},
        can_write=may_write(me, intent.institution_id),
        can_delete=me.role in STAFF,
        trail=trail_rows(trail_of(db(), intent), "intent"),
        tasks=sorted(intent.tasks, key=lambda task: task.id),
        today=today_local(),
        notice=session.pop("notice", None),
    ), (422 if errors else 200)


@bp.get("/intents/<int:intent_id>")
@signed_in()
def intent_page(intent_id: int) -> Any:
    """One intent: its edit form (if yours to change), due-diligence tasks and history."""
    return _intent_page(intent_id)


@bp.post("/intents/<int:intent_id>")
@signed_in(*WRITERS)
def intent_save(intent_id: int) -> Any:
    """Save the edit form; a stale version or any problem changes nothing."""
    check_csrf()
    me, errors = signed_in_user(), FormErrors()
    intent = get_intent(db(), intent_id, me, lock=True)
    if not may_write(me, intent.institution_id):
        abort(403)
    read = errors.read(IntentForm(), request.form)
    reason = read.get("reason", "")
    values = _values(intent.event, read, errors)
    changed = False
    if errors:  # what else the service would refuse, so the user sees every problem at once
        for name in ("signed_at", "invested_at"):
            if name in errors.by_field:
                values[name] = None  # a date the form refused is checked as none
        pair = (intent.project_id, intent.institution_id)
        errors.also(intent_problems(db(), intent, values, *pair, reason))
    else:
        try:
            version = request.form.get("version", type=int)
            changed = update_intent(db(), me, intent, values, reason, version)
        except InvalidInput as exc:
            errors.add(*exc.problems)
        except Conflict as exc:  # someone saved first: show their version, not ours
            db().rollback()
            notice("error", exc.message(lang()))
            return redirect(url_for(".intent_page", intent_id=intent_id))
    if errors:
        db().rollback()
        return _intent_page(intent_id, request.form, errors)
    db().commit()
    notice("ok", t("ui.intent_saved" if changed else "ui.intent_unchanged"))
    return redirect(url_for(".intent_page", intent_id=intent_id))


@bp.post("/intents/<int:intent_id>/delete")
@signed_in(*STAFF)
def intent_delete(intent_id: int) -> Response:
    """Delete an intent; the audit trail keeps what it was."""
    check_csrf()
    me = signed_in_user()
    intent = get_intent(db(), intent_id, me)
    delete_intent(db(), me, intent, (request.form.get("reason") or "").strip()[:500])
    db().commit()
    notice("ok", t("ui.intent_deleted", id=intent_id))
    return redirect(url_for(".ledger"))


@bp.route("/intents/import", methods=["GET", "POST"])
@signed_in(*STAFF)
def ledger_import() -> Any:
    """Upload an intents sheet: every row checked first; any problem and nothing is written."""
    result, rejected = None, None
    if request.method == "POST":
        try:
            name, data = uploaded_file()
            result = import_intents(db(), signed_in_user(), page_event(), data, name)
            db().commit()
        except (ImportRejected, InvalidInput, NotFound) as exc:
            hidden_404(exc)
            db().rollback()
            rejected = exc
    columns = [c.header_en if lang() == "en" else c.header_zh for c in INTENTS.columns]
    return render_template(
        "ledger_import.html", report=result, rejected=rejected, columns=columns
    ), ((413 if isinstance(rejected, TooLarge) else 422) if rejected else 200)


@bp.get("/intents/export.<fmt>")
@signed_in(*STAFF)
def ledger_export(fmt: str) -> Response:
    """The ledger as CSV or XLSX, in the import's own layout (amounts in 万元)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    event = page_event()
    content = export_intents(db(), signed_in_user(), event, fmt, lang())
    return download(content, fmt, f"{event.code}-intents")
