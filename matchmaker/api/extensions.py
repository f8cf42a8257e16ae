"""The per-request database session (one session a request, closed at teardown)."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session


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
    return g.db
