"""One error handler: every failure becomes ``{code, status, message, errors}`` (HTML on pages)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from werkzeug.exceptions import HTTPException

from matchmaker.api.i18n import lang
from matchmaker.errors import MatchmakerError
from matchmaker.messages import render, size_text

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "error.bad_request",
    401: "auth.required",
    403: "auth.forbidden",
    404: "error.route_not_found",
    405: "error.method_not_allowed",
    409: "error.conflict",
    413: "error.too_large",
    415: "error.unsupported_media",
    422: "error.invalid_input",
}


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; the catch-all logs the traceback and shows none of it."""

    @app.errorhandler(MatchmakerError)
    def _domain(exc: MatchmakerError) -> Any:
        language = lang()
        errors = [p.to_dict(language) for p in exc.problems]
        return _respond(exc.http_status, exc.message(language), errors)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        status = exc.code or 500
        language = lang()
        code = _HTTP_CODES.get(status)
        message = render(code, language, limit=_limit(app)) if code else (exc.description or "")
        errors = _webargs_errors(exc, language)
        return _respond(status, message, errors)

    @app.errorhandler(IntegrityError)
    def _integrity(exc: IntegrityError) -> Any:
        log.info("integrity error: %s", exc.orig)
        _roll_back()
        return _respond(409, render("error.conflict", lang()), [])

    @app.errorhandler(DataError)
    def _bad_value(exc: DataError) -> Any:
        # The last line of defence: a value the schemas let through but the database refuses
        # (a number beyond BIGINT, text beyond its column) is the caller's, not a server fault.
        log.warning("data error on %s %s: %s", request.method, request.path, exc.orig)
        _roll_back()
        return _respond(422, render("error.bad_value", lang()), [])

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)  # psycopg: "the connection is closed"
    def _database_down(exc: OperationalError | InterfaceError) -> Any:
        log.error("database unavailable: %s", exc.orig)
        _roll_back()
        # The answer must not need the database: the page shows no signed-in header rather
        # than ask the database who is signed in (which would fail again, as a 500).
        g.user = None
        return _respond(503, render("error.unavailable", lang()), [])

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:  # process edge: never leak a traceback
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, render("error.server", lang()), [])


def _roll_back() -> None:
    """Roll the request's session back after a database error, so that rendering the answer
    starts a fresh transaction instead of failing on the broken one."""
    session = g.get("db")
    if session is None:
        return
    try:
        session.rollback()
    except SQLAlchemyError as exc:  # the connection went while rolling back: drop the session
        log.warning("rollback after a database error failed: %s", exc)
        g.pop("db").close()


def _respond(status: int, message: str, errors: list[dict[str, Any]]) -> Any:
    name = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    payload = {"code": status, "status": name, "message": message, "errors": errors}
    if _wants_html():
        return render_template("error.html", error=payload), status
    response: Response = jsonify(payload)
    response.status_code = status
    return response


def _wants_html() -> bool:
    if request.path.startswith("/api/"):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _limit(app: Flask) -> str:
    return size_text(app.config.get("MAX_CONTENT_LENGTH") or 0)


def _webargs_errors(exc: HTTPException, language: str) -> list[dict[str, Any]]:
    """Flatten webargs' ``{location: {field: [messages]}}`` into the problem list shape."""
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    out: list[dict[str, Any]] = []
    if not isinstance(messages, dict):
        return out
    for location, fields in messages.items():
        _flatten(location, "", fields, out)
    return out


def _flatten(location: str, prefix: str, node: Any, out: list[dict[str, Any]]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(location, f"{prefix}.{key}" if prefix else str(key), value, out)
    elif isinstance(node, list) and all(isinstance(m, str) for m in node):
        for message in node:
            out.append({"location": location, "field": prefix, "message": message})
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _flatten(location, f"{prefix}[{index}]", value, out)
    else:
        out.append({"location": location, "field": prefix, "message": str(node)})
