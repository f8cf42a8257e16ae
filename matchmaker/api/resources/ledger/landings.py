"""Landings that are not investments (落户, 入驻园区, 合作): list, record, fix a value, delete.

Staff and organisers write; an investor reads the landings naming their institution, an entrant
their project's (404 for others). Values are integer yuan out; ``"500万"`` is accepted in.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db
from matchmaker.api.schemas.ledger.intents import AuditOut
from matchmaker.api.schemas.ledger.landings import (
    LandingIn,
    LandingOut,
    LandingPage,
    LandingPatch,
    LandingQuery,
)
from matchmaker.db.models import AuditEntry, Landing
from matchmaker.domain import Role
from matchmaker.errors import NotFound
from matchmaker.messages import Ref
from matchmaker.services.ledger.landings import (
    add_landing,
    delete_landing,
    get_landing,
    landing_history,
    landing_page,
    update_landing,
)
from matchmaker.services.registry.catalog import Page
from matchmaker.services.registry.events import event_for

blp = Blueprint(
    "landings",
    __name__,
    url_prefix="/api/v1",
    description="Landings (落户, 入驻园区, 合作) with values to the yuan, or to be fixed; audited",
)


@blp.route("/landings")
class Landings(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(LandingQuery, location="query")
    @blp.response(200, LandingPage)
    def get(self, args: dict[str, Any]) -> Page[Landing]:
        """The event's landings you may see, oldest first, a page at a time."""
        event = event_for(db(), user(), args.get("event"))
        return landing_page(db(), event, user(), args.get("kind"), args["page"], args["page_size"])

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(LandingIn)
    @blp.response(201, LandingOut)
    def post(self, data: dict[str, Any]) -> Landing:
        """Record a landing of a project (with or without an institution)."""
        event = event_for(db(), user(), data.pop("event", None))
        project, institution = data.pop("project_id"), data.pop("institution_id", None)
        landing = add_landing(db(), user(), event, project, data, institution)
        db().commit()
        return landing


@blp.route("/landings/<int:landing_id>")
class OneLanding(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, LandingOut)
    def get(self, landing_id: int) -> Landing:
        """One landing (404 if it is not yours to see)."""
        return get_landing(db(), landing_id, user())

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(LandingPatch, required=False)
    @blp.response(200, LandingOut)
    def patch(self, data: dict[str, Any], landing_id: int) -> Landing:
        """Change a landing, e.g. fix its value (待定 until now); 409 on a stale version."""
        landing = get_landing(db(), landing_id, user())
        version = data.pop("version", None)
        update_landing(db(), user(), landing, data, version)
        db().commit()
        return landing

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.response(204)
    def delete(self, landing_id: int) -> None:
        """Delete a landing; the audit trail keeps it."""
        delete_landing(db(), user(), get_landing(db(), landing_id, user()))
        db().commit()


@blp.route("/landings/<int:landing_id>/history")
class LandingHistory(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.response(200, AuditOut(many=True))
    def get(self, landing_id: int) -> list[AuditEntry]:
        """Who changed the landing and how (read-only)."""
        landing = get_landing(db(), landing_id, user())
        entries = landing_history(db(), landing)
        if not entries:
            raise NotFound(what=Ref("what.landing"), key=landing_id)
        return entries
