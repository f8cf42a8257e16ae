"""Follow-up reports: meetings held → follow-ups → signed → due diligence → invested, per group.

Figures come from the ledger rows themselves (integer yuan, summed as ints), so the report and
the ledger reconcile exactly; an investment landed with its amount still to be fixed counts as
landed but adds nothing to the amount, and the report says how many there are. Landings that
are not money and the services' own tasks are :mod:`matchmaker.services.ledger.outcomes`.
A meeting counts as held only when its attendance was recorded (marked held by a side or an
organiser), never because its slot's end has passed: meetings still scheduled after their slot
ended are counted apart as unrecorded. Days in stage come from the audit trail: when each
status was entered. Response rates: the share of meetings held that each side rated.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from matchmaker.db.models import (
    AuditEntry,
    DueDiligence,
    Event,
    Institution,
    Intent,
    MatchmakingSession,
    Meeting,
    MeetingMark,
    Project,
    Slot,
)
from matchmaker.db.types import utcnow
from matchmaker.domain import (
    DueDiligenceStatus,
    IntentStatus,
    MeetingStatus,
    TaskKind,
    format_yuan,
)
from matchmaker.errors import InvalidInput, Problem
from matchmaker.ledger import Funnel, LedgerRow, funnels
from matchmaker.messages import render
from matchmaker.services.ledger.outcomes import landings_section, outcome_sheets, service_tasks
from matchmaker.services.ledger.targets import actuals, progress, targets_of, targets_sheet
from matchmaker.services.registry.vocabulary import track_label, vocabulary_of
from matchmaker.tabular.formulas import for_xlsx

DIMENSIONS = ("session", "track", "region", "institution")
NO_SESSION = "-"  # intents not tied to a session


def _filters_ok(filters: dict[str, str]) -> None:
    unknown = [k for k in filters if k not in DIMENSIONS]
    if unknown:
        raise InvalidInput(
            "report.bad_filter", [Problem("report.bad_filter", column=k) for k in unknown]
        )


def _keys(project: Project, institution: Institution | str | None, session: str) -> dict[str, str]:
    """Return a row's group keys; ``institution`` may be its code, or None (a service task)."""
    if isinstance(institution, Institution):
        institution = institution.code
    return {
        "session": session,
        "track": project.track or "",
        "region": project.region or "",
        "institution": institution or "",
    }


def _history(db: Session, ids: list[int]) -> dict[int, list[tuple[IntentStatus, datetime]]]:
    out: dict[int, list[tuple[IntentStatus, datetime]]] = {i: [] for i in ids}
    if not ids:
        return out
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == Intent.__tablename__, AuditEntry.entity_id.in_(ids))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    for entry in entries:
        if entry.after and "status" in entry.after:
            out[entry.entity_id].append((IntentStatus(entry.after["status"]), entry.at))
    return out


def _track_filter(event: Event, filters: dict[str, str]) -> dict[str, str]:
    """Return ``filters`` with a track named by label or alias as its key (the event's own)."""
    if filters.get("track"):
        return {**filters, "track": vocabulary_of(event).check(filters["track"])}
    return filters


def ledger_rows(db: Session, event: Event, filters: dict[str, str]) -> list[LedgerRow]:
    """Return the event's intents as report rows, keeping those that match every filter."""
    _filters_ok(filters)
    filters = _track_filter(event, filters)
    intents = list(db.scalars(select(Intent).where(Intent.event_id == event.id)))
    sessions: dict[int | None, str] = {s.id: s.code for s in event.sessions}
    history = _history(db, [i.id for i in intents])
    rows = []
    for intent in intents:
        keys = _keys(
            intent.project, intent.institution, sessions.get(intent.session_id, NO_SESSION)
        )
        if any(keys[k] != v for k, v in filters.items()):
            continue
        trail = history[intent.id] or [(intent.status, intent.status_since)]
        if trail[-1][0] != intent.status:  # written outside the product: trust the row
            trail.append((intent.status, intent.status_since))
        rows.append(
            LedgerRow(
                groups=keys,
                project=intent.project.code,
                status=intent.status,
                amount=intent.amount,
                invested_amount=intent.invested_amount,
                history=tuple(trail),
            )
        )
    return rows


