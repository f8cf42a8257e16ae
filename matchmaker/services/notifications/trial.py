"""The test send (试发): one TEST notice through one channel, now, by the real path.

The organiser names a channel and an address; a TEST notice is written to them, given one
delivery to that address (whatever their own choices), claimed, sent and recorded like any
other, and the answer says whether it left and, if not, what the server said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from matchmaker.config import Settings, instance_secret
from matchmaker.db.models import NoticeDelivery, User
from matchmaker.db.transactions import transaction
from matchmaker.db.types import utcnow
from matchmaker.domain import Channel, NoticeKind
from matchmaker.errors import InvalidInput, NotFound, Problem
from matchmaker.services.notifications.channels import configured_channels
from matchmaker.services.notifications.outbox import notify
from matchmaker.services.notifications.sender import (
    LEASE_SECONDS,
    SendReport,
    deliver,
    message,
    worker_name,
)

__all__ = ["TrialResult", "send_test"]


@dataclass(frozen=True)
class TrialResult:
    """How a test send went: sent or not, the server's answer, and the delivery's id."""

    ok: bool
    channel: str
    address: str
    error: str
    delivery_id: int


def send_test(
    factory: sessionmaker[Session],
    settings: Settings,
    actor: User | int,
    channel: str,
    address: str = "",
    *,
    now: datetime | None = None,
) -> TrialResult:
    """Send a TEST notice to ``actor`` through ``channel`` at ``address`` (the webhook's is its
    URL) and return how it went. A channel not configured, or an address that cannot be one,
    is InvalidInput naming the field and value; nothing is written then."""
    chosen = _channel(channel)
    if chosen not in configured_channels(settings):
        raise InvalidInput(
            "notify.send.not_configured",
            [Problem("notify.send.not_configured", column="channel", value=channel)],
            channel=chosen.value,
        )
    address = _address(chosen, address, settings)
    me = f"{worker_name()}:test"
    at = now or utcnow()
    with transaction(factory, immediate=True) as db:
        user = db.get(User, actor if isinstance(actor, int) else actor.id)
        if user is None:
            raise NotFound("notify.send.no_person")
        label = chosen.label(user.language if user.language in ("zh", "en") else "zh")
        (notice,) = notify(db, [user], NoticeKind.TEST, {"channel": label}, event_id=None)
        notice.dispatched_at = at  # this delivery only: not the person's own channels
        delivery = NoticeDelivery(
            notice=notice,
            channel=chosen.value,
            address=address,
            status="pending",
            attempts=0,
            next_attempt_at=at,
            claimed_until=at + timedelta(seconds=LEASE_SECONDS),
            claimed_by=me,
            last_error="",
        )
        db.add(delivery)
        db.flush()
        batch = [(delivery.id, message(delivery, settings, instance_secret(settings), {}))]
    report: SendReport = deliver(factory, settings, batch, me, lambda: now or utcnow())
    return TrialResult(
        ok=report.sent == 1,
        channel=chosen.value,
        address=address,
        error=report.errors[0].split(": ", 1)[-1] if report.errors else "",
        delivery_id=batch[0][0],
    )


def _channel(value: str) -> Channel:
    try:
        return Channel((value or "").strip())
    except ValueError:
        raise InvalidInput(
            "notify.send.unknown_channel",
            [Problem("notify.send.unknown_channel", column="channel", value=value)],
            channel=value,
        ) from None


def _address(channel: Channel, value: str, settings: Settings) -> str:
    if channel is Channel.WEBHOOK:
        return settings.webhook_url.strip()
    value = (value or "").strip()
    looks_right = (
        "@" in value.strip("@") and " " not in value
        if channel is Channel.EMAIL
        else value.lstrip("+").replace("-", "").replace(" ", "").isdigit()
    )
    if not looks_right or len(value) > 200:
        raise InvalidInput(
            "notify.send.bad_address",
            [Problem("notify.send.bad_address", column="to", value=value)],
            value=value,
        )
    return value
