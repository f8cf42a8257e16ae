"""Starting a job: record it (or find the same work waiting), then queue it or run it here."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from matchmaker.db.models import Event, Job, MatchmakingSession, User
from matchmaker.domain import JobKind
from matchmaker.errors import Unavailable
from matchmaker.services.matching.matcher import Matcher
from matchmaker.services.operations.jobs.queue import JobQueue
from matchmaker.services.operations.jobs.records import create_job, record_failure
from matchmaker.services.operations.jobs.runner import run

log = logging.getLogger(__name__)


def start_job(
    db: Session,
    factory: sessionmaker[Session],
    queue: JobQueue,
    matcher: Matcher,
    kind: JobKind,
    event: Event,
    session: MatchmakingSession | None = None,
    params: dict[str, Any] | None = None,
    actor: User | None = None,
) -> Job:
    """Record a job (or find the same one waiting) and start it: queued, or run right here."""
    job = create_job(db, kind, event, session, params, actor)
    return submit(factory, queue, job, matcher, db)


def submit(
    factory: sessionmaker[Session],
    queue: JobQueue,
    job: Job,
    matcher: Matcher,
    db: Session,
) -> Job:
    """Start ``job`` (already flushed in ``db``): commit and queue it, or run it right here.

    The caller's transaction is committed first, so the worker sees the row and whatever the
    caller changed before asking. With no queue configured (the demo, the tests of the
    synchronous path) the job runs in the caller, through exactly the same ``run``.
    """
    db.commit()
    if queue.background:
        dispatch(factory, queue, job.id, job.attempts + 1)
        return job
    run(factory, matcher, job.id, queue)
    db.expire(job)
    db.refresh(job)
    return job


def rebuild_after_import(
    factory: sessionmaker[Session], queue: JobQueue, event_id: int, actor_id: int | None = None
) -> int | None:
    """After an import has been committed, queue the event's index rebuild; return the job id.

    With a queue the first shortlist after an import then finds the new registrations encoded
    and indexed. Without one (None), the next shortlist encodes the changed texts itself. Redis
    being down does not undo the import: the job is recorded failed and None comes back.
    """
    if not queue.background:
        return None
    with factory() as db, db.begin():
        event = db.get_one(Event, event_id)
        actor = db.get(User, actor_id) if actor_id is not None else None
        job_id = create_job(db, JobKind.INDEX_REBUILD, event, actor=actor).id
    try:
        dispatch(factory, queue, job_id, 1)
    except Unavailable:
        return None
    return job_id


def dispatch(factory: sessionmaker[Session], queue: JobQueue, job_id: int, attempt: int) -> None:
    """Queue job ``job_id``; if Redis cannot take it, mark the job failed and say so (503)."""
    try:
        queue.enqueue(job_id, attempt)
    except Exception as exc:  # redis-py's ConnectionError and TimeoutError, among others
        log.error("could not queue job %s: %s", job_id, exc)
        record_failure(factory, job_id, {"code": "job.queue_down", "params": {}})
        raise Unavailable("job.queue_down") from exc
