"""Registry schemas: events and sessions, projects, institutions, sign-in. Money is integer yuan."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from matchmaker.api.i18n import lang
from matchmaker.api.schemas.common import (
    Code,
    ComputedString,
    Day,
    JsonBoolean,
    LocalDateTime,
    Name,
    PageArgs,
    PageMeta,
    RecordId,
    Vocab,
    group_field,
    institution_type_field,
    track_field,
)
from matchmaker.domain import (
    LOCAL_TZ,
    MAX_YUAN,
    SessionKind,
    Stage,
    format_yuan,
)
from matchmaker.identifiers import is_credit_code, is_id_number, normalise
from matchmaker.messages import render
from matchmaker.services.registry.clashes import Mode
from matchmaker.services.registry.eligibility import BARRED_LIMIT, RULES
from matchmaker.services.registry.profiles import LOCKABLE
from matchmaker.services.registry.sessions import MAX_TABLES, SessionSpec, default_label
from matchmaker.services.registry.vocabulary import (
    event_vocabulary,
    groups_of,
    institution_types_of,
    vocabulary_of,
)

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


class CheckedCode(fields.String):
    """An identifier with a check character (credit code, id number): spaces and full-width
    characters folded, upper case; a wrong check character is refused."""

    def __init__(self, valid: Any, message: str, **kwargs: Any) -> None:
        self.valid, self.code = valid, message
        super().__init__(allow_none=True, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | None:
        text = normalise(super()._deserialize(value, attr, data, **kwargs))
        if not text:
            return None
        if not self.valid(text):
            raise ValidationError(render(self.code, lang()))
        return text


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
    table_labels = fields.Method("_labels")
    breaks = fields.List(fields.String(), metadata={"description": "HH:MM-HH:MM, local time"})
    slots = fields.List(fields.Nested(SlotSchema))

    def _labels(self, session: Any) -> list[str]:
        return [t.label or default_label(t.number) for t in session.tables]


class Tables(fields.Field):
    """A table count (0–500), or the tables' labels: a list, or text such as ``A1,A2,B1``."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = dict(kwargs.pop("metadata", {}))
        metadata.setdefault("description", 'a count (0-500) or labels: ["A1", "A2"] or "A1,A2"')
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            if not 0 <= value <= MAX_TABLES:
                raise ValidationError(f"must be 0 to {MAX_TABLES}")
            return value
        if isinstance(value, str) and len(value) <= 5000:
            return value
        if isinstance(value, list) and len(value) <= MAX_TABLES:
            if all(isinstance(v, str) and 0 < len(v) <= 50 for v in value):
                return value
        raise ValidationError("a whole number or a list of table labels")


_BREAKS = fields.List(
    fields.String(validate=validate.Length(1, 40)),
    validate=validate.Length(max=20),
    metadata={"description": "breaks without meetings, HH:MM-HH:MM local time (lunch)"},
)
_TIME = {"description": "local time, Asia/Shanghai"}


