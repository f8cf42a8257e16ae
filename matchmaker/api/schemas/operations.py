"""Schemas of the operations feature: background jobs and what became of them."""

from __future__ import annotations

from marshmallow import Schema, fields


class JobOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "index.rebuild, agenda.build"})
    kind_label = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "queued, running, done, failed"})
    status_label = fields.String(required=True)
    event = fields.String(allow_none=True)
    session = fields.String(allow_none=True)
    params = fields.Dict(required=True)
    attempts = fields.Integer(required=True)
    created_at = fields.String(required=True)
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
    worker = fields.String(required=True, metadata={"description": "host:pid of the last runner"})
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "why it failed, readable"})


class JobListOut(Schema):
    items = fields.List(fields.Nested(JobOut), required=True)
    background = fields.Boolean(
        required=True, metadata={"description": "whether jobs go to RQ workers (Redis configured)"}
    )
