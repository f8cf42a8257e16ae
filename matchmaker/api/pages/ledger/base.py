"""What the ledger pages share: their blueprint, who writes, a refused form's problems by field,
and an audit trail as rows to read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from matchmaker.api.context import db
from matchmaker.api.i18n import lang, t
from matchmaker.db.models import AuditEntry, Event, Institution, Project
from matchmaker.domain import (
    DropReason,
    DueDiligenceStatus,
    IntentStatus,
    Role,
    TaskKind,
    format_yuan,
    local_minute,
)
from matchmaker.errors import Problem
from matchmaker.services.ledger.intents import find_pair

bp = Blueprint("ledger_pages", __name__)
STAFF = (Role.STAFF, Role.ORGANISER)
WRITERS = (Role.STAFF, Role.ORGANISER, Role.INVESTOR)
Form = MultiDict[str, str] | dict[str, str]


@bp.app_context_processor
def _vocabularies() -> dict[str, Any]:
    return {
        "IntentStatus": IntentStatus,
        "DropReason": DropReason,
        "DueDiligenceStatus": DueDiligenceStatus,
    }


class FormErrors:
    """A form's problems by field ("" for the form as a whole), in the request's language:
    first what the form's schema refused, then what the service says of the other fields."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def read(self, schema: Schema, form: Form) -> dict[str, Any]:
        """Load ``form`` with ``schema``, noting each refused field; return what it could read."""
        try:
            return dict(schema.load(form))
        except ValidationError as exc:
            for field, messages in exc.normalized_messages().items():
                self.by_field.setdefault(field, []).extend(messages)
            return dict(exc.valid_data or {})

    def add(self, *problems: Problem) -> None:
        """Add problems beside their fields."""
        for problem in problems:
            field = problem.column or ""
            if problem.code in ("intent.back_needs_reason", "intent.reopen_needs_reason"):
                field = "reason"  # the fix is typed into the reason box
            self.by_field.setdefault(field, []).append(problem.message(lang()))

    def also(self, problems: list[Problem]) -> None:
        """Add the service's problems too, but none for a field already refused."""
        refused = set(self.by_field)
        self.add(*(p for p in problems if p.column not in refused))


def named_pair(
    event: Event, values: dict[str, Any], errors: FormErrors
) -> tuple[Project | None, Institution | None]:
    """Take the project and institution a form names (by registration id) out of ``values``;
    one ``event`` does not have is a problem beside its field."""
    project, institution = find_pair(
        db(), event, values.pop("project", None), values.pop("institution", None)
    )
    if project is None:
        errors.add(Problem("import.unknown_project", column="project"))
    if institution is None:
        errors.add(Problem("import.unknown_institution", column="institution"))
    return project, institution


# ---- the audit trail -----------------------------------------------------------------------

_HIDDEN = {"project_id", "institution_id", "meeting_id", "reason"}


def _shown(kind: str, key: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if key == "status":
        vocab = IntentStatus if kind == "intent" else DueDiligenceStatus
        return vocab(value).label(lang())
    if key in ("amount", "invested_amount"):
        return format_yuan(value, lang())
    if key == "drop_reason":
        return DropReason(value).label(lang())
    if key == "intent_id":
        return f"#{value}"
    if isinstance(value, bool):  # 金额待定 and the like
        return t("ui.yes" if value else "ui.no")
    if key == "kind" and kind == "task":
        return TaskKind(value).label(lang())
    return str(value)


def trail_rows(entries: list[AuditEntry], kind: str) -> list[dict[str, Any]]:
    """Audit entries as rows: when (Asia/Shanghai), who, what, and each field before → after."""
    out = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        keys = [k for k in {**before, **after} if k not in _HIDDEN]
        whole = after if entry.before is None else before if entry.action == "delete" else None
        if whole is not None:  # a whole snapshot (created, deleted): show what was filled in
            keys = [k for k in keys if whole.get(k) not in (None, "")]
        out.append(
            {
                "at": local_minute(entry.at),
                "actor": entry.actor_label,
                "action": t(f"ui.action_{entry.action}"),
                "reason": after.get("reason", ""),
                "changes": [
                    (
                        t(
                            "ui.field_task_kind"
                            if (kind, k) == ("task", "kind")
                            else f"ui.field_{k}"
                        ),
                        _shown(kind, k, before.get(k)),
                        _shown(kind, k, after.get(k)),
                    )
                    for k in keys
                ],
            }
        )
    return out
