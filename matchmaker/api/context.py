"""What resources and pages share: this request's database session, the Matcher, the job queue,
the session factory, and file downloads. Everything here was put in place by ``create_app``."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Flask, Response, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from matchmaker.services.agendas.bookings import BookingRules
from matchmaker.services.matching.matcher import Matcher
from matchmaker.services.operations.jobs import JobQueue
from matchmaker.services.registry.attachments import AttachmentStore


def init_db(app: Flask, factory: object) -> None:
    """Keep the session factory on the app; each request opens one session and closes it."""
    app.extensions["matchmaker.session_factory"] = factory

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db", None)
        if session is not None:
            session.rollback()  # anything not committed by the view is discarded
            session.close()


def db() -> Session:
    """Return this request's session (opened on first use)."""
    if "db" not in g:
        g.db = current_app.extensions["matchmaker.session_factory"]()
    session: Session = g.db
    return session


def session_factory() -> sessionmaker[Session]:
    """Return the app's session factory (for work that outlives the request, e.g. jobs)."""
    factory: sessionmaker[Session] = current_app.extensions["matchmaker.session_factory"]
    return factory


def matcher() -> Matcher:
    """Return the process's matcher (its encoder loads on first use)."""
    found: Matcher = current_app.extensions["matchmaker.matcher"]
    return found


def attachments() -> AttachmentStore:
    """Return the app's attachment folder and size limit."""
    found: AttachmentStore = current_app.extensions["matchmaker.attachments"]
    return found


def queue() -> JobQueue:
    """Return the app's job queue (RQ on Redis when configured, else run in the request)."""
    found: JobQueue = current_app.extensions["matchmaker.jobs"]
    return found


def booking_rules() -> BookingRules:
    """Return the app's booking rules (how long a request holds its slot, the caps)."""
    return current_app.config.get("MATCHMAKER_BOOKING_RULES") or BookingRules()


TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ics": "text/calendar; charset=utf-8",
    "zip": "application/zip",
}


def download(content: bytes, fmt: str, name: str) -> Response:
    """Return ``content`` as an attachment named ``name.fmt`` (csv, xlsx, ics or zip).

    Event codes may be Chinese, and an HTTP header holds Latin-1 only: the name goes in
    ``filename*`` (RFC 6266), with an ASCII ``filename`` beside it for old clients.
    """
    filename = f"{name}.{fmt}"
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)
    disposition = f'attachment; filename="{fallback}"'
    if fallback != filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return Response(
        content,
        mimetype=TYPES[fmt].split(";")[0],
        headers={"Content-Type": TYPES[fmt], "Content-Disposition": disposition},
    )


def app_secret() -> str:
    """Return the app's secret key, which signs badge codes (and cookies, unsubscribe links)."""
    secret: str = current_app.config["SECRET_KEY"]
    return secret
