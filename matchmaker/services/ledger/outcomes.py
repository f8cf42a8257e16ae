"""The report's long-term follow-up: landings by kind, the landings themselves, service tasks.

Investments that landed come from the funnel (the intents at 投资落地), so the two agree to the
yuan; other landings (落户, 入驻园区, 合作) from ``landings``. Totals hold fixed amounts only,
and every kind says how many of its landings still have their amount to be fixed (金额待定).
Service tasks (贷款对接, 入驻, 培训, 政策申报) are listed with their owners and due dates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import DueDiligence, Event, Intent, Landing, Project
from matchmaker.domain import (
    CooperationKind,
    IntentStatus,
    LandingKind,
    TaskKind,
    format_yuan,
)
from matchmaker.ledger import Funnel
from matchmaker.messages import render
from matchmaker.services.ledger.landings import KindTotal, kind_key, kind_totals

Keys = Callable[[Project, str, str], dict[str, str]]  # (project, institution code, session)


def kind_label(key: str, lang: str = "zh") -> str:
    """Return the label of a kind key: 投资落地, 入驻园区, 合作·贷款 …"""
    if key == "investment":
        return render("landing.kind.investment", lang)
    kind, _, cooperation = key.partition(":")
    label = LandingKind(kind).label(lang)
    if cooperation:
        label += ("·" if lang != "en" else ": ") + CooperationKind(cooperation).label(lang)
    return label


def _kept(keys: dict[str, str], filters: dict[str, str]) -> bool:
    return all(keys.get(k) == v for k, v in filters.items())


def landings_section(
    db: Session,
    event: Event,
    filters: dict[str, str],
    total: Funnel,
    keys_of: Keys,
    sessions: dict[int | None, str],
    lang: str = "zh",
) -> dict[str, Any]:
    """Return the landings part of the report: per kind, the unfixed investments, the list."""
    landings = []
    for landing in db.scalars(
        select(Landing).where(Landing.event_id == event.id).order_by(Landing.landed_on, Landing.id)
    ):
        session = sessions.get(landing.intent.session_id if landing.intent else None, "-")
        code = landing.institution.code if landing.institution else ""
        if _kept(keys_of(landing.project, code, session), filters):
            landings.append(landing)
    totals = kind_totals(landings)
    invested = totals["investment"]
    invested.count = total.invested.count
    invested.projects = set(total.invested.projects)
    invested.amount = total.invested.amount
    invested.unfixed = total.invested.unfixed
    kinds = [_kind_dict(t, lang) for t in totals.values()]
    unfixed = [
        {
            "intent_id": intent.id,
            "project_id": intent.project.code,
            "project_name": intent.project.name,
            "institution_id": intent.institution.code,
            "institution_name": intent.institution.name,
            "invested_at": intent.invested_at.isoformat() if intent.invested_at else None,
        }
        for intent in db.scalars(
            select(Intent)
            .where(
                Intent.event_id == event.id,
                Intent.status == IntentStatus.INVESTED,
                Intent.invested_amount.is_(None),
            )
            .order_by(Intent.id)
        )
        if _kept(
            keys_of(intent.project, intent.institution.code, sessions.get(intent.session_id, "-")),
            filters,
        )
    ]
    amount = sum(t.amount for t in totals.values())
    return {
        "kinds": kinds,
        "count": sum(t.count for t in totals.values()),
        "amount": amount,
        "amount_text": format_yuan(amount, lang),
        "unfixed": sum(t.unfixed for t in totals.values()),
        "unfixed_investments": unfixed,
        "items": [_landing_dict(landing, lang) for landing in landings],
    }


def _kind_dict(total: KindTotal, lang: str) -> dict[str, Any]:
    return {
        "key": total.key,
        "label": kind_label(total.key, lang),
        "count": total.count,
        "projects": len(total.projects),
        "amount": total.amount,
        "amount_text": format_yuan(total.amount, lang),
        "unfixed": total.unfixed,
    }


def _landing_dict(landing: Landing, lang: str) -> dict[str, Any]:
    return {
        "id": landing.id,
        "kind": kind_key(landing),
        "kind_label": kind_label(kind_key(landing), lang),
        "project_id": landing.project.code,
        "project_name": landing.project.name,
        "institution_id": landing.institution.code if landing.institution else None,
        "counterpart": landing.counterpart
        or (landing.institution.name if landing.institution else ""),
        "place": landing.place,
        "landed_on": landing.landed_on.isoformat(),
        "value": landing.value,
        "value_text": format_yuan(landing.value, lang),
        "value_pending": landing.value_pending,
    }


def service_tasks(
    db: Session,
    event: Event,
    filters: dict[str, str],
    keys_of: Keys,
    sessions: dict[int | None, str],
    lang: str = "zh",
) -> list[dict[str, Any]]:
    """Return the event's service tasks (not due diligence) that ``filters`` keep, soonest due
    first."""
    query = (
        select(DueDiligence)
        .join(Project, Project.id == DueDiligence.project_id)
        .where(Project.event_id == event.id, DueDiligence.kind != TaskKind.DUE_DILIGENCE)
        .order_by(DueDiligence.due_date.is_(None), DueDiligence.due_date, DueDiligence.id)
    )
    out = []
    for task in db.scalars(query):
        session = sessions.get(task.intent.session_id if task.intent else None, "-")
        code = task.institution.code if task.institution else ""
        if not _kept(keys_of(task.project, code, session), filters):
            continue
        out.append(
            {
                "id": task.id,
                "kind": task.kind.value,
                "kind_label": task.kind.label(lang),
                "project_id": task.project.code,
                "project_name": task.project.name,
                "counterpart": task.counterpart_name,
                "owner": task.owner,
                "due_date": task.due_date.isoformat() if task.due_date else None,
                "status": task.status.value,
                "status_label": task.status.label(lang),
            }
        )
    return out


def outcome_sheets(book: Any, data: dict[str, Any], lang: str = "zh") -> None:
    """Add the landings and the service tasks to the report's workbook, as two sheets."""
    from openpyxl.styles import Font

    from matchmaker.tabular.formulas import for_xlsx

    section = data["landings"]
    sheet = book.create_sheet(render("report.landings.sheet", lang))

    def append(values: list[Any], bold: bool = False) -> None:  # names typed by users
        sheet.append([for_xlsx(v) for v in values])
        if bold:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)

    append([render("report.landings.title", lang)], bold=True)
    append(
        [
            render("report.landings.col.kind", lang),
            render("report.landings.col.count", lang),
            render("report.landings.col.projects", lang),
            render("report.landings.col.amount", lang),
            render("report.landings.col.unfixed", lang),
        ],
        bold=True,
    )
    for kind in section["kinds"]:
        append([kind["label"], kind["count"], kind["projects"], kind["amount"], kind["unfixed"]])
    append(
        [
            render("report.total", lang),
            section["count"],
            None,
            section["amount"],
            section["unfixed"],
        ],
        bold=True,
    )
    if section["unfixed"]:
        append([render("report.unfixed_note", lang, count=section["unfixed"])])
    append([])
    append(
        [
            render("report.landings.col.kind", lang),
            render("agenda.col.project_id", lang),
            render("agenda.col.project", lang),
            render("report.landings.col.counterpart", lang),
            render("report.landings.col.place", lang),
            render("report.landings.col.date", lang),
            render("report.landings.col.value", lang),
        ],
        bold=True,
    )
    for item in section["items"]:
        value = render("landing.pending", lang) if item["value_pending"] else item["value"]
        append(
            [
                item["kind_label"],
                item["project_id"],
                item["project_name"],
                item["counterpart"],
                item["place"],
                item["landed_on"],
                value,
            ]
        )
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, int) and cell.column_letter in ("D", "G"):
                cell.number_format = "#,##0"
    for column, width in zip("ABCDEFG", (18, 12, 28, 24, 24, 12, 16), strict=True):
        sheet.column_dimensions[column].width = width

    tasks = book.create_sheet(render("report.tasks.sheet", lang))
    tasks.append(
        [
            render("report.tasks.col.kind", lang),
            render("agenda.col.project_id", lang),
            render("agenda.col.project", lang),
            render("report.landings.col.counterpart", lang),
            render("ui.field_owner", lang),
            render("ui.field_due_date", lang),
            render("ui.field_status", lang),
        ]
    )
    for cell in tasks[1]:
        cell.font = Font(bold=True)
    for task in data["service_tasks"]:
        tasks.append(
            [
                for_xlsx(v)
                for v in (
                    task["kind_label"],
                    task["project_id"],
                    task["project_name"],
                    task["counterpart"],
                    task["owner"],
                    task["due_date"],
                    task["status_label"],
                )
            ]
        )
    for column, width in zip("ABCDEFG", (14, 12, 28, 24, 14, 12, 10), strict=True):
        tasks.column_dimensions[column].width = width
