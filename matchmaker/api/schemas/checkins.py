"""Check-in schemas: a scanned or typed badge code in; who it is and when they arrived out."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from matchmaker.api.i18n import t
from matchmaker.api.schemas.agendas import IsoText


class CheckInIn(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"description": "the badge's code, as its QR holds it or as printed under it"},
    )
    session = fields.String(
        load_default=None,
        metadata={"description": "the session's code; none: the party's session of the day"},
    )
    method = fields.String(load_default="scan", validate=validate.OneOf(["scan", "typed"]))


class CheckInOut(Schema):
    kind = fields.String(metadata={"description": "project or institution"})
    code = fields.String(metadata={"description": "the party's registration id"})
    name = fields.String()
    session = fields.String(allow_none=True)
    at = IsoText(metadata={"description": "when it first checked in (Asia/Shanghai)"})
    time = fields.Method("_time", metadata={"description": "``at`` as HH:MM, local time"})
    method = fields.String()
    already = fields.Boolean(metadata={"description": "checked in before: nothing was recorded"})
    message = fields.Method("_message")

    def _time(self, result: Any) -> str:
        return str(result.at.strftime("%H:%M"))

    def _message(self, result: Any) -> str:
        key = "checkin.already" if result.already else "checkin.done"
        return t(key, name=result.name, time=result.at.strftime("%H:%M"))


class ArrivalOut(Schema):
    kind = fields.String()
    code = fields.String()
    name = fields.String()
    at = IsoText(allow_none=True, metadata={"description": "null: not arrived yet"})


class ArrivalsOut(Schema):
    session = fields.String()
    expected = fields.Integer()
    checked_in = fields.Integer()
    arrivals = fields.List(fields.Nested(ArrivalOut))
