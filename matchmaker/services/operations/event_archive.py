"""Everything about an event for people, in one ZIP: the sheets the exports already write.

Registrations, each session's agenda (XLSX and .ics), intents, due-diligence tasks, the funnel
report and the audit trail, with a README in Chinese and English. Each file comes from the
export that serves it elsewhere (``tabular/write.py`` neutralises formula-like cells), so the
archive and the pages never disagree. Not a backup: ``operations/backup.py`` restores; this reads.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import AuditEntry, DueDiligence, Event
from matchmaker.domain import LOCAL_TZ, local_minute
from matchmaker.messages import render
from matchmaker.services.agendas.views import agenda_rows, export_agenda
from matchmaker.services.ledger.due_diligence import of_event
from matchmaker.services.ledger.intent_files import export_intents
from matchmaker.services.ledger.reports import report, report_xlsx
from matchmaker.services.registry.registrations import export_registrations
from matchmaker.tabular.write import write_table

# What each file holds, in Chinese and English, for README.txt.
ABOUT = {
    "projects.xlsx": (
        "报名项目（与“导出项目”相同，可再导入）",
        "Registered projects (the projects export; imports back)",
    ),
    "institutions.xlsx": (
        "创投机构（与“导出机构”相同，可再导入）",
        "Institutions (the institutions export; imports back)",
    ),
    "agenda.xlsx": (
        "{session}议程：时段、桌号、机构、项目、状态",
        "{session} agenda: slot, table, institution, project, status",
    ),
    "agenda.ics": (
        "{session}议程的日历文件（北京时间）",
        "{session} agenda as a calendar file (Beijing time)",
    ),
    "intents.xlsx": (
        "投资意向台账（金额单位万元，可再导入）",
        "Investment intents (amounts in 万元 = 10,000 yuan; imports back)",
    ),
    "due_diligence.xlsx": ("尽调跟进任务", "Due-diligence follow-up tasks"),
    "report.xlsx": (
        "对接成效统计，按专场（金额单位元），含图表",
        "Outcome report by session (amounts in yuan), with a chart",
    ),
    "audit.csv": (
        "修改记录：谁在何时把哪条记录从什么改成什么（原内容、新内容为 JSON）",
        "Audit trail: who changed which record when, before and after (as JSON)",
    ),
}


def event_archive(
    db: Session, event: Event, lang: str = "zh", now: datetime | None = None
) -> bytes:
    """Return the event's archive as ZIP bytes, sheets labelled in ``lang``."""
    files: dict[str, bytes] = {}
    about: list[tuple[str, str, str]] = []  # (file, 中文, English) for the README

    def add(name: str, content: bytes, kind: str = "", session: Any = None) -> None:
        files[name] = content
        zh, en = ABOUT[kind or name]
        names = (session.name, session.name_en or session.name) if session else ("", "")
        about.append((name, zh.format(session=names[0]), en.format(session=names[1])))

    add("projects.xlsx", export_registrations(db, event, "projects", "xlsx", lang))
    add("institutions.xlsx", export_registrations(db, event, "institutions", "xlsx", lang))
    for session in event.sessions:
        rows = agenda_rows(db, event, session=session, lang=lang)
        for fmt in ("xlsx", "ics"):
            content = export_agenda(rows, fmt, lang, title=f"{event.name} {session.name}")
            add(f"agenda/{session.code}.{fmt}", content, f"agenda.{fmt}", session)
    add("intents.xlsx", export_intents(db, None, event, "xlsx", lang))
    add("due_diligence.xlsx", due_diligence_sheet(db, event, lang))
    add("report.xlsx", report_xlsx(report(db, event, "session", None, lang, now), lang))
    add("audit.csv", audit_csv(db, event, lang))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme(event, about, now).encode("utf-8"))
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def due_diligence_sheet(db: Session, event: Event, lang: str = "zh") -> bytes:
    """Return the event's due-diligence tasks as XLSX, one row per task."""
    keys = (
        "agenda.col.project_id", "agenda.col.project", "agenda.col.institution_id",
        "agenda.col.institution", "ui.field_owner", "ui.field_due_date",
        "ui.field_next_follow_up", "ui.field_status", "ui.field_outcome", "ui.field_intent_id",
    )  # fmt: skip
    rows = [
        [
            task.project.code,
            task.project.name,
            task.institution.code if task.institution else None,
            task.counterpart_name,
            task.owner,
            task.due_date.isoformat() if task.due_date else None,
            task.next_follow_up.isoformat() if task.next_follow_up else None,
            task.status.label(lang),
            task.outcome,
            task.intent_id,
        ]
        for task in db.scalars(of_event(event).order_by(DueDiligence.id))
    ]
    return write_table([render(k, lang) for k in keys], rows, "xlsx")


def audit_csv(db: Session, event: Event, lang: str = "zh") -> bytes:
    """Return the event's audit trail as CSV, oldest first, times in Asia/Shanghai."""
    columns = ("when", "who", "record", "record_id", "action", "before", "after")
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.event_id == event.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    rows = [
        [
            e.at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_label,
            e.entity_type,
            e.entity_id,
            e.action,
            _json(e.before),
            _json(e.after),
        ]
        for e in entries
    ]
    return write_table([render(f"archive.col.{c}", lang) for c in columns], rows, "csv")


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def readme(event: Event, about: list[tuple[str, str, str]], now: datetime | None = None) -> str:
    """Return README.txt: each file and what it holds, in Chinese and then in English."""
    made = local_minute(now or datetime.now(LOCAL_TZ))
    lines = [f"{event.name}（{event.code}）活动归档，生成于 {made}（北京时间）", ""]
    lines += [f"{name}  {zh}" for name, zh, _ in about]
    lines += [
        "",
        "以 = + - @ 开头的单元格前加了单引号，表格软件不会把它当作公式执行。",
        "",
        f"{event.name_en or event.name} ({event.code}): event archive, made {made} (Beijing time)",
        "",
    ]
    lines += [f"{name}  {en}" for name, _, en in about]
    lines += [
        "",
        "Cells starting with = + - @ carry a leading quote, so spreadsheets never run them.",
    ]
    return "\r\n".join(lines) + "\r\n"
