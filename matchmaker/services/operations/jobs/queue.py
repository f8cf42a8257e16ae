"""The RQ adapter: where submitted jobs go, each running job's heartbeat, lost jobs' recovery.

The heartbeat is a Redis key with a short lifetime that the running worker keeps renewing (no
database writes, so SQLite's single writer is never held up); without Redis it is the running
process itself. :func:`recover` finds rows whose heartbeat is gone (every worker runs it when it
starts and then every few seconds; the API runs it when it lists jobs) and queues them again, up
to :data:`MAX_ATTEMPTS`, after which they fail with "interrupted".
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from functools import cache
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.config import Settings
from matchmaker.db.models import Job
from matchmaker.domain import JobStatus
from matchmaker.services.operations.jobs.records import JobView, event_jobs, finish, job_view
from matchmaker.services.registry.events import get_event

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# What RQ calls in the worker process (matchmaker/worker.py), named by its import path: the
# worker process builds its parts through the composition root, a layer above services.
RQ_ENTRY = "matchmaker.worker.rq_entry"


@dataclass(frozen=True)
class JobQueue:
    """Where submitted jobs go: an RQ queue on Redis, or (``redis_url`` empty) the caller."""

    redis_url: str = ""
    name: str = "matchmaker"
    stale_seconds: int = 10  # the heartbeat key's lifetime: once it is gone, so is the worker

    @classmethod
    def from_settings(cls, settings: Settings) -> JobQueue:
        """Return the queue ``settings`` configure (Redis URL, queue name, heartbeat lifetime)."""
        return cls(settings.redis_url, settings.job_queue, settings.job_stale_seconds)

    @property
    def background(self) -> bool:
        """Whether jobs go to RQ workers (Redis configured), rather than run in the caller."""
        return bool(self.redis_url)

    def beat(self, job_id: int, worker: str) -> None:
        """Renew job ``job_id``'s heartbeat key (a no-op without Redis)."""
        if self.background:
            redis(self.redis_url).set(_beat_key(self.name, job_id), worker, ex=self.stale_seconds)

    def alive(self, job: Job) -> bool:
        """Whether ``job``'s worker is still beating (without Redis: its process exists)."""
        if self.background:
            return bool(redis(self.redis_url).exists(_beat_key(self.name, job.id)))
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

        queue = Queue(self.name, connection=redis(self.redis_url))
        queue.enqueue(
            RQ_ENTRY,
            job_id,
            job_id=f"matchmaker-{self.name}-{job_id}-{attempt}",
            job_timeout=3600,
            result_ttl=3600,
            failure_ttl=7 * 86400,
        )


def _beat_key(queue: str, job_id: int) -> str:
    return f"matchmaker:{queue}:job:{job_id}:alive"


@cache
def redis(url: str) -> Any:
    """Return this process's connection to the Redis at ``url`` (one per URL)."""
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)


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
            finish(job, JobStatus.FAILED, error={"code": "job.interrupted", "params": {}})
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


@dataclass(frozen=True)
class JobList:
    """An event's latest jobs, and whether jobs go to workers (a queue) or run in the request."""

    items: list[JobView]
    background: bool


def list_event_jobs(
    db: Session, factory: sessionmaker[Session], queue: JobQueue, event_code: str | None, lang: str
) -> JobList:
    """Return the event's latest 50 jobs, newest first, after retrying or failing those whose
    worker died (with Redis down, what the database says)."""
    event = get_event(db, event_code)
    try:
        requeue_lost(factory, queue)
    except RedisError as exc:
        log.warning("could not check for lost jobs: %s", exc)
    return JobList([job_view(job, lang) for job in event_jobs(db, event)], queue.background)
