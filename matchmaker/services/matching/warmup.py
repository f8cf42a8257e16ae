"""Loading each event's matching state before a process serves its first shortlist."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Institution, Project
from matchmaker.services.matching.matcher import Matcher

log = logging.getLogger(__name__)


def warm(matcher: Matcher, db: Session, beat: Callable[[], None] = lambda: None) -> list[int]:
    """Load (or build) the state of every event that has projects and institutions; return
    their ids.

    A server calls this in each worker before it accepts requests, so the first shortlist finds
    the encoder and the event's vectors and indexes in memory (loading them took seconds).
    ``beat`` is called after each event: the caller's sign of life (gunicorn's heartbeat).
    """
    has_projects = exists().where(Project.event_id == Event.id)
    has_institutions = exists().where(Institution.event_id == Event.id)
    events = db.scalars(
        select(Event).where(has_projects, has_institutions).order_by(Event.id)
    ).all()
    if not events:
        return []
    started = time.perf_counter()
    for event in events:
        matcher.state(db, event)
        beat()
    # The model itself loads on its first text (a registration edited, an event rebuilt).
    matcher.encoder.encode(["预热"])
    log.info(
        "process %d: matching state ready for %d event(s) in %.1f s, before the first request",
        os.getpid(),
        len(events),
        time.perf_counter() - started,
    )
    return [event.id for event in events]
