"""Due-diligence tasks and their digest; follow-up reports (the funnel) as JSON and XLSX.

Staff and organisers write tasks; an investor reads their institution's, an entrant their
project's. Reports carry amounts, so only staff and organisers read them.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, download
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import envelope, file_response
from matchmaker.api.resources.ledger.intents import AuditOut, present_entry
from matchmaker.api.schemas.common import (
    Day,
    LocalDateTime,
    PageArgs,
    PageMeta,
    Vocab,
    event_field,
    row_ref,
)
from matchmaker.db.models import DueDiligence, Event, Institution, Project
from matchmaker.domain import LOCAL_TZ, DueDiligenceStatus, Role, Track
from matchmaker.errors import NotFound
from matchmaker.messages import Ref
from matchmaker.services.ledger.due_diligence import (
    create_task,
    delete_task,
    digest,
    digest_text,
    get_task,
    of_event,
    scoped,
    update_task,
)
from matchmaker.services.ledger.intents import history, today_local
from matchmaker.services.ledger.reports import DIMENSIONS, report, report_xlsx
from matchmaker.services.registry.catalog import get_institution, get_project, paginate
from matchmaker.services.registry.events import event_for

blp = Blueprint(
    "followups",
    __name__,
    url_prefix="/api/v1",
    description="Due diligence (入场评估考察 / 尽调) follow-up, its digest, and outcome reports",
)


class TaskFields(Schema):
    intent_id = row_ref(allow_none=True)
    owner = fields.String(validate=validate.Length(max=100))
    due_date = Day(allow_none=True)
    next_follow_up = Day(allow_none=True)
    status = Vocab(DueDiligenceStatus)
    outcome = fields.String(validate=validate.Length(max=5000))


class TaskIn(TaskFields):
    event = event_field()
    project_id = fields.String(required=True, validate=validate.Length(1, 64))
    institution_id = fields.String(required=True, validate=validate.Length(1, 64))


class TaskPatch(TaskFields):
    version = fields.Integer()


class TaskQuery(PageArgs):
    event = event_field()
    status = Vocab(DueDiligenceStatus)
    owner = fields.String(validate=validate.Length(1, 100))
    project_id = fields.String(validate=validate.Length(1, 64))
    institution_id = fields.String(validate=validate.Length(1, 64))


class TaskOut(Schema):
    id = fields.Integer()
    project_id = fields.String()
    project_name = fields.String()
    institution_id = fields.String()
    institution_name = fields.String()
    intent_id = fields.Integer(allow_none=True)
    owner = fields.String()
    due_date = fields.Date(allow_none=True)
    next_follow_up = fields.Date(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    outcome = fields.String()
    overdue = fields.Boolean()
    version = fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class TaskPage(Schema):
    items = fields.List(fields.Nested(TaskOut))
    meta = fields.Nested(PageMeta)


class DigestArgs(Schema):
    event = event_field()
    date = Day(metadata={"description": "the day to chase for (default: today in Asia/Shanghai)"})


class DigestOut(Schema):
    day = fields.Date()
    week_end = fields.Date()
    overdue = fields.List(fields.Nested(TaskOut))
    due_this_week = fields.List(fields.Nested(TaskOut))
    follow_up_due = fields.List(fields.Nested(TaskOut))
    text = fields.String()


class ReportArgs(Schema):
    event = fields.String()
    by = fields.String(validate=validate.OneOf(DIMENSIONS))
    session = fields.String(validate=validate.Length(1, 64))
    track = Vocab(Track)
    region = fields.String(validate=validate.Length(1, 100))
    institution = fields.String(validate=validate.Length(1, 64))


class StepOut(Schema):
    count = fields.Integer()
    projects = fields.Integer()
    amount = fields.Integer()
    amount_text = fields.String()


class FunnelOut(Schema):
    key = fields.String()
    label = fields.String()
    meetings_held = fields.Integer()
    follow_ups = fields.Nested(StepOut)
    negotiating = fields.Nested(StepOut)
    signed = fields.Nested(StepOut)
    due_diligence = fields.Nested(StepOut)
    invested = fields.Nested(StepOut)
    dropped = fields.Nested(StepOut)
    open_due_diligence_tasks = fields.Integer()
    rates = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    days_in_stage = fields.Dict()


class ReportOut(Schema):
    event = fields.String()
    event_name = fields.String()
    dimension = fields.String(allow_none=True)
    filters = fields.Dict()
    generated_at = fields.String()
    headline = fields.String()
    total = fields.Nested(FunnelOut)
    groups = fields.List(fields.Nested(FunnelOut))


def present_task(task: DueDiligence, today: Any = None) -> dict[str, Any]:
    """Return the JSON-ready task."""
    day = today or today_local()
    return {
        "id": task.id,
        "project_id": task.project.code,
        "project_name": task.project.name,
        "institution_id": task.institution.code,
        "institution_name": task.institution.name,
        "intent_id": task.intent_id,
        "owner": task.owner,
        "due_date": task.due_date,
        "next_follow_up": task.next_follow_up,
        "status": task.status.value,
        "status_label": task.status.label(lang()),
        "outcome": task.outcome,
        "overdue": bool(
            task.status == DueDiligenceStatus.OPEN and task.due_date and task.due_date < day
        ),
        "version": task.version,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
    }


@blp.route("/due-diligence")
class Tasks(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(TaskQuery, location="query")
    @blp.response(200, TaskPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the tasks you may see, soonest due first."""
        event = event_for(db(), user(), args.get("event"))
        query = scoped(of_event(event), user())
        if args.get("status"):
            query = query.where(DueDiligence.status == args["status"])
        if args.get("owner"):
            query = query.where(DueDiligence.owner == args["owner"])
        if args.get("project_id"):
            query = query.where(Project.code == args["project_id"])
        if args.get("institution_id"):
            query = query.join(Institution, Institution.id == DueDiligence.institution_id).where(
                Institution.code == args["institution_id"]
            )
        query = query.order_by(
            DueDiligence.due_date.is_(None), DueDiligence.due_date, DueDiligence.id
        )
        page = paginate(db(), query, args["page"], args["page_size"])
        page.items = [present_task(t) for t in page.items]
        return envelope(page)

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(TaskIn)
    @blp.response(201, TaskOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Open a due-diligence task for an institution × project."""
        event = event_for(db(), user(), data.pop("event", None))
        project = get_project(db(), data.pop("project_id"), event.code)
        institution = get_institution(db(), data.pop("institution_id"), event.code)
        task = create_task(db(), user(), project, institution.id, data)
        db().commit()
        return present_task(task)


@blp.route("/due-diligence/<int:task_id>")
class OneTask(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, TaskOut)
    def get(self, task_id: int) -> dict[str, Any]:
        """One task (404 if it is not yours to see)."""
        return present_task(get_task(db(), task_id, user()))

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(TaskPatch, required=False)
    @blp.response(200, TaskOut)
    def patch(self, data: dict[str, Any], task_id: int) -> dict[str, Any]:
        """Change a task (owner, dates, status, outcome); 409 on a stale version."""
        task = get_task(db(), task_id, user())
        version = data.pop("version", None)
        update_task(db(), user(), task, data, version)
        db().commit()
        return present_task(task)

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.response(204)
    def delete(self, task_id: int) -> None:
        """Delete a task; the audit trail keeps it."""
        delete_task(db(), user(), get_task(db(), task_id, user()))
        db().commit()


@blp.route("/due-diligence/<int:task_id>/history")
class TaskHistory(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, AuditOut(many=True))
    def get(self, task_id: int) -> list[dict[str, Any]]:
        """Who changed the task and how (read-only)."""
        viewer = user()
        try:
            get_task(db(), task_id, viewer)
        except NotFound:
            if viewer.role not in (Role.STAFF, Role.ORGANISER):
                raise
        entries = history(db(), DueDiligence.__tablename__, task_id)
        if not entries:
            raise NotFound(what=Ref("what.due_diligence"), key=task_id)
        return [present_entry(e) for e in entries]


@blp.route("/due-diligence/digest")
class Digest(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(DigestArgs, location="query")
    @blp.response(200, DigestOut)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Open tasks overdue, due this week and due a follow-up, on a local day (Asia/Shanghai)."""
        event = event_for(db(), user(), args.get("event"))
        now = None
        if args.get("date"):
            now = datetime.combine(args["date"], time(12), LOCAL_TZ)
        found = digest(db(), user(), event, now)
        return {
            "day": found.day,
            "week_end": found.week_end,
            "overdue": [present_task(t, found.day) for t in found.overdue],
            "due_this_week": [present_task(t, found.day) for t in found.due_this_week],
            "follow_up_due": [present_task(t, found.day) for t in found.follow_up_due],
            "text": digest_text(found, lang()),
        }


def _report(args: dict[str, Any]) -> tuple[Event, dict[str, Any]]:
    event = event_for(db(), user(), args.get("event"))
    filters = {k: args[k] for k in ("session", "track", "region", "institution") if args.get(k)}
    if "track" in filters:
        filters["track"] = filters["track"].value
    return event, report(db(), event, args.get("by"), filters, lang())


@blp.route("/reports/funnel")
class Funnel(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, ReportOut)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Meetings held → follow-ups → signed → due diligence → invested, overall and by group."""
        return _report(args)[1]


@blp.route("/reports/funnel.xlsx")
class FunnelXlsx(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(ReportArgs, location="query")
    @file_response(blp, "xlsx")
    def get(self, args: dict[str, Any]) -> Response:
        """The same report as a workbook with a chart."""
        event, data = _report(args)
        return download(report_xlsx(data, lang()), "xlsx", f"{event.code}-report")