class SessionIn(Schema):
    code = RecordId(required=True)
    name = Name(required=True, validate=validate.Length(1, 200))
    name_en = Name(load_default="", validate=validate.Length(max=200))
    kind = Vocab(SessionKind, required=True)
    date = Day(required=True)
    start = fields.Time(required=True, metadata=_TIME)
    end = fields.Time(required=True, metadata=_TIME)
    slot_minutes = fields.Integer(required=True, validate=validate.Range(5, 240))
    tables = Tables(required=True)
    table_labels = fields.List(fields.String(validate=validate.Length(1, 50)))
    breaks = _BREAKS
    venue = fields.String(load_default="", validate=validate.Length(max=300))

    @validates_schema
    def _end_after_start(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data["end"] <= data["start"]:
            raise ValidationError("must be after start", "end")

    @post_load
    def _spec(self, data: dict[str, Any], **_kwargs: Any) -> SessionSpec:
        return SessionSpec.from_dict(data)


class SessionPatch(Schema):
    """Any of a session's fields; hours, slots and tables are laid out again (a published
    agenda is repaired: the answer's ``change`` lists the meetings moved)."""

    name = Name(validate=validate.Length(1, 200))
    name_en = Name(validate=validate.Length(max=200))
    kind = Vocab(SessionKind)
    date = Day()
    start = fields.Time(metadata=_TIME)
    end = fields.Time(metadata=_TIME)
    slot_minutes = fields.Integer(validate=validate.Range(5, 240))
    tables = Tables()
    table_labels = fields.List(fields.String(validate=validate.Length(1, 50)))
    breaks = _BREAKS
    venue = fields.String(validate=validate.Length(max=300))
    drop_meetings = fields.Boolean(
        load_default=False,
        metadata={
            "description": "with a published agenda, cancel the meetings that no longer fit "
            "(else such a change is refused, 409)"
        },
    )


class MovedMeeting(Schema):
    institution_id = fields.String()
    institution = fields.String()
    project_id = fields.String()
    project = fields.String()
    slot = fields.String(metadata={"description": "HH:MM before the change"})
    table = fields.String()
    to_slot = fields.String()
    to_table = fields.String()


class SessionChangeOut(Schema):
    published = fields.Boolean()
    slots = fields.Integer()
    tables = fields.Integer()
    moved = fields.List(fields.Nested(MovedMeeting))
    dropped = fields.List(fields.Nested(MovedMeeting))
    added = fields.Integer()


class SessionEdited(SessionOut):
    change = fields.Nested(SessionChangeOut)


_TYPES_DOC = (
    "the event's own institution types (机构类型), after the six: a label, or label=kind to be"
    " matched like one of the six (担保公司=bank)"
)


class EventOut(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    year = fields.Integer()
    city = fields.String()
    organiser = fields.String()
    languages = fields.String(metadata={"description": "working languages, e.g. zh,en"})
    sessions = fields.List(fields.Nested(SessionOut))
    parent = fields.Function(
        lambda e: e.parent.code if e.parent is not None else None,
        metadata={"type": "string", "nullable": True, "description": "the city's event above"},
    )
    division = fields.Integer(
        allow_none=True, metadata={"description": "adcode of the city or county that runs it"}
    )
    preset = fields.Function(lambda e: event_vocabulary(e).preset, metadata=_TEXT)
    tracks = fields.Function(
        lambda e: [t.to_dict() for t in vocabulary_of(e)],
        metadata={
            "type": "array",
            "description": "the event's tracks (赛道): key (what projects store), labels, aliases",
            "items": {"type": "object"},
        },
    )
    groups = fields.Function(
        lambda e: [t.to_dict() for t in groups_of(e)],
        metadata={
            "type": "array",
            "description": "the event's groups (组别): key (what projects store), labels, aliases",
            "items": {"type": "object"},
        },
    )
    institution_types = fields.Function(
        lambda e: [t.to_dict() for t in institution_types_of(e)],
        metadata={
            "type": "array",
            "description": "the event's institution types (机构类型): key, labels, aliases and,"
            " for a type the organiser added, like (one of the six it is matched like)",
            "items": {"type": "object"},
        },
    )


class Placement(Schema):
    """Where an event stands among a city's contests (set by an organiser over every event)."""

    parent = fields.String(
        validate=validate.Length(1, 64),
        metadata={"description": "a county's 分赛场: the code of its city's event"},
    )
    division = fields.String(
        validate=validate.Length(1, 50),
        metadata={"description": "the city or county that runs it: 洪洞县 or its adcode 141024"},
    )


class EventIn(Placement):
    code = RecordId(required=True)
    name = Name(required=True, validate=validate.Length(1, 200))
    name_en = Name(load_default="", validate=validate.Length(max=200))
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    city = fields.String(load_default="", validate=validate.Length(max=100))
    organiser = fields.String(load_default="", validate=validate.Length(max=300))
    languages = fields.String(load_default="zh,en", validate=validate.Length(1, 50))
    preset = fields.String(
        load_default="zhongguo-chuangyi",
        validate=validate.OneOf(["zhongguo-chuangyi", "chuangke-zhongguo", "none"]),
        metadata={"description": "tracks and groups to start from"},
    )
    tracks = fields.List(
        fields.String(validate=validate.Length(1, 100)),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "the event's own tracks (赛道), after the preset's"},
    )
    groups = fields.List(
        fields.String(validate=validate.Length(1, 100)),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "the event's own groups (组别), after the preset's"},
    )
    institution_types = fields.List(
        fields.String(validate=validate.Length(1, 200)),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": _TYPES_DOC},
    )


class EventPatch(Placement):
    name = Name(validate=validate.Length(1, 200))
    name_en = Name(validate=validate.Length(max=200))
    year = fields.Integer(validate=validate.Range(2000, 2100))
    city = fields.String(validate=validate.Length(max=100))
    organiser = fields.String(validate=validate.Length(max=300))
    languages = fields.String(validate=validate.Length(1, 50))
    groups = fields.List(
        fields.String(validate=validate.Length(1, 100)),
        validate=validate.Length(max=100),
        metadata={"description": "groups (组别) to add to the event's, by their labels"},
    )
    institution_types = fields.List(
        fields.String(validate=validate.Length(1, 200)),
        validate=validate.Length(max=100),
        metadata={"description": "institution types to add: " + _TYPES_DOC},
    )


