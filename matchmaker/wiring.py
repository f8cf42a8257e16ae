"""Composition root: a process's engine, sessions, Matcher and job queue, made from Settings.

The web app (``create_app``), the CLI and the RQ worker all build their parts here. In the
import-linter layers it sits below those process edges (``app``, ``worker``, ``cli``) and above
``api``: no view can build parts of its own (views get theirs from ``api.context``, which
``create_app`` fills from here).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.config import Settings
from matchmaker.db.engine import make_engine, session_factory
from matchmaker.embeddings import index
from matchmaker.embeddings.encoders import Encoder
from matchmaker.embeddings.registry import get_encoder
from matchmaker.services.matching.index_store import index_dir_for
from matchmaker.services.matching.matcher import Matcher
from matchmaker.services.notifications.kick import Kicker
from matchmaker.services.operations.jobs import JobQueue
from matchmaker.services.registry.attachments import AttachmentStore, attachments_dir_for


class Parts:
    """One process's parts, each made from ``settings`` on first use and kept.

    Making ``Parts`` also hands the cores their process-wide settings (the FAISS index's
    defaults). Nothing heavy happens before a part is asked for: no engine, no model.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        configure_cores(settings)

    @cached_property
    def engine(self) -> Engine:
        """The database engine (one pool per process)."""
        return make_engine(self.settings.database_url)

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        """Sessions on :attr:`engine`; the edges open them, services are handed them."""
        return session_factory(self.engine)

    @cached_property
    def matcher(self) -> Matcher:
        """The process's matcher (its encoder loads on first use)."""
        return build_matcher(self.settings)

    @cached_property
    def attachments(self) -> AttachmentStore:
        """Where project attachments are kept (beside the database unless configured)."""
        s = self.settings
        folder = attachments_dir_for(s.database_url, s.instance_dir, s.attachment_dir)
        return AttachmentStore(folder, s.attachment_max_bytes)

    @cached_property
    def queue(self) -> JobQueue:
        """Where background jobs go: RQ on Redis when configured, else the caller."""
        return JobQueue.from_settings(self.settings)

    @cached_property
    def notice_kicker(self) -> Kicker:
        """What sends notices right after the commit that wrote them: a job on the RQ worker
        when Redis is configured, else a background thread of this process."""
        enqueue = partial(enqueue_send, self.queue) if self.settings.redis_url else None
        return Kicker(self.session_factory, self.settings, enqueue).watch()


# What RQ calls in the worker to send notices (matchmaker/worker.py), by its import path.
RQ_SEND_NOTICES = "matchmaker.worker.rq_send_notices"


def enqueue_send(queue: JobQueue) -> None:
    """Queue one notification send on the RQ worker (a send finding nothing due is cheap)."""
    from rq import Queue

    from matchmaker.services.operations.jobs.queue import redis

    Queue(queue.name, connection=redis(queue.redis_url)).enqueue(
        RQ_SEND_NOTICES, job_timeout=600, result_ttl=60, failure_ttl=86400
    )


def configure_cores(settings: Settings) -> None:
    """Give the cores the settings they keep per process: the FAISS index's defaults."""
    index.set_defaults(
        index.IndexDefaults(
            hnsw_threshold=settings.hnsw_threshold,
            ef_search=settings.hnsw_ef,
            search_threads=settings.faiss_search_threads,
        )
    )


def encoder_factory(settings: Settings) -> Callable[[], Encoder]:
    """Return what makes the configured text encoder (``MATCHMAKER_EMBEDDING_MODEL``)."""
    name = settings.embedding_model.strip() or None  # unset or blank: the default encoder
    return partial(get_encoder, name, local_files_only=settings.hub_offline)


def build_matcher(settings: Settings) -> Matcher:
    """Return a matcher with the configured encoder, keeping its indexes beside the database."""
    return Matcher(
        index_dir=index_dir_for(settings.database_url, settings.instance_dir),
        encoder_factory=encoder_factory(settings),
    )
