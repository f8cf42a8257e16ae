"""The intent ledger: list, record, edit, delete, history, spreadsheet import and export.

Amounts are integer yuan on the way out; on the way in an amount may also be written
``"500万"`` / ``"1.2亿"`` (bare numbers are yuan). Staff and organisers see every intent of the
event; an investor only their institution's, an entrant only their project's (404 for others).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, download
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import file_response, format_parameter
from matchmaker.api.schemas.ledger.intents import (
    AuditOut,
    DeleteArgs,
    FileUpload,
    ImportOut,
    IntentIn,
    IntentOut,
    IntentPage,
    IntentPatch,
    IntentQuery,
)
from matchmaker.db.models import AuditEntry, Intent
from matchmaker.domain import Role
from matchmaker.errors import NotFound
from matchmaker.services.ledger.intent_changes import add_intent, change_intent, delete_intent
from matchmaker.services.ledger.intent_files import (
    IntentImportReport,
    export_intents,
    import_intents,
)
from matchmaker.services.ledger.intents import (
    IntentFilters,
    get_intent,
    intent_history,
    intent_page,
)
from matchmaker.services.registry.catalog import Page
from matchmaker.services.registry.events import event_for, get_event

blp = Blueprint(
    "intents",
    __name__,
    url_prefix="/api/v1",
    description="Investment intents (投资意向): the ladder watching → … → invested, audited",
)


@blp.route("/intents")
class Intents(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(IntentQuery, location="query")
    @blp.response(200, IntentPage)
    def get(self, args: dict[str, Any]) -> Page[Intent]:
        """List the intents you may see, filtered by session, status, pair, track or region."""
        filters = IntentFilters(
            session=args.get("session"),
            status=args.get("status"),
            project=args.get("project_id"),
            institution=args.get("institution_id"),
            track=args.get("track"),
            region=args.get("region"),
        )
        event = event_for(db(), user(), args.get("event"))
        return intent_page(db(), event, user(), filters, args["page"], args["page_size"])

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER, Role.INVESTOR)
    @blp.arguments(IntentIn)
    @blp.response(201, IntentOut)
    def post(self, data: dict[str, Any]) -> Intent:
        """Record an intent for an institution × project (investors: their own institution)."""
        event = event_for(db(), user(), data.get("event"))
        pair = data.pop("project_id"), data.pop("institution_id")
        intent = add_intent(db(), user(), event, *pair, data)
        db().commit()
        return intent


@blp.route("/intents/<int:intent_id>")
class OneIntent(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, IntentOut)
    def get(self, intent_id: int) -> Intent:
        """One intent (404 if it is not yours to see)."""
        return get_intent(db(), intent_id, user())

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER, Role.INVESTOR)
    @blp.arguments(IntentPatch, required=False)  # no body: nothing changes
    @blp.response(200, IntentOut)
    def patch(self, data: dict[str, Any], intent_id: int) -> Intent:
        """Change fields or move along the ladder; invalid moves change nothing (422)."""
        intent = change_intent(db(), user(), intent_id, data)
        db().commit()
        return intent

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(DeleteArgs, location="query")
    @blp.response(204)
    def delete(self, args: dict[str, Any], intent_id: int) -> None:
        """Delete an intent (staff and organisers); its history stays in the audit trail."""
        delete_intent(db(), user(), get_intent(db(), intent_id, user()), args["reason"])
        db().commit()


@blp.route("/intents/<int:intent_id>/history")
class IntentHistory(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, AuditOut(many=True))
    def get(self, intent_id: int) -> list[AuditEntry]:
        """Who changed what and when, before → after (read-only; kept after a delete)."""
        return intent_history(db(), intent_id, user())


@blp.route("/events/<code>/intents/import")
class ImportIntents(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(FileUpload, location="files")
    @blp.response(200, ImportOut)
    def post(self, files: dict[str, Any], code: str) -> IntentImportReport:
        """Import an intents sheet (CSV/XLSX, Chinese or English headers); all rows or none."""
        upload = files["file"]
        data, name = upload.read(), upload.filename or ""
        report = import_intents(db(), user(), get_event(db(), code), data, name)
        db().commit()
        return report


@blp.route("/events/<code>/intents.<fmt>", parameters=format_parameter("csv", "xlsx"))
class ExportIntents(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @file_response(blp, "csv", "xlsx")
    def get(self, code: str, fmt: str) -> Response:
        """Download the intents you may see as CSV or XLSX (imports back unchanged)."""
        if fmt not in ("csv", "xlsx"):
            raise NotFound("error.route_not_found")
        event = get_event(db(), code)
        content = export_intents(db(), user(), event, fmt, lang())
        return download(content, fmt, f"{event.code}-intents")
