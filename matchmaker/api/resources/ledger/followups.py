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

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, download
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import file_response
from matchmaker.api.schemas.ledger.due_diligence import (
    DigestArgs,
    DigestOut,
    TaskIn,
    TaskOut,
    TaskPage,
    TaskPatch,
    TaskQuery,
)
from matchmaker.api.schemas.ledger.intents import AuditOut
from matchmaker.api.schemas.ledger.reports import (
    ReportArgs,
    ReportOut,
    RollupArgs,
    RollupOut,
    TargetsArgs,
    TargetsIn,
    TargetsOut,
)
from matchmaker.db.models import AuditEntry, DueDiligence, Event
from matchmaker.domain import LOCAL_TZ, Role
from matchmaker.services.ledger import digest as chase
from matchmaker.services.ledger.due_diligence import (
    TaskFilters,
    add_task,
    delete_task,
    get_task,
    task_history,
    task_page,
    update_task,
)
from matchmaker.services.ledger.reports import report, report_xlsx
from matchmaker.services.ledger.rollup import rollup, rollup_xlsx
from matchmaker.services.ledger.targets import actuals, progress, set_targets, targets_of
from matchmaker.services.registry.catalog import Page
from matchmaker.services.registry.events import event_for

blp = Blueprint(
    "followups",
    __name__,
    url_prefix="/api/v1",
    description="Due diligence (入场评估考察 / 尽调) follow-up, its digest, and outcome reports",
)


@blp.route("/due-diligence")
class Tasks(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(TaskQuery, location="query")
    @blp.response(200, TaskPage)
    def get(self, args: dict[str, Any]) -> Page[DueDiligence]:
        """List the tasks you may see, soonest due first."""
        filters = TaskFilters(
            status=args.get("status"),
            owner=args.get("owner"),
            project=args.get("project_id"),
            institution=args.get("institution_id"),
            kind=args.get("kind"),
        )
        event = event_for(db(), user(), args.get("event"))
        return task_page(db(), event, user(), filters, args["page"], args["page_size"])

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(TaskIn)
    @blp.response(201, TaskOut)
    def post(self, data: dict[str, Any]) -> DueDiligence:
        """Open a due-diligence task for an institution × project, or a service task (贷款对接,
        入驻, 培训, 政策申报) for a project, with or without an institution."""
        event = event_for(db(), user(), data.pop("event", None))
        pair = data.pop("project_id"), data.pop("institution_id", None)
        task = add_task(db(), user(), event, *pair, data)
        db().commit()
        return task


@blp.route("/due-diligence/<int:task_id>")
class OneTask(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, TaskOut)
    def get(self, task_id: int) -> DueDiligence:
        """One task (404 if it is not yours to see)."""
        return get_task(db(), task_id, user())

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(TaskPatch, required=False)
    @blp.response(200, TaskOut)
    def patch(self, data: dict[str, Any], task_id: int) -> DueDiligence:
        """Change a task (owner, dates, status, outcome); 409 on a stale version."""
        task = get_task(db(), task_id, user())
        version = data.pop("version", None)
        update_task(db(), user(), task, data, version)
        db().commit()
        return task

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
    def get(self, task_id: int) -> list[AuditEntry]:
        """Who changed the task and how (read-only)."""
        return task_history(db(), task_id, user())


@blp.route("/due-diligence/digest")
class Digest(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(DigestArgs, location="query")
    @blp.response(200, DigestOut)
    def get(self, args: dict[str, Any]) -> chase.Digest:
        """Open tasks overdue, due this week and due a follow-up, on a local day (Asia/Shanghai)."""
        event = event_for(db(), user(), args.get("event"))
        now = datetime.combine(args["date"], time(12), LOCAL_TZ) if args.get("date") else None
        return chase.digest(db(), user(), event, now)


def _report(args: dict[str, Any]) -> tuple[Event, dict[str, Any]]:
    event = event_for(db(), user(), args.get("event"))
    filters = {k: args[k] for k in ("session", "track", "region", "institution") if args.get(k)}
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


@blp.route("/reports/rollup")
class Rollup(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(RollupArgs, location="query")
    @blp.response(200, RollupOut)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """A city's roll-up: registrations, funnel and amounts (yuan) of its own event and of
        each county's 分赛场 under it, and their sum. Another county's event is a 404."""
        return rollup(db(), event_for(db(), user(), args.get("event")))


@blp.route("/reports/rollup.xlsx")
class RollupXlsx(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(RollupArgs, location="query")
    @file_response(blp, "xlsx")
    def get(self, args: dict[str, Any]) -> Response:
        """The same roll-up as a workbook."""
        event = event_for(db(), user(), args.get("event"))
        return download(rollup_xlsx(rollup(db(), event), lang()), "xlsx", f"{event.code}-rollup")


def _targets(event: Event) -> dict[str, Any]:
    targets = targets_of(event)
    done = actuals(report(db(), event, lang=lang()))
    return {
        "event": event.code,
        "year": event.year,
        "targets": targets,
        "progress": progress(targets, done, lang()),
    }


@blp.route("/reports/targets")
class Targets(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(TargetsArgs, location="query")
    @blp.response(200, TargetsOut)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The event's yearly targets (年度目标) beside what it has done so far."""
        return _targets(event_for(db(), user(), args.get("event")))

    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(TargetsIn)
    @blp.response(200, TargetsOut)
    def put(self, data: dict[str, Any]) -> dict[str, Any]:
        """Set or clear (null) some of the year's targets; the others stay. Audited."""
        event = event_for(db(), user(), data.get("event"))
        set_targets(db(), event, data["targets"], user())
        db().commit()
        return _targets(event)
