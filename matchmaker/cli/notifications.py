"""Commands for notifications (#16): deliver what is due (from cron, or in a loop), test a
channel, write the reminders that are due, send the organisers' message to a session."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx
from matchmaker.domain import LOCAL_TZ


@main.group()
def notifications() -> None:
    """Notifications: deliver the outbox by e-mail, webhook and SMS; reminders; broadcasts."""


def _summary(report: Any) -> str:
    line = (
        f"notices dispatched {report.dispatched}, sent {report.sent}, "
        f"to retry {report.retrying}, failed {report.failed}"
    )
    if report.reminders:
        line = f"reminders queued {report.reminders}, {line}"
    return "\n".join([line, *(f"  - {e}" for e in report.errors)])


@notifications.command("send")
@click.option(
    "--loop",
    "loop_seconds",
    type=click.IntRange(min=1),
    help="Keep running, sending what is due every SECONDS (else once, e.g. from cron).",
    metavar="SECONDS",
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--lease",
    default=300,
    show_default=True,
    type=click.IntRange(min=5),
    help="Seconds a claimed batch is this sender's before another may take it over.",
)
@pass_ctx
@handles_errors
def send(ctx: Context, loop_seconds: int | None, limit: int, lease: int) -> None:
    """Queue due reminders, fan new notices out and deliver what is due, with retries.

    Safe to run from several hosts at once and to kill at any moment: a claimed delivery whose
    sender died is sent again under the same key.
    """
    while True:
        from matchmaker.services.notifications.sender import send_round

        report = send_round(ctx.factory(), ctx.settings, limit=limit, lease_seconds=lease)
        ctx.emit(report.to_dict(), _summary(report))
        if loop_seconds is None:
            return
        time.sleep(loop_seconds)


@notifications.command("test")
@click.option(
    "--channel",
    required=True,
    type=click.Choice(["email", "webhook", "sms"]),
    help="The channel to try.",
)
@click.option("--to", "address", default="", help="E-mail address or phone number.")
@click.option(
    "--as",
    "username",
    help="The account the test notice is written to (default: the first organiser).",
)
@pass_ctx
@handles_errors
def test(ctx: Context, channel: str, address: str, username: str | None) -> None:
    """Send a test message through one channel now, and say whether it left."""
    from dataclasses import asdict

    from sqlalchemy import select

    from matchmaker.db.models import User
    from matchmaker.domain import Role
    from matchmaker.errors import NotFound
    from matchmaker.services.notifications.trial import send_test
    from matchmaker.services.registry.accounts import get_user

    with ctx.transaction() as db:
        if username:
            actor = get_user(db, username).id
        else:
            query = select(User.id).where(User.role == Role.ORGANISER, User.active.is_(True))
            found = db.scalars(query.order_by(User.id)).first()
            if found is None:
                raise NotFound("notify.send.no_person")
            actor = found
    result = send_test(ctx.factory(), ctx.settings, actor, channel, address)
    if result.ok:
        ctx.emit(asdict(result), f"sent: {result.channel} → {result.address}")
        return
    ctx.emit(asdict(result), f"not sent: {result.channel} → {result.address}: {result.error}")
    raise SystemExit(1)


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
