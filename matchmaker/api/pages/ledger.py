"""Follow-up pages for staff: the intent ledger, the due-diligence board and the outcome report.

Every figure comes from the services the API uses (``scoped`` ledgers, ``digest``, ``report``),
so a page and its JSON cannot disagree. Forms post, redirect and show a notice; a refused form
is shown again with each problem beside its field, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from matchmaker.api.auth import current_user
from matchmaker.api.context import db, download
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import check_csrf, notice, page_event, signed_in, uploaded_file
from matchmaker.db.models import AuditEntry, DueDiligence, Event, Institution, Intent, Project, User
from matchmaker.domain import (
    YUAN_PER_WAN,
    DropReason,
    DueDiligenceStatus,
    IntentStatus,
    Role,
    Track,
    format_yuan,
    local_minute,
    parse_amount,
    yuan_to_wan,
)
from matchmaker.errors import Conflict, ImportRejected, InvalidInput, NotFound, Problem, TooLarge
from matchmaker.ledger import SIGNED_OR_LATER
from matchmaker.services.ledger import due_diligence as dd
from matchmaker.services.ledger.intent_files import PLAUSIBLE_MAX, export_intents, import_intents
from matchmaker.services.ledger.intents import (
    check_values,
    create_intent,
    current,
    delete_intent,
    get_intent,
    history,
    may_write,
    scoped,
    today_local,
    update_intent,
)
from matchmaker.services.ledger.reports import DIMENSIONS, NO_SESSION, report, report_xlsx
from matchmaker.tabular.records import INTENTS

bp = Blueprint("ledger_pages", __name__)
STAFF = (Role.STAFF, Role.ORGANISER)
WRITERS = (Role.STAFF, Role.ORGANISER, Role.INVESTOR)
Form = MultiDict[str, str] | dict[str, str]


@bp.app_context_processor
def _vocabularies() -> dict[str, Any]:
    return {
        "IntentStatus": IntentStatus,
        "DropReason": DropReason,
        "DueDiligenceStatus": DueDiligenceStatus,
    }


def _me() -> User:
    user = current_user()
    assert user is not None  # guarded by signed_in()
    return user


def _event() -> Event:
    """The page's event: a party's own, else the one asked for or chosen in the header."""
    return page_event()


def _by_field(problems: list[Problem]) -> dict[str, list[str]]:
    """Group problem sentences by the form field they belong to ("" for the form as a whole)."""
    out: dict[str, list[str]] = {}
    for problem in problems:
        field = problem.column or ""
        if problem.code in ("intent.back_needs_reason", "intent.reopen_needs_reason"):
            field = "reason"  # the fix is typed into the reason box
        out.setdefault(field, []).append(problem.message(lang()))
    return out


def _also(problems: list[Problem], check: Callable[[], Any]) -> None:
    """Add the service's problems to the form's own, but none for a field already refused."""
    try:
        check()
    except InvalidInput as exc:
        refused = {p.column for p in problems}
        problems.extend(p for p in exc.problems if p.column not in refused)


def _pair(
    event: Event, form: Form, problems: list[Problem]
) -> tuple[Project | None, Institution | None]:
    """The project and institution a form names (by code, in ``event``)."""
    project = db().scalar(
        select(Project).where(Project.event_id == event.id, Project.code == form.get("project"))
    )
    institution = db().scalar(
        select(Institution).where(
            Institution.event_id == event.id, Institution.code == form.get("institution")
        )
    )
    if project is None:
        problems.append(Problem("import.unknown_project", column="project"))
    if institution is None:
        problems.append(Problem("import.unknown_institution", column="institution"))
    return project, institution


def _day(form: Form, name: str, problems: list[Problem]) -> date | None:
    raw = (form.get(name) or "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        problems.append(Problem("import.bad_date", column=name, value=raw))
        return None


# ---- the intent ledger ---------------------------------------------------------------------


def _intent_values(form: Form, event: Event, problems: list[Problem]) -> dict[str, Any]:
    """Turn the intent form into the service's values; amounts without a unit are 万元."""
    values: dict[str, Any] = {}
    try:
        values["status"] = IntentStatus.parse(form.get("status", ""))
    except ValueError:
        problems.append(Problem("import.bad_intent_status", column="status"))
    for name in ("amount", "invested_amount"):
        try:
            values[name] = parse_amount(form.get(name, ""), default_unit=YUAN_PER_WAN)
        except InvalidInput as exc:
            problems.extend(replace(p, column=name) for p in exc.problems)
            continue
        if (values[name] or 0) > PLAUSIBLE_MAX:
            problems.append(Problem("intent.implausible_amount", column=name, value=form[name]))
    for name in ("signed_at", "invested_at"):
        values[name] = _day(form, name, problems)
    reason = form.get("drop_reason", "")
    try:
        values["drop_reason"] = DropReason.parse(reason).value if reason else ""
    except ValueError:
        problems.append(Problem("import.bad_drop_reason", column="drop_reason", value=reason))
    values["signatories"] = (form.get("signatories") or "").strip()
    values["note"] = (form.get("note") or "").strip()
    code = form.get("session", "")
    if code:
        found = next((s for s in event.sessions if s.code == code), None)
        if found is None:
            problems.append(Problem("schedule.unknown_session", column="session", value=code))
        else:
            values["session_id"] = found.id
    elif "session" in form:
        values["session_id"] = None
    return values


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
        "invested_at": intent.invested_at.isoformat() if intent.invested_at else "",
        "drop_reason": intent.drop_reason,
        "note": intent.note,
        "version": str(intent.version),
    }


