"""The job record: a ``jobs`` row written before anything is queued, and how it is shown."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.db.models import Event, Job, MatchmakingSession, User
from matchmaker.db.types import utcnow
from matchmaker.domain import JobKind, JobStatus
from matchmaker.errors import NotFound
from matchmaker.messages import render


@dataclass(frozen=True)
class JobView:
    """A job as the API, the pages and the CLI show it (labels and the reason in one language)."""

    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    event: str | None
    session: str | None
    params: dict[str, Any]
    attempts: int
    created_at: str
    started_at: str | None
    finished_at: str | None
    worker: str
    result: dict[str, Any] | None
    error: str | None


def job_view(job: Job, lang: str = "zh") -> JobView:
    """Return what is shown of ``job`` in ``lang``."""
    error = None
    if job.error:
        error = render(job.error["code"], lang, **job.error.get("params", {}))
    return JobView(
        id=job.id,
        kind=job.kind.value,
        kind_label=job.kind.label(lang),
        status=job.status.value,
        status_label=job.status.label(lang),
        event=job.event.code if job.event else None,
        session=job.session.code if job.session else None,
        params=job.params,
        attempts=job.attempts,
        created_at=job.created_at.isoformat(),
        started_at=job.started_at.isoformat() if job.started_at else None,
        finished_at=job.finished_at.isoformat() if job.finished_at else None,
        worker=job.worker,
        result=job.result,
        error=error,
    )


def job_dict(job: Job, lang: str = "zh") -> dict[str, Any]:
    """Return :func:`job_view` as a JSON-ready dict (the CLI's ``--json``)."""
    return asdict(job_view(job, lang))


def get_job(db: Session, job_id: int) -> Job:
    """Return the job ``job_id``; NotFound if there is none."""
    job = db.get(Job, job_id)
    if job is None:
        raise NotFound("job.not_found", job=job_id)
    return job


def event_jobs(db: Session, event: Event, limit: int = 50) -> list[Job]:
    """Return the event's latest jobs, newest first."""
    query = select(Job).where(Job.event_id == event.id).order_by(Job.id.desc()).limit(limit)
    return list(db.scalars(query))


def pending(
    db: Session, kind: JobKind, event: Event, session: MatchmakingSession | None
) -> Job | None:
    """Return the queued or running job of this kind for this event (and session), if any."""
    query = select(Job).where(
        Job.kind == kind,
        Job.event_id == event.id,
        Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
    )
    if session is not None:
        query = query.where(Job.session_id == session.id)
    return db.scalars(query.order_by(Job.id)).first()


def create_job(
    db: Session,
    kind: JobKind,
    event: Event,
    session: MatchmakingSession | None = None,
    params: dict[str, Any] | None = None,
    actor: User | None = None,
) -> Job:
    """Record a queued job, or return the same work already waiting or running (no duplicates)."""
    same = pending(db, kind, event, session)
    if same is not None and same.params == (params or {}):
        return same
    job = Job(
        kind=kind,
        status=JobStatus.QUEUED,
        event_id=event.id,
        session_id=session.id if session else None,
        params=params or {},
        attempts=0,
        created_by_id=actor.id if actor else None,
        worker="",
    )
    db.add(job)
    db.flush()
    return job


def finish(job: Job, status: JobStatus, **values: Any) -> None:
    """Mark ``job`` ended with ``status`` now, setting ``values`` (result, error) on it."""
    job.status = status
    job.finished_at = utcnow()
    for name, value in values.items():
        setattr(job, name, value)


def record_failure(factory: sessionmaker[Session], job_id: int, error: dict[str, Any]) -> None:
    """Mark job ``job_id`` failed with ``error`` (a message code and its parameters), in a
    transaction of its own: the work's own transaction has been rolled back, or never began."""
    with factory() as db, db.begin():
        finish(get_job(db, job_id), JobStatus.FAILED, error=error)
