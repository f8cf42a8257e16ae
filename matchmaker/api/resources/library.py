"""The lasting library's resources: link proposals, sharing, a project's history, alumni."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db
from matchmaker.api.i18n import lang
from matchmaker.api.schemas.common import EventOnly
from matchmaker.api.schemas.library import (
    AlumniIn,
    AlumniOut,
    LibraryDecisionIn,
    LibraryDecisionOut,
    LibraryProposalOut,
    LibraryShareIn,
    LibraryShareOut,
    ProjectHistoryOut,
)
from matchmaker.domain import Role
from matchmaker.services.library import proposals
from matchmaker.services.library.alumni import AlumniReport, add_alumni
from matchmaker.services.library.history import history_for
from matchmaker.services.library.sharing import set_share_library
from matchmaker.services.registry import parties
from matchmaker.services.registry.events import get_event

blp = Blueprint(
    "library",
    __name__,
    url_prefix="/api/v1",
    description="The lasting library: identities across contests, sharing, history, alumni",
)


@blp.route("/events/<code>/library/proposals")
class Proposals(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.response(200, LibraryProposalOut(many=True))
    def get(self, code: str) -> list[dict[str, Any]]:
        """Rows of this contest that may be a lasting party of a sharing contest (same phone,
        e-mail or name, or a registration repeated there), waiting for a decision."""
        return proposals.proposals(db(), get_event(db(), code), lang=lang())


@blp.route("/events/<code>/library/proposals/<int:proposal_id>")
class Proposal(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(LibraryDecisionIn)
    @blp.response(200, LibraryDecisionOut)
    def post(self, data: dict[str, Any], code: str, proposal_id: int) -> dict[str, Any]:
        """Confirm (the row joins the proposed party) or reject a proposal; audited."""
        event = get_event(db(), code)
        if data["action"] == "confirm":
            link = proposals.confirm_proposal(db(), event, proposal_id, user())
            out = {"id": proposal_id, "status": "confirmed", "party_id": link.party_id}
        else:
            proposal = proposals.reject_proposal(db(), event, proposal_id, user())
            out = {"id": proposal_id, "status": "rejected", "party_id": proposal.party_id}
        db().commit()
        return out


@blp.route("/events/<code>/library/share")
class Share(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(LibraryShareIn)
    @blp.response(200, LibraryShareOut)
    def put(self, data: dict[str, Any], code: str) -> dict[str, Any]:
        """Share (or stop sharing) this contest's rows and outcomes with other contests."""
        event = set_share_library(db(), get_event(db(), code), data["share"], user())
        out = {"event": event.code, "share_library": event.share_library}
        db().commit()
        return out


@blp.route("/projects/<code>/history")
class History(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(EventOnly, location="query")
    @blp.response(200, ProjectHistoryOut)
    def get(self, args: dict[str, Any], code: str) -> dict[str, Any]:
        """The project's contests (its own and those that share), meetings held, intents."""
        viewer = user()
        project = parties.project_for(db(), viewer, code, args.get("event"))
        return history_for(db(), viewer, project)


@blp.route("/events/<code>/sessions/<session_code>/alumni")
class Alumni(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.arguments(AlumniIn)
    @blp.response(200, AlumniOut)
    def post(self, data: dict[str, Any], code: str, session_code: str) -> AlumniReport:
        """Bring a past contest's projects (those named, else those with a signed intent or a
        meeting rated ≥ min_rating) into this alumni session: copied, linked, marked."""
        event, past = get_event(db(), code), get_event(db(), data["source"])
        report = add_alumni(
            db(), event, session_code, past, data["projects"], data["min_rating"], user()
        )
        db().commit()
        return report
