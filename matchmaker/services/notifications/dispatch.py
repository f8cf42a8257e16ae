"""Fan-out: each new notice becomes one delivery per channel its person chose and can receive.

A person's choices are their :class:`NotificationSettings` (no row: e-mail only). A channel
gets a delivery when the deployment configures it and the person has an address there (their
own, else their project's or institution's contact). A muted kind gets none (it stays on the
in-app list); quiet hours (Asia/Shanghai, may wrap midnight) hold deliveries until they end.
Security notices (invitation, password reset, test) ignore both.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker.config import Settings
from matchmaker.db.models import Notice, NoticeDelivery, NotificationSettings, User
from matchmaker.domain import LOCAL_TZ, SECURITY_KINDS, Channel, NoticeKind
from matchmaker.services.notifications.channels import configured_channels

__all__ = ["address_for", "dispatch", "quiet_until"]

log = logging.getLogger(__name__)

BATCH = 500  # notices fanned out per call; the rest wait for the next


def dispatch(db: Session, settings: Settings, now: datetime) -> list[Notice]:
    """Fan out the undispatched notices (locked, so nothing folds into one meanwhile) into
    deliveries, mark them dispatched at ``now`` and return them. The caller commits."""
    query = (
        select(Notice)
        .where(Notice.dispatched_at.is_(None))
        .order_by(Notice.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True, of=Notice)
    )
    notices = list(db.scalars(query))
    if not notices:
        return []
    user_ids = {n.user_id for n in notices}
    users = {
        u.id: u
        for u in db.scalars(
            select(User)
            .where(User.id.in_(user_ids))
            .options(selectinload(User.project), selectinload(User.institution))
        )
    }
    choices = {
        s.user_id: s
        for s in db.scalars(
            select(NotificationSettings).where(NotificationSettings.user_id.in_(user_ids))
        )
    }
    configured = configured_channels(settings)
    for notice in notices:
        for channel, address, due in _deliveries(
            notice, users[notice.user_id], choices.get(notice.user_id), configured, settings, now
        ):
            db.add(
                NoticeDelivery(
                    notice_id=notice.id,
                    channel=channel.value,
                    address=address,
                    status="pending",
                    attempts=0,
                    next_attempt_at=due,
                    claimed_by="",
                    last_error="",
                )
            )
        notice.dispatched_at = now
    db.flush()
    return notices


def _deliveries(
    notice: Notice,
    user: User,
    choice: NotificationSettings | None,
    configured: set[Channel],
    settings: Settings,
    now: datetime,
) -> list[tuple[Channel, str, datetime]]:
    try:
        kind = NoticeKind(notice.kind)
    except ValueError:
        log.warning("notice %s has an unknown kind %r: in-app only", notice.id, notice.kind)
        return []
    security = kind in SECURITY_KINDS
    if not user.active and not security:
        return []
    if choice is not None and not security and kind.value in (choice.muted or ()):
        return []
    due = now
    if choice is not None and not security:
        due = quiet_until(now, choice.quiet_start, choice.quiet_end) or now
    chosen = choice.channels if choice is not None and choice.channels is not None else ["email"]
    out = []
    for name in dict.fromkeys(chosen):  # once each, in the person's order
        try:
            channel = Channel(name)
        except ValueError:
            continue
        if channel not in configured:
            continue
        address = address_for(channel, user, choice, settings)
        if address:
            out.append((channel, address, due))
    return out


def address_for(
    channel: Channel, user: User, choice: NotificationSettings | None, settings: Settings
) -> str:
    """Return where ``channel`` reaches ``user``: their own address, else their project's or
    institution's contact ("" when there is none); the webhook's is its URL."""
    if channel is Channel.WEBHOOK:
        return settings.webhook_url.strip()
    own = (choice.email if channel is Channel.EMAIL else choice.phone) if choice else ""
    if own and own.strip():
        return own.strip()
    party = user.project or user.institution
    if party is None:
        return ""
    contact = party.contact_email if channel is Channel.EMAIL else party.contact_phone
    return (contact or "").strip()


def quiet_until(now: datetime, start: str, end: str) -> datetime | None:
    """Return when the quiet hours ``start``–``end`` (``HH:MM`` Asia/Shanghai, wrapping past
    midnight when ``end`` is earlier) that ``now`` falls in end; None outside them, or when
    they are unset or unreadable."""
    try:
        begins, ends = _clock(start), _clock(end)
    except ValueError:
        return None
    if begins == ends:
        return None
    local = now.astimezone(LOCAL_TZ)
    at = local.time().replace(tzinfo=None)
    if begins < ends:
        inside = begins <= at < ends
    else:  # 22:00–07:00
        inside = at >= begins or at < ends
    if not inside:
        return None
    day = local.date() if at < ends else local.date() + timedelta(days=1)
    return datetime.combine(day, ends, tzinfo=LOCAL_TZ).astimezone(UTC)


def _clock(value: str) -> time:
    hours, _, minutes = (value or "").strip().partition(":")
    return time(int(hours), int(minutes))
