"""Agenda and booking schemas: what the agenda and meeting-request resources accept and return."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, missing, validate

from matchmaker.api.i18n import lang
from matchmaker.api.schemas.common import JsonBoolean, LocalDateTime
from matchmaker.services.agendas.options import LIMIT_TOP

# ---- fields ---------------------------------------------------------------------------------


class IsoText(fields.String):
    """An aware timestamp as ISO 8601 text in its own zone (documented as a plain string)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value.isoformat())


class Label(fields.String):
    """The label, in the request's language, of the vocabulary member in attribute ``of`` (the
    member's code is dumped by the field of that name)."""

    def __init__(self, of: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.of = of  # not ``attribute``: two fields may not load into one attribute

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return super().get_value(obj, self.of, accessor, default)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value.label(lang()))


# ---- agendas --------------------------------------------------------------------------------


class BuildIn(Schema):
    fair = JsonBoolean(
        load_default=True,
        metadata={"description": "raise every project's minimum to the largest feasible value"},
    )
    time_limit = fields.Float(load_default=10.0, validate=validate.Range(0.5, 300))
    project_min = fields.Integer(
        load_default=0,
        validate=validate.Range(0, LIMIT_TOP),
        metadata={"description": "meetings per project, at least"},
    )
    project_max = fields.Integer(
        validate=validate.Range(1, LIMIT_TOP),
        metadata={
            "description": "meetings per project, at most (default: 1.5 × a fair share of the "
            "room); a project holding more bookings or locked meetings keeps them all"
        },
    )
    institution_min = fields.Integer(
        load_default=0,
        validate=validate.Range(0, LIMIT_TOP),
        metadata={"description": "meetings per institution, at least"},
    )
    institution_max = fields.Integer(
        validate=validate.Range(1, LIMIT_TOP),
        metadata={
            "description": "meetings per institution, at most (default: every slot); an "
            "institution holding more bookings or locked meetings keeps them all"
        },
    )
    background = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "run on a background worker and answer 202 with the job; "
            "default: when a queue (Redis) is configured"
        },
    )


class LockIn(Schema):
    locked = JsonBoolean(required=True)


class LateIn(Schema):
    project_id = fields.String(validate=validate.Length(1, 64))
    institution_id = fields.String(validate=validate.Length(1, 64))
    first_slot = fields.Integer(required=True, validate=validate.Range(1, 1000))


class BroadcastIn(Schema):
    text = fields.String(required=True, metadata={"description": "1–1000 characters"})


class BroadcastOut(Schema):
    session = fields.String(metadata={"description": "the session's code"})
    accounts = fields.Integer(metadata={"description": "how many accounts were sent it"})


class PairIn(Schema):
    project_id = fields.String(required=True, validate=validate.Length(1, 64))
    institution_id = fields.String(required=True, validate=validate.Length(1, 64))


class RowOut(Schema):
    """A meeting (services.agendas.views.AgendaRow); a lock's answer names it only
    (services.agendas.build.MeetingRef: no times, table, names or label)."""

    meeting_id = fields.Integer()
    session = fields.String(attribute="session_code")
    slot = fields.Integer()
    start = IsoText(attribute="starts_at")
    end = IsoText(attribute="ends_at")
    table = fields.String()
    institution_id = fields.String(attribute="institution_code")
    institution = fields.String(attribute="institution_name")
    project_id = fields.String(attribute="project_code")
    project = fields.String(attribute="project_name")
    status = fields.String()
    status_label = fields.String()
    locked = fields.Boolean()


class AgendaOut(Schema):
    """A session's agenda (services.agendas.views.AgendaView); publishing answers its first
    three fields (services.agendas.build.AgendaState)."""

    session = fields.String()
    status = fields.String()
    revision = fields.Integer()
    solver_status = fields.String()
    objective = fields.Float()
    bound = fields.Float()
    fair_minimum = fields.Integer(allow_none=True)
    summary = fields.Dict()
    meetings = fields.List(fields.Nested(RowOut))


class OutcomeOut(Schema):
    """What a build or repair did (services.agendas.build.Outcome)."""

    status = fields.String(metadata={"description": "optimal, feasible or infeasible"})
    agenda_status = fields.String()
    revision = fields.Integer()
    objective = fields.Float()
    bound = fields.Float()
    fair_minimum = fields.Integer(allow_none=True)
    meetings = fields.Integer()
    moved = fields.List(fields.Dict())
    dropped = fields.List(fields.Dict())
    added = fields.List(fields.Dict())
    diagnostics = fields.List(fields.Dict())
    stats = fields.Dict()


class InstanceOut(Schema):
    """A session as the standalone solver's input (``matchmaker schedule --input``)."""

    slots = fields.List(fields.Dict(), metadata={"description": "id, session, start, minutes"})
    institutions = fields.List(
        fields.Dict(), metadata={"description": "id, min_meetings, max_meetings, unavailable"}
    )
    projects = fields.List(
        fields.Dict(), metadata={"description": "id, min_meetings, max_meetings, unavailable"}
    )
    scores = fields.List(fields.Dict(), metadata={"description": "institution, project, score"})
    tables = fields.List(fields.Dict(), metadata={"description": "session, ids"})
    must_meet = fields.List(fields.Dict())
    forbidden = fields.List(fields.Dict())
    locked = fields.List(fields.Dict(), metadata={"description": "institution, project, slot"})


class ExportArgs(Schema):
    session = fields.String(validate=validate.Length(max=64))
    institution = fields.String(validate=validate.Length(max=64))
    project = fields.String(validate=validate.Length(max=64))
    table = fields.Integer(validate=validate.Range(1, 10_000))


# ---- bookings -------------------------------------------------------------------------------


class FreeSlotsArgs(Schema):
    institution = fields.String(required=True, validate=validate.Length(1, 64))
    session = fields.String(required=True, validate=validate.Length(1, 64))
    event = fields.String(metadata={"description": "event code"})


class SlotOut(Schema):
    number = fields.Integer()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()


class RequestIn(Schema):
    event = fields.String(metadata={"description": "event code"})
    session = fields.String(required=True, validate=validate.Length(1, 64))
    project_id = fields.String(required=True, validate=validate.Length(1, 64))
    institution_id = fields.String(required=True, validate=validate.Length(1, 64))
    slot = fields.Integer(required=True, validate=validate.Range(1, 1000))
    message = fields.String(load_default="", validate=validate.Length(max=500))


class RequestOut(Schema):
    """A meeting request (db.models.MeetingRequest)."""

    id = fields.Integer()
    session = fields.String(attribute="session.code")
    project_id = fields.String(attribute="project.code")
    institution_id = fields.String(attribute="institution.code")
    # a request whose slot was deleted keeps "slot": null
    slot = fields.Integer(attribute="slot.number", allow_none=True, dump_default=None)
    status = fields.String()
    status_label = Label("status")
    requested_by = fields.String()
    message = fields.String()
    created_at = LocalDateTime()
    expires_at = LocalDateTime(allow_none=True)
