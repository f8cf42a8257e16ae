"""The organiser's delivery log: what went to whom, when, through which channel, what failed.

One query serves the page, its CSV/XLSX export and the JSON API, so they cannot disagree.
Filters: event (code: its notices, and those of no event, such as a test or a password
reset), kind, channel, status, person (user name or display name, in part).
A failed delivery can be tried again: back to pending, due now, at the person's current address.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, contains_eager

from matchmaker.config import Settings
from matchmaker.db.models import Event, Notice, NoticeDelivery, NotificationSettings, User
from matchmaker.db.types import utcnow
from matchmaker.domain import Channel, NoticeKind, local_minute
from matchmaker.errors import Conflict, InvalidInput, NotFound, Problem
from matchmaker.messages import render as say
from matchmaker.services.notifications.dispatch import address_for
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.paging import Page, paginate
from matchmaker.tabular.write import write_table

__all__ = [
    "STATUSES",
    "DeliveryFilters",
    "DeliveryRow",
    "delivery_rows",
    "export_deliveries",
    "list_deliveries",
    "retry_delivery",
]

STATUSES = ("pending", "sent", "failed")
EXPORT_LIMIT = 50_000


@dataclass(frozen=True)
class DeliveryFilters:
    """What the log is narrowed to; empty strings mean "any"."""

    event: str = ""
    kind: str = ""
    channel: str = ""
    status: str = ""
    person: str = ""

    @classmethod
    def read(cls, values: dict[str, Any]) -> DeliveryFilters:
        """Return the filters in ``values`` (query arguments); a value that is not one of its
        choices is InvalidInput naming the field and the value."""
        out = {k: str(values.get(k) or "").strip()[:100] for k in cls.__dataclass_fields__}
        choices = {
            "kind": [k.value for k in NoticeKind],
            "channel": [c.value for c in Channel],
            "status": list(STATUSES),
        }
        problems = [
            Problem("notify.log.bad_filter", column=name, value=out[name])
            for name, allowed in choices.items()
            if out[name] and out[name] not in allowed
        ]
        if problems:
            raise InvalidInput(None, problems)
        return cls(**out)

    def to_dict(self) -> dict[str, str]:
        """Return the filters set (for links that keep them)."""
        return {k: v for k, v in asdict(self).items() if v}


@dataclass(frozen=True)
class DeliveryRow:
    """One delivery as the log shows it (times in Asia/Shanghai, labels in one language)."""

    id: int
    notice_key: str
    event: str | None
    person: str
    person_name: str
    kind: str
    kind_label: str
    channel: str
    channel_label: str
    address: str
    status: str
    status_label: str
    attempts: int
    last_error: str
    created_at: str
    next_attempt_at: str | None
    sent_at: str | None
    attempt_log: list[dict[str, Any]] = field(default_factory=list)


def _query(db: Session, filters: DeliveryFilters) -> Select[Any]:
    query = (
        select(NoticeDelivery)
        .join(NoticeDelivery.notice)
        .join(Notice.user)
        .options(contains_eager(NoticeDelivery.notice).contains_eager(Notice.user))
    )
    if filters.event:
        event_id = get_event(db, filters.event).id  # and account notices (tests, resets)
        query = query.where(or_(Notice.event_id == event_id, Notice.event_id.is_(None)))
    if filters.kind:
        query = query.where(Notice.kind == filters.kind)
    if filters.channel:
        query = query.where(NoticeDelivery.channel == filters.channel)
    if filters.status:
        query = query.where(NoticeDelivery.status == filters.status)
    if filters.person:
        pattern = "%" + filters.person.replace("%", r"\%").replace("_", r"\_") + "%"
        query = query.where(
            or_(
                User.username.ilike(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
            )
        )
    return query.order_by(NoticeDelivery.id.desc())


def list_deliveries(
    db: Session, filters: DeliveryFilters, page: int = 1, page_size: int = 50
) -> Page[NoticeDelivery]:
    """Return one page of the deliveries the filters select, newest first."""
    return paginate(db, _query(db, filters), page, page_size)


def delivery_rows(
    db: Session, deliveries: list[NoticeDelivery], lang: str = "zh", attempts: bool = False
) -> list[DeliveryRow]:
    """Return ``deliveries`` as rows to show in ``lang`` (with each try when ``attempts``)."""
    event_ids = {d.notice.event_id for d in deliveries if d.notice.event_id is not None}
    codes = dict(db.execute(select(Event.id, Event.code).where(Event.id.in_(event_ids))).all())
    rows = []
    for d in deliveries:
        notice, user = d.notice, d.notice.user
        rows.append(
            DeliveryRow(
                id=d.id,
                notice_key=notice.key,
                event=codes.get(notice.event_id) if notice.event_id is not None else None,
                person=user.username,
                person_name=user.display_name or user.username,
                kind=notice.kind,
                kind_label=_label(NoticeKind, notice.kind, lang),
                channel=d.channel,
                channel_label=_label(Channel, d.channel, lang),
                address=d.address,
                status=d.status,
                status_label=say(f"notify.log.status_{d.status}", lang),
                attempts=d.attempts,
                last_error=d.last_error,
                created_at=local_minute(notice.created_at),
                next_attempt_at=local_minute(d.next_attempt_at) if d.status == "pending" else None,
                sent_at=local_minute(d.sent_at) if d.sent_at else None,
                attempt_log=[
                    {"at": local_minute(a.at), "ok": a.ok, "error": a.error, "worker": a.worker}
                    for a in d.attempt_log
                ]
                if attempts
                else [],
            )
        )
    return rows


def _label(vocabulary: Any, value: str, lang: str) -> str:
    try:
        return str(vocabulary(value).label(lang))
    except ValueError:
        return value


COLUMNS = (
    "id", "event", "person", "person_name", "kind_label", "channel_label", "address",
    "status_label", "attempts", "last_error", "created_at", "next_attempt_at", "sent_at",
)  # fmt: skip


def export_deliveries(db: Session, filters: DeliveryFilters, fmt: str, lang: str = "zh") -> bytes:
    """Return the deliveries the filters select as CSV or XLSX, newest first."""
    deliveries: list[NoticeDelivery] = list(db.scalars(_query(db, filters).limit(EXPORT_LIMIT)))
    rows = delivery_rows(db, deliveries, lang)
    headers = [say(f"notify.log.col_{c}", lang) for c in COLUMNS]
    return write_table(headers, [[getattr(r, c) for c in COLUMNS] for r in rows], fmt)


def retry_delivery(
    db: Session, settings: Settings, delivery_id: int, now: datetime | None = None
) -> NoticeDelivery:
    """Put a failed delivery back in the queue for a full round of tries, due now, at the
    person's current address (they may have fixed it). Only a failed one: Conflict otherwise.
    The caller commits."""
    delivery = db.get(NoticeDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound("notify.log.not_found", id=delivery_id)
    if delivery.status != "failed":
        raise Conflict("notify.log.not_failed", id=delivery_id)
    user = delivery.notice.user
    choice = db.get(NotificationSettings, user.id)
    address = address_for(Channel(delivery.channel), user, choice, settings)
    delivery.address = address or delivery.address
    delivery.status = "pending"
    delivery.attempts = 0  # a full round of tries again; the attempt log keeps the old ones
    delivery.next_attempt_at = now or utcnow()
    delivery.claimed_until = None
    delivery.last_error = ""
    db.flush()
    return delivery
