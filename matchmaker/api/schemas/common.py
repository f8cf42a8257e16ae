"""Marshmallow schemas: what the API accepts and returns. Money is integer yuan."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from matchmaker.api.i18n import lang
from matchmaker.domain import (
    LOCAL_TZ,
    MAX_YUAN,
    Group,
    InstitutionType,
    Labelled,
    Need,
    SessionKind,
    Stage,
    Track,
    check_name,
    format_yuan,
    parse_id,
)
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


_TEXT = {"type": "string"}
_TEXT_OR_NONE = {"type": "string", "nullable": True}
_CODES = {"type": "array", "items": {"type": "string"}}
_CONTACT = {
    "type": "object",
    "nullable": True,
    "properties": {"name": _TEXT, "phone": _TEXT, "email": _TEXT},
    "additionalProperties": False,
}


Yuan = fields.Integer(
    strict=True,
    validate=validate.Range(0, MAX_YUAN),
    allow_none=True,
    metadata={"description": "integer yuan (元)"},
)


def _labels(max_items: int = 20) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(1, 100)), validate=validate.Length(max=max_items)
    )


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


# ---- events and sessions ------------------------------------------------------------------


class SlotSchema(Schema):
    number = fields.Integer()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()


class SessionOut(Schema):
    code = fields.String()
    kind = Code(SessionKind)
    name = fields.String()
    name_en = fields.String()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    venue = fields.String()
    slot_minutes = fields.Integer()
    tables = fields.Integer(attribute="table_count")
    slots = fields.List(fields.Nested(SlotSchema))


class SessionIn(Schema):
    code = RecordId(required=True)
    name = Name(required=True, validate=validate.Length(1, 200))
    name_en = Name(load_default="", validate=validate.Length(max=200))
    kind = Vocab(SessionKind, required=True)
    date = Day(required=True)
    start = fields.Time(required=True, metadata={"description": "local time, Asia/Shanghai"})
    end = fields.Time(required=True, metadata={"description": "local time, Asia/Shanghai"})
    slot_minutes = fields.Integer(required=True, validate=validate.Range(5, 240))
    tables = fields.Integer(required=True, validate=validate.Range(0, 500))
    venue = fields.String(load_default="", validate=validate.Length(max=300))

    @validates_schema
    def _end_after_start(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["end"] <= data["start"]:
            raise ValidationError("must be after start", "end")


class SessionPatch(Schema):
    name = Name(validate=validate.Length(1, 200))
    name_en = Name(validate=validate.Length(max=200))
    venue = fields.String(validate=validate.Length(max=300))


class EventOut(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    year = fields.Integer()
    city = fields.String()
    organiser = fields.String()
    sessions = fields.List(fields.Nested(SessionOut))


class EventIn(Schema):
    code = RecordId(required=True)
    name = Name(required=True, validate=validate.Length(1, 200))
    name_en = Name(load_default="", validate=validate.Length(max=200))
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    city = fields.String(load_default="", validate=validate.Length(max=100))
    organiser = fields.String(load_default="", validate=validate.Length(max=300))


class EventPatch(Schema):
    name = Name(validate=validate.Length(1, 200))
    name_en = Name(validate=validate.Length(max=200))
    city = fields.String(validate=validate.Length(max=100))
    organiser = fields.String(validate=validate.Length(max=300))


class EventPage(Schema):
    items = fields.List(fields.Nested(EventOut))
    meta = fields.Nested(PageMeta)


# ---- projects ------------------------------------------------------------------------------


class Contact(Schema):
    name = fields.String(attribute="contact_name")
    phone = fields.String(attribute="contact_phone")
    email = fields.String(attribute="contact_email")


class ProjectOut(Schema):
    id = fields.String(attribute="code", metadata={"description": "registration id (报名编号)"})
    event = fields.Function(lambda p: p.event_code, metadata=_TEXT)
    name = fields.String()
    track = Code(Track)
    group = Code(Group, allow_none=True)
    sectors = fields.List(fields.String())
    stage = Code(Stage, allow_none=True)
    funding_ask = fields.Integer(allow_none=True, metadata={"description": "integer yuan"})
    funding_ask_display = fields.Function(
        lambda p: format_yuan(p.funding_ask) or None, metadata=_TEXT_OR_NONE
    )
    region = fields.String()
    needs = fields.List(Code(Need))
    description = fields.String()
    sessions = fields.Function(lambda p: [s.code for s in p.sessions], metadata=_CODES)
    contact = fields.Function(
        lambda p: Contact().dump(p) if p.show_contact else None,
        metadata={**_CONTACT, "description": "only for organisers, staff and the team"},
    )
    updated_at = LocalDateTime()


class ProjectFields(Schema):
    name = Name(validate=validate.Length(1, 200))
    track = Vocab(Track)
    group = Vocab(Group, allow_none=True)
    sectors = _labels()
    stage = Vocab(Stage, allow_none=True)
    funding_ask = Yuan
    region = fields.String(validate=validate.Length(max=200))
    needs = fields.List(Vocab(Need), validate=validate.Length(max=7))
    description = fields.String(validate=validate.Length(max=5000))
    sessions = fields.List(
        fields.String(validate=validate.Length(1, 64)), validate=validate.Length(max=20)
    )
    contact_name = Name(validate=validate.Length(max=100))
    contact_phone = fields.String(validate=validate.Length(max=50))
    contact_email = fields.Email(validate=validate.Length(max=200))


class ProjectIn(ProjectFields):
    id = RecordId(required=True, data_key="id", attribute="code")
    name = Name(required=True, validate=validate.Length(1, 200))
    track = Vocab(Track, required=True)


class ProjectQuery(PageArgs):
    event = fields.String(metadata={"description": "event code"})
    track = Vocab(Track)
    stage = Vocab(Stage)
    group = Vocab(Group)
    session = fields.String(metadata={"description": "session code, e.g. S1"})
    region = fields.String(validate=validate.Length(max=100))
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "text search"})
    min_ask = fields.Integer(validate=validate.Range(0, MAX_YUAN))
    max_ask = fields.Integer(validate=validate.Range(0, MAX_YUAN))


class ProjectPage(Schema):
    items = fields.List(fields.Nested(ProjectOut))
    meta = fields.Nested(PageMeta)


# ---- institutions --------------------------------------------------------------------------


class PortfolioSchema(Schema):
    company = Name(required=True, validate=validate.Length(1, 200))
    sectors = _labels()
    stage = Vocab(Stage, allow_none=True)  # in and out: labels accepted, the code returned
    year = fields.Integer(allow_none=True, validate=validate.Range(1980, 2100))
    description = fields.String(validate=validate.Length(max=2000))


class InstitutionOut(Schema):
    id = fields.String(attribute="code", metadata={"description": "registration id (机构编号)"})
    event = fields.Function(lambda i: i.event_code, metadata=_TEXT)
    name = fields.String()
    type = Code(InstitutionType)
    focus_sectors = fields.List(fields.String())
    stages = fields.List(Code(Stage))
    ticket_min = fields.Integer(allow_none=True, metadata={"description": "integer yuan"})
    ticket_max = fields.Integer(allow_none=True, metadata={"description": "integer yuan"})
    ticket_display = fields.Function(
        lambda i: (
            "–".join(format_yuan(v) for v in (i.ticket_min, i.ticket_max) if v is not None) or None
        ),
        metadata=_TEXT_OR_NONE,
    )
    regions = fields.List(fields.String())
    thesis = fields.String()
    portfolio = fields.List(fields.Nested(PortfolioSchema))
    hard_region = fields.Boolean()
    hard_stage = fields.Boolean()
    hard_ticket = fields.Boolean()
    sessions = fields.Function(lambda i: [s.code for s in i.sessions], metadata=_CODES)
    contact = fields.Function(
        lambda i: Contact().dump(i) if i.show_contact else None,
        metadata={**_CONTACT, "description": "only for organisers, staff and its staff"},
    )
    updated_at = LocalDateTime()


class InstitutionFields(Schema):
    name = Name(validate=validate.Length(1, 200))
    type = Vocab(InstitutionType)
    focus_sectors = _labels()
    stages = fields.List(Vocab(Stage), validate=validate.Length(max=6))
    ticket_min = Yuan
    ticket_max = Yuan
    regions = _labels()
    thesis = fields.String(validate=validate.Length(max=5000))
    portfolio = fields.List(fields.Nested(PortfolioSchema), validate=validate.Length(max=100))
    hard_region = JsonBoolean(metadata={"description": "hide projects outside its regions"})
    hard_stage = JsonBoolean(metadata={"description": "hide projects outside its stages"})
    hard_ticket = JsonBoolean(metadata={"description": "hide asks outside its ticket range"})
    sessions = fields.List(
        fields.String(validate=validate.Length(1, 64)), validate=validate.Length(max=20)
    )
    contact_name = Name(validate=validate.Length(max=100))
    contact_phone = fields.String(validate=validate.Length(max=50))
    contact_email = fields.Email(validate=validate.Length(max=200))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        low, high = data.get("ticket_min"), data.get("ticket_max")
        if low is not None and high is not None and low > high:
            raise ValidationError("ticket_min is above ticket_max", "ticket_min")


class InstitutionIn(InstitutionFields):
    id = RecordId(required=True, data_key="id", attribute="code")
    name = Name(required=True, validate=validate.Length(1, 200))
    type = Vocab(InstitutionType, required=True)


class InstitutionQuery(PageArgs):
    event = fields.String(metadata={"description": "event code"})
    type = Vocab(InstitutionType)
    stage = Vocab(Stage)
    session = fields.String(metadata={"description": "session code, e.g. S1"})
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "text search"})


class InstitutionPage(Schema):
    items = fields.List(fields.Nested(InstitutionOut))
    meta = fields.Nested(PageMeta)


# ---- auth ----------------------------------------------------------------------------------


class Credentials(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 100))
    password = fields.String(required=True, validate=validate.Length(1, 200), load_only=True)


class Me(Schema):
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    institution = fields.Function(lambda u: u.institution_code, metadata=_TEXT_OR_NONE)
    project = fields.Function(lambda u: u.project_code, metadata=_TEXT_OR_NONE)


class TokenOut(Schema):
    token = fields.String()
    expires_at = LocalDateTime(allow_none=True)
    user = fields.Nested(Me)
