"""Import and export of an intents spreadsheet: all rows checked first, then all written, audited.

Rows are keyed by the pair (项目编号, 机构编号): a pair already in the ledger is updated (its
move along the ladder is checked like an edit in the product, so going back needs a 变更原因),
a new pair is created. Any problem anywhere rejects the whole file and nothing changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.config import pause_point
from matchmaker.db.models import Event, Institution, Intent, Project, User
from matchmaker.domain import PENDING, DropReason, IntentStatus, yuan_to_wan
from matchmaker.errors import ImportRejected, InvalidInput, Problem
from matchmaker.services.ledger.intent_changes import (
    check_values,
    create_intent,
    current,
    update_intent,
)
from matchmaker.services.ledger.intents import scoped
from matchmaker.services.registry.events import session_lookup
from matchmaker.services.registry.registrations import ImportReport
from matchmaker.tabular.read import read_sheet
from matchmaker.tabular.records import INTENTS, header_key, parse_table
from matchmaker.tabular.write import write_table

# A single intent above this is almost surely a unit slip (元 typed into a 万元 column).
PLAUSIBLE_MAX = 10_000_000_000  # 100亿元
_TEXT = ("note", "signatories", "drop_reason")
_FIELDS = (
    "status",
    "amount",
    "signed_at",
    "signatories",
    "invested_amount",
    "invested_at",
    "drop_reason",
    "note",
)


IntentImportReport = ImportReport  # kind "intents"; the same summary as a registrations import


def import_intents(
    db: Session,
    actor: User | None,
    event: Event,
    data: bytes,
    filename: str,
    now: datetime | None = None,
) -> IntentImportReport:
    """Validate every row, then create or update each pair's intent; ImportRejected if any fails."""
    sheet = read_sheet(data, filename, INTENTS.header_names())
    parsed = parse_table(sheet, INTENTS, session_lookup(event))
    problems = list(parsed.problems)
    header = {key: _header(sheet.headers, key) for key in parsed.present}
    projects = {p.code: p for p in db.scalars(select(Project).where(Project.event_id == event.id))}
    institutions = {
        i.code: i for i in db.scalars(select(Institution).where(Institution.event_id == event.id))
    }
    sessions = {s.code: s for s in event.sessions}
    existing = {
        (i.project_id, i.institution_id): i
        for i in db.scalars(select(Intent).where(Intent.event_id == event.id))
    }
    plan: list[tuple[dict[str, Any], Project, Institution, Intent | None, dict[str, Any]]] = []
    first_row: dict[tuple[int, int], int] = {}
    for record in parsed.partial:  # a row with a bad cell may also name an unknown party
        problems.extend(_unknown(record, projects, institutions, header))
    for record in parsed.records:
        row = record["_row"]
        project = projects.get(record["project"])
        institution = institutions.get(record["institution"])
        if project is None or institution is None:
            problems.extend(_unknown(record, projects, institutions, header))
            continue
        pair = (project.id, institution.id)
        if pair in first_row:
            problems.append(
                Problem(
                    "import.duplicate_pair",
                    row,
                    header["institution"],
                    f"{project.code} × {institution.code}",
                    {"first_row": first_row[pair]},
                )
            )
            continue
        first_row[pair] = row
        intent = existing.get(pair)
        values = current(intent) if intent is not None else {}
        for key in _FIELDS:
            if key in record:
                value = record[key]
                if isinstance(value, IntentStatus | DropReason):
                    value = value if key == "status" else value.value
                values[key] = "" if value is None and key in _TEXT else value
        if values.get("invested_amount") == PENDING:  # 待定: landed, amount still to be fixed
            values["invested_amount"] = None
            values["invested_amount_pending"] = True
            if values.get("status") != IntentStatus.INVESTED:
                where = header.get("invested_amount", "invested_amount")
                problems.append(Problem("intent.pending_needs_invested", row, where, PENDING))
                continue
        if "session" in record:
            values["session_id"] = sessions[record["session"]].id if record["session"] else None
        if values.get("status") == IntentStatus.INVESTED:
            # a sheet row "投资落地, 金额 2000" means 2000万 landed: the signed amount stands for it
            # (unless the intent landed with its amount to be fixed: a blank cell keeps it 待定)
            if values.get("invested_amount") is None and not values.get("invested_amount_pending"):
                values["invested_amount"] = values.get("amount")
            if values.get("invested_at") is None:
                values["invested_at"] = values.get("signed_at")
        for key in ("amount", "invested_amount"):
            if (values.get(key) or 0) > PLAUSIBLE_MAX:
                problems.append(
                    Problem("intent.implausible_amount", row, header.get(key, key), record.get(key))
                )
        try:  # the same checks as an edit in the product
            before = current(intent) if intent else None
            reason = record.get("reason") or ""
            check_values(db, before, values, project.id, institution.id, reason, now)
        except InvalidInput as exc:
            for problem in exc.problems:
                column = header.get(problem.column or "", problem.column)
                problems.append(replace(problem, row=row, column=column))
            continue
        plan.append((record, project, institution, intent, values))
    if problems:
        raise ImportRejected(None, problems, count=len(problems))
    report = IntentImportReport(
        kind="intents", total=len(parsed.records), encoding=sheet.encoding, warnings=parsed.warnings
    )
    for record, project, institution, intent, values in plan:
        reason = record.get("reason") or ""
        if intent is None:
            create_intent(
                db, actor, event, project, institution.id, values, reason, now, action="import"
            )
            report.created += 1
        elif update_intent(db, actor, intent, values, reason, now=now, action="import"):
            report.updated += 1
        else:
            report.unchanged += 1
    db.flush()
    pause_point("import.rows")  # fault tests: a process killed here imports nothing
    return report


