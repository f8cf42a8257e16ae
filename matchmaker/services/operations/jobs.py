"""Background jobs: index rebuilds and agenda builds, run by RQ workers when Redis is configured.

The ``jobs`` row is the record of a job, not the queue: it is written before anything is
queued, a worker marks it running and keeps its heartbeat fresh while it works, and it ends as
``done`` (with a result) or ``failed`` (with a reason the organiser can read). Each job's work is
one database transaction, so a worker killed mid-job leaves nothing half-written: only a
``running`` row whose heartbeat stops. The heartbeat is a Redis key with a short lifetime that
the running worker keeps renewing (no database writes, so SQLite's single writer is never
held up); without Redis it is the running process itself. :func:`recover` finds rows whose
heartbeat is gone (every worker runs it when it starts and then every few seconds; the API runs
it when it lists jobs) and queues them again, up to :data:`MAX_ATTEMPTS`, after which they fail
with "interrupted".

With no queue configured (the demo, the tests of the synchronous path) :func:`submit` runs the
job in the caller, through exactly the same :func:`run`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.config import Settings, pause_point
from matchmaker.db.models import Event, Job, MatchmakingSession, User
from matchmaker.db.types import utcnow
from matchmaker.domain import JobKind, JobStatus
from matchmaker.errors import MatchmakerError, NotFound, Unavailable

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
HEARTBEAT_SECONDS = 2.0


# ---- the record ---------------------------------------------------------------------------


def job_dict(job: Job, lang: str = "zh") -> dict[str, Any]:
    """Return the JSON-ready view of ``job`` (the API's and the CLI's)."""
    from matchmaker.messages import render

    error = None
    if job.error:
        error = render(job.error["code"], lang, **job.error.get("params", {}))
    return {
        "id": job.id,
        "kind": job.kind.value,
        "kind_label": job.kind.label(lang),
        "status": job.status.value,
        "status_label": job.status.label(lang),
        "event": job.event.code if job.event else None,
        "session": job.session.code if job.session else None,
        "params": job.params,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "worker": job.worker,
        "result": job.result,
        "error": error,
    }


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


# ---- the queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class JobQueue:
    """Where submitted jobs go: an RQ queue on Redis, or (``redis_url`` empty) the caller."""

    redis_url: str = ""
    name: str = "matchmaker"
    stale_seconds: int = 10  # the heartbeat key's lifetime: once it is gone, so is the worker

    @classmethod
    def from_settings(cls, settings: Settings) -> JobQueue:
        return cls(settings.redis_url, settings.job_queue, settings.job_stale_seconds)

    @property
    def background(self) -> bool:
        return bool(self.redis_url)

    def beat(self, job_id: int, worker: str) -> None:
        """Renew job ``job_id``'s heartbeat key (a no-op without Redis)."""
        if self.background:
            _redis(self.redis_url).set(_beat_key(self.name, job_id), worker, ex=self.stale_seconds)

    def alive(self, job: Job) -> bool:
        """Whether ``job``'s worker is still beating (without Redis: its process exists)."""
        if self.background:
            return bool(_redis(self.redis_url).exists(_beat_key(self.name, job.id)))
        host, _, pid = job.worker.rpartition(":")
        if host != socket.gethostname() or not pid.isdigit():
            return True  # another machine's process: not ours to judge
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def enqueue(self, job_id: int, attempt: int) -> None:
        """Put job ``job_id`` on the RQ queue (its RQ id names the queue, the job and the attempt).

        RQ ids are global in Redis, not per queue: two queues (two databases, or two test runs)
        each with a job 1 would otherwise share "job 1, attempt 1", and one queue's worker would
        find the other's entry finished and leave its own job queued for ever.
        """
        from rq import Queue

        queue = Queue(self.name, connection=_redis(self.redis_url))
        queue.enqueue(
            "matchmaker.services.operations.jobs.rq_entry",
            job_id,
            job_id=f"matchmaker-{self.name}-{job_id}-{attempt}",
            job_timeout=3600,
            result_ttl=3600,
            failure_ttl=7 * 86400,
        )


