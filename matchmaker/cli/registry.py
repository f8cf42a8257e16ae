"""Commands for the database, the demo, registrations, accounts and the server."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx, progress_bar, safe_url
from matchmaker.domain import LOCAL_TZ, Role
from matchmaker.messages import render


@main.command()
@pass_ctx
@handles_errors
def init(ctx: Context) -> None:
    """Create or upgrade the database schema."""
    from matchmaker.db.engine import make_engine, migrate

    migrate(make_engine(ctx.db_url))
    ctx.emit(
        {"ok": True, "database": safe_url(ctx.db_url)}, f"database ready: {safe_url(ctx.db_url)}"
    )


@main.command()
@click.option(
    "--reset/--no-reset",
    default=False,
    help="Drop every table first (all data in this database is lost).",
)
@click.option(
    "--ledger/--no-ledger",
    default=False,
    help=(
        "Also record a pre-contest session held five weeks ago with its meetings, the intents "
        "signed after it and due-diligence tasks (dated back from today)."
    ),
)
@pass_ctx
@handles_errors
def demo(ctx: Context, reset: bool, ledger: bool) -> None:
    """Load the demo event: three sessions, ~240 projects, ~40 institutions, four accounts."""
    from matchmaker.db.engine import make_engine, migrate, reset_schema
    from matchmaker.services.operations.demo import DEMO_PASSWORD, load_demo

    engine = make_engine(ctx.db_url)
    if reset:
        reset_schema(engine)
    migrate(engine)
    with (
        progress_bar(ctx, "导入报名数据 / importing registrations") as tick,
        ctx.transaction() as db,
    ):
        event, accounts = load_demo(db, tick, ledger=ledger)
        summary = {
            "event": event.code,
            "name": event.name,
            "sessions": [s.code for s in event.sessions],
            "accounts": [
                {
                    "username": a.username,
                    "role": a.role.value,
                    "password": DEMO_PASSWORD,
                    "bound_to": a.bound_to,
                }
                for a in accounts
            ],
        }
    lines = [f"demo event {event.code}: {event.name}", "accounts (password " + DEMO_PASSWORD + "):"]
    lines += [f"  {a.username:<10} {a.role.label(ctx.lang)} {a.bound_to}" for a in accounts]
    ctx.emit(summary, "\n".join(lines))


@main.command(name="import")
@click.argument("kind", type=click.Choice(["projects", "institutions"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def import_(ctx: Context, kind: str, file: Path, event_code: str | None) -> None:
    """Import projects or institutions from a CSV or XLSX file (all rows or none)."""
    from matchmaker.config import Settings
    from matchmaker.services.operations import jobs
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.registrations import import_registrations

    data = ctx.read_upload(file)
    with progress_bar(ctx, f"{file.name}") as tick, ctx.transaction() as db:
        event = get_event(db, event_code)
        report = import_registrations(db, event, kind, data, file.name, tick)
        event_id = event.id
    queue = jobs.JobQueue.from_settings(Settings.from_env())
    queued = jobs.rebuild_after_import(ctx.factory(), queue, event_id)
    text = render(
        "import.done", ctx.lang, total=report.total, created=report.created, updated=report.updated
    )
    for warning in report.warnings:
        text += f"\n  ! {warning.line(ctx.lang)}"
    if queued is not None:
        text += "\n" + render("import.rebuild_queued", ctx.lang, job=queued)
    ctx.emit({"ok": True, **report.to_dict(ctx.lang), "rebuild_job": queued}, text)


@main.command()
@click.argument("kind", type=click.Choice(["projects", "institutions", "archive"]))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    default=None,
    help="File format (default: from --output's suffix, else csv).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def export(
    ctx: Context, kind: str, fmt: str | None, output: Path | None, event_code: str | None
) -> None:
    """Export projects or institutions as CSV or XLSX (imports back unchanged), or the whole
    event for people as one ZIP (``archive``: registrations, agendas, intents, due diligence,
    report, audit trail, README)."""
    from matchmaker.services.registry.events import get_event
    from matchmaker.services.registry.registrations import export_registrations

    if kind == "archive":
        _export_archive(ctx, output, event_code)
        return
    fmt = fmt or (output.suffix.lstrip(".").lower() if output and output.suffix else "csv")
    if fmt not in ("csv", "xlsx"):
        raise click.BadParameter(f"unknown format {fmt!r}", param_hint="--format")
    with ctx.transaction() as db:
        data = export_registrations(db, get_event(db, event_code), kind, fmt, ctx.lang)
    if output is None:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise click.UsageError("refusing to write XLSX to a terminal; use --output FILE")
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    ctx.emit({"ok": True, "path": str(output), "bytes": len(data)}, f"wrote {output}")


def _export_archive(ctx: Context, output: Path | None, event_code: str | None) -> None:
    from matchmaker.services.operations.event_archive import event_archive
    from matchmaker.services.registry.events import get_event

    if output is None:
        raise click.UsageError("an archive needs --output FILE.zip")
    with ctx.snapshot() as db:
        data = event_archive(db, get_event(db, event_code), ctx.lang)
    output.write_bytes(data)
    ctx.emit({"ok": True, "path": str(output), "bytes": len(data)}, f"wrote {output}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@pass_ctx
@handles_errors
def serve(ctx: Context, host: str, port: int, workers: int) -> None:
    """Serve the web app and API with gunicorn."""
    from matchmaker.app import serve as run
    from matchmaker.db.engine import make_engine, migrate

    engine = make_engine(ctx.db_url)
    migrate(engine)  # once, before the workers fork; a no-op when the schema is current
    engine.dispose()
    click.echo(f"matchmaker: http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs)")
    run(ctx.db_url, host, port, workers)


@main.group()
def user() -> None:
    """Manage accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--institution", "institution_code", help="Investor's institution id.")
