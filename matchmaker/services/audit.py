"""The audit trail: who changed which record, when, from what to what (append-only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from matchmaker.db.models import AuditEntry, Event, MatchmakingSession, Project, User


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
        event_id=event_of(db, entity),
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


def event_of(db: Session, entity: Any) -> int | None:
    """Return the id of the event an audited record belongs to (its own, its project's or its
    session's), so the trail stays with the event after the record is deleted."""
    if isinstance(entity, Event):  # the event's own settings (its vocabulary)
        return int(entity.id)
    if getattr(entity, "event_id", None) is not None:
        return int(entity.event_id)
    if getattr(entity, "project_id", None) is not None:
        project = db.get(Project, entity.project_id)
        return project.event_id if project is not None else None
    if getattr(entity, "session_id", None) is not None:
        session = db.get(MatchmakingSession, entity.session_id)
        return session.event_id if session is not None else None
    return None