def _beat_key(queue: str, job_id: int) -> str:
    return f"matchmaker:{queue}:job:{job_id}:alive"


@cache
def _redis(url: str) -> Any:
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)


def submit(
    factory: sessionmaker[Session],
    queue: JobQueue,
    job: Job,
    matcher: Any,
    db: Session,
) -> Job:
    """Start ``job`` (already flushed in ``db``): commit and queue it, or run it right here.

    The caller's transaction is committed first, so the worker sees the row and whatever the
    caller changed before asking.
    """
    db.commit()
    if queue.background:
        dispatch(factory, queue, job.id, job.attempts + 1)
        return job
    run(factory, matcher, job.id, queue)
    db.expire(job)
    db.refresh(job)
    return job


def start_job(
    db: Session,
    factory: sessionmaker[Session],
    queue: JobQueue,
    matcher: Any,
    kind: JobKind,
    event: Event,
    session: MatchmakingSession | None = None,
    params: dict[str, Any] | None = None,
    actor: User | None = None,
) -> Job:
    """Record a job (or find the same one waiting) and start it: queued, or run right here."""
    job = create_job(db, kind, event, session, params, actor)
    return submit(factory, queue, job, matcher, db)


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
        _record_failure(factory, job_id, {"code": "job.queue_down", "params": {}})
        raise Unavailable("job.queue_down") from exc


# ---- running one job ----------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def run(
    factory: sessionmaker[Session], matcher: Any, job_id: int, queue: JobQueue | None = None
) -> None:
    """Run job ``job_id``: mark it running, do its work in one transaction, record the end.

    A job that is not queued (done, failed, or running elsewhere) is left alone, so a job
    queued twice runs once.
    """
    queue = queue or JobQueue()
    me = worker_name()
    queue.beat(job_id, me)  # before the claim: a sweep must never see it running and silent
    with factory() as db, db.begin():
        claimed = db.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.attempts + 1,
                started_at=utcnow(),
                finished_at=None,
                worker=me,
                error=None,
            )
        ).rowcount
    if not claimed:
        log.info("job %s is not queued; skipped", job_id)
        return
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(queue, job_id, me, stop), daemon=True)
    beat.start()
    try:
        with factory() as db, db.begin():
            job = get_job(db, job_id)
            result = WORK[job.kind](db, matcher, job)
            pause_point("job.commit")  # fault tests: a worker killed here commits nothing
            _finish(db, job, JobStatus.DONE, result=result)
    except MatchmakerError as exc:
        _record_failure(factory, job_id, {"code": exc.code, "params": _plain(exc.params)})
    except Exception:
        log.exception("job %s failed", job_id)
        _record_failure(factory, job_id, {"code": "job.crashed", "params": {}})
    finally:
        stop.set()
        beat.join(timeout=5)


