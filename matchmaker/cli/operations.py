"""Commands that run the service: database, demo, server, workers and their jobs, backups."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx, progress_bar, safe_url

# ---- the database, the demo, the server ------------------------------------------------------


@main.command()
@pass_ctx
@handles_errors
def init(ctx: Context) -> None:
    """Create or upgrade the database schema."""
    from matchmaker.db.engine import migrate

    migrate(ctx.parts.engine)
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
@click.option(
    "--force",
    is_flag=True,
    help="With --reset: empty the database even if it holds events other than the demo's.",
)
@pass_ctx
@handles_errors
def demo(ctx: Context, reset: bool, ledger: bool, force: bool) -> None:
    """Load the demo event: three sessions, ~240 projects, ~40 institutions, four accounts.

    `make run` keeps the demo in its own file (instance/demo.db); with --reset this command
    refuses to empty a database that holds a contest of your own unless --force is given.
    """
    from matchmaker.db.engine import migrate, reset_schema
    from matchmaker.errors import Conflict
    from matchmaker.services.operations.demo import DEMO_PASSWORD, load_demo, other_events

    engine = ctx.parts.engine
    if reset and not force:
        with ctx.snapshot() as db:
            own = other_events(db)
        if own:
            raise Conflict("demo.would_reset_own", codes=", ".join(own), db=safe_url(ctx.db_url))
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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="per worker"
)
@pass_ctx
@handles_errors
def serve(ctx: Context, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web app and API with gunicorn."""
    from matchmaker.app import serve as run
    from matchmaker.db.engine import migrate

    engine = ctx.parts.engine
    migrate(engine)  # once, before the workers fork; a no-op when the schema is current
    engine.dispose()
    click.echo(f"matchmaker: http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs)")
    run(ctx.settings, host, port, workers, threads)


# ---- background work: the RQ worker and the list of an event's jobs --------------------------


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for scripts and tests).")
@pass_ctx
@handles_errors
def worker(ctx: Context, burst: bool) -> None:
    """Run a background worker (index rebuilds, agenda builds) on MATCHMAKER_REDIS_URL.

    On start, and every few seconds after, it finds jobs whose worker died and queues them
    again (at most three attempts) or marks them failed.
    """
    import logging

    from matchmaker.worker import work

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    work(ctx.parts, burst=burst)


@main.command("jobs")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@pass_ctx
@handles_errors
def list_jobs(ctx: Context, event_code: str | None) -> None:
    """List the event's latest background jobs and what became of them."""
    from matchmaker.services.operations import jobs
    from matchmaker.services.registry.events import get_event

    with ctx.transaction() as db:
        event = get_event(db, event_code)
        found = [jobs.job_dict(job, ctx.lang) for job in jobs.event_jobs(db, event)]
    lines = [
        f"#{j['id']:<5} {j['kind_label']:<8} {j['session'] or '':<6} {j['status_label']:<6} "
        f"{j['created_at'][:19]}  {j['error'] or ''}"
        for j in found
    ]
    ctx.emit({"ok": True, "items": found}, "\n".join(lines) or "no jobs")


# ---- backups ---------------------------------------------------------------------------------


@main.group()
def backup() -> None:
    """Back up one event to a ZIP archive and restore it (same or another database)."""


@backup.command("create")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Archive to write (.zip).",
)
@pass_ctx
@handles_errors
def backup_create(ctx: Context, event_code: str | None, output: Path) -> None:
    """Write the event's rows of every table and its index set, read at one moment."""
    from matchmaker.services.operations.backup import write_backup
    from matchmaker.services.registry.events import get_event

    started = time.perf_counter()
    with ctx.snapshot() as db:
        manifest = write_backup(db, get_event(db, event_code), output, ctx.matcher())
    seconds = round(time.perf_counter() - started, 3)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    size = output.stat().st_size
    index = "with its index set" if manifest["index"] else "without an index set (rebuilt on use)"
    ctx.emit(
        {
            "ok": True,
            "output": str(output),
            "bytes": size,
            "rows": rows,
            "seconds": seconds,
            "event": manifest["event"]["code"],
            "index": manifest["index"] is not None,
        },
        f"wrote {output}: event {manifest['event']['code']}, {rows} rows in "
        f"{len(manifest['tables'])} tables, {index}; {size:,} bytes in {seconds} s",
    )


@backup.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replace", is_flag=True, help="Delete the event first when it exists (else refused)."
)
@pass_ctx
@handles_errors
def backup_restore(ctx: Context, archive: Path, replace: bool) -> None:
    """Check the archive whole, then restore its event in one transaction."""
    from matchmaker.services.operations.backup import install_index, restore_event
    from matchmaker.services.operations.backup_files import read_archive

    started = time.perf_counter()
    checked = read_archive(archive)
    with ctx.transaction(immediate=True) as db:
        restored = restore_event(db, checked, replace, _pause_for_tests(ctx))
    matcher = ctx.matcher()
    restored.index = install_index(matcher.index_dir, checked, restored)
    seconds = round(time.perf_counter() - started, 3)
    ids = (
        "original ids kept"
        if restored.kept_ids
        else "ids remapped (the originals are taken in this database)"
    )
    index = (
        "index restored (served without a rebuild)"
        if restored.index == "restored"
        else "index rebuilt on first use"
    )
    text = (
        f"restored event {restored.event} from {archive.name}"
        f"{' (replacing the existing one)' if restored.replaced_id is not None else ''}: "
        f"{sum(restored.rows.values())} rows; {ids}; {index}; {seconds} s"
    )
    if restored.accounts_missing:
        text += "\n  ! accounts not in this database (their audit entries keep the name only): "
        text += ", ".join(restored.accounts_missing)
    ctx.emit({"ok": True, **restored.to_dict(), "seconds": seconds}, text)


def _pause_for_tests(ctx: Context) -> Callable[[str], None] | None:
    """Test-only (tests/test_backup.py): with ``MATCHMAKER_TEST_PAUSE_RESTORE`` set to N
    seconds, a restore says "paused" on stderr once its first table is written and sleeps N
    seconds inside its transaction, so the test can kill it there and check that nothing was
    written."""
    seconds = ctx.settings.restore_pause_seconds
    if seconds <= 0:
        return None
    paused: list[str] = []

    def pause(table: str) -> None:
        if not paused:
            paused.append(table)
            print(f"paused after {table}", file=sys.stderr, flush=True)
            time.sleep(seconds)

    return pause
