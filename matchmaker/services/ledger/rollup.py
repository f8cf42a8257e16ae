"""A city's roll-up: the funnel and amounts of its own contest and each county's 分赛场, and
their sum.

Each row is that event's own report (``reports.report``, the same figures its organisers see),
so the roll-up's total is the sum of its counties' reports to the yuan: integers added, never
recomputed. Registrations are the projects and institutions each event holds.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Institution, Project
from matchmaker.db.types import utcnow
from matchmaker.messages import render
from matchmaker.services.ledger.reports import report
from matchmaker.services.ledger.targets import AMOUNTS, METRICS, actuals, targets_of
from matchmaker.services.registry.scopes import division_name
from matchmaker.tabular.formulas import for_xlsx

# (column, where it is read in a report's total); amounts are integer yuan
STEPS = (
    ("meetings_held", ("meetings_held",)),
    ("follow_ups", ("follow_ups", "count")),
    ("negotiating", ("negotiating", "count")),
    ("signed", ("signed", "count")),
    ("signed_projects", ("signed", "projects")),
    ("signed_amount", ("signed", "amount")),
    ("due_diligence", ("due_diligence", "count")),
    ("invested", ("invested", "count")),
    ("invested_projects", ("invested", "projects")),
    ("invested_amount", ("invested", "amount")),
    ("dropped", ("dropped", "count")),
)
COLUMNS = ("projects", "institutions", *(name for name, _path in STEPS), "landings")


def counties_of(db: Session, city: Event) -> list[Event]:
    """Return the events under ``city`` (its counties' 分赛场), by code."""
    return list(db.scalars(select(Event).where(Event.parent_id == city.id).order_by(Event.code)))


def _count(db: Session, model: Any, event: Event) -> int:
    return int(db.scalar(select(func.count(model.id)).where(model.event_id == event.id)) or 0)


def event_figures(
    db: Session, event: Event, now: datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Return one event's registrations and report totals as plain integers, and the actuals
    its yearly targets are measured by (``targets.actuals``)."""
    data = report(db, event, now=now)
    total = data["total"]
    out = {"projects": _count(db, Project, event), "institutions": _count(db, Institution, event)}
    for name, path in STEPS:
        value: Any = total
        for key in path:
            value = value[key]
        out[name] = int(value)
    out["landings"] = int(data["landings"]["count"])
    return out, actuals(data)


def rollup(db: Session, city: Event, now: datetime | None = None) -> dict[str, Any]:
    """Return the city's roll-up: a row for its own event and one per county, and the total."""
    now = now or utcnow()
    rows: list[dict[str, Any]] = []
    done: list[dict[str, int]] = []
    for event in [city, *counties_of(db, city)]:
        figures, actual = event_figures(db, event, now)
        done.append(actual)
        rows.append(
            {
                "event": event.code,
                "name": event.name,
                "division": event.division,
                "division_name": division_name(event.division),
                "county": event.id != city.id,
                **figures,
                "targets": targets_of(event),
            }
        )
    total = {column: sum(row[column] for row in rows) for column in COLUMNS}
    # a metric is in the targets table when some event set it; an event without it shows none
    metrics = [m for m in METRICS if any(m in row["targets"] for row in rows)]
    for row, actual in zip(rows, done, strict=True):
        row["actuals"] = {m: actual[m] for m in metrics}
    target_total = {
        m: {
            "target": sum(row["targets"].get(m, 0) for row in rows),
            "actual": sum(row["actuals"][m] for row in rows),
        }
        for m in metrics
    }
    return {
        "event": city.code,
        "event_name": city.name,
        "generated_at": now.isoformat(),
        "rows": rows,
        "total": total,
        "target_metrics": metrics,
        "target_total": target_total,
    }


def rollup_xlsx(data: dict[str, Any], lang: str = "zh") -> bytes:
    """Return the roll-up as a workbook: one row per event and the total (amounts in yuan)."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = render("rollup.sheet", lang)
    sheet.append([for_xlsx(render("rollup.title", lang, event=data["event_name"]))])
    headers = [render("rollup.col.event", lang), render("rollup.col.division", lang)]
    headers += [render(f"rollup.col.{column}", lang) for column in COLUMNS]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in data["rows"]:
        label = f"{row['name']} ({row['event']})"
        sheet.append([for_xlsx(label), for_xlsx(row["division_name"]), *(row[c] for c in COLUMNS)])
    sheet.append([render("report.total", lang), "", *(data["total"][c] for c in COLUMNS)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=3):
        if column.endswith("amount"):
            for cell in list(sheet.iter_cols(min_col=index, max_col=index, min_row=3))[0]:
                cell.number_format = "#,##0"
    sheet.column_dimensions["A"].width = 30
    if data["target_metrics"]:
        _targets_sheet(book, data, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _targets_sheet(book: Any, data: dict[str, Any], lang: str) -> None:
    """Each event's yearly targets beside its actuals, and their sums (an event without a
    target for a measure leaves its cell empty and adds 0 to the sum)."""
    from openpyxl.styles import Font

    metrics = data["target_metrics"]
    sheet = book.create_sheet(render("targets.sheet", lang))
    sheet.append([for_xlsx(render("rollup.title", lang, event=data["event_name"]))])
    headers = [render("rollup.col.event", lang), render("rollup.col.division", lang)]
    for metric in metrics:
        label = render(f"targets.metric.{metric}", lang)
        headers += [
            f"{label} · {render('targets.col.target', lang)}",
            f"{label} · {render('targets.col.actual', lang)}",
        ]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in data["rows"]:
        cells: list[Any] = [for_xlsx(f"{row['name']} ({row['event']})"), row["division_name"]]
        for metric in metrics:
            cells += [row["targets"].get(metric), row["actuals"][metric]]
        sheet.append(cells)
    total: list[Any] = [render("report.total", lang), ""]
    for metric in metrics:
        total += [data["target_total"][metric]["target"], data["target_total"][metric]["actual"]]
    sheet.append(total)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, metric in enumerate(metrics):
        if metric in AMOUNTS:
            for column in (3 + 2 * index, 4 + 2 * index):
                for cell in list(sheet.iter_cols(min_col=column, max_col=column, min_row=3))[0]:
                    cell.number_format = "#,##0"
    sheet.column_dimensions["A"].width = 30
