"""Running one job: claim its row, keep its heartbeat, do its work, record how it ended.

A job ends ``done`` with a result, or ``failed`` with a reason the organiser can read.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.config import pause_point
from matchmaker.db.models import Job
from matchmaker.db.types import utcnow
from matchmaker.domain import JobStatus
from matchmaker.errors import MatchmakerError
from matchmaker.services.matching.matcher import Matcher
from matchmaker.services.operations.jobs.kinds import WORK
from matchmaker.services.operations.jobs.queue import JobQueue
from matchmaker.services.operations.jobs.records import finish, get_job, record_failure

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0  # at most; a shorter heartbeat lifetime (stale_seconds) beats faster


def worker_name() -> str:
    """Return this process's name in a job row: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def run(
    factory: sessionmaker[Session], matcher: Matcher, job_id: int, queue: JobQueue | None = None
) -> None:
    """Run job ``job_id``: mark it running, do its work in one transaction, record the end.

    A job that is not queued (done, failed, or running elsewhere) is left alone, so a job
    queued twice runs once. Each job's work is one database transaction, so a worker killed
    mid-job leaves nothing half-written: only a ``running`` row whose heartbeat stops.
    """
    queue = queue or JobQueue()
    me = worker_name()
    queue.beat(job_id, me)  # before the claim: a sweep must never see it running and silent
    with factory() as db, db.begin():
        claim = update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        claimed = cast(
            CursorResult[Any],
            db.execute(
                claim.values(
                    status=JobStatus.RUNNING,
                    attempts=Job.attempts + 1,
                    started_at=utcnow(),
                    finished_at=None,
                    worker=me,
                    error=None,
                )
            ),
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
            finish(job, JobStatus.DONE, result=result)
    except MatchmakerError as exc:
        record_failure(factory, job_id, {"code": exc.code, "params": _plain(exc.params)})
    except Exception:
        log.exception("job %s failed", job_id)
        record_failure(factory, job_id, {"code": "job.crashed", "params": {}})
    finally:
        stop.set()
        beat.join(timeout=5)


def beat_interval(queue: JobQueue) -> float:
    """Return how often a running job renews its heartbeat: three times per key lifetime, so a
    slow beat never lets the key lapse. (Every 2 s against a 2 s lifetime, the key could expire
    between beats, and another worker's sweep queued the live job again: it then ran twice.)"""
    return min(HEARTBEAT_SECONDS, queue.stale_seconds / 3)


def _heartbeat(queue: JobQueue, job_id: int, me: str, stop: threading.Event) -> None:
    while not stop.wait(beat_interval(queue)):
        try:
            queue.beat(job_id, me)
        except Exception as exc:  # noqa: BLE001 - a missed beat only delays recovery
            log.warning("job %s heartbeat failed: %s", job_id, exc)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """Keep what JSON can hold of an error's parameters (labels become their values)."""
    return {k: v if isinstance(v, int | float | bool | None) else str(v) for k, v in params.items()}
