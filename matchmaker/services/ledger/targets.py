"""A contest's yearly targets (年度目标) beside its actuals, for the event and the city roll-up.

A city's human-resources or industry bureau sets each year's targets for its own contest and for
each county's 分赛场: signed intents, their amount, investments landed, every kind of landing,
meetings held. They live on the event (one event is one year's contest of one city or county),
as integers (amounts in yuan), and every change is on the audit trail. Actuals are read from
the event's own report (``reports.report``), so a target's "done" is the figure the report shows;
the roll-up adds counties' targets and actuals as integers, never recomputing them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from matchmaker.db.models import Event, User
from matchmaker.domain import MAX_YUAN, format_yuan
from matchmaker.errors import InvalidInput, Problem
from matchmaker.messages import render
from matchmaker.services import audit

# in the order reports show them
METRICS = (
    "meetings_held",
    "signed_projects",
    "signed_amount",
    "invested_projects",
    "invested_amount",
    "landings",
)
AMOUNTS = frozenset({"signed_amount", "invested_amount"})
MAX_COUNT = 1_000_000  # more meetings, projects or landings than any contest holds


def targets_of(event: Event) -> dict[str, int]:
    """Return the event's targets, in :data:`METRICS` order (only those set)."""
    held = event.targets or {}
    return {metric: int(held[metric]) for metric in METRICS if metric in held}


def _problems(values: dict[str, Any]) -> list[Problem]:
    problems = []
    for metric, value in values.items():
        if metric not in METRICS:
            problems.append(
                Problem(
                    "targets.unknown_metric",
                    column=str(metric)[:50],
                    value=metric,
                    params={"choices": ", ".join(METRICS)},
                )
            )
            continue
        if value is None:  # clears the target
            continue
        limit = MAX_YUAN if metric in AMOUNTS else MAX_COUNT
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            problems.append(
                Problem(
                    "targets.bad_value", column=metric, value=value, params={"limit": f"{limit:,}"}
                )
            )
    return problems


def set_targets(
    db: Session, event: Event, values: dict[str, Any], actor: User | None = None
) -> dict[str, int]:
    """Set (an integer) or clear (None) each named target; the others stay. Returns all.

    Every value is checked before any is written: one bad metric or value refuses them all,
    naming each (metric, value). The change is audited (before and after).
    """
    problems = _problems(values)
    if problems:
        raise InvalidInput("targets.invalid", problems, count=len(problems))
    before = targets_of(event)
    after = dict(before)
    for metric, value in values.items():
        if value is None:
            after.pop(metric, None)
        else:
            after[metric] = int(value)
    after = {metric: after[metric] for metric in METRICS if metric in after}
    if after != before:
        event.targets = after
        db.flush()
        audit.record(db, event, "targets", actor, {"targets": before}, {"targets": after})
    return after


def actuals(data: dict[str, Any]) -> dict[str, int]:
    """Return each metric's actual from an event's report (``reports.report``'s dict)."""
    total = data["total"]
    return {
        "meetings_held": int(total["meetings_held"]),
        "signed_projects": int(total["signed"]["projects"]),
        "signed_amount": int(total["signed"]["amount"]),
        "invested_projects": int(total["invested"]["projects"]),
        "invested_amount": int(total["invested"]["amount"]),
        "landings": int(data["landings"]["count"]),
    }


def shown(metric: str, value: int, lang: str = "zh") -> str:
    """Return a target or actual as people read it (amounts in 万/亿 yuan)."""
    return format_yuan(value, lang) if metric in AMOUNTS else f"{value:,}"


def progress(
    targets: dict[str, int], done: dict[str, int], lang: str = "zh"
) -> list[dict[str, Any]]:
    """Return one row per target set: the metric, its label, target, actual and percent done
    (whole percent, rounded down; None when the target is 0)."""
    rows = []
    for metric, target in targets.items():
        actual = done[metric]
        rows.append(
            {
                "metric": metric,
                "label": render(f"targets.metric.{metric}", lang),
                "target": target,
                "actual": actual,
                "percent": actual * 100 // target if target else None,
                "target_text": shown(metric, target, lang),
                "actual_text": shown(metric, actual, lang),
            }
        )
    return rows


def targets_sheet(book: Any, rows: list[dict[str, Any]], title: str, lang: str = "zh") -> None:
    """Add a sheet of targets beside actuals to a workbook (amounts as integer yuan)."""
    from openpyxl.styles import Font

    from matchmaker.tabular.formulas import for_xlsx

    sheet = book.create_sheet(render("targets.sheet", lang))
    sheet.append([for_xlsx(title)])
    sheet.append(
        [
            render("targets.col.metric", lang),
            render("targets.col.target", lang),
            render("targets.col.actual", lang),
            render("targets.col.percent", lang),
        ]
    )
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row["label"], row["target"], row["actual"], row["percent"]])
        if row["metric"] in AMOUNTS:
            for cell in sheet[sheet.max_row][1:3]:
                cell.number_format = "#,##0"
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 18
