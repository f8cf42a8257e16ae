"""The outcome report's page (headline, funnel table, charts) and its workbook."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, redirect, render_template, request, session, url_for

from matchmaker.api.context import db, download
from matchmaker.api.i18n import lang, t
from matchmaker.api.pages.common import (
    notice,
    page_event,
    signed_in,
    signed_in_user,
    track_options,
)
from matchmaker.api.pages.ledger.base import STAFF, bp
from matchmaker.api.security import check_csrf
from matchmaker.domain import Role, local_minute, parse_amount
from matchmaker.errors import InvalidInput, Problem
from matchmaker.services.ledger.reports import DIMENSIONS, report, report_xlsx
from matchmaker.services.ledger.rollup import COLUMNS, rollup, rollup_xlsx
from matchmaker.services.ledger.targets import AMOUNTS, METRICS, set_targets, targets_of

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
        targets=targets_of(event),
        notice=session.pop("notice", None),
        metrics=METRICS,
        amounts=AMOUNTS,
    )


def _target_value(metric: str, raw: str) -> Any:
    """Return a form box's target: None when empty, yuan for amounts (5000万, 1.2亿), an
    integer for counts; the raw text when it is none of those (``set_targets`` names it)."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        if metric in AMOUNTS:
            return parse_amount(raw, default_unit=1)
        return int(raw.replace(",", ""))
    except (InvalidInput, ValueError):
        return raw


@bp.post("/reports/targets")
@signed_in(Role.ORGANISER)
def targets_save() -> Any:
    """Set the year's targets from the report page's form; every box is checked before any is
    saved, and a refusal names each bad box and its value."""
    check_csrf()
    event = page_event()
    values = {m: _target_value(m, request.form.get(m, "")[:40]) for m in METRICS}
    try:
        set_targets(db(), event, values, signed_in_user())
    except InvalidInput as exc:
        db().rollback()
        notice("error", exc.message(lang()), [_problem_text(p) for p in exc.problems])
    else:
        db().commit()
        notice("ok", t("targets.saved"))
    return redirect(url_for(".reports", event=event.code))


def _problem_text(problem: Problem) -> str:
    label = t(f"targets.metric.{problem.column}") if problem.column in METRICS else problem.column
    return f"{label}: {problem.message(lang())}"


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
