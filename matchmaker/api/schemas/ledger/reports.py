"""Schemas of the follow-up reports: the funnel's arguments, and the report the service returns
(JSON-ready already: the XLSX, the CLI and the page draw on the same figures)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from matchmaker.api.schemas.common import track_field
from matchmaker.services.ledger.reports import DIMENSIONS
from matchmaker.services.ledger.targets import METRICS


class ReportArgs(Schema):
    event = fields.String()
    by = fields.String(validate=validate.OneOf(DIMENSIONS))
    session = fields.String(validate=validate.Length(1, 64))
    track = track_field()
    region = fields.String(validate=validate.Length(1, 100))
    institution = fields.String(validate=validate.Length(1, 64))


class StepOut(Schema):
    count = fields.Integer()
    projects = fields.Integer()
    amount = fields.Integer()
    amount_text = fields.String()
    unfixed = fields.Integer(metadata={"description": "counted, amount still to be fixed (待定)"})


class ResponseRateOut(Schema):
    rated = fields.Integer()
    held = fields.Integer()
    rate = fields.Float(allow_none=True)


class FunnelOut(Schema):
    key = fields.String()
    label = fields.String()
    meetings_held = fields.Integer()
    follow_ups = fields.Nested(StepOut)
    negotiating = fields.Nested(StepOut)
    signed = fields.Nested(StepOut)
    due_diligence = fields.Nested(StepOut)
    invested = fields.Nested(StepOut)
    dropped = fields.Nested(StepOut)
    open_due_diligence_tasks = fields.Integer()
    meetings_unrecorded = fields.Integer()
    rates = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    days_in_stage = fields.Dict()


class TargetOut(Schema):
    metric = fields.String()
    label = fields.String()
    target = fields.Integer(metadata={"description": "amounts in yuan"})
    actual = fields.Integer()
    percent = fields.Integer(allow_none=True, metadata={"description": "whole percent done"})
    target_text = fields.String()
    actual_text = fields.String()


class ReportOut(Schema):
    event = fields.String()
    event_name = fields.String()
    dimension = fields.String(allow_none=True)
    filters = fields.Dict()
    generated_at = fields.String()
    headline = fields.String()
    total = fields.Nested(FunnelOut)
    groups = fields.List(fields.Nested(FunnelOut))
    response_rates = fields.Dict(keys=fields.String(), values=fields.Nested(ResponseRateOut))
    landings = fields.Dict(
        metadata={
            "description": "landings by kind (count, fixed amount in yuan, how many unfixed), "
            "investments whose amount is to be fixed, and the other landings one by one"
        }
    )
    service_tasks = fields.List(
        fields.Dict(), metadata={"description": "services' own follow-up tasks (贷款对接 …)"}
    )
    targets = fields.List(
        fields.Nested(TargetOut),
        metadata={"description": "the year's targets beside the actuals (unfiltered reports)"},
    )


class TargetsArgs(Schema):
    event = fields.String()


class TargetsIn(Schema):
    event = fields.String()
    targets = fields.Dict(
        required=True,
        keys=fields.String(validate=validate.OneOf(METRICS)),
        values=fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0)),
        metadata={
            "description": "metric → integer (amounts in yuan), or null to clear it; the "
            "metrics not named stay as they are"
        },
    )


class TargetsOut(Schema):
    event = fields.String()
    year = fields.Integer()
    targets = fields.Dict(keys=fields.String(), values=fields.Integer())
    progress = fields.List(fields.Nested(TargetOut))


class RollupArgs(Schema):
    event = fields.String()


class RollupFigures(Schema):
    projects = fields.Integer()
    institutions = fields.Integer()
    meetings_held = fields.Integer()
    follow_ups = fields.Integer()
    negotiating = fields.Integer()
    signed = fields.Integer()
    signed_projects = fields.Integer()
    signed_amount = fields.Integer()
    due_diligence = fields.Integer()
    invested = fields.Integer()
    invested_projects = fields.Integer()
    invested_amount = fields.Integer()
    dropped = fields.Integer()
    landings = fields.Integer()


class RollupRow(RollupFigures):
    event = fields.String()
    name = fields.String()
    division = fields.Integer(allow_none=True)
    division_name = fields.String()
    county = fields.Boolean()
    targets = fields.Dict(keys=fields.String(), values=fields.Integer())
    actuals = fields.Dict(keys=fields.String(), values=fields.Integer())


class TargetTotal(Schema):
    target = fields.Integer()
    actual = fields.Integer()


class RollupOut(Schema):
    event = fields.String()
    event_name = fields.String()
    generated_at = fields.String()
    rows = fields.List(fields.Nested(RollupRow))
    total = fields.Nested(RollupFigures)
    target_metrics = fields.List(fields.String())
    target_total = fields.Dict(keys=fields.String(), values=fields.Nested(TargetTotal))
