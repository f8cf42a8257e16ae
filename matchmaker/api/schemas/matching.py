"""Matching schemas: shortlists and recommendations, like/pass, duplicates, learned weights."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, missing, post_load, validate

from matchmaker.api.i18n import lang
from matchmaker.api.schemas.common import (
    MAX_YUAN,
    ComputedDict,
    ComputedFloat,
    ComputedList,
    ComputedNested,
    ComputedString,
    EventOnly,
    PageMeta,
    Vocab,
    institution_type_field,
    track_field,
)
from matchmaker.domain import Stage, Verdict
from matchmaker.services.matching.matcher import ShortlistQuery


class _Query:
    """Load the arguments as ``{"event": code or None, "query": ShortlistQuery}``."""

    @post_load
    def _query(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        event = data.pop("event", None)
        values = {k: getattr(v, "value", v) for k, v in data.items()}  # vocabularies as codes
        return {"event": event, "query": ShortlistQuery(**values)}


class MatchPage(EventOnly):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000))
    k = fields.Integer(
        load_default=20, validate=validate.Range(1, 200), metadata={"description": "items per page"}
    )


class ShortlistArgs(_Query, MatchPage):
    track = track_field()
    stage = Vocab(Stage)
    session = fields.String(validate=validate.Length(max=64))
    region = fields.String(validate=validate.Length(max=100))
    min_ask = fields.Integer(validate=validate.Range(0, MAX_YUAN))
    max_ask = fields.Integer(validate=validate.Range(0, MAX_YUAN))
    diversity = fields.Float(
        load_default=0.0,
        validate=validate.Range(0.0, 1.0),
        metadata={"description": "0 = pure score; 0.3 spreads near-copies"},
    )
    include_passed = fields.Boolean(load_default=False)


class RecommendArgs(_Query, MatchPage):
    type = institution_type_field()


def _item_id(kind: str) -> Any:
    """An item's registration id, under its own kind's key only (``project_id`` or
    ``institution_id``): the other key is left out."""
    return lambda match: match.code if match.kind == kind else missing


def _sentences(positive: bool) -> Any:
    """An item's reasons (``positive``) or concerns, in the request's language."""
    return lambda match: [r.text(lang()) for r in match.reasons if r.positive is positive]


class MatchItem(Schema):
    """One item of a shortlist (a ``Match``); scores and fits rounded to 4 places."""

    project_id = ComputedString(
        _item_id("project"), metadata={"description": "registration id (in shortlists)"}
    )
    institution_id = ComputedString(
        _item_id("institution"), metadata={"description": "registration id (in recommendations)"}
    )
    name = fields.String()
    score = ComputedFloat(lambda match: round(match.score, 4))
    reasons = ComputedList(_sentences(True), fields.String())
    concerns = ComputedList(_sentences(False), fields.String())
    fits = ComputedDict(
        lambda match: {block: round(fit, 4) for block, fit in match.fits.items()},
        keys=fields.String(),
        values=fields.Float(),
    )
    verdict = fields.String(allow_none=True)


class MatchList(Schema):
    """One page of matches (``shortlists.Matches``): its items, paging and encoder."""

    items = fields.List(fields.Nested(MatchItem))
    meta = ComputedNested(lambda matches: matches, PageMeta)  # total, page, page_size, pages
    encoder = fields.String()


class VerdictIn(Schema):
    project_id = fields.String(required=True, validate=validate.Length(1, 64))
    verdict = Vocab(Verdict, required=True)


class VerdictOut(Schema):
    project_id = fields.String()
    verdict = fields.String()


class DuplicateOut(Schema):
    """A ``DuplicatePair``; its kind and evidence also said in the request's language."""

    a = fields.String(metadata={"description": "registration id"})
    b = fields.String(metadata={"description": "registration id"})
    similarity = fields.Float()
    kind = fields.String(
        metadata={
            "description": "traditional_copy, renamed, reordered, "
            "near_copy, paraphrase or same_contact"
        }
    )
    kind_label = ComputedString(
        lambda pair: pair.kind_label(lang()),
        metadata={"description": "the kind in the request's language"},
    )
    evidence = ComputedList(
        lambda pair: pair.evidence_text(lang()),
        fields.String(),
        metadata={"description": "what matched, in the request's language"},
    )


class FitArgs(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "report only; never store the weights"}
    )


class FitOut(Schema):
    """What ``learning.learn_weights`` found (a ``Learned``)."""

    fitted = fields.Boolean()
    better = fields.Boolean(metadata={"description": "beat the defaults on held-out institutions"})
    applied = fields.Boolean(metadata={"description": "the event's shortlists now use them"})
    reason = fields.String()
    outcomes = fields.Integer(metadata={"description": "pairs with a like/pass, rating or intent"})
    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    default = fields.Dict(keys=fields.String(), values=fields.Float())
    metrics = fields.Dict(keys=fields.String(), values=fields.Raw())
