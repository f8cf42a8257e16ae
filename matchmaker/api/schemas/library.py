"""Library schemas: link proposals, sharing, a project's history."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate


class LibraryElsewhereOut(Schema):
    event = fields.String()
    year = fields.Integer()
    code = fields.String()
    name = fields.String()
    contact_phone = fields.String()
    contact_email = fields.String()


class LibraryDuplicateOut(Schema):
    kind = fields.String(
        metadata={"description": "traditional_copy, renamed, reordered, near_copy or paraphrase"}
    )
    kind_label = fields.String(metadata={"description": "the kind in the reader's language"})
    similarity = fields.Float(metadata={"description": "the detector's combined score, 0..1"})
    evidence = fields.List(
        fields.String(), metadata={"description": "what matched, in the reader's language"}
    )


class LibraryProposalOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "project or institution"})
    code = fields.String(metadata={"description": "this contest's row"})
    name = fields.String()
    party_id = fields.Integer(metadata={"description": "the proposed lasting identity"})
    party_name = fields.String()
    reasons = fields.List(
        fields.String(), metadata={"description": "phone, email, name, duplicate"}
    )
    status = fields.String()
    elsewhere = fields.List(fields.Nested(LibraryElsewhereOut))
    duplicate = fields.Nested(
        LibraryDuplicateOut,
        allow_none=True,
        metadata={"description": "for a repeated registration: what the detector found"},
    )


class LibraryDecisionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["confirm", "reject"]))


class LibraryDecisionOut(Schema):
    id = fields.Integer()
    status = fields.String()
    party_id = fields.Integer()


class JsonBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only: the OpenAPI type is boolean, so 0, 1 or "yes" are
    refused (0 == False in Python, so ``truthy``/``falsy`` sets cannot tell them apart)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class LibraryShareIn(Schema):
    share = JsonBoolean(required=True)


class LibraryShareOut(Schema):
    event = fields.String()
    share_library = fields.Boolean()


class HistoryMeetingOut(Schema):
    session = fields.String()
    institution = fields.String()
    rating = fields.Integer(allow_none=True)


class HistoryIntentOut(Schema):
    institution = fields.String()
    status = fields.String()
    amount = fields.Integer(allow_none=True, metadata={"description": "yuan"})
    invested_amount = fields.Integer(allow_none=True, metadata={"description": "yuan"})


class HistoryContestOut(Schema):
    event = fields.String()
    event_name = fields.String()
    year = fields.Integer()
    code = fields.String()
    name = fields.String()
    how = fields.String(allow_none=True, metadata={"description": "how the row was linked"})
    meetings = fields.List(fields.Nested(HistoryMeetingOut))
    intents = fields.List(fields.Nested(HistoryIntentOut))


class ProjectHistoryOut(Schema):
    party_id = fields.Integer(allow_none=True)
    project = fields.String()
    contests = fields.List(fields.Nested(HistoryContestOut))


class AlumniIn(Schema):
    source = fields.String(
        required=True, data_key="from", validate=validate.Length(1, 64),
        metadata={"description": "the past event's code"},
    )  # fmt: skip
    projects = fields.List(
        fields.String(validate=validate.Length(1, 64)),
        load_default=None,
        metadata={"description": "past projects' codes (default: signed or rated ≥ min_rating)"},
    )
    min_rating = fields.Integer(load_default=4, validate=validate.Range(1, 5))


class AlumniOut(Schema):
    session = fields.String()
    source = fields.String(data_key="from")
    copied = fields.List(fields.String(), metadata={"description": "codes of the new rows"})
    already_here = fields.List(fields.String())
