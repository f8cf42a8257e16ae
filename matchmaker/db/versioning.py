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
    # ``session.new`` and ``session.deleted`` build a fresh set on every access: read them once,
    # or a flush of N new rows costs N² (an import of 10,000 rows spent most of its time here).
    new, deleted = session.new, session.deleted
    touched: set[int] = set()
    for obj in (*new, *session.dirty, *deleted):
        if not isinstance(obj, _WATCHED) or getattr(obj, "event_id", None) in touched:
            continue  # one bump per event and flush: no need to ask what else changed there
        if obj in new or obj in deleted or session.is_modified(obj):
            event_id = _event_of(obj)
            if event_id is not None:
                touched.add(event_id)
    for event_id in touched:
        bump(session, event_id)


def bump(session: Session, event_id: int) -> None:
    """Move event ``event_id``'s registration version on; for writes that bypass the unit of
    work (bulk inserts and updates), which :func:`_bump` does not see."""
    session.execute(
        update(Event)
        .where(Event.id == event_id)
        .values(registrations_version=Event.registrations_version + 1)
    )
