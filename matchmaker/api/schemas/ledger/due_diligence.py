"""Schemas of due diligence: a task in and out, the list, and the daily digest."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, fields, missing, validate

from matchmaker.api.i18n import lang
from matchmaker.api.schemas.common import Day, LocalDateTime, PageArgs, Vocab, row_ref
from matchmaker.api.schemas.ledger.field_types import Computed, Label, PageCounts, event_field
from matchmaker.domain import DueDiligenceStatus, TaskKind
from matchmaker.services.ledger.digest import digest_text
from matchmaker.services.ledger.due_diligence import is_overdue
from matchmaker.services.ledger.intents import today_local


class TaskFields(Schema):
    intent_id = row_ref(allow_none=True)
    owner = fields.String(validate=validate.Length(max=100))
    due_date = Day(allow_none=True)
    next_follow_up = Day(allow_none=True)
    status = Vocab(DueDiligenceStatus)
    outcome = fields.String(validate=validate.Length(max=5000))
    counterpart = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "who a service task is with (a city service, a park), as text"},
    )


class TaskIn(TaskFields):
    event = event_field()
    project_id = fields.String(required=True, validate=validate.Length(1, 64))
    institution_id = fields.String(
        validate=validate.Length(1, 64),
        metadata={"description": "needed for due diligence; a service task may have none"},
    )
    kind = Vocab(TaskKind, metadata={"description": "due_diligence (default) or a service task"})


class TaskPatch(TaskFields):
    version = fields.Integer()


class TaskQuery(PageArgs):
    event = event_field()
    status = Vocab(DueDiligenceStatus)
    owner = fields.String(validate=validate.Length(1, 100))
    project_id = fields.String(validate=validate.Length(1, 64))
    institution_id = fields.String(validate=validate.Length(1, 64))
    kind = Vocab(TaskKind)


class Overdue(fields.Boolean):
    """Whether the task is open and past due, on the dumping schema's day (default: today)."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return is_overdue(obj, getattr(self.parent, "day", None) or today_local())


class TaskOut(Schema):
    def __init__(self, *, day: date | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.day = day  # the local day "overdue" is judged on

    id = fields.Integer()
    project_id = fields.String(attribute="project.code")
    project_name = fields.String(attribute="project.name")
    institution_id = fields.String(attribute="institution.code", dump_default=None)
    institution_name = fields.String(attribute="institution.name", dump_default=None)
    kind = fields.String()
    kind_label = Label(TaskKind, of="kind")
    counterpart = fields.String()
    counterpart_name = fields.String()
    intent_id = fields.Integer(allow_none=True)
    owner = fields.String()
    due_date = fields.Date(allow_none=True)
    next_follow_up = fields.Date(allow_none=True)
    status = fields.String()
    status_label = Label(DueDiligenceStatus, of="status")
    outcome = fields.String()
    overdue = Overdue()
    version = fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class TaskPage(Schema):
    items = fields.List(fields.Nested(TaskOut))
    meta = PageCounts()


class DigestArgs(Schema):
    event = event_field()
    date = Day(metadata={"description": "the day to chase for (default: today in Asia/Shanghai)"})


class TasksOnDigestDay(fields.List[Any]):
    """A digest's tasks, each overdue or not as of the digest's day."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.Nested(TaskOut), **kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return TaskOut(many=True, day=obj.day).dump(value)


class DigestOut(Schema):
    day = fields.Date()
    week_end = fields.Date()
    overdue = TasksOnDigestDay()
    due_this_week = TasksOnDigestDay()
    follow_up_due = TasksOnDigestDay()
    text = Computed(lambda digest: digest_text(digest, lang()))
