"""The due-diligence pages: the board (urgent first, with today's digest) and one task."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for

from matchmaker.api.context import db
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import check_csrf, notice, page_event, signed_in, signed_in_user
from matchmaker.api.pages.ledger.base import STAFF, Form, FormErrors, bp, named_pair, trail_rows
from matchmaker.api.schemas.ledger.forms import NewTaskForm, TaskForm
from matchmaker.domain import TaskKind
from matchmaker.errors import Conflict, InvalidInput, Problem
from matchmaker.services.ledger import due_diligence as dd
from matchmaker.services.ledger.digest import board as board_of
from matchmaker.services.ledger.digest import digest_text
from matchmaker.services.ledger.intents import find_pair, pair_choices, today_local, trail_of


def _board_page(form: Form | None = None, errors: FormErrors | None = None) -> Any:
    me, event = signed_in_user(), page_event()
    found = board_of(db(), me, event)
    sections = [
        ("overdue", found.digest.overdue),
        ("this_week", found.digest.due_this_week),
        ("later", found.later),
        ("closed", found.closed),
    ]
    can_write = dd.may_write(me)
    projects, institutions = pair_choices(db(), event, me) if can_write else ([], [])
    return render_template(
        "dd_board.html",
        event=event,
        sections=sections,
        digest=found.digest,
        digest_text=digest_text(found.digest, lang()),
        today=found.digest.day,
        can_write=can_write,
        projects=projects,
        institutions=institutions,
        task_kinds=list(TaskKind),
        lang_code=lang(),
        form=form or request.args,
        errors=errors.by_field if errors else {},
        notice=session.pop("notice", None),
    ), (422 if errors else 200)


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
    event, errors = page_event(), FormErrors()
    values = errors.read(NewTaskForm(), request.form)
    service_task = values.get("kind") not in (None, TaskKind.DUE_DILIGENCE)
    if service_task and not values.get("institution"):  # a service's task: no institution
        values.pop("institution", None)
        project, institution = find_pair(db(), event, values.pop("project", None), None)
        if project is None:
            errors.add(Problem("import.unknown_project", column="project"))
    else:
        project, institution = named_pair(event, values, errors)
    if not errors:
        assert project is not None
        try:
            task = dd.create_task(
                db(), signed_in_user(), project, institution.id if institution else None, values
            )
        except InvalidInput as exc:
            errors.add(*exc.problems)
    if errors:
        db().rollback()
        return _board_page(request.form, errors)
    db().commit()
    notice("ok", t("ui.task_created", project=task.project.name))
    return redirect(url_for(".board"))


def _task_page(task_id: int, form: Form | None = None, errors: FormErrors | None = None) -> Any:
    me = signed_in_user()
    task = dd.get_task(db(), task_id, me)
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
        errors=errors.by_field if errors else {},
        can_write=dd.may_write(me),
        trail=trail_rows(trail_of(db(), task), "task"),
        today=today_local(),
        notice=session.pop("notice", None),
    ), (422 if errors else 200)


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
    me, errors = signed_in_user(), FormErrors()
    task = dd.get_task(db(), task_id, me)
    values = errors.read(TaskForm(), request.form)
    changed = False
    if not errors:
        try:
            version = request.form.get("version", type=int)
            changed = dd.update_task(db(), me, task, values, version)
        except InvalidInput as exc:
            errors.add(*exc.problems)
        except Conflict as exc:
            db().rollback()
            notice("error", exc.message(lang()))
            return redirect(url_for(".task_page", task_id=task_id))
    if errors:
        db().rollback()
        return _task_page(task_id, request.form, errors)
    db().commit()
    notice("ok", t("ui.task_saved" if changed else "ui.intent_unchanged"))
    return redirect(url_for(".board"))
