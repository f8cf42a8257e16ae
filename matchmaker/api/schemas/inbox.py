"""Schemas of a person's notices and notification settings (``/api/v1/notifications``).

A notice is rendered in the request's language (its subject and lines, as the in-app list
shows them); times are Asia/Shanghai. The settings' fields are checked by the service's own
parsers, so the API and the settings page refuse the same values with the same sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from matchmaker.api.i18n import lang
from matchmaker.api.schemas.common import (
    ComputedBoolean,
    ComputedList,
    ComputedString,
    LocalDateTime,
    PageArgs,
    PageMeta,
)
from matchmaker.domain import MUTABLE_KINDS, Channel, NoticeKind
from matchmaker.errors import InvalidInput
from matchmaker.services.notifications.inbox import shown
from matchmaker.services.notifications.preferences import (
    contact_of,
    parse_channel,
    parse_email,
    parse_mutable_kind,
    parse_phone,
    parse_quiet_time,
)


class NoticeQuery(PageArgs):
    unread = fields.Boolean(load_default=False, metadata={"description": "only unread notices"})


class NoticeOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": [k.value for k in NoticeKind]})
    kind_label = ComputedString(lambda n: NoticeKind(n.kind).label(lang()))
    subject = ComputedString(lambda n: shown(n, lang()).subject)
    lines = ComputedList(lambda n: list(shown(n, lang()).lines), fields.String())
    created_at = LocalDateTime()
    read = ComputedBoolean(lambda n: n.read_at is not None)
    read_at = LocalDateTime(allow_none=True)


class NoticePage(Schema):
    items = fields.List(fields.Nested(NoticeOut))
    meta = fields.Nested(PageMeta)
    unread = fields.Integer(metadata={"description": "your unread notices in all (the badge)"})


class ReadAllOut(Schema):
    marked = fields.Integer(metadata={"description": "how many notices were unread"})
    unread = fields.Integer()


class _Checked(fields.String):
    """Text checked by one of the service's parsers; its sentence is the field's error."""

    def __init__(self, parse: Callable[[Any, str], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parse = parse

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.parse(text, attr or "")
        except InvalidInput as exc:
            raise ValidationError([p.message(lang()) for p in exc.problems]) from None


_MUTABLE = sorted(k.value for k in MUTABLE_KINDS)


class SettingsIn(Schema):
    """Fields left out keep their value; ``""`` clears an address or quiet hours."""

    channels = fields.List(
        _Checked(parse_channel),
        validate=validate.Length(max=len(Channel)),
        metadata={"description": "besides the in-app list: " + ", ".join(c.value for c in Channel)},
    )
    email = _Checked(parse_email, metadata={"description": "empty: the party's contact e-mail"})
    phone = _Checked(parse_phone, metadata={"description": "empty: the party's contact phone"})
    quiet_start = _Checked(parse_quiet_time, metadata={"description": "HH:MM, Asia/Shanghai"})
    quiet_end = _Checked(parse_quiet_time, metadata={"description": "HH:MM; may wrap midnight"})
    muted = fields.List(
        _Checked(parse_mutable_kind),
        validate=validate.Length(max=len(NoticeKind)),
        metadata={"description": "kinds turned off, of: " + ", ".join(_MUTABLE)},
    )


class SettingsOut(Schema):
    channels = fields.List(fields.String())
    email = fields.String()
    phone = fields.String()
    quiet_start = fields.String(metadata={"description": "HH:MM or empty"})
    quiet_end = fields.String(metadata={"description": "HH:MM or empty"})
    muted = fields.List(fields.String())
    mutable_kinds = ComputedList(lambda _s: _MUTABLE, fields.String())
    contact_email = ComputedString(
        lambda s: contact_of(s.user).email,
        metadata={"description": "used when email is empty"},
    )
    contact_phone = ComputedString(
        lambda s: contact_of(s.user).phone,
        metadata={"description": "used when phone is empty"},
    )
