"""Background jobs: start an index rebuild, follow a job, list an event's jobs."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, matcher, queue, session_factory
from matchmaker.api.i18n import lang
from matchmaker.api.schemas.operations import JobListOut, JobOut
from matchmaker.db.models import Event, MatchmakingSession
from matchmaker.domain import JobKind, Role
from matchmaker.services.operations import jobs
from matchmaker.services.registry.events import get_event

blp = Blueprint(
    "jobs",
    __name__,
    url_prefix="/api/v1",
    description="Background work (index rebuilds, agenda builds) and what became of it",
)
STAFF = (Role.ORGANISER, Role.STAFF)


def start(
    kind: JobKind,
    event: Event,
    session: MatchmakingSession | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Record a job and start it (queued, or run here without a queue); return its view as a
    dict (what the agenda build's resource and page read)."""
    job = jobs.start_job(
        db(), session_factory(), queue(), matcher(), kind, event, session, params, user()
    )
    return jobs.job_dict(job, lang())


@blp.route("/events/<code>/index/rebuild")
class IndexRebuild(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.response(202, JobOut)
    def post(self, code: str) -> jobs.JobView:
        """Re-encode changed texts and rebuild the event's FAISS indexes, in the background.

        Shortlists keep being served from the current index meanwhile. Without a queue the
        rebuild runs in this request and the job comes back finished.
        """
        event = get_event(db(), code)
        job = jobs.start_job(
            db(), session_factory(), queue(), matcher(), JobKind.INDEX_REBUILD, event, actor=user()
        )
        return jobs.job_view(job, lang())


@blp.route("/events/<code>/jobs")
class EventJobs(MethodView):
    @blp.doc(security=BEARER)
    @require(*STAFF)
    @blp.response(200, JobListOut)
    def get(self, code: str) -> jobs.JobList:
        """The event's latest 50 jobs, newest first (jobs whose worker died are reported)."""
        return jobs.list_event_jobs(db(), session_factory(), queue(), code, lang())


@blp.route("/jobs/<int:job_id>")
class OneJob(MethodView):
    @blp.doc(security=BEARER)
    @require(*STAFF)
    @blp.response(200, JobOut)
    def get(self, job_id: int) -> jobs.JobView:
        """One job: its status, result or the reason it failed."""
        return jobs.job_view(jobs.get_job(db(), job_id), lang())
