"""What every feature's schemas share: field types (ids, names, days, vocabularies, times shown
in Asia/Shanghai), paging, ``?event=``, and the one error payload. Money is integer yuan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate

from matchmaker.api.i18n import lang
from matchmaker.domain import LOCAL_TZ, Labelled, check_name, parse_id
from matchmaker.domain import MAX_YUAN as MAX_YUAN  # the feature schemas' bound on amounts
from matchmaker.errors import InvalidInput

MAX_ROW_ID = 2**31 - 1  # the largest INTEGER primary key (PostgreSQL ``integer``)
FIRST_DAY, LAST_DAY = date(1980, 1, 1), date(2100, 12, 31)


class LocalDateTime(fields.AwareDateTime):
    """A timestamp shown in Asia/Shanghai (``2026-12-08T09:00:00+08:00``), whatever was stored."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return super()._serialize(value.astimezone(LOCAL_TZ), attr, obj, **kwargs)


class Vocab(fields.String):
    """A vocabulary member: accepts its code, Chinese or English label; returns the code."""

    def __init__(self, enum_cls: type[Labelled], **kwargs: Any) -> None:
        self.enum_cls = enum_cls
        values = [m.value for m in enum_cls]
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault(
            "description", "One of: " + ", ".join(values) + " (Chinese or English labels accepted)"
        )
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Labelled:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.enum_cls.parse(text)
        except ValueError:
            raise ValidationError(
                "Unknown value {!r}; choose one of: {}".format(
                    text, ", ".join(m.value for m in self.enum_cls)
                )
            ) from None

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(getattr(value, "value", value))


def track_field(**kwargs: Any) -> fields.String:
    """A track of the event (赛道): its key, Chinese or English label or an alias. Each event has
    its own tracks, so the service checks it and names the event's tracks when it is not one."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata.setdefault(
        "description",
        "a track of the event: key (e.g. advanced_manufacturing), label (先进制造) or alias",
    )
    return fields.String(validate=validate.Length(1, 100), metadata=metadata, **kwargs)


def group_field(**kwargs: Any) -> fields.String:
    """A group of the event (组别): its key, Chinese or English label or an alias; the service
    checks it against the event's own groups and names them when it is not one."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata.setdefault(
        "description", "a group of the event: key (e.g. enterprise), label (企业组) or alias"
    )
    return fields.String(validate=validate.Length(1, 100), metadata=metadata, **kwargs)


def institution_type_field(**kwargs: Any) -> fields.String:
    """An institution type of the event (机构类型): its key, Chinese or English label or an
    alias; the service checks it against the event's own types and names them otherwise."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata.setdefault(
        "description", "an institution type of the event: key (e.g. vc), label (风险投资) or alias"
    )
    return fields.String(validate=validate.Length(1, 100), metadata=metadata, **kwargs)


class RecordId(fields.String):
    """A registration id or an event or session code: NFKC-normalised, then only letters, digits,
    Chinese characters, ``-`` and ``_`` (no zero-width or lookalike characters, no dots)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Length(1, 64))
        metadata = dict(kwargs.pop("metadata", {}))
        metadata.setdefault("description", "letters, digits, Chinese characters, - and _")
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        try:
            return parse_id(super()._deserialize(value, attr, data, **kwargs))
        except InvalidInput as exc:
            raise ValidationError(exc.message(lang())) from None


class Name(fields.String):
    """A one-line name: no line break, tab, control, bidi-override or zero-width character."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        try:
            return check_name(super()._deserialize(value, attr, data, **kwargs))
        except InvalidInput as exc:
            raise ValidationError(exc.message(lang())) from None


class Day(fields.Date):
    """A calendar date from 1980 to 2100: further out, the week and time-zone arithmetic that
    digests and session slots do overflows Python's dates."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = dict(kwargs.pop("metadata", {}))
        said = metadata.get("description", "")
        metadata["description"] = f"{said} ({FIRST_DAY} … {LAST_DAY})".strip()
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        day: date = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(f"Must be between {FIRST_DAY} and {LAST_DAY}.")
        return day


def row_ref(**kwargs: Any) -> fields.Integer:
    """An id of a row in a request body: 1 … 2³¹−1 (larger ids overflow the database)."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ROW_ID), **kwargs)


class JsonBoolean(fields.Boolean):
    """A JSON ``true`` or ``false`` in a request body; ``0``, ``1`` or ``"yes"`` are refused (the
    document says boolean; query strings keep the lenient :class:`fields.Boolean`)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Code(Vocab):
    """A vocabulary code in a response: the document lists the codes it can be."""

    def __init__(self, enum_cls: type[Labelled], **kwargs: Any) -> None:
        super().__init__(enum_cls, **kwargs)
        codes: list[str | None] = [m.value for m in enum_cls]
        self.metadata = {
            "description": "One of: " + ", ".join(m.value for m in enum_cls),
            "enum": codes + [None] if self.allow_none else codes,
        }


class _Computed:
    """Mixed in before a field class: the value is ``value_of(obj)``, not an attribute, and the
    API document still states the field's type (a ``fields.Function`` would state none)."""

    def __init__(self, value_of: Callable[[Any], Any], *args: Any, **kwargs: Any) -> None:
        self.value_of = value_of
        super().__init__(*args, **kwargs)

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return self.value_of(obj)  # ``missing`` leaves the key out of the output


class ComputedString(_Computed, fields.String):
    """A string computed from the object dumped."""


class ComputedFloat(_Computed, fields.Float):
    """A number computed from the object dumped."""


class ComputedBoolean(_Computed, fields.Boolean):
    """A true or false computed from the object dumped."""


class ComputedList(_Computed, fields.List):
    """A list computed from the object dumped (``ComputedList(value_of, fields.String())``)."""


class ComputedDict(_Computed, fields.Dict):
    """A mapping computed from the object dumped."""


class ComputedNested(_Computed, fields.Nested):
    """A nested object computed from the object dumped (``ComputedNested(value_of, Schema)``)."""


class PageArgs(Schema):
    """Pagination: pages start at 1, at most 200 items a page."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class EventOnly(Schema):
    """``?event=CODE``, needed only when several events hold the same registration id."""

    event = fields.String(metadata={"description": "event code"})


class ProblemSchema(Schema):
    """One thing wrong with a request: a bad argument (location, field) or a rule it broke (code,
    and for a file its row, column and value)."""

    message = fields.String(required=True)
    code = fields.String(metadata={"description": "message code, e.g. import.bad_amount"})
    location = fields.String(metadata={"description": "json, query, files, path …"})
    field = fields.String(metadata={"description": "the argument, dotted for nested ones"})
    row = fields.Integer(metadata={"description": "spreadsheet row as the user sees it"})
    column = fields.String()
    value = fields.Raw(metadata={"description": "the offending value (a number or text)"})


class ErrorSchema(Schema):
    """Every error response: ``{code, status, message, errors}``."""

    code = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = fields.String(required=True, metadata={"description": "HTTP status name"})
    message = fields.String(
        required=True, metadata={"description": "in the request's language (Accept-Language)"}
    )
    errors = fields.List(fields.Nested(ProblemSchema), required=True)


class PageMeta(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    pages = fields.Integer(required=True)
