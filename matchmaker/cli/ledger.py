"""Commands for the follow-up ledger: intents import/export/report, the due-diligence digest."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx

EVENT = click.option("--event", "event_code", help="Event code (needed when there are several).")
AS_USER = click.option(
    "--as",
    "username",
    help="Record the changes as this staff or organiser account (default: system).",
)


def _actor(db: Any, username: str | None) -> Any:
    from matchmaker.domain import Role
    from matchmaker.errors import PermissionDenied
    from matchmaker.services.registry.accounts import get_user

    if not username:
        return None
    user = get_user(db, username)
    if user.role not in (Role.STAFF, Role.ORGANISER):
        raise PermissionDenied()
    return user


@main.group()
def intents() -> None:
    """Investment intents: import a sheet, export, report the funnel."""


@intents.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@EVENT
@AS_USER
@pass_ctx
@handles_errors
def intents_import(ctx: Context, path: Path, event_code: str | None, username: str | None) -> None:
    """Import an intents sheet (CSV/XLSX, Chinese or English headers): every row or none."""
    from matchmaker.services.ledger.intent_files import import_intents
    from matchmaker.services.registry.events import get_event

    with ctx.transaction() as db:
        event = get_event(db, event_code)
        report = import_intents(db, _actor(db, username), event, ctx.read_upload(path), path.name)
        data = report.to_dict(ctx.lang)
    ctx.emit(
        data,
        f"{path.name}: {data['total']} rows — created {data['created']}, "
        f"updated {data['updated']}, unchanged {data['unchanged']}",
    )


@intents.command("export")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write; .csv or .xlsx.",
)
@EVENT
@pass_ctx
@handles_errors
def intents_export(ctx: Context, output: Path, event_code: str | None) -> None:
    """Write every intent of the event to a CSV/XLSX that imports back unchanged."""
    from matchmaker.errors import InvalidInput, Problem
    from matchmaker.services.ledger.intent_files import export_intents
    from matchmaker.services.registry.events import get_event

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        problem = Problem("import.unsupported_format", params={"suffix": output.suffix})
        raise InvalidInput("import.unsupported_format", [problem], suffix=output.suffix)
    with ctx.transaction() as db:
        content = export_intents(db, None, get_event(db, event_code), fmt, ctx.lang)
    output.write_bytes(content)
    ctx.emit({"ok": True, "output": str(output), "bytes": len(content)}, f"wrote {output}")


@intents.command("report")
@EVENT
@click.option(
    "--by",
    type=click.Choice(["session", "track", "region", "institution"]),
    help="One line per group.",
)
@click.option("--session", help="Only this session.")
@click.option("--track", help="Only this track.")
@click.option("--region", help="Only this region.")
@click.option("--institution", help="Only this institution (registration id).")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), help="Also write XLSX.")
@pass_ctx
@handles_errors
def intents_report(
    ctx: Context,
    event_code: str | None,
    by: str | None,
    session: str | None,
    track: str | None,
    region: str | None,
    institution: str | None,
    xlsx: Path | None,
) -> None:
    """Meetings held → follow-ups → signed → due diligence → invested, in yuan and 万元/亿元."""
    from matchmaker.services.ledger.reports import report, report_xlsx
    from matchmaker.services.registry.events import get_event

    # a track is checked against the event's own tracks by the report (InvalidInput names them)
    filters = {"session": session, "region": region, "institution": institution, "track": track}
    with ctx.transaction() as db:
        data = report(db, get_event(db, event_code), by, filters, ctx.lang)
    if xlsx is not None:
        xlsx.write_bytes(report_xlsx(data, ctx.lang))
    ctx.emit(data, _report_text(data, ctx.lang))


def _report_text(data: dict[str, Any], lang: str) -> str:
    from matchmaker.messages import render

    steps = ("follow_ups", "negotiating", "signed", "due_diligence", "invested")
    header = [render("report.col.group", lang), render("report.step.meetings_held", lang)]
    header += [render(f"report.step.{s}", lang) for s in steps]
    header += [render("report.col.signed_amount", lang), render("report.col.invested_amount", lang)]

    def row(label: str, f: dict[str, Any]) -> list[str]:
        cells = [label, str(f["meetings_held"])] + [str(f[s]["count"]) for s in steps]
        return cells + [
            f"{f['signed']['amount']:,} ({f['signed']['amount_text'] or '0'})",
            f"{f['invested']['amount']:,} ({f['invested']['amount_text'] or '0'})",
        ]

    rows = [row(g["label"], g) for g in data["groups"]]
    rows.append(row(render("report.total", lang), data["total"]))
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [data["headline"], ""]
    for r in [header, *rows]:
        lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)))
    return "\n".join(lines)


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@main.group("dd")
def due_diligence() -> None:
    """Due-diligence follow-up (入场评估考察 / 尽调)."""


@due_diligence.command("due")
@EVENT
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The day to chase for (default: today in Asia/Shanghai).",
)
@click.option(
    "--mail-to",
    multiple=True,
    help="Also mail the digest to this address (SMTP from MATCHMAKER_SMTP_*); repeatable.",
)
@pass_ctx
@handles_errors
def dd_due(
    ctx: Context, event_code: str | None, day: datetime | None, mail_to: tuple[str, ...]
) -> None:
    """List open tasks overdue, due this week and due a follow-up — the daily digest."""
    from matchmaker.domain import LOCAL_TZ
    from matchmaker.messages import render
    from matchmaker.services.ledger.digest import digest, digest_text
    from matchmaker.services.ledger.due_diligence import Mailer
    from matchmaker.services.registry.events import get_event

    now = datetime.combine(day.date(), time(12), LOCAL_TZ) if day else None
    with ctx.transaction() as db:
        found = digest(db, None, get_event(db, event_code), now)
        text = digest_text(found, ctx.lang)
        data = {
            "day": found.day.isoformat(),
            "week_end": found.week_end.isoformat(),
            **{
                name: [_task(t) for t in getattr(found, name)]
                for name in ("overdue", "due_this_week", "follow_up_due")
            },
        }
    if mail_to:
        subject = render("dd.digest.title", ctx.lang, day=found.day.isoformat())
        Mailer.from_settings(ctx.settings).send(list(mail_to), subject, text)
        data["mailed_to"] = list(mail_to)
    ctx.emit(data, text)


def _task(task: Any) -> dict[str, Any]:
    return {
        "id": task.id,
        "project_id": task.project.code,
        "institution_id": task.institution.code if task.institution else None,
        "kind": task.kind.value,
        "counterpart": task.counterpart_name,
        "owner": task.owner,
        "due_date": _iso(task.due_date),
        "next_follow_up": _iso(task.next_follow_up),
        "status": task.status.value,
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