class LocksIn(Schema):
    locked_fields = fields.List(
        fields.String(validate=validate.OneOf(LOCKABLE)),
        required=True,
        metadata={"description": "fields parties may no longer change (organisers still may)"},
    )
    registration_deadline = LocalDateTime(
        allow_none=True,
        load_default=None,
        default_timezone=LOCAL_TZ,
        metadata={"description": "after it, name, track and group lock by themselves"},
    )


class LocksOut(Schema):
    locked_fields = fields.Function(lambda locks: sorted(locks.fields), metadata=_CODES)
    registration_deadline = LocalDateTime(attribute="deadline", allow_none=True)
    locked_now = fields.Function(
        lambda locks: sorted(locks.locked_now),
        metadata={**_CODES, "description": "locked at this moment (the deadline included)"},
    )


class RulesOut(Schema):
    rules = fields.Dict(
        keys=fields.String(validate=validate.OneOf(RULES)),
        values=fields.String(validate=validate.OneOf([m.value for m in Mode])),
        metadata={"description": "every rule with its mode: off, refuse or warn"},
    )
    barred = fields.List(
        fields.String(), metadata={"description": "past winners: credit codes, ids, names"}
    )


class RulesIn(Schema):
    rules = fields.Dict(
        keys=fields.String(validate=validate.OneOf(RULES)),
        values=fields.String(validate=validate.OneOf([m.value for m in Mode])),
        validate=validate.Length(max=len(RULES)),
        metadata={
            "description": "rules to switch (" + ", ".join(RULES) + "): off, refuse or warn;"
            " rules not named keep their mode"
        },
    )
    barred = fields.List(
        fields.String(validate=validate.Length(1, 200)),
        validate=validate.Length(max=BARRED_LIMIT),
        metadata={"description": "replaces the barred list (absent: kept)"},
    )


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
    group = fields.String(
        allow_none=True, metadata={"description": "key of one of the event's groups, or none"}
    )
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
    credit_code = fields.String(allow_none=True, metadata={"description": "统一社会信用代码"})
    leader_id = ComputedString(
        lambda p: p.leader_id_shown if p.show_contact else None,
        allow_none=True,
        metadata={
            "description": "the lead person's 身份证号: whole to organisers, masked"
            " (1101**********002X) to the team, absent for others"
        },
    )
    contact = fields.Function(
        lambda p: Contact().dump(p) if p.show_contact else None,
        metadata={**_CONTACT, "description": "only for organisers, staff and the team"},
    )
    updated_at = LocalDateTime()


class ProjectFields(Schema):
    name = Name(validate=validate.Length(1, 200))
    track = track_field()
    group = group_field(allow_none=True)
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
    credit_code = CheckedCode(
        is_credit_code,
        "import.bad_credit_code",
        metadata={"description": "统一社会信用代码 (18 characters, check character verified)"},
    )
    leader_id = CheckedCode(
        is_id_number,
        "import.bad_id_number",
        metadata={"description": "the lead person's 身份证号 (18 characters, check verified)"},
    )


class ProjectIn(ProjectFields):
    id = RecordId(required=True, data_key="id", attribute="code")
    name = Name(required=True, validate=validate.Length(1, 200))
    track = track_field(required=True)


class NewProject(ProjectIn):
    event = fields.String(metadata={"description": "event code (needed if several)"})


class AttachmentOut(Schema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String()
    created_at = LocalDateTime()


class PdfUpload(Schema):
    file = fields.Raw(
        metadata={"type": "string", "format": "binary", "description": "a PDF (%PDF- header)"},
        required=True,
    )


class ProjectQuery(PageArgs):
    event = fields.String(metadata={"description": "event code"})
    track = track_field()
    stage = Vocab(Stage)
    group = group_field()
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
    type = fields.String(metadata={"description": "key of one of the event's institution types"})
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
    type = institution_type_field()
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
    type = institution_type_field(required=True)


class NewInstitution(InstitutionIn):
    event = fields.String(metadata={"description": "event code (needed if several)"})


class InstitutionQuery(PageArgs):
    event = fields.String(metadata={"description": "event code"})
    type = institution_type_field()
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
