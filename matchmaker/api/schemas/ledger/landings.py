"""Schemas of landings: one in and out, a change (fixing a value), the list."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from matchmaker.api.schemas.common import Day, JsonBoolean, LocalDateTime, PageArgs, Vocab, row_ref
from matchmaker.api.schemas.ledger.field_types import (
    AMOUNT_DOC,
    Amount,
    Label,
    PageCounts,
    event_field,
)
from matchmaker.domain import CooperationKind, LandingKind


class LandingFields(Schema):
    cooperation = Vocab(CooperationKind, allow_none=True)
    counterpart = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "who with: a park, a city service, a bank (as text)"},
    )
    place = fields.String(validate=validate.Length(max=200))
    landed_on = Day()
    value = Amount(allow_none=True, metadata=AMOUNT_DOC)
    value_pending = JsonBoolean(
        metadata={"description": "a value exists but is still to be fixed (待定)"}
    )
    note = fields.String(validate=validate.Length(max=5000))
    intent_id = row_ref(allow_none=True)


class LandingIn(LandingFields):
    event = event_field()
    project_id = fields.String(required=True, validate=validate.Length(1, 64))
    institution_id = fields.String(
        validate=validate.Length(1, 64),
        metadata={"description": "the institution, when the counterpart is one of the event's"},
    )
    kind = Vocab(LandingKind, required=True)


class LandingPatch(LandingFields):
    kind = Vocab(LandingKind)
    version = fields.Integer(
        metadata={"description": "the version you edited; 409 if someone changed it since"}
    )


class LandingQuery(PageArgs):
    event = event_field()
    kind = Vocab(LandingKind)


class LandingOut(Schema):
    id = fields.Integer()
    project_id = fields.String(attribute="project.code")
    project_name = fields.String(attribute="project.name")
    institution_id = fields.String(attribute="institution.code", dump_default=None)
    intent_id = fields.Integer(allow_none=True)
    kind = fields.String()
    kind_label = Label(LandingKind, of="kind")
    cooperation = fields.String(allow_none=True)
    cooperation_label = Label(CooperationKind, of="cooperation")
    counterpart = fields.String()
    place = fields.String()
    landed_on = fields.Date()
    value = fields.Integer(allow_none=True)
    value_pending = fields.Boolean()
    note = fields.String()
    version = fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class LandingPage(Schema):
    items = fields.List(fields.Nested(LandingOut))
    meta = PageCounts()