def _ledger_query(event: Event, viewer: User, args: Form) -> Select[Any]:
    query = (
        scoped(select(Intent).where(Intent.event_id == event.id), viewer)
        .options(selectinload(Intent.session))
        .join(Project, Project.id == Intent.project_id)
        .join(Institution, Institution.id == Intent.institution_id)
    )
    code = args.get("session")
    if code == NO_SESSION:
        query = query.where(Intent.session_id.is_(None))
    elif code:
        found = next((s for s in event.sessions if s.code == code), None)
        query = query.where(Intent.session_id == (found.id if found else -1))
    for name, vocab, column in (("status", IntentStatus, Intent.status), ("track", Track, None)):
        if args.get(name):
            try:
                value = vocab.parse(args[name])
            except ValueError:
                continue  # a hand-edited URL: ignore the unknown filter
            query = query.where((column or Project.track) == value)
    if args.get("region"):
        query = query.where(Project.region == args["region"])
    if args.get("institution"):
        query = query.where(Institution.code == args["institution"])
    if text := (args.get("q") or "").strip()[:100]:
        query = query.where(
            or_(
                *(
                    c.icontains(text, autoescape=True)
                    for c in (Project.code, Project.name, Institution.code, Institution.name)
                )
            )
        )
    return query.order_by(Project.code, Institution.code)


def _ledger_page(form: Form | None = None, problems: list[Problem] | None = None) -> Any:
    me, event = _me(), _event()
    rows = db().scalars(_ledger_query(event, me, request.args)).unique().all()
    signed = [i for i in rows if i.status in SIGNED_OR_LATER]
    totals = {
        "count": len(rows),
        "signed": len(signed),
        "signed_amount": sum(i.amount or 0 for i in signed),
        "invested_amount": sum(
            i.invested_amount or 0 for i in rows if i.status == IntentStatus.INVESTED
        ),
    }
    projects = db().scalars(
        select(Project).where(Project.event_id == event.id).order_by(Project.code)
    )
    institutions = db().scalars(
        _institutions_for(select(Institution).where(Institution.event_id == event.id), me)
    )
    # the region filter offers the regions of the intents this user may see, and no others
    regions = db().scalars(
        scoped(
            select(Project.region)
            .join(Intent, Intent.project_id == Project.id)
            .where(Intent.event_id == event.id, Project.region != ""),
            me,
        )
        .distinct()
        .order_by(Project.region)
    )
    return render_template(
        "ledger.html",
        event=event,
        rows=rows,
        totals=totals,
        filters=request.args,
        projects=list(projects),
        institutions=list(institutions),
        regions=list(regions),
        form=form or {"status": IntentStatus.WATCHING.value},
        errors=_by_field(problems or []),
        can_write=me.role in WRITERS,
        notice=session.pop("notice", None),
    ), (422 if problems else 200)


