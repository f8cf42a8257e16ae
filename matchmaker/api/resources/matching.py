"""Shortlists (institution → projects), recommendations (project → institutions), like/pass."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, matcher
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import event_code
from matchmaker.api.schemas.common import MAX_YUAN, EventOnly, PageMeta, Vocab
from matchmaker.db.models import Event, Institution, Project
from matchmaker.domain import InstitutionType, Role, Stage, Track, Verdict
from matchmaker.services.matching.duplicates import event_duplicates
from matchmaker.services.matching.learning import learn_weights
from matchmaker.services.matching.matcher import (
    ShortlistQuery,
    ensure_may_view_recommendations,
    ensure_may_view_shortlist,
    record_verdict,
)
from matchmaker.services.registry import catalog
from matchmaker.services.registry.events import get_event

blp = Blueprint(
    "matching",
    __name__,
    url_prefix="/api/v1",
    description="Ranked shortlists with reasons, both ways",
)


class MatchPage(EventOnly):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000))
    k = fields.Integer(
        load_default=20, validate=validate.Range(1, 200), metadata={"description": "items per page"}
    )


class ShortlistArgs(MatchPage):
    track = Vocab(Track)
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


class RecommendArgs(MatchPage):
    type = Vocab(InstitutionType)


class MatchItem(Schema):
    project_id = fields.String(metadata={"description": "registration id (in shortlists)"})
    institution_id = fields.String(metadata={"description": "registration id (in recommendations)"})
    name = fields.String()
    score = fields.Float()
    reasons = fields.List(fields.String())
    concerns = fields.List(fields.String())
    fits = fields.Dict(keys=fields.String(), values=fields.Float())
    verdict = fields.String(allow_none=True)


class MatchList(Schema):
    items = fields.List(fields.Nested(MatchItem))
    meta = fields.Nested(PageMeta)
    encoder = fields.String()


class VerdictIn(Schema):
    project_id = fields.String(required=True, validate=validate.Length(1, 64))
    verdict = Vocab(Verdict, required=True)


class VerdictOut(Schema):
    project_id = fields.String()
    verdict = fields.String()


class DuplicateOut(Schema):
    a = fields.String(metadata={"description": "registration id"})
    b = fields.String(metadata={"description": "registration id"})
    similarity = fields.Float()
    kind = fields.String(
        metadata={
            "description": "traditional_copy, renamed, reordered, "
            "near_copy, paraphrase or same_contact"
        }
    )
    kind_label = fields.String(metadata={"description": "the kind in the request's language"})
    evidence = fields.List(
        fields.String(), metadata={"description": "what matched, in the request's language"}
    )


def _page(items: list[Any], total: int, query: ShortlistQuery) -> dict[str, Any]:
    language = lang()
    return {
        "items": [item.to_dict(language) for item in items],
        "meta": {
            "total": total,
            "page": query.page,
            "page_size": query.k,
            "pages": max(1, -(-total // query.k)),
        },
        "encoder": matcher()._encoder().name,
    }


@blp.route("/institutions/<code>/shortlist")
class Shortlist(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
    @blp.arguments(ShortlistArgs, location="query")
    @blp.response(200, MatchList)
    def get(self, args: dict[str, Any], code: str) -> dict[str, Any]:
        """Projects that fit this institution best, with reasons; investors see only their own."""
        event = event_code(user(), args.pop("event", None))
        institution = catalog.get_institution(db(), code, event)
        viewer = user()
        ensure_may_view_shortlist(viewer.role, viewer.institution_id, institution.id)
        event = event_of(institution)
        query = ShortlistQuery(**{k: getattr(v, "value", v) for k, v in args.items()})
        items, total = matcher().shortlist(db(), event, institution, query)
        db().commit()  # text vectors cached while building
        return _page(items, total, query)


@blp.route("/projects/<code>/recommendations")
class Recommendations(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF, Role.ENTRANT)
    @blp.arguments(RecommendArgs, location="query")
    @blp.response(200, MatchList)
    def get(self, args: dict[str, Any], code: str) -> dict[str, Any]:
        """Institutions that fit this project best, with reasons; entrants see only their own."""
        project = catalog.get_project(db(), code, event_code(user(), args.pop("event", None)))
        viewer = user()
        ensure_may_view_recommendations(viewer.role, viewer.project_id, project.id)
        query = ShortlistQuery(**{k: getattr(v, "value", v) for k, v in args.items()})
        items, total = matcher().recommend(db(), event_of(project), project, query)
        db().commit()
        return _page(items, total, query)


@blp.route("/institutions/<code>/feedback")
class FeedbackResource(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.INVESTOR)
    @blp.arguments(VerdictIn)
    @blp.response(200, VerdictOut)
    def post(self, data: dict[str, Any], code: str) -> dict[str, Any]:
        """Like or pass a shortlisted project; a pass hides it from later shortlists."""
        institution = catalog.get_institution(db(), code)
        viewer = user()
        ensure_may_view_shortlist(viewer.role, viewer.institution_id, institution.id)
        project = catalog.get_project(db(), data["project_id"])
        record_verdict(db(), institution, project, data["verdict"], viewer.id)
        db().commit()
        return {"project_id": project.code, "verdict": data["verdict"].value}


@blp.route("/events/<code>/duplicates")
class Duplicates(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF)
    @blp.response(200, DuplicateOut(many=True))
    def get(self, code: str) -> list[Any]:
        """Registrations that look like one project entered twice or copied, with evidence."""
        pairs = event_duplicates(db(), get_event(db(), code), matcher())
        db().commit()
        language = lang()
        return [p.to_dict(language) for p in pairs]


class FitArgs(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "report only; never store the weights"}
    )


class FitOut(Schema):
    fitted = fields.Boolean()
    better = fields.Boolean(metadata={"description": "beat the defaults on held-out institutions"})
    applied = fields.Boolean(metadata={"description": "the event's shortlists now use them"})
    reason = fields.String()
    outcomes = fields.Integer(metadata={"description": "pairs with a like/pass, rating or intent"})
    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    default = fields.Dict(keys=fields.String(), values=fields.Float())
    metrics = fields.Dict(keys=fields.String(), values=fields.Raw())


@blp.route("/events/<code>/weights/fit")
class WeightsFit(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(FitArgs, location="query")
    @blp.response(200, FitOut)
    def post(self, args: dict[str, Any], code: str) -> dict[str, Any]:
        """Learn block weights from the event's outcomes; kept only if they win held out."""
        learned = learn_weights(db(), get_event(db(), code), matcher(), apply=not args["dry_run"])
        db().commit()
        return learned.to_dict()


def event_of(row: Project | Institution) -> Event:
    """Return the event a registration belongs to."""
    return db().get_one(Event, row.event_id)
