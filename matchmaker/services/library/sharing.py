"""Which contests share with the library: what one contest's office sees of another's."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Institution, LibraryLink, User
from matchmaker.services import audit


def shared_event_ids(db: Session) -> set[int]:
    """Return the ids of the events whose rows and outcomes other contests may see."""
    return set(db.scalars(select(Event.id).where(Event.share_library.is_(True))))


def set_share_library(db: Session, event: Event, share: bool, actor: User | None = None) -> Event:
    """Switch whether ``event`` shares with the library, on the audit trail.

    The registration version of every event with an institution linked to one of this event's
    moves on: those shortlists carry the linked institutions' past outcomes, read when their
    state is built (services/matching/state.py), so a contest that stops sharing leaves the
    others' next shortlists at once (and the rest keep their built state).
    """
    if event.share_library != share:
        before = {"share_library": event.share_library}
        event.share_library = share
        db.flush()
        audit.record(db, event, "share_library", actor, before, {"share_library": share})
        here = (
            select(LibraryLink.party_id)
            .join(Institution, Institution.id == LibraryLink.institution_id)
            .where(Institution.event_id == event.id)
        )
        linked = (
            select(Institution.event_id)
            .join(LibraryLink, LibraryLink.institution_id == Institution.id)
            .where(LibraryLink.party_id.in_(here))
        )
        db.execute(
            update(Event)
            .where(Event.id.in_(linked))
            .values(registrations_version=Event.registrations_version + 1)
        )
    return event
