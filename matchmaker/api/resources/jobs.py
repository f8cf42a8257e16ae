"""Background jobs: start an index rebuild, follow a job, list an event's jobs."""

from __future__ import annotations

import logging
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from redis.exceptions import RedisError

from matchmaker.api.auth import BEARER, require, user
from matchmaker.api.context import db, matcher, queue, session_factory
from matchmaker.api.i18n import lang
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
log = logging.getLogger(__name__)


class JobOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "index.rebuild, agenda.build"})
    kind_label = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "queued, running, done, failed"})
    status_label = fields.String(required=True)
    event = fields.String(allow_none=True)
    session = fields.String(allow_none=True)
    params = fields.Dict(required=True)
    attempts = fields.Integer(required=True)
    created_at = fields.String(required=True)
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
    worker = fields.String(required=True, metadata={"description": "host:pid of the last runner"})
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "why it failed, readable"})


class JobListOut(Schema):
    items = fields.List(fields.Nested(JobOut), required=True)
    background = fields.Boolean(
        required=True, metadata={"description": "whether jobs go to RQ workers (Redis configured)"}
    )


def start(
    kind: JobKind,
    event: Event,
    session: MatchmakingSession | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Record a job and start it (queued, or run here without a queue); return its view."""
    job = jobs.start_job(
        db(), session_factory(), queue(), matcher(), kind, event, session, params, user()
    )
    return jobs.job_dict(job, lang())


@blp.route("/events/<code>/index/rebuild")
class IndexRebuild(MethodView):
    @blp.doc(security=BEARER)
    @require(Role.ORGANISER)
    @blp.response(202, JobOut)
    def post(self, code: str) -> dict[str, Any]:
        """Re-encode changed texts and rebuild the event's FAISS indexes, in the background.

        Shortlists keep being served from the current index meanwhile. Without a queue the
        rebuild runs in this request and the job comes back finished.
        """
        return start(JobKind.INDEX_REBUILD, get_event(db(), code))


@blp.route("/events/<code>/jobs")
class EventJobs(MethodView):
    @blp.doc(security=BEARER)
    @require(*STAFF)
    @blp.response(200, JobListOut)
    def get(self, code: str) -> dict[str, Any]:
        """The event's latest 50 jobs, newest first (jobs whose worker died are reported)."""
        event = get_event(db(), code)
        # jobs whose worker died are retried (queued again) or marked failed before listing
        try:
            jobs.requeue_lost(session_factory(), queue())
        except RedisError as exc:  # Redis down: list what the database says
            log.warning("could not check for lost jobs: %s", exc)
        language = lang()
        items = [jobs.job_dict(job, language) for job in jobs.event_jobs(db(), event)]
        return {"items": items, "background": queue().background}


@blp.route("/jobs/<int:job_id>")
class OneJob(MethodView):
    @blp.doc(security=BEARER)
    @require(*STAFF)
    @blp.response(200, JobOut)
    def get(self, job_id: int) -> dict[str, Any]:
        """One job: its status, result or the reason it failed."""
        return jobs.job_dict(jobs.get_job(db(), job_id), lang())
