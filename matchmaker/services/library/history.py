"""A project's history across contests: the events it entered, meetings held, intents.

Only contests that share with the library are shown, besides the project's own contest: what
one office sees of another's is what that office chose to share (``events.share_library``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    Event,
    Institution,
    Intent,
    LibraryLink,
    MatchmakingSession,
    Meeting,
    Project,
    User,
)
from matchmaker.domain import MeetingStatus, Role
from matchmaker.errors import PermissionDenied
from matchmaker.services.library.sharing import shared_event_ids


def history_for(db: Session, viewer: User, project: Project) -> dict[str, Any]:
    """Return :func:`project_history` for an organiser; anyone else is refused (other
    contests' meetings and amounts are the offices' business, not the parties')."""
    if viewer.role is not Role.ORGANISER:
        raise PermissionDenied()
    return project_history(db, project)


def project_history(db: Session, project: Project) -> dict[str, Any]:
    """Return the project's lasting identity and, per visible contest (oldest first), its row's
    code and name, how it was linked, meetings held and intents with their amounts (yuan)."""
    link = db.scalar(select(LibraryLink).where(LibraryLink.project_id == project.id))
    if link is None:
        rows = [(project, None)]
    else:
        visible = shared_event_ids(db) | {project.event_id}
        rows = list(
            db.execute(
                select(Project, LibraryLink.how)
                .join(LibraryLink, LibraryLink.project_id == Project.id)
                .where(LibraryLink.party_id == link.party_id, Project.event_id.in_(visible))
            )
        )
    contests = [_contest(db, row, how) for row, how in rows]
    contests.sort(key=lambda c: (c["year"], c["event"]))
    return {
        "party_id": link.party_id if link is not None else None,
        "project": project.code,
        "contests": contests,
    }


def _contest(db: Session, row: Project, how: str | None) -> dict[str, Any]:
    event = db.get(Event, row.event_id)
    assert event is not None
    meetings = db.execute(
        select(MatchmakingSession.code, Institution.name, Meeting.rating)
        .join(MatchmakingSession, MatchmakingSession.id == Meeting.session_id)
        .join(Institution, Institution.id == Meeting.institution_id)
        .where(Meeting.project_id == row.id, Meeting.status == MeetingStatus.HELD)
        .order_by(MatchmakingSession.code, Institution.name)
    ).all()
    intents = db.execute(
        select(Institution.name, Intent.status, Intent.amount, Intent.invested_amount)
        .join(Institution, Institution.id == Intent.institution_id)
        .where(Intent.project_id == row.id)
        .order_by(Institution.name)
    ).all()
    return {
        "event": event.code,
        "event_name": event.name,
        "year": event.year,
        "code": row.code,
        "name": row.name,
        "how": how,
        "meetings": [
            {"session": s, "institution": name, "rating": rating} for s, name, rating in meetings
        ],
        "intents": [
            {
                "institution": name,
                "status": status.value,
                "amount": amount,
                "invested_amount": invested,
            }
            for name, status, amount, invested in intents
        ],
    }