def _institutions_for(query: Select[Any], viewer: User) -> Select[Any]:
    """Institutions a user may name on a new intent: an investor only their own."""
    if viewer.role == Role.INVESTOR:
        query = query.where(Institution.id == viewer.institution_id)
    return query.order_by(Institution.code)


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
    me, event, form = _me(), _event(), request.form
    problems: list[Problem] = []
    values = _intent_values(form, event, problems)
    project, institution = _pair(event, form, problems)
    if institution is not None and not may_write(me, institution.id):
        abort(403)
    if values.get("session_id") is None:
        values.pop("session_id", None)  # let the service take the session of their meeting
    reason = (form.get("reason") or "").strip()
    if problems and project is not None and institution is not None:
        new = {"status": IntentStatus.WATCHING, **values}
        _also(
            problems,
            lambda: check_values(db(), None, new, project.id, institution.id, reason, None),
        )
    if not problems:
        try:
            assert project is not None and institution is not None
            intent = create_intent(db(), me, event, project, institution.id, values, reason)
        except (InvalidInput, Conflict) as exc:
            problems = exc.problems or [Problem(exc.code, params=exc.params)]
    if problems:
        db().rollback()
        return _ledger_page(form, problems)
    db().commit()
    notice("ok", t("ui.intent_created", project=project.name, institution=institution.name))
    return redirect(url_for(".intent_page", intent_id=intent.id))


def _intent_page(
    intent_id: int, form: Form | None = None, problems: list[Problem] | None = None
) -> Any:
    me = _me()
    intent = get_intent(db(), intent_id, me)
    event = db().get_one(Event, intent.event_id)
    return render_template(
        "ledger_intent.html",
        intent=intent,
        event=event,
        form=form or _form_of(intent),
        errors=_by_field(problems or []),
        can_write=may_write(me, intent.institution_id),
        can_delete=me.role in STAFF,
        trail=_trail(history(db(), Intent.__tablename__, intent.id), "intent"),
        tasks=sorted(intent.tasks, key=lambda task: task.id),
        today=today_local(),
        notice=session.pop("notice", None),
    ), (422 if problems else 200)


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
    me = _me()
    intent = get_intent(db(), intent_id, me, lock=True)
    if not may_write(me, intent.institution_id):
        abort(403)
    problems: list[Problem] = []
    values = _intent_values(request.form, db().get_one(Event, intent.event_id), problems)
    reason = (request.form.get("reason") or "").strip()
    changed = False
    if problems:  # what else the service would refuse, so the user sees every problem at once
        old = current(intent)
        new = {**old, **values}
        if new["status"] != IntentStatus.DROPPED:
            new["drop_reason"] = ""
        pair = (intent.project_id, intent.institution_id)
        _also(problems, lambda: check_values(db(), old, new, *pair, reason, None))
    else:
        try:
            version = request.form.get("version", type=int)
            changed = update_intent(db(), me, intent, values, reason, version)
        except InvalidInput as exc:
            problems = exc.problems
        except Conflict as exc:  # someone saved first: show their version, not ours
            db().rollback()
            notice("error", exc.message(lang()))
            return redirect(url_for(".intent_page", intent_id=intent_id))
    if problems:
        db().rollback()
        return _intent_page(intent_id, request.form, problems)
    db().commit()
    notice("ok", t("ui.intent_saved" if changed else "ui.intent_unchanged"))
    return redirect(url_for(".intent_page", intent_id=intent_id))


@bp.post("/intents/<int:intent_id>/delete")
@signed_in(*STAFF)
def intent_delete(intent_id: int) -> Response:
    """Delete an intent; the audit trail keeps what it was."""
    check_csrf()
    intent = get_intent(db(), intent_id, _me())
    delete_intent(db(), _me(), intent, (request.form.get("reason") or "").strip()[:500])
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
            result = import_intents(db(), _me(), _event(), data, name)
            db().commit()
        except (ImportRejected, InvalidInput, NotFound) as exc:
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
    event = _event()
    return download(export_intents(db(), _me(), event, fmt, lang()), fmt, f"{event.code}-intents")