def _meetings(
    db: Session, event: Event, filters: dict[str, str], now: datetime
) -> list[tuple[Meeting, dict[str, str]]]:
    """Return the event's meetings held (recorded) or unrecorded (scheduled, slot ended) that
    ``filters`` keep, each with its group keys."""
    query = (
        select(Meeting, MatchmakingSession.code)
        .join(MatchmakingSession, MatchmakingSession.id == Meeting.session_id)
        .join(Slot, Slot.id == Meeting.slot_id)
        .where(MatchmakingSession.event_id == event.id)
        .options(selectinload(Meeting.project), selectinload(Meeting.institution))
        .where(
            or_(
                Meeting.status == MeetingStatus.HELD,
                (Meeting.status == MeetingStatus.SCHEDULED) & (Slot.ends_at <= now),
            )
        )
    )
    out = []
    for meeting, session_code in db.execute(query):
        keys = _keys(meeting.project, meeting.institution, session_code)
        if all(keys[k] == v for k, v in filters.items()):
            out.append((meeting, keys))
    return out


def _counts(
    meetings: list[tuple[Meeting, dict[str, str]]], status: MeetingStatus, dimension: str | None
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for meeting, keys in meetings:
        if meeting.status == status:
            counts["*"] += 1
            if dimension is not None:
                counts[keys[dimension]] += 1
    return dict(counts)


def response_rates(db: Session, held: list[Meeting]) -> dict[str, dict[str, Any]]:
    """Return, per side (investor, entrant), how many of the meetings ``held`` it rated."""
    ids = [m.id for m in held]
    rated: dict[str, set[int]] = {"investor": set(), "entrant": set()}
    for start in range(0, len(ids), 500):
        rows = db.execute(
            select(MeetingMark.side, MeetingMark.meeting_id).where(
                MeetingMark.meeting_id.in_(ids[start : start + 500]),
                MeetingMark.rating.is_not(None),
            )
        )
        for side, meeting_id in rows:
            if side in rated:
                rated[side].add(meeting_id)
    return {
        side: {
            "rated": len(done),
            "held": len(ids),
            "rate": round(len(done) / len(ids), 4) if ids else None,
        }
        for side, done in rated.items()
    }


def _open_tasks(
    db: Session, event: Event, dimension: str | None, filters: dict[str, str]
) -> dict[str, int]:
    query = (
        select(DueDiligence)
        .join(Project, Project.id == DueDiligence.project_id)
        .where(
            Project.event_id == event.id,
            DueDiligence.status == DueDiligenceStatus.OPEN,
            DueDiligence.kind == TaskKind.DUE_DILIGENCE,
        )
    )
    sessions: dict[int | None, str] = {s.id: s.code for s in event.sessions}
    counts: Counter[str] = Counter()
    for task in db.scalars(query):
        intent = task.intent
        session = sessions.get(intent.session_id, NO_SESSION) if intent else NO_SESSION
        keys = _keys(task.project, task.institution, session)
        if any(keys[k] != v for k, v in filters.items()):
            continue
        counts["*"] += 1
        if dimension is not None:
            counts[keys[dimension]] += 1
    return dict(counts)


def label_of(db: Session, event: Event, dimension: str, key: str, lang: str = "zh") -> str:
    """Return the display name of a group key (a session's name, a track's label …)."""
    if dimension == "session":
        if key == NO_SESSION:
            return render("report.no_session", lang)
        found = next((s for s in event.sessions if s.code == key), None)
        return (
            (found.name_en or found.name)
            if found and lang == "en"
            else (found.name if found else key)
        )
    if dimension == "track":
        return track_label(event, key, lang) if key else render("report.unknown", lang)
    if dimension == "institution":
        name = db.scalar(
            select(Institution.name).where(
                Institution.event_id == event.id, Institution.code == key
            )
        )
        return name or key
    return key or render("report.unknown", lang)


def report(
    db: Session,
    event: Event,
    dimension: str | None = None,
    filters: dict[str, str] | None = None,
    lang: str = "zh",
    now: datetime | None = None,
) -> dict[str, Any]:
    """Return the event's funnel overall and per ``dimension`` group, JSON-ready."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    _filters_ok(filters)
    filters = _track_filter(event, filters)
    if dimension is not None and dimension not in DIMENSIONS:
        raise InvalidInput(
            "report.bad_dimension", [Problem("report.bad_dimension", value=dimension)]
        )
    now = now or utcnow()
    rows = ledger_rows(db, event, filters)
    meetings = _meetings(db, event, filters, now)
    total, groups = funnels(
        rows,
        dimension,
        now,
        meetings_held=_counts(meetings, MeetingStatus.HELD, dimension),
        open_tasks=_open_tasks(db, event, dimension, filters),
        unrecorded=_counts(meetings, MeetingStatus.SCHEDULED, dimension),
    )
    held = [m for m, _keys in meetings if m.status == MeetingStatus.HELD]
    sessions: dict[int | None, str] = {s.id: s.code for s in event.sessions}
    data = {
        "event": event.code,
        "event_name": event.name,
        "dimension": dimension,
        "filters": filters,
        "generated_at": now.isoformat(),
        "total": total.to_dict(lang),
        "groups": [
            {**g.to_dict(lang), "label": label_of(db, event, dimension or "", g.key, lang)}
            for g in groups
        ],
        "headline": headline(total, lang),
        "response_rates": response_rates(db, held),
        "landings": landings_section(db, event, filters, total, _keys, sessions, lang),
        "service_tasks": service_tasks(db, event, filters, _keys, sessions, lang),
    }
    # the year's targets are the whole event's: a filtered report has none to compare with
    data["targets"] = [] if filters else progress(targets_of(event), actuals(data), lang)
    return data


def headline(total: Funnel, lang: str = "zh") -> str:
    """Return the sentence the organisers put in their press release (saying how many landed
    investments still have their amount to be fixed, which the amount leaves out)."""
    sentence = render(
        "report.headline",
        lang,
        signed_projects=len(total.signed.projects),
        signed_amount=format_yuan(total.signed.amount, lang),
        dd=total.due_diligence.count,
        open_tasks=total.open_tasks,
        invested_projects=len(total.invested.projects),
        invested_amount=format_yuan(total.invested.amount, lang),
    )
    if total.invested.unfixed:
        sentence += render("report.unfixed_note", lang, count=total.invested.unfixed)
    return sentence


STEP_LABELS = {
    "meetings_held": "report.step.meetings_held",
    "follow_ups": "report.step.follow_ups",
    "negotiating": "report.step.negotiating",
    "signed": "report.step.signed",
    "due_diligence": "report.step.due_diligence",
    "invested": "report.step.invested",
}


def report_xlsx(data: dict[str, Any], lang: str = "zh") -> bytes:
    """Return the report as a workbook: one row per group and the total, with a bar chart."""
    import openpyxl
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = render("report.sheet", lang)

    def append(values: list[Any]) -> None:  # group labels are names typed by users
        sheet.append([for_xlsx(v) for v in values])

    append([render("report.title", lang, event=data["event_name"])])
    append([data["headline"]])
    headers = [
        render("report.col.group", lang),
        render(STEP_LABELS["meetings_held"], lang),
        render(STEP_LABELS["follow_ups"], lang),
        render(STEP_LABELS["negotiating"], lang),
        render("report.col.signed_count", lang),
        render("report.col.signed_projects", lang),
        render("report.col.signed_amount", lang),
        render(STEP_LABELS["due_diligence"], lang),
        render("report.col.open_tasks", lang),
        render("report.col.invested_count", lang),
        render("report.col.invested_amount", lang),
        render("report.col.dropped", lang),
        render("report.col.invested_unfixed", lang),
    ]
    append(headers)
    for cell in sheet[3]:
        cell.font = Font(bold=True)

    def line(label: str, f: dict[str, Any]) -> list[Any]:
        return [
            label,
            f["meetings_held"],
            f["follow_ups"]["count"],
            f["negotiating"]["count"],
            f["signed"]["count"],
            f["signed"]["projects"],
            f["signed"]["amount"],
            f["due_diligence"]["count"],
            f["open_due_diligence_tasks"],
            f["invested"]["count"],
            f["invested"]["amount"],
            f["dropped"]["count"],
            f["invested"]["unfixed"],
        ]

    for group in data["groups"]:
        append(line(group["label"], group))
    append(line(render("report.total", lang), data["total"]))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in ("G", "K"):  # integer yuan, shown with thousands separators
        for cell in sheet[column][3:]:
            cell.number_format = "#,##0"
    for column, width in zip(
        "ABCDEFGHIJKLM", (28, 10, 10, 10, 10, 10, 18, 10, 10, 10, 18, 10, 12), strict=True
    ):
        sheet.column_dimensions[column].width = width
    if data["groups"]:
        chart = BarChart()
        chart.title = render("report.col.signed_amount", lang)
        last = 3 + len(data["groups"])
        chart.add_data(Reference(sheet, min_col=7, min_row=3, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=4, max_row=last))
        chart.height, chart.width = 8, 18
        sheet.add_chart(chart, f"A{last + 3}")
    if "landings" in data:
        outcome_sheets(book, data, lang)
    if data.get("targets"):
        title = render("targets.heading", lang) + f" · {data['event_name']}"
        targets_sheet(book, data["targets"], title, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
