"""Registry schemas: events and sessions, projects, institutions, sign-in. Money is integer yuan."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from matchmaker.api.schemas.common import (
    Code,
    Day,
    JsonBoolean,
    LocalDateTime,
    Name,
    PageArgs,
    PageMeta,
    RecordId,
    Vocab,
    track_field,
)
from matchmaker.domain import (
    MAX_YUAN,
    Group,
    InstitutionType,
    SessionKind,
    Stage,
    format_yuan,
)
from matchmaker.services.registry.events import SessionSpec
from matchmaker.services.registry.vocabulary import event_vocabulary, vocabulary_of

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

    @post_load
    def _spec(self, data: dict[str, Any], **_kwargs: Any) -> SessionSpec:
        day = data.pop("date")
        return SessionSpec(day=day, **data)


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
    preset = fields.Function(lambda e: event_vocabulary(e).preset, metadata=_TEXT)
    tracks = fields.Function(
        lambda e: [t.to_dict() for t in vocabulary_of(e)],
        metadata={
            "type": "array",
            "description": "the event's tracks (赛道): key (what projects store), labels, aliases",
            "items": {"type": "object"},
        },
    )


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
    track = fields.String(metadata={"description": "key of one of the event's tracks"})
    group = Code(Group, allow_none=True)
    sectors = fields.List(fields.String())
    stage = Code(Stage, allow_none=True)
    funding_ask = fields.Integer(allow_none=True, metadata={"description": "integer yuan"})
    funding_ask_display = fields.Function(
        lambda p: format_yuan(p.funding_ask) or None, metadata=_TEXT_OR_NONE
    )
    region = fields.String()
    needs = fields.List(
        fields.String(), metadata={"description": "need codes; a need outside them as written"}
    )
    description = fields.String()
    sessions = fields.Function(lambda p: [s.code for s in p.sessions], metadata=_CODES)
    contact = fields.Function(
        lambda p: Contact().dump(p) if p.show_contact else None,
        metadata={**_CONTACT, "description": "only for organisers, staff and the team"},
    )
    updated_at = LocalDateTime()


class ProjectFields(Schema):
    name = Name(validate=validate.Length(1, 200))
    track = track_field()
    group = Vocab(Group, allow_none=True)
    sectors = _labels()
    stage = Vocab(Stage, allow_none=True)
    funding_ask = Yuan
    region = fields.String(validate=validate.Length(max=200))
    needs = fields.List(
        fields.String(validate=validate.Length(1, 100)), validate=validate.Length(max=20)
    )
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
    track = track_field(required=True)


class NewProject(ProjectIn):
    event = fields.String(metadata={"description": "event code (needed if several)"})


class ProjectQuery(PageArgs):
    event = fields.String(metadata={"description": "event code"})
    track = track_field()
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


class NewInstitution(InstitutionIn):
    event = fields.String(metadata={"description": "event code (needed if several)"})


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
