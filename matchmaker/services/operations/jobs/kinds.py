"""The work of each kind of job, done in the job's one transaction; it returns the result.

A worker runs it, or the request itself when no queue is configured.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from matchmaker.config import pause_point
from matchmaker.db.models import Event, Job, MatchmakingSession, User
from matchmaker.domain import JobKind
from matchmaker.services.agendas.build import build_agenda
from matchmaker.services.agendas.options import AgendaOptions
from matchmaker.services.matching.matcher import Matcher

Work = Callable[[Session, Matcher, Job], dict[str, Any]]


def index_rebuild(db: Session, matcher: Matcher, job: Job) -> dict[str, Any]:
    """Re-encode the event's changed texts and rebuild its indexes; return their sizes."""
    event = db.get(Event, job.event_id)
    assert event is not None  # the foreign key cascades
    pause_point("index.rebuild")
    state = matcher.rebuild(db, event)
    return {
        "encoder": matcher.encoder.name,
        "dimension": state.space.dim,
        "projects": len(state.projects),
        "institutions": len(state.institutions),
        "approximate": bool(state.project_index.approximate_),
    }


def agenda_build(db: Session, matcher: Matcher, job: Job) -> dict[str, Any]:
    """Build the session's draft agenda with the job's options; return the outcome."""
    session = db.get(MatchmakingSession, job.session_id)
    assert session is not None
    actor = db.get(User, job.created_by_id) if job.created_by_id else None
    outcome = build_agenda(db, matcher, session, AgendaOptions(**job.params), actor)
    return outcome.to_dict()


WORK: dict[JobKind, Work] = {
    JobKind.INDEX_REBUILD: index_rebuild,
    JobKind.AGENDA_BUILD: agenda_build,
}
