"""Schemas of the organiser's notification delivery log."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from matchmaker.api.schemas.common import PageArgs, PageMeta
from matchmaker.domain import Channel, NoticeKind
from matchmaker.services.notifications.deliveries import STATUSES


class DeliveryQuery(PageArgs):
    """Filters of the delivery log; each may be left out."""

    event = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "event code: its notices and those of no event (tests, resets)"},
    )
    kind = fields.String(validate=validate.OneOf([k.value for k in NoticeKind]))
    channel = fields.String(validate=validate.OneOf([c.value for c in Channel]))
    status = fields.String(validate=validate.OneOf(STATUSES))
    person = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "part of the account's user name or display name"},
    )


class AttemptOut(Schema):
    at = fields.String(metadata={"description": "Asia/Shanghai, YYYY-MM-DD HH:MM"})
    ok = fields.Boolean()
    error = fields.String()
    worker = fields.String()


class DeliveryOut(Schema):
    id = fields.Integer()
    notice_key = fields.String(metadata={"description": "the idempotency key it is sent under"})
    event = fields.String(allow_none=True)
    person = fields.String()
    person_name = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    channel = fields.String()
    channel_label = fields.String()
    address = fields.String()
    status = fields.String(metadata={"description": "pending, sent or failed"})
    status_label = fields.String()
    attempts = fields.Integer()
    last_error = fields.String()
    created_at = fields.String()
    next_attempt_at = fields.String(allow_none=True)
    sent_at = fields.String(allow_none=True)
    attempt_log = fields.List(fields.Nested(AttemptOut))


class DeliveryPage(Schema):
    items = fields.List(fields.Nested(DeliveryOut))
    meta = fields.Nested(PageMeta)
