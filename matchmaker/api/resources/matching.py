"""Shortlists (institution → projects), recommendations (project → institutions), like/pass."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, matcher
from matchmaker.api.schemas.matching import (
    DuplicateOut,
    FitArgs,
    FitOut,
    MatchList,
    RecommendArgs,
    ShortlistArgs,
    VerdictIn,
    VerdictOut,
)
from matchmaker.domain import Role
from matchmaker.ranking.duplicates import DuplicatePair
from matchmaker.services.matching.duplicates import event_duplicates
from matchmaker.services.matching.learning import Learned, learn_weights
from matchmaker.services.matching.shortlists import Matches, recommendations_of, shortlist_of
from matchmaker.services.matching.verdicts import record_verdict
from matchmaker.services.registry import parties
from matchmaker.services.registry.events import get_event

blp = Blueprint(
    "matching",
    __name__,
    url_prefix="/api/v1",
    description="Ranked shortlists with reasons, both ways",
)


@blp.route("/institutions/<code>/shortlist")
class Shortlist(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF, Role.INVESTOR)
    @blp.arguments(ShortlistArgs, location="query")
    @blp.response(200, MatchList)
    def get(self, args: dict[str, Any], code: str) -> Matches:
        """Projects that fit this institution best, with reasons; investors see only their own."""
        institution = parties.institution_for(db(), user(), code, args["event"])
        found = shortlist_of(db(), matcher(), institution, args["query"])
        db().commit()  # text vectors cached while building
        return found


@blp.route("/projects/<code>/recommendations")
class Recommendations(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF, Role.ENTRANT)
    @blp.arguments(RecommendArgs, location="query")
    @blp.response(200, MatchList)
    def get(self, args: dict[str, Any], code: str) -> Matches:
        """Institutions that fit this project best, with reasons; entrants see only their own."""
        project = parties.project_for(db(), user(), code, args["event"])
        found = recommendations_of(db(), matcher(), project, args["query"])
        db().commit()
        return found


@blp.route("/institutions/<code>/feedback")
class FeedbackResource(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.INVESTOR)
    @blp.arguments(VerdictIn)
    @blp.response(200, VerdictOut)
    def post(self, data: dict[str, Any], code: str) -> dict[str, Any]:
        """Like or pass a shortlisted project; a pass hides it from later shortlists."""
        viewer = user()
        institution, project = parties.verdict_pair(db(), viewer, code, data["project_id"])
        record_verdict(db(), institution, project, data["verdict"], viewer.id)
        db().commit()
        return {"project_id": project.code, "verdict": data["verdict"].value}


@blp.route("/events/<code>/duplicates")
class Duplicates(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER, Role.STAFF)
    @blp.response(200, DuplicateOut(many=True))
    def get(self, code: str) -> list[DuplicatePair]:
        """Registrations that look like one project entered twice or copied, with evidence."""
        pairs = event_duplicates(db(), get_event(db(), code), matcher())
        db().commit()
        return pairs


@blp.route("/events/<code>/weights/fit")
class WeightsFit(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(FitArgs, location="query")
    @blp.response(200, FitOut)
    def post(self, args: dict[str, Any], code: str) -> Learned:
        """Learn block weights from the event's outcomes; kept only if they win held out."""
        learned = learn_weights(db(), get_event(db(), code), matcher(), apply=not args["dry_run"])
        db().commit()
        return learned