# ---- history -------------------------------------------------------------------------------

_HIDDEN = {"project_id", "institution_id", "meeting_id", "reason"}


def _shown(kind: str, key: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if key == "status":
        vocab = IntentStatus if kind == "intent" else DueDiligenceStatus
        return vocab(value).label(lang())
    if key in ("amount", "invested_amount"):
        return format_yuan(value, lang())
    if key == "drop_reason":
        return DropReason(value).label(lang())
    if key == "intent_id":
        return f"#{value}"
    return str(value)


def _trail(entries: list[AuditEntry], kind: str) -> list[dict[str, Any]]:
    """Audit entries as rows: when (Asia/Shanghai), who, what, and each field before → after."""
    out = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        keys = [k for k in {**before, **after} if k not in _HIDDEN]
        whole = after if entry.before is None else before if entry.action == "delete" else None
        if whole is not None:  # a whole snapshot (created, deleted): show what was filled in
            keys = [k for k in keys if whole.get(k) not in (None, "")]
        out.append(
            {
                "at": local_minute(entry.at),
                "actor": entry.actor_label,
                "action": t(f"ui.action_{entry.action}"),
                "reason": after.get("reason", ""),
                "changes": [
                    (
                        t(f"ui.field_{k}"),
                        _shown(kind, k, before.get(k)),
                        _shown(kind, k, after.get(k)),
                    )
                    for k in keys
                ],
            }
        )
    return out


# ---- the due-diligence board ---------------------------------------------------------------


def _task_values(form: Form, problems: list[Problem]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "owner": (form.get("owner") or "").strip(),
        "outcome": (form.get("outcome") or "").strip(),
        "due_date": _day(form, "due_date", problems),
        "next_follow_up": _day(form, "next_follow_up", problems),
    }
    if form.get("status"):
        try:
            values["status"] = DueDiligenceStatus.parse(form["status"])
        except ValueError:
            problems.append(Problem("field.invalid_choice", column="status"))
    return values


def _board_page(form: Form | None = None, problems: list[Problem] | None = None) -> Any:
    me, event = _me(), _event()
    found = dd.digest(db(), me, event)
    tasks = (
        db()
        .scalars(
            dd.scoped(dd.of_event(event), me).order_by(
                DueDiligence.due_date.is_(None), DueDiligence.due_date, DueDiligence.id
            )
        )
        .all()
    )
    urgent = {task.id for task in [*found.overdue, *found.due_this_week]}
    sections = [
        ("overdue", found.overdue),
        ("this_week", found.due_this_week),
        (
            "later",
            [x for x in tasks if x.status == DueDiligenceStatus.OPEN and x.id not in urgent],
        ),
        ("closed", [x for x in tasks if x.status != DueDiligenceStatus.OPEN]),
    ]
    can_write = dd.may_write(me)
    return render_template(
        "dd_board.html",
        event=event,
        sections=sections,
        digest=found,
        digest_text=dd.digest_text(found, lang()),
        today=found.day,
        can_write=can_write,
        projects=db()
        .scalars(select(Project).where(Project.event_id == event.id).order_by(Project.code))
        .all()
        if can_write
        else [],
        institutions=db()
        .scalars(
            select(Institution).where(Institution.event_id == event.id).order_by(Institution.code)
        )
        .all()
        if can_write
        else [],
        form=form or request.args,
        errors=_by_field(problems or []),
        notice=session.pop("notice", None),
    ), (422 if problems else 200)


@bp.get("/due-diligence")
@signed_in()
def board() -> Any:
    """Open tasks by urgency (overdue first, highlighted), then the rest; today's digest text."""
    return _board_page()


@bp.post("/due-diligence")
@signed_in(*STAFF)
def task_create() -> Any:
    """Open a task for an institution × project (linked to their intent when there is one)."""
    check_csrf()
    event, form = _event(), request.form
    problems: list[Problem] = []
    values = _task_values(form, problems)
    project, institution = _pair(event, form, problems)
    if not problems:
        assert project is not None and institution is not None
        try:
            task = dd.create_task(db(), _me(), project, institution.id, values)
        except InvalidInput as exc:
            problems = exc.problems
    if problems:
        db().rollback()
        return _board_page(form, problems)
    db().commit()
    notice("ok", t("ui.task_created", project=task.project.name))
    return redirect(url_for(".board"))


def _task_page(
    task_id: int, form: Form | None = None, problems: list[Problem] | None = None
) -> Any:
    task = dd.get_task(db(), task_id, _me())
    return render_template(
        "ledger_task.html",
        task=task,
        form=form
        or {
            "owner": task.owner,
            "due_date": task.due_date.isoformat() if task.due_date else "",
            "next_follow_up": task.next_follow_up.isoformat() if task.next_follow_up else "",
            "status": task.status.value,
            "outcome": task.outcome,
            "version": str(task.version),
        },
        errors=_by_field(problems or []),
        can_write=dd.may_write(_me()),
        trail=_trail(history(db(), DueDiligence.__tablename__, task.id), "task"),
        today=today_local(),
        notice=session.pop("notice", None),
    ), (422 if problems else 200)


@bp.get("/due-diligence/<int:task_id>")
@signed_in()
def task_page(task_id: int) -> Any:
    """One task: its form (staff and organisers) and history."""
    return _task_page(task_id)


@bp.post("/due-diligence/<int:task_id>")
@signed_in(*STAFF)
def task_save(task_id: int) -> Any:
    """Save a task's form; problems come back beside their fields, nothing is written."""
    check_csrf()
    task = dd.get_task(db(), task_id, _me())
    problems: list[Problem] = []
    values = _task_values(request.form, problems)
    changed = False
    if not problems:
        try:
            version = request.form.get("version", type=int)
            changed = dd.update_task(db(), _me(), task, values, version)
        except InvalidInput as exc:
            problems = exc.problems
        except Conflict as exc:
            db().rollback()
            notice("error", exc.message(lang()))
            return redirect(url_for(".task_page", task_id=task_id))
    if problems:
        db().rollback()
        return _task_page(task_id, request.form, problems)
    db().commit()
    notice("ok", t("ui.task_saved" if changed else "ui.intent_unchanged"))
    return redirect(url_for(".board"))


# ---- the outcome report --------------------------------------------------------------------


def _report_args() -> tuple[str, dict[str, str]]:
    """The grouping (default: by session) and filters, as the JSON report takes them."""
    by = request.args.get("by") or "session"
    if by not in DIMENSIONS:
        by = "session"
    filters = {k: request.args[k][:100] for k in DIMENSIONS if request.args.get(k)}
    if "track" in filters:
        try:
            filters["track"] = Track.parse(filters["track"]).value
        except ValueError:
            del filters["track"]
    return by, filters


@bp.get("/reports")
@signed_in(*STAFF)
def reports() -> str:
    """Headline, funnel table and charts (drawn offline by the vendored ECharts)."""
    event = _event()
    by, filters = _report_args()
    data = report(db(), event, by, filters, lang())
    steps = ("meetings_held", "follow_ups", "negotiating", "signed", "due_diligence", "invested")
    labels = {s: t(f"report.step.{s}") for s in steps}
    labels.update(
        signed_amount=t("ui.report_signed_amount"),
        invested_amount=t("ui.report_invested_amount"),
        axis=t("ui.report_axis_wan"),
        funnel=t("ui.report_funnel"),
        colon=t("ui.colon"),
        count=t("ui.report_count"),
    )
    generated = datetime.fromisoformat(data["generated_at"])
    return render_template(
        "report.html",
        event=event,
        data=data,
        by=by,
        filters=request.args,
        dimensions=DIMENSIONS,
        labels=labels,
        generated=local_minute(generated),
    )


@bp.get("/reports/funnel.xlsx")
@signed_in(*STAFF)
def report_download() -> Response:
    """The report page's figures as a workbook with a chart."""
    event = _event()
    by, filters = _report_args()
    data = report(db(), event, by, filters, lang())
    return download(report_xlsx(data, lang()), "xlsx", f"{event.code}-report")
