"""A per-event registration version, bumped on every flush that touches registrations.

Processes that cache matching state compare this one integer (a primary-key read) instead of
scanning the registrations, so an edit made through any process reaches every shortlist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Institution, PortfolioEntry, Project

_WATCHED = (Project, Institution, PortfolioEntry)


def _event_of(obj: Any) -> int | None:
    if isinstance(obj, PortfolioEntry):
        return obj.institution.event_id if obj.institution is not None else None
    return getattr(obj, "event_id", None)


@event.listens_for(Session, "before_flush")
def _bump(session: Session, _context: Any, _instances: Any) -> None:
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _WATCHED) and (
            obj in session.new or obj in session.deleted or session.is_modified(obj)
        ):
            event_id = _event_of(obj)
            if event_id is not None:
                touched.add(event_id)
    for event_id in touched:
        session.execute(
            update(Event)
            .where(Event.id == event_id)
            .values(registrations_version=Event.registrations_version + 1)
        )
