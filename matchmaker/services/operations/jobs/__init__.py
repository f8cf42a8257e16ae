"""Background jobs: index rebuilds and agenda builds, run by RQ workers when Redis is configured.

The ``jobs`` row is the record of a job, not the queue (``records.py``): it is written before
anything is queued, a worker marks it running and keeps its heartbeat fresh while it works
(``runner.py``, ``queue.py``), and it ends as ``done`` (with a result) or ``failed`` (with a
reason the organiser can read). What each kind of job does is in ``kinds.py``; how a job is
started, queued or run in the caller, in ``submission.py``. The worker process itself is
``matchmaker/worker.py``. The names below are what the edges (API, pages, CLI) use.
"""

from matchmaker.services.operations.jobs.queue import (
    MAX_ATTEMPTS,
    JobList,
    JobQueue,
    list_event_jobs,
    recover,
    requeue_lost,
)
from matchmaker.services.operations.jobs.records import (
    JobView,
    create_job,
    event_jobs,
    get_job,
    job_dict,
    job_view,
    pending,
)
from matchmaker.services.operations.jobs.runner import run
from matchmaker.services.operations.jobs.submission import (
    dispatch,
    rebuild_after_import,
    start_job,
    submit,
)

__all__ = [
    "MAX_ATTEMPTS",
    "JobList",
    "JobQueue",
    "JobView",
    "create_job",
    "dispatch",
    "event_jobs",
    "get_job",
    "job_dict",
    "job_view",
    "list_event_jobs",
    "pending",
    "rebuild_after_import",
    "recover",
    "requeue_lost",
    "run",
    "start_job",
    "submit",
]
