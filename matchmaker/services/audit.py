"""The audit trail: who changed which record, when, from what to what (append-only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from matchmaker.db.models import AuditEntry, User


def record(
    db: Session,
    entity: Any,
    action: str,
    actor: User | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry for ``entity`` (a flushed model instance) and return it."""
    entry = AuditEntry(
        entity_type=type(entity).__tablename__,
        entity_id=entity.id,
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor.username if actor is not None else "system",
        before=before,
        after=after,
    )
    db.add(entry)
    return entry
