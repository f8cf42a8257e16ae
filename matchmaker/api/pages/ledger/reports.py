"""The outcome report's page (headline, funnel table, charts) and its workbook."""

from __future__ import annotations

from datetime import datetime

from flask import Response, render_template, request

from matchmaker.api.context import db, download
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import page_event, signed_in, track_options
from matchmaker.api.pages.ledger.base import STAFF, bp
from matchmaker.domain import local_minute
from matchmaker.services.ledger.reports import DIMENSIONS, report, report_xlsx
from matchmaker.services.ledger.rollup import COLUMNS, rollup, rollup_xlsx

STEPS = ("meetings_held", "follow_ups", "negotiating", "signed", "due_diligence", "invested")


def _report_args() -> tuple[str, dict[str, str]]:
    """The grouping (default: by session) and filters, as the JSON report takes them; what a
    hand-edited URL gets wrong is left out."""
    by = request.args.get("by") or "session"
    if by not in DIMENSIONS:
        by = "session"
    filters = {k: request.args[k][:100] for k in DIMENSIONS if request.args.get(k)}
    if "track" in filters:
        try:
            filters["track"] = track_options().parse(filters["track"])
        except ValueError:
            del filters["track"]
    return by, filters


@bp.get("/reports")
@signed_in(*STAFF)
def reports() -> str:
    """Headline, funnel table and charts (drawn offline by the vendored ECharts)."""
    event = page_event()
    by, filters = _report_args()
    data = report(db(), event, by, filters, lang())
    labels = {s: t(f"report.step.{s}") for s in STEPS}
    labels.update(
        signed_amount=t("ui.report_signed_amount"),
        invested_amount=t("ui.report_invested_amount"),
        axis=t("ui.report_axis_wan"),
        funnel=t("ui.report_funnel"),
        colon=t("ui.colon"),
        count=t("ui.report_count"),
    )
    return render_template(
        "report.html",
        event=event,
        data=data,
        by=by,
        filters=request.args,
        dimensions=DIMENSIONS,
        labels=labels,
        generated=local_minute(datetime.fromisoformat(data["generated_at"])),
    )


@bp.get("/reports/funnel.xlsx")
@signed_in(*STAFF)
def report_download() -> Response:
    """The report page's figures as a workbook with a chart."""
    event = page_event()
    by, filters = _report_args()
    data = report(db(), event, by, filters, lang())
    return download(report_xlsx(data, lang()), "xlsx", f"{event.code}-report")


@bp.get("/reports/rollup")
@signed_in(*STAFF)
def rollup_page() -> str:
    """A city's roll-up across its counties' events (a county's organisers see only theirs)."""
    event = page_event()
    data = rollup(db(), event)
    return render_template("rollup.html", event=event, data=data, columns=COLUMNS)


@bp.get("/reports/rollup.xlsx")
@signed_in(*STAFF)
def rollup_download() -> Response:
    """The roll-up page's figures as a workbook."""
    event = page_event()
    return download(rollup_xlsx(rollup(db(), event), lang()), "xlsx", f"{event.code}-rollup")
