"""Near-duplicate registrations of an event, with the text vectors the matcher already has."""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Project
from matchmaker.ranking.duplicates import DuplicatePair, Registration, find_duplicates
from matchmaker.services.matching.matcher import Matcher


def registration(p: Project) -> Registration:
    """Return what the duplicate detector sees of a project (benchmarks build it the same way)."""
    return Registration.of(p)


def event_duplicates(db: Session, event: Event, matcher: Matcher) -> list[DuplicatePair]:
    """Return suspicious pairs among the event's projects, most similar first."""
    projects = db.scalars(
        select(Project).where(Project.event_id == event.id).order_by(Project.id)
    ).all()
    registrations = [registration(p) for p in projects]
    state = matcher.state(db, event)
    text = state.space.slices["text"]
    rows = [state.project_row[p.id] for p in projects]
    # the text block is stored scaled by √w; undo it to hand over unit vectors
    scale = math.sqrt(state.space.w["text"]) or 1.0
    embeddings = state.project_vectors[rows, text] / scale if rows else None
    return find_duplicates(registrations, embeddings)