def _unknown(
    record: dict[str, Any],
    projects: dict[str, Project],
    institutions: dict[str, Institution],
    header: dict[str, str],
) -> list[Problem]:
    out = []
    row = record["_row"]
    if record.get("project") and record["project"] not in projects:
        out.append(Problem("import.unknown_project", row, header["project"], record["project"]))
    if record.get("institution") and record["institution"] not in institutions:
        out.append(
            Problem("import.unknown_institution", row, header["institution"], record["institution"])
        )
    return out


def _header(headers: list[str], key: str) -> str:
    names = next(c for c in INTENTS.columns if c.key == key).names()
    return next((h for h in headers if h and header_key(h) in names), key)


def export_intents(
    db: Session, viewer: User | None, event: Event, fmt: str, lang: str = "zh"
) -> bytes:
    """Return the intents ``viewer`` may read as CSV/XLSX that imports back unchanged."""
    columns = [c for c in INTENTS.columns if c.key != "reason"]
    headers = [c.header_en if lang == "en" else c.header_zh for c in columns]
    query = scoped(select(Intent).where(Intent.event_id == event.id), viewer)
    rows = []
    pending_word = "TBD" if lang == "en" else PENDING  # both import back as to be fixed
    for intent in db.scalars(query.order_by(Intent.id)):
        cells = {
            "project": intent.project.code,
            "institution": intent.institution.code,
            "session": intent.session.code if intent.session else None,
            "status": intent.status.label(lang),
            "amount": None if intent.amount is None else yuan_to_wan(intent.amount),
            "signed_at": intent.signed_at.isoformat() if intent.signed_at else None,
            "signatories": intent.signatories,
            "invested_amount": (
                pending_word
                if intent.invested_amount_pending
                else None
                if intent.invested_amount is None
                else yuan_to_wan(intent.invested_amount)
            ),
            "invested_at": intent.invested_at.isoformat() if intent.invested_at else None,
            "drop_reason": DropReason(intent.drop_reason).label(lang)
            if intent.drop_reason
            else None,
            "note": intent.note,
        }
        rows.append([cells[c.key] for c in columns])
    return write_table(headers, rows, fmt)
