"""Commands for notifications: send what is due (from cron, or in a loop), send a test."""

from __future__ import annotations

import importlib
import time
from collections.abc import Sized
from typing import Any

import click

from matchmaker.cli.base import Context, handles_errors, main, pass_ctx


@main.group()
def notifications() -> None:
    """Notifications: deliver the outbox by e-mail, webhook and SMS; test a channel."""


def _queue_reminders(ctx: Context) -> int:
    """Queue the reminders that fall due (the reminder scan, when this build has one)."""
    try:
        module = importlib.import_module("matchmaker.services.notifications.reminders")
    except ModuleNotFoundError:
        return 0
    scan = getattr(module, "queue_reminders", None)
    if scan is None:
        return 0
    from matchmaker.db.types import utcnow

    with ctx.transaction(immediate=True) as db:
        queued = scan(db, ctx.settings, utcnow())
    if isinstance(queued, Sized):
        return len(queued)
    return int(queued or 0)


def _round(ctx: Context, limit: int, lease: int) -> Any:
    from matchmaker.services.notifications.sender import SendReport, send_due

    total = SendReport(reminders=_queue_reminders(ctx))
    while True:  # full batches: there may be more behind them
        report = send_due(ctx.factory(), ctx.settings, limit=limit, lease_seconds=lease)
        total.add(report)
        if report.sent + report.retrying + report.failed < limit:
            return total


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
        report = _round(ctx, limit, lease)
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
