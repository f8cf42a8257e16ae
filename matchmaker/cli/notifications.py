"""Commands for notifications (#16): write the reminders that are due, send the organisers'
message to a session's parties."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx
from matchmaker.domain import LOCAL_TZ


@main.group()
def notifications() -> None:
    """Notices: reminders, broadcasts and their delivery."""


# ---- triggers: reminders and broadcasts ---------------------------------------------------------


def _moment(raw: str | None) -> datetime | None:
    """Return ``--now`` as an aware time (a bare time is Asia/Shanghai, as at the venue)."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise click.BadParameter(f"not an ISO time: {raw!r}", param_hint="--now") from None
    return moment.replace(tzinfo=LOCAL_TZ) if moment.tzinfo is None else moment.astimezone(UTC)


@notifications.command("remind")
@click.option(
    "--now",
    "now_text",
    metavar="ISO",
    help="Act as if it were this time (e.g. 2036-12-07T18:00; no zone: Asia/Shanghai).",
)
@pass_ctx
@handles_errors
def notifications_remind(ctx: Context, now_text: str | None) -> None:
    """Write the reminders, task notices and lapsed-request notices that are due now (the
    sender does this on each pass; run it from cron when no sender runs)."""
    from matchmaker.services.notifications.reminders import queue_reminders

    with ctx.transaction() as db:
        written = queue_reminders(db, ctx.settings, _moment(now_text))
    ctx.emit({"ok": True, "written": written}, f"{written} notice(s) written")


@notifications.command("broadcast")
@click.option("--session", "session_code", required=True, help="Session code, e.g. S1.")
@click.option("--event", "event_code", help="Event code (needed when there are several).")
@click.option("--text", required=True, help="The message, 1–1000 characters.")
@pass_ctx
@handles_errors
def notifications_broadcast(
    ctx: Context, session_code: str, event_code: str | None, text: str
) -> None:
    """Send a message to every account of a session's projects and institutions."""
    from matchmaker.services.notifications.broadcast import broadcast
    from matchmaker.services.registry.events import get_session

    with ctx.transaction() as db:
        accounts = broadcast(db, None, get_session(db, event_code, session_code), text)
    ctx.emit(
        {"ok": True, "session": session_code, "accounts": accounts},
        f"sent to {accounts} account(s) of {session_code}",
    )
