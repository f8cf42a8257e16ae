"""Attendance schemas: one tap on a meeting, a late report, and what they answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from matchmaker.api.schemas.agendas import IsoText, Label
from matchmaker.api.schemas.common import JsonBoolean

KEY = validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$", error="8–64 letters, digits, _ or -")


class TapIn(Schema):
    mark = fields.String(
        validate=validate.OneOf(("held", "absent", "project_absent", "institution_absent")),
        metadata={
            "description": "held; absent (a party: the other side did not come); organisers "
            "say project_absent or institution_absent"
        },
    )
    rating = fields.Integer(validate=validate.Range(1, 5))
    follow_up = JsonBoolean(metadata={"description": "继续跟进? (an investor's yes: 关注 intent)"})
    client_key = fields.String(
        validate=KEY,
        metadata={"description": "the same key sent again is the same tap: recorded once"},
    )


class SidesOut(Schema):
    investor = fields.Raw(allow_none=True)
    entrant = fields.Raw(allow_none=True)
    organiser = fields.Raw(allow_none=True)


class AttendanceOut(Schema):
    meeting_id = fields.Integer()
    status = fields.String(attribute="status.value")
    status_label = Label("status")
    absent = fields.String(allow_none=True, metadata={"description": "project or institution"})
    marks = fields.Nested(SidesOut)
    ratings = fields.Nested(SidesOut)
    follow_ups = fields.Nested(SidesOut)
    repeated = fields.Boolean(metadata={"description": "the client key was seen: nothing changed"})


class LateReportIn(Schema):
    minutes = fields.Integer(required=True, validate=validate.Range(1, 600))
    client_key = fields.String(validate=KEY)


class LateReportOut(Schema):
    id = fields.Integer()
    session = fields.String(attribute="session.code")
    project_id = fields.Function(lambda r: r.project.code if r.project else None)
    institution_id = fields.Function(lambda r: r.institution.code if r.institution else None)
    minutes = fields.Integer()
    expected_at = IsoText()
    status = fields.String()
    at = IsoText()


class NoShowOut(Schema):
    meeting_id = fields.Integer(attribute="meeting.id")
    slot = fields.Integer(attribute="meeting.slot.number")
    absent_id = fields.String(attribute="absent.code")
    absent_name = fields.String(attribute="absent.name")
    to_come = fields.Integer()
