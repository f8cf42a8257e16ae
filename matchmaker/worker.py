"""The RQ worker process (``matchmaker worker``): runs queued jobs, sweeps for lost ones, and
each minute writes the reminders that fell due and sends what the outbox holds (so with Redis,
``matchmaker worker`` alone delivers notices; without it, cron runs ``notifications send``).

Its parts (database, matcher, queue) come from the composition root, warm between jobs.
"""

from __future__ import annotations

import logging
import threading
import time

from matchmaker.config import Settings
from matchmaker.errors import MatchmakerError
from matchmaker.services.operations.jobs.queue import redis, requeue_lost
from matchmaker.services.operations.jobs.runner import run
from matchmaker.wiring import Parts

log = logging.getLogger(__name__)

NOTICE_SECONDS = 60  # how often the worker runs a notification pass besides the kicks

# This process's parts: those ``work`` was given, else built from the environment on the first
# job (a worker started some other way). One each, warm between jobs.
_parts: Parts | None = None


def rq_entry(job_id: int) -> None:
    """What RQ calls in the worker (``queue.RQ_ENTRY``): run job ``job_id`` with this process's
    database, matcher and queue."""
    global _parts
    if _parts is None:
        _parts = Parts(Settings.from_env())
    run(_parts.session_factory, _parts.matcher, job_id, _parts.queue)


def rq_send_notices() -> None:
    """What RQ calls in the worker after a request wrote notices: send what is due."""
    from matchmaker.services.notifications.sender import send_due

    global _parts
    if _parts is None:
        _parts = Parts(Settings.from_env())
    report = send_due(_parts.session_factory, _parts.settings)
    log.info("notifications: %s", report.to_dict())


def _notices_round(parts: Parts) -> None:
    """Reminders that fell due and notices a crash left behind: the worker's minute pass."""
    from matchmaker.services.notifications.sender import send_round

    try:
        report = send_round(parts.session_factory, parts.settings)
    except Exception as exc:  # noqa: BLE001 - the next pass tries again
        log.warning("notification pass failed: %s", exc)
        return
    if report.reminders or report.sent or report.failed:
        log.info("notifications: %s", report.to_dict())


def work(parts: Parts, burst: bool = False) -> None:
    """Run an RQ worker on the configured Redis until stopped (or, with ``burst``, idle)."""
    from rq import Queue, SimpleWorker

    global _parts
    if not parts.settings.redis_url:
        raise MatchmakerError("job.no_queue")
    _parts = parts
    factory, queue = parts.session_factory, parts.queue
    requeue_lost(factory, queue)
    stop = threading.Event()

    def sweep() -> None:
        last_notices = 0.0
        while not stop.wait(queue.stale_seconds / 2):
            try:
                requeue_lost(factory, queue)
            except Exception as exc:  # noqa: BLE001 - the next sweep tries again
                log.warning("recovery sweep failed: %s", exc)
            if time.monotonic() - last_notices >= NOTICE_SECONDS:
                last_notices = time.monotonic()
                _notices_round(parts)

    sweeper = threading.Thread(target=sweep, daemon=True)
    sweeper.start()
    try:
        # SimpleWorker runs jobs in this process, so the encoder stays loaded between jobs.
        worker = SimpleWorker([Queue(queue.name, connection=redis(queue.redis_url))])
        worker.work(burst=burst, with_scheduler=False)
    finally:
        stop.set()