def _heartbeat(queue: JobQueue, job_id: int, me: str, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            queue.beat(job_id, me)
        except Exception as exc:  # noqa: BLE001 - a missed beat only delays recovery
            log.warning("job %s heartbeat failed: %s", job_id, exc)


def _finish(db: Session, job: Job, status: JobStatus, **values: Any) -> None:
    job.status = status
    job.finished_at = utcnow()
    for name, value in values.items():
        setattr(job, name, value)


def _record_failure(factory: sessionmaker[Session], job_id: int, error: dict[str, Any]) -> None:
    with factory() as db, db.begin():
        _finish(db, get_job(db, job_id), JobStatus.FAILED, error=error)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """Keep what JSON can hold of an error's parameters (labels become their values)."""
    return {k: v if isinstance(v, int | float | bool | None) else str(v) for k, v in params.items()}


# ---- the work -----------------------------------------------------------------------------


def _index_rebuild(db: Session, matcher: Any, job: Job) -> dict[str, Any]:
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


def _agenda_build(db: Session, matcher: Any, job: Job) -> dict[str, Any]:
    from matchmaker.services.agendas.build import build_agenda
    from matchmaker.services.agendas.options import AgendaOptions

    session = db.get(MatchmakingSession, job.session_id)
    assert session is not None
    actor = db.get(User, job.created_by_id) if job.created_by_id else None
    outcome = build_agenda(db, matcher, session, AgendaOptions(**job.params), actor)
    return outcome.to_dict()


WORK: dict[JobKind, Callable[[Session, Any, Job], dict[str, Any]]] = {
    JobKind.INDEX_REBUILD: _index_rebuild,
    JobKind.AGENDA_BUILD: _agenda_build,
}


# ---- recovery -----------------------------------------------------------------------------


def recover(db: Session, queue: JobQueue) -> tuple[list[Job], list[Job]]:
    """Find running jobs whose worker stopped beating; return (to queue again, given up).

    A job retried goes back to ``queued`` (only when there is a queue to put it on); one that
    has used :data:`MAX_ATTEMPTS`, or that ran in a request, fails with "interrupted". The
    caller commits and queues the first list.
    """
    running = db.scalars(
        select(Job).where(Job.status == JobStatus.RUNNING).with_for_update(skip_locked=True, of=Job)
    ).all()
    retry, failed = [], []
    for job in running:
        if queue.alive(job):
            continue
        log.warning("job %s lost its worker %s", job.id, job.worker)
        if queue.background and job.attempts < MAX_ATTEMPTS:
            job.status = JobStatus.QUEUED
            job.error = {"code": "job.retrying", "params": {"worker": job.worker}}
            retry.append(job)
        else:
            _finish(db, job, JobStatus.FAILED, error={"code": "job.interrupted", "params": {}})
            failed.append(job)
    return retry, failed


def requeue_lost(factory: sessionmaker[Session], queue: JobQueue) -> list[int]:
    """Recover lost jobs and queue the retried ones again; return their ids."""
    with factory() as db, db.begin():
        retry, _failed = recover(db, queue)
        ids = [(job.id, job.attempts + 1) for job in retry]
    for job_id, attempt in ids:
        queue.enqueue(job_id, attempt)
    return [job_id for job_id, _ in ids]


# ---- the worker process -------------------------------------------------------------------


@cache
def _worker_parts() -> tuple[sessionmaker[Session], Any]:
    """The worker process's session factory and matcher (one each, warm between jobs)."""
    from matchmaker.db.engine import make_engine, session_factory
    from matchmaker.services.matching.index_store import index_dir_for
    from matchmaker.services.matching.matcher import Matcher

    settings = Settings.from_env()
    factory = session_factory(make_engine(settings.database_url))
    matcher = Matcher(index_dir=index_dir_for(settings.database_url, settings.instance_dir))
    return factory, matcher


def rq_entry(job_id: int) -> None:
    """What RQ calls in the worker: run job ``job_id`` with the process's database and matcher."""
    factory, matcher = _worker_parts()
    run(factory, matcher, job_id, JobQueue.from_settings(Settings.from_env()))


def work(burst: bool = False) -> None:
    """Run an RQ worker on the configured Redis until stopped (or, with ``burst``, idle)."""
    from rq import Queue, SimpleWorker

    settings = Settings.from_env()
    if not settings.redis_url:
        raise MatchmakerError("job.no_queue")
    factory, _matcher = _worker_parts()
    queue = JobQueue.from_settings(settings)
    requeue_lost(factory, queue)
    stop = threading.Event()

    def sweep() -> None:
        while not stop.wait(queue.stale_seconds / 2):
            try:
                requeue_lost(factory, queue)
            except Exception as exc:  # noqa: BLE001 - the next sweep tries again
                log.warning("recovery sweep failed: %s", exc)

    sweeper = threading.Thread(target=sweep, daemon=True)
    sweeper.start()
    try:
        # SimpleWorker runs jobs in this process, so the encoder stays loaded between jobs.
        worker = SimpleWorker([Queue(queue.name, connection=_redis(queue.redis_url))])
        worker.work(burst=burst, with_scheduler=False)
    finally:
        stop.set()
