"""Background work: the RQ worker and the list of an event's jobs."""

from __future__ import annotations

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx


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
    import os

    from matchmaker.services.operations.jobs import work

    os.environ.setdefault("MATCHMAKER_DATABASE_URL", ctx.db_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    work(burst=burst)


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