@click.option("--project", "project_code", help="Entrant's project id.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--event", "event_code")
@pass_ctx
@handles_errors
def user_add(
    ctx: Context,
    username: str,
    role: str,
    institution_code: str | None,
    project_code: str | None,
    password: str,
    event_code: str | None,
) -> None:
    """Create an account (investors need --institution, entrants --project)."""
    from matchmaker.services.registry.accounts import create_user
    from matchmaker.services.registry.catalog import get_institution, get_project

    with ctx.transaction() as db:
        institution = (
            get_institution(db, institution_code, event_code) if institution_code else None
        )
        project = get_project(db, project_code, event_code) if project_code else None
        create_user(db, username, role, password, institution=institution, project=project)
    ctx.emit({"ok": True, "username": username, "role": role}, f"created {username} ({role})")


@main.group()
def token() -> None:
    """Issue and revoke API bearer tokens."""


@token.command("issue")
@click.argument("username")
@click.option("--days", default=30, show_default=True, type=int, help="0 = never expires.")
@click.option("--label", default="cli")
@pass_ctx
@handles_errors
def token_issue(ctx: Context, username: str, days: int, label: str) -> None:
    """Print a new bearer token for USERNAME (shown once; only its hash is kept)."""
    from matchmaker.services.registry.accounts import get_user, issue_token

    with ctx.transaction() as db:
        value, _row = issue_token(db, get_user(db, username), label, days or None)
    ctx.emit({"ok": True, "username": username, "token": value}, value)


@token.command("revoke")
@click.argument("value")
@pass_ctx
@handles_errors
def token_revoke(ctx: Context, value: str) -> None:
    """Revoke a bearer token."""
    from matchmaker.services.registry.accounts import revoke_token

    with ctx.transaction() as db:
        revoke_token(db, value)
    ctx.emit({"ok": True}, "revoked")


@main.command("events")
@pass_ctx
@handles_errors
def events(ctx: Context) -> None:
    """List events and their sessions."""
    from sqlalchemy import select

    from matchmaker.db.models import Event

    with ctx.transaction() as db:
        rows = [
            {
                "code": e.code,
                "name": e.name,
                "sessions": [
                    {
                        "code": s.code,
                        "name": s.name,
                        "starts_at": s.starts_at.astimezone(LOCAL_TZ).isoformat(),
                        "slots": len(s.slots),
                        "tables": s.table_count,
                    }
                    for s in e.sessions
                ],
            }
            for e in db.scalars(select(Event).order_by(Event.code))
        ]
    text = "\n".join(
        f"{r['code']}  {r['name']}\n"
        + "\n".join(
            f"    {s['code']}  {s['name']}  {s['starts_at']}  {s['slots']} slots, "
            f"{s['tables']} tables"
            for s in r["sessions"]
        )
        for r in rows
    )
    ctx.emit(rows, text or "no events")
