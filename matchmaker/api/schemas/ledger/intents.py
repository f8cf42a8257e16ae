"""Schemas of the intent ledger: an intent in and out, the list, its audit trail, the import."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from matchmaker.api.schemas.common import (
    Day,
    JsonBoolean,
    LocalDateTime,
    Name,
    PageArgs,
    RecordId,
    Vocab,
    row_ref,
    track_field,
)
from matchmaker.api.schemas.ledger.field_types import (
    AMOUNT_DOC,
    Amount,
    Label,
    PageCounts,
    ProblemOut,
    YuanText,
    event_field,
)
from matchmaker.domain import DropReason, IntentStatus


class IntentFields(Schema):
    session = fields.String(allow_none=True, validate=validate.Length(1, 64))
    meeting_id = row_ref(allow_none=True)
    status = Vocab(IntentStatus)
    amount = Amount(allow_none=True, metadata=AMOUNT_DOC)
    signed_at = Day(allow_none=True)
    signatories = Name(validate=validate.Length(max=300))
    invested_amount = Amount(allow_none=True, metadata=AMOUNT_DOC)
    invested_amount_pending = JsonBoolean(
        metadata={"description": "invested with the amount still to be fixed (金额待定)"}
    )
    invested_at = Day(allow_none=True)
    drop_reason = Vocab(DropReason, allow_none=True)
    note = fields.String(validate=validate.Length(max=5000))
    reason = fields.String(
        load_default="",
        validate=validate.Length(max=500),
        metadata={"description": "why (needed to move back down the ladder or reopen)"},
    )


class IntentIn(IntentFields):
    event = event_field()
    project_id = RecordId(required=True)
    institution_id = RecordId(required=True)


class IntentPatch(IntentFields):
    version = fields.Integer(
        metadata={"description": "the version you edited; 409 if someone changed it since"}
    )


class IntentQuery(PageArgs):
    event = event_field()
    session = fields.String(validate=validate.Length(1, 64))
    status = Vocab(IntentStatus)
    project_id = fields.String(validate=validate.Length(1, 64))
    institution_id = fields.String(validate=validate.Length(1, 64))
    track = track_field()
    region = fields.String(validate=validate.Length(1, 100))


class IntentOut(Schema):
    id = fields.Integer()
    event = fields.String(attribute="event.code")
    project_id = fields.String(attribute="project.code")
    project_name = fields.String(attribute="project.name")
    institution_id = fields.String(attribute="institution.code")
    institution_name = fields.String(attribute="institution.name")
    session = fields.String(allow_none=True, attribute="session.code", dump_default=None)
    meeting_id = fields.Integer(allow_none=True)
    status = fields.String()
    status_label = Label(IntentStatus, of="status")
    amount = fields.Integer(allow_none=True)
    amount_text = YuanText(of="amount")
    signed_at = fields.Date(allow_none=True)
    signatories = fields.String()
    invested_amount = fields.Integer(allow_none=True)
    invested_amount_text = YuanText(of="invested_amount")
    invested_amount_pending = fields.Boolean()
    invested_at = fields.Date(allow_none=True)
    drop_reason = fields.String()
    drop_reason_label = Label(DropReason, of="drop_reason")
    note = fields.String()
    version = fields.Integer()
    status_since = LocalDateTime()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class IntentPage(Schema):
    items = fields.List(fields.Nested(IntentOut))
    meta = PageCounts()


class AuditOut(Schema):
    id = fields.Integer()
    action = fields.String()
    actor = fields.String(attribute="actor_label")
    at = LocalDateTime()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class DeleteArgs(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ImportOut(Schema):
    kind = fields.String()
    total = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    encoding = fields.String()
    warnings = fields.List(ProblemOut())


class FileUpload(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)
