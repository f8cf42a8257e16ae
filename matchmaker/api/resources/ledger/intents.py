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
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, download
from matchmaker.api.i18n import lang
from matchmaker.api.resources.common import (
    envelope,
    file_response,
    format_parameter,
)
from matchmaker.api.schemas.common import (
    MAX_YUAN,
    Day,
    LocalDateTime,
    Name,
    PageArgs,
    PageMeta,
    RecordId,
    Vocab,
    event_field,
    row_ref,
)
from matchmaker.db.models import AuditEntry, Event, Institution, Intent, Meeting, Project
from matchmaker.domain import DropReason, IntentStatus, Role, Track, format_yuan, parse_amount
from matchmaker.errors import InvalidInput, NotFound, PermissionDenied
from matchmaker.messages import Ref
from matchmaker.services.ledger.intent_files import export_intents, import_intents
from matchmaker.services.ledger.intents import (
    create_intent,
    delete_intent,
    get_intent,
    history,
    scoped,
    update_intent,
)
from matchmaker.services.registry.catalog import get_institution, get_project, paginate
from matchmaker.services.registry.events import event_for, get_event

blp = Blueprint(
    "intents",
    __name__,
    url_prefix="/api/v1",
    description="Investment intents (投资意向): the ladder watching → … → invested, audited",
)


class Amount(fields.Field):
    """Integer yuan; also accepts ``"500万"``, ``"1.2亿"``, ``"3,000,000元"`` (bare: yuan)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, float) and not value.is_integer():
            raise ValidationError("Not whole yuan: money is integer yuan (元)")
        try:
            return parse_amount(value, default_unit=1)  # refuses over MAX_YUAN, naming it
        except InvalidInput as exc:
            raise ValidationError(exc.message(lang())) from None

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return value


_AMOUNT_DOC = {
    "description": "integer yuan, or text with a unit: 500万, 1.2亿",
    "anyOf": [{"type": "integer", "minimum": 0, "maximum": MAX_YUAN}, {"type": "string"}],
    "nullable": True,
}


class IntentFields(Schema):
    session = fields.String(allow_none=True, validate=validate.Length(1, 64))
    meeting_id = row_ref(allow_none=True)
    status = Vocab(IntentStatus)
    amount = Amount(allow_none=True, metadata=_AMOUNT_DOC)
    signed_at = Day(allow_none=True)
    signatories = Name(validate=validate.Length(max=300))
    invested_amount = Amount(allow_none=True, metadata=_AMOUNT_DOC)
    invested_at = Day(allow_none=True)
    drop_reason = Vocab(DropReason, allow_none=True)
    note = fields.String(validate=validate.Length(max=5000))
    reason = fields.String(
        load_default="",
        validate=validate.Length(max=500),
        metadata={"description": "why (needed to move back down the ladder or reopen)"},
    )


class IntentIn(IntentFields):
    event = event_field()
    project_id = RecordId(required=True)
    institution_id = RecordId(required=True)


class IntentPatch(IntentFields):
    version = fields.Integer(
        metadata={"description": "the version you edited; 409 if someone changed it since"}
    )


class IntentQuery(PageArgs):
    event = event_field()
    session = fields.String(validate=validate.Length(1, 64))
    status = Vocab(IntentStatus)
    project_id = fields.String(validate=validate.Length(1, 64))
    institution_id = fields.String(validate=validate.Length(1, 64))
    track = Vocab(Track)
    region = fields.String(validate=validate.Length(1, 100))


class IntentOut(Schema):
    id = fields.Integer()
    event = fields.String()
    project_id = fields.String()
    project_name = fields.String()
    institution_id = fields.String()
    institution_name = fields.String()
    session = fields.String(allow_none=True)
    meeting_id = fields.Integer(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    amount = fields.Integer(allow_none=True)
    amount_text = fields.String()
    signed_at = fields.Date(allow_none=True)
    signatories = fields.String()
    invested_amount = fields.Integer(allow_none=True)
    invested_amount_text = fields.String()
    invested_at = fields.Date(allow_none=True)
    drop_reason = fields.String()
    drop_reason_label = fields.String()
    note = fields.String()
    version = fields.Integer()
    status_since = LocalDateTime()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class IntentPage(Schema):
    items = fields.List(fields.Nested(IntentOut))
    meta = fields.Nested(PageMeta)


class AuditOut(Schema):
    id = fields.Integer()
    action = fields.String()
    actor = fields.String()
    at = LocalDateTime()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class DeleteArgs(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ImportForm(Schema):
    event = fields.String()


class ImportOut(Schema):
    kind = fields.String()
    total = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    encoding = fields.String()
    warnings = fields.List(fields.Dict())


class FileUpload(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


def present(intent: Intent) -> dict[str, Any]:
    """Return the JSON-ready intent."""
    language = lang()
    return {
        "id": intent.id,
        "event": db().get_one(Event, intent.event_id).code,
        "project_id": intent.project.code,
        "project_name": intent.project.name,
        "institution_id": intent.institution.code,
        "institution_name": intent.institution.name,
        "session": intent.session.code if intent.session else None,
        "meeting_id": intent.meeting_id,
        "status": intent.status.value,
        "status_label": intent.status.label(language),
        "amount": intent.amount,
        "amount_text": format_yuan(intent.amount, language),
        "signed_at": intent.signed_at,
        "signatories": intent.signatories,
        "invested_amount": intent.invested_amount,
        "invested_amount_text": format_yuan(intent.invested_amount, language),
        "invested_at": intent.invested_at,
        "drop_reason": intent.drop_reason,
        "drop_reason_label": DropReason(intent.drop_reason).label(language)
        if intent.drop_reason
        else "",
        "note": intent.note,
        "version": intent.version,
        "status_since": intent.status_since,
        "created_at": intent.created_at,
        "updated_at": intent.updated_at,
    }


def present_entry(entry: AuditEntry) -> dict[str, Any]:
    """Return one audit entry."""
    return {
        "id": entry.id,
        "action": entry.action,
        "actor": entry.actor_label,
        "at": entry.at,
        "before": entry.before,
        "after": entry.after,
    }


def values_of(data: dict[str, Any], event: Event) -> dict[str, Any]:
    """Turn API fields into the service's values (session code → id, drop reason → code)."""
    out = {k: v for k, v in data.items() if k not in ("session", "reason", "version", "event")}
    if "drop_reason" in out:
        out["drop_reason"] = out["drop_reason"].value if out["drop_reason"] else ""
    if "session" in data:
        code = data["session"]
        if code is None:
            out["session_id"] = None
        else:
            found = next((s for s in event.sessions if s.code == code), None)
            if found is None:
                raise NotFound(what=Ref("what.session"), key=code)
            out["session_id"] = found.id
    if out.get("meeting_id") is not None and db().get(Meeting, out["meeting_id"]) is None:
        raise NotFound(what=Ref("what.meeting"), key=out["meeting_id"])
    return out


