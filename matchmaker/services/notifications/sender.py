"""The sender: fan new notices out, claim the deliveries that are due, send them, record each try.

Claiming is a short transaction that stamps ``claimed_by``/``claimed_until`` on a batch (SQLite:
under the write lock; PostgreSQL: ``FOR UPDATE SKIP LOCKED``), so two senders never take the same
row. Messages go out with no transaction open; each result is recorded in a transaction of its
own. A sender killed mid-batch leaves claims that lapse (at ``claimed_until``, or at once when
the claiming process on this machine is gone), and the next sender sends those rows again under
the same key: the receiver may see a message twice, never two different messages.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from matchmaker.config import Settings, instance_secret, pause_point
from matchmaker.db.models import Event, Notice, NoticeAttempt, NoticeDelivery, User
from matchmaker.db.transactions import transaction
from matchmaker.db.types import utcnow
from matchmaker.domain import MUTABLE_KINDS, Channel, NoticeKind
from matchmaker.messages import render as say
from matchmaker.services.notifications.channels import (
    Outgoing,
    SendFailed,
    Transport,
    open_channels,
)
from matchmaker.services.notifications.dispatch import dispatch
from matchmaker.services.notifications.links import unsubscribe_path
from matchmaker.services.notifications.render import render_notice

__all__ = ["SendReport", "backoff", "base_url", "send_due", "send_round", "worker_name"]

log = logging.getLogger(__name__)

BATCH = 100  # deliveries claimed at once
LEASE_SECONDS = 300  # how long a claim holds; the batch stops early rather than outlive it
RECORD_EVERY = 50  # results recorded per transaction …
RECORD_SECONDS = 1.0  # … or after this long, whichever comes first
MAX_BACKOFF_MINUTES = 60
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


@dataclass
class SendReport:
    """What one run did: notices fanned out, deliveries sent, to be retried, failed for good."""

    dispatched: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    reminders: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: SendReport) -> None:
        """Count ``other``'s results in this report too."""
        for name in ("dispatched", "sent", "retrying", "failed", "reminders"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return asdict(self)


def worker_name() -> str:
    """Return this process's name: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """Return the wait after the ``attempts``-th failed try: 1, 2, 4 … minutes, capped."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def base_url(settings: Settings) -> str:
    """Return the address links in messages start with (MATCHMAKER_BASE_URL)."""
    return (settings.base_url or DEFAULT_BASE_URL).rstrip("/")


def send_due(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    now: datetime | None = None,
    limit: int = BATCH,
    worker: str | None = None,
    lease_seconds: int = LEASE_SECONDS,
) -> SendReport:
    """Fan out new notices, then send up to ``limit`` due deliveries; return what happened.

    ``now`` fixes the clock (tests move it); by default it is the real time at each step.
    """
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    me = f"{worker or worker_name()}:{uuid.uuid4().hex[:8]}"[:100]
    report = SendReport()
    with transaction(factory, immediate=True) as db:
        report.dispatched = len(dispatch(db, settings, clock()))
    with transaction(factory, immediate=True) as db:
        ids = claim(db, me, clock(), limit, lease_seconds)
        batch = outgoing(db, settings, ids)
    report.add(deliver(factory, settings, batch, me, clock, lease_seconds))
    return report


def send_round(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    limit: int = BATCH,
    lease_seconds: int = LEASE_SECONDS,
) -> SendReport:
    """One pass of a sender (cron's ``matchmaker notifications send``, its ``--loop``, the RQ
    worker each minute): write the reminders, task notices and lapsed-request notices that fell
    due, then send full batches until what is due is sent."""
    from matchmaker.services.notifications.reminders import queue_reminders

    with transaction(factory, immediate=True) as db:
        total = SendReport(reminders=queue_reminders(db, settings))
    while True:  # full batches: there may be more behind them
        report = send_due(factory, settings, limit=limit, lease_seconds=lease_seconds)
        total.add(report)
        if report.sent + report.retrying + report.failed < limit:
            return total


def claim(db: Session, me: str, now: datetime, limit: int, lease_seconds: int) -> list[int]:
    """Stamp up to ``limit`` due, unclaimed deliveries as ``me``'s until the lease ends; return
    their ids. A claim is free again once it lapses or its process on this host is gone."""
    due = (
        select(NoticeDelivery.id, NoticeDelivery.claimed_until, NoticeDelivery.claimed_by)
        .where(NoticeDelivery.status == "pending", NoticeDelivery.next_attempt_at <= now)
        .order_by(NoticeDelivery.next_attempt_at, NoticeDelivery.id)
        .with_for_update(skip_locked=True)
    )
    free = due.where(
        or_(NoticeDelivery.claimed_until.is_(None), NoticeDelivery.claimed_until < now)
    )
    ids = [row.id for row in db.execute(free.limit(limit))]
    if len(ids) < limit:
        held = due.where(NoticeDelivery.claimed_until >= now).limit(limit)
        ids += [row.id for row in db.execute(held) if _gone(row.claimed_by)][: limit - len(ids)]
    if ids:
        until = now + timedelta(seconds=lease_seconds)
        db.execute(
            update(NoticeDelivery)
            .where(NoticeDelivery.id.in_(ids))
            .values(claimed_until=until, claimed_by=me)
        )
    return ids


def _gone(claimed_by: str) -> bool:
    """Whether the process that claimed a row ran on this host and has ended."""
    host, _, rest = claimed_by.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def outgoing(db: Session, settings: Settings, ids: list[int]) -> list[tuple[int, Outgoing]]:
    """Return the claimed deliveries as messages, each rendered in its person's language."""
    if not ids:
        return []
    query = (
        select(NoticeDelivery)
        .where(NoticeDelivery.id.in_(ids))
        .options(
            selectinload(NoticeDelivery.notice)
            .selectinload(Notice.user)
            .options(selectinload(User.project), selectinload(User.institution))
        )
        .order_by(NoticeDelivery.id)
    )
    deliveries = list(db.scalars(query))
    event_ids = {d.notice.event_id for d in deliveries if d.notice.event_id is not None}
    events = {e.id: e.code for e in db.scalars(select(Event).where(Event.id.in_(event_ids)))}
    secret = instance_secret(settings)
    return [(d.id, message(d, settings, secret, events)) for d in deliveries]


def message(
    delivery: NoticeDelivery, settings: Settings, secret: str, events: dict[int, str]
) -> Outgoing:
    """Return ``delivery`` as the message its channel sends."""
    notice, user = delivery.notice, delivery.notice.user
    lang = user.language if user.language in ("zh", "en") else settings.default_language
    home = base_url(settings)
    footer = [say("notify.send.footer_inbox", lang, url=f"{home}/notifications")]
    unsubscribe = ""
    kind = _kind(notice.kind)
    if kind in MUTABLE_KINDS:
        unsubscribe = home + unsubscribe_path(secret, user.id, kind)
        footer.append(say("notify.send.footer_unsubscribe", lang, url=unsubscribe))
    rendered = render_notice(notice, lang, tuple(footer))
    recipient = {
        "username": user.username,
        "name": user.display_name or user.username,
        "language": lang,
    }
    return Outgoing(
        key=notice.key,
        kind=notice.kind,
        channel=delivery.channel,
        to=delivery.address,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        created_at=notice.created_at.isoformat(),
        event=events.get(notice.event_id) if notice.event_id is not None else None,
        unsubscribe=unsubscribe,
        recipient=recipient,
    )


def _kind(value: str) -> NoticeKind | None:
    try:
        return NoticeKind(value)
    except ValueError:
        return None


def deliver(
    factory: sessionmaker[Session],
    settings: Settings,
    batch: list[tuple[int, Outgoing]],
    me: str,
    clock: Callable[[], datetime],
    lease_seconds: int = LEASE_SECONDS,
) -> SendReport:
    """Send each claimed message (no transaction open) and record how it went.

    One connection per channel serves the whole batch. Results are recorded a few at a time
    (:data:`RECORD_EVERY` messages or :data:`RECORD_SECONDS`, whichever comes first), one
    transaction for each group: a sender killed before a group is recorded sends those messages
    again under the same keys, which the receiver counts once. A batch that nears the end of
    its lease stops and frees the rest, rather than send rows another sender may claim.
    """
    report = SendReport()
    if not batch:
        return report
    transports = open_channels(settings)
    started = last = time.monotonic()
    done: list[tuple[int, SendFailed | None, datetime]] = []
    try:
        for index, (delivery_id, outgoing_message) in enumerate(batch):
            if time.monotonic() - started > lease_seconds * 0.8:
                release(factory, [d for d, _ in batch[index:]], me)
                break
            error = _send(transports, outgoing_message)
            if error is None:
                pause_point("notify.after_send")  # fault tests: killed after it left
            done.append((delivery_id, error, clock()))
            if len(done) >= RECORD_EVERY or time.monotonic() - last > RECORD_SECONDS:
                record(factory, settings, done, me, report)
                done, last = [], time.monotonic()
    finally:
        if done:
            record(factory, settings, done, me, report)
        for transport in transports.values():
            transport.close()
    return report


def _send(transports: dict[Channel, Transport], message: Outgoing) -> SendFailed | None:
    transport = transports.get(Channel(message.channel))
    if transport is None:
        return SendFailed(f"channel {message.channel} is not configured")
    try:
        transport.send(message)
    except SendFailed as exc:
        log.info("delivery %s via %s failed: %s", message.key, message.channel, exc.reason)
        return exc
    return None


def record(
    factory: sessionmaker[Session],
    settings: Settings,
    results: list[tuple[int, SendFailed | None, datetime]],
    me: str,
    report: SendReport,
) -> None:
    """Record tries, in one transaction: each sent; else retried after :func:`backoff`, or
    failed for good after ``notify_attempts`` tries or a permanent refusal."""
    with transaction(factory, immediate=True) as db:
        ids = [delivery_id for delivery_id, _, _ in results]
        rows = {
            d.id: d for d in db.scalars(select(NoticeDelivery).where(NoticeDelivery.id.in_(ids)))
        }
        for delivery_id, error, at in results:
            delivery = rows.get(delivery_id)
            if delivery is None:  # its notice was deleted meanwhile (an event archived)
                continue
            _record_one(db, settings, delivery, me, error, at, report)


def _record_one(
    db: Session,
    settings: Settings,
    delivery: NoticeDelivery,
    me: str,
    error: SendFailed | None,
    at: datetime,
    report: SendReport,
) -> None:
    delivery.attempts += 1
    delivery.claimed_until = None
    db.add(
        NoticeAttempt(
            delivery_id=delivery.id,
            at=at,
            ok=error is None,
            error=error.reason if error else "",
            worker=me[:100],
        )
    )
    if delivery.status == "sent":  # another sender got there first after our lease lapsed
        return
    if error is None:
        delivery.status, delivery.sent_at, delivery.last_error = "sent", at, ""
        report.sent += 1
        return
    delivery.last_error = error.reason
    report.errors.append(f"{delivery.channel} {delivery.address}: {error.reason}")
    if error.permanent or delivery.attempts >= max(settings.notify_attempts, 1):
        delivery.status = "failed"
        report.failed += 1
    else:
        delivery.next_attempt_at = at + backoff(delivery.attempts)
        report.retrying += 1


def release(factory: sessionmaker[Session], ids: list[int], me: str) -> None:
    """Give back claims ``me`` holds on ``ids`` (a batch stopped early)."""
    with transaction(factory, immediate=True) as db:
        db.execute(
            update(NoticeDelivery)
            .where(NoticeDelivery.id.in_(ids), NoticeDelivery.claimed_by == me)
            .values(claimed_until=None)
        )