@blp.route("/intents")
class Intents(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.arguments(IntentQuery, location="query")
    @blp.response(200, IntentPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the intents you may see, filtered by session, status, pair, track or region."""
        event = event_for(db(), user(), args.get("event"))
        query = scoped(select(Intent).where(Intent.event_id == event.id), user())
        if args.get("status"):
            query = query.where(Intent.status == args["status"])
        if args.get("session"):
            found = next((s for s in event.sessions if s.code == args["session"]), None)
            query = query.where(Intent.session_id == (found.id if found else -1))
        if args.get("project_id") or args.get("track") or args.get("region"):
            query = query.join(Project, Project.id == Intent.project_id)
            if args.get("project_id"):
                query = query.where(Project.code == args["project_id"])
            if args.get("track"):
                query = query.where(Project.track == args["track"])
            if args.get("region"):
                query = query.where(Project.region == args["region"])
        if args.get("institution_id"):
            query = query.join(Institution, Institution.id == Intent.institution_id).where(
                Institution.code == args["institution_id"]
            )
        page = paginate(db(), query.order_by(Intent.id), args["page"], args["page_size"])
        page.items = [present(i) for i in page.items]
        return envelope(page)

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER, Role.INVESTOR)
    @blp.arguments(IntentIn)
    @blp.response(201, IntentOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record an intent for an institution × project (investors: their own institution)."""
        event = event_for(db(), user(), data.get("event"))
        project = get_project(db(), data.pop("project_id"), event.code)
        institution = get_institution(db(), data.pop("institution_id"), event.code)
        if user().role == Role.INVESTOR and user().institution_id != institution.id:
            raise PermissionDenied()
        reason = data.get("reason", "")
        intent = create_intent(
            db(), user(), event, project, institution.id, values_of(data, event), reason
        )
        db().commit()
        return present(intent)


@blp.route("/intents/<int:intent_id>")
class OneIntent(MethodView):
    @blp.doc(security=BEARER)
    @require()
    @blp.response(200, IntentOut)
    def get(self, intent_id: int) -> dict[str, Any]:
        """One intent (404 if it is not yours to see)."""
        return present(get_intent(db(), intent_id, user()))

    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER, Role.INVESTOR)
    @blp.arguments(IntentPatch, required=False)  # no body: nothing changes
    @blp.response(200, IntentOut)
    def patch(self, data: dict[str, Any], intent_id: int) -> dict[str, Any]:
        """Change fields or move along the ladder; invalid moves change nothing (422)."""
        intent = get_intent(db(), intent_id, user(), lock=True)
        event = db().get_one(Event, intent.event_id)
        update_intent(
            db(),
            user(),
            intent,
            values_of(data, event),
            data.get("reason", ""),
            data.get("version"),
        )
        db().commit()
        return present(intent)

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
    def get(self, intent_id: int) -> list[dict[str, Any]]:
        """Who changed what and when, before → after (read-only; kept after a delete)."""
        viewer = user()
        try:
            get_intent(db(), intent_id, viewer)
        except NotFound:
            # a deleted intent's trail stays readable for staff and organisers
            if viewer.role not in (Role.STAFF, Role.ORGANISER):
                raise
        entries = history(db(), Intent.__tablename__, intent_id)
        if not entries:
            raise NotFound(what=Ref("what.intent"), key=intent_id)
        return [present_entry(e) for e in entries]


@blp.route("/events/<code>/intents/import")
class ImportIntents(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.STAFF, Role.ORGANISER)
    @blp.arguments(FileUpload, location="files")
    @blp.response(200, ImportOut)
    def post(self, files: dict[str, Any], code: str) -> dict[str, Any]:
        """Import an intents sheet (CSV/XLSX, Chinese or English headers); all rows or none."""
        event = get_event(db(), code)
        upload = files["file"]
        report = import_intents(db(), user(), event, upload.read(), upload.filename or "")
        db().commit()
        return report.to_dict(lang())


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
