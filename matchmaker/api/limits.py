"""Rate limits on sign-in and booking (Flask-Limiter; counters in Redis when configured).

Policy (README "Running in production"):

- sign-in (``POST /api/v1/auth/token`` and ``POST /login`` share the counters): only *failed*
  attempts count, against two limits: per user name from one client address
  (``MATCHMAKER_LOGIN_LIMIT``), so guessing one account from one place stops while its owner
  still signs in from elsewhere; and per client address over all names
  (``MATCHMAKER_LOGIN_ADDRESS_LIMIT``, generous: a venue's Wi-Fi is one address), so one
  address cannot spray passwords over many accounts. Honest users never hit either.
- investors' sign-up (``POST /events/<code>/signup``): every form sent counts, per client
  address (``MATCHMAKER_SIGNUP_LIMIT``), so the public page cannot be flooded with applications.
- booking (``POST /api/v1/meeting-requests`` and ``POST /book`` share the counter): every
  request sent counts, per signed-in user (``MATCHMAKER_BOOKING_LIMIT``).

Windows are moving, so a burst at a window's edge is no way round. The counters are shared by
every worker of every host: in Redis when ``MATCHMAKER_REDIS_URL`` is set, else in the database
(``rate_limit_hits``, see ``db/rate_limits.py``). When the store cannot be reached the limits
fall back to the process's memory (counted per worker meanwhile) and the service keeps
answering; Flask-Limiter checks the store again with a growing pause and goes back to it.

What that guarantees, with either store: bookings are counted as they arrive (check and count are
one step), so no user sends more than the limit, however many workers and at whatever moment. A
sign-in is counted only once it has failed, so attempts one after another stop exactly at the
limit whichever worker answers, while attempts for one name sent at the same moment may each be
let through before any of them is counted: a burst can overshoot by the number in flight.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, make_response, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from matchmaker.api.auth import current_user
from matchmaker.api.context import db
from matchmaker.api.errors import _respond, _wants_html
from matchmaker.api.i18n import lang
from matchmaker.db.rate_limits import DatabaseStorage
from matchmaker.errors import MatchmakerError
from matchmaker.messages import render

LOGIN_ENDPOINTS = ("auth.Token", "pages.login")
BOOKING_ENDPOINTS = ("bookings.Requests", "agenda_pages.book")
SIGNUP_ENDPOINTS = ("registry_pages.signup",)
# A Redis that stops answering must not hold requests up for long.
_REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def init_limits(app: Flask) -> Limiter:
    """Build this app's limiter from its config and put the limits on the sign-in and booking
    views (registered already). Bad limit strings stop the start with the setting named."""
    config = app.config
    login, per_address, booking, signup = (
        _checked(config, name)
        for name in (
            "MATCHMAKER_LOGIN_LIMIT",
            "MATCHMAKER_LOGIN_ADDRESS_LIMIT",
            "MATCHMAKER_BOOKING_LIMIT",
            "MATCHMAKER_SIGNUP_LIMIT",
        )
    )
    redis = config.get("MATCHMAKER_REDIS_URL")
    storage, options = (
        (redis, _REDIS_OPTIONS)
        if redis
        else (
            DatabaseStorage.STORAGE_SCHEME[0] + "://",
            {"engine": app.extensions["matchmaker.engine"]},
        )
    )
    limiter = Limiter(
        key_func=client_address,
        enabled=bool(config.get("MATCHMAKER_RATE_LIMITS", True)),
        storage_uri=storage,
        storage_options=options,
        strategy="moving-window",
        # Deployments sharing one Redis keep apart by their queue name: with one fixed prefix,
        # user 28 of one contest's database and user 28 of another's shared a counter.
        key_prefix=config.get("MATCHMAKER_RATE_LIMIT_PREFIX")
        or config.get("MATCHMAKER_JOB_QUEUE", "matchmaker"),
        headers_enabled=True,
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    config["RATELIMIT_ENABLED"] = limiter.enabled  # init_app reads it from here
    limiter.init_app(app)
    app.extensions["matchmaker.limiter"] = limiter
    failed = {"methods": ["POST"], "deduct_when": _failed_sign_in}
    _wrap(
        app,
        LOGIN_ENDPOINTS,
        limiter.shared_limit(login, "login", key_func=address_and_username, **failed),
        limiter.shared_limit(per_address, "login-address", key_func=client_address, **failed),
    )
    _wrap(
        app,
        BOOKING_ENDPOINTS,
        limiter.shared_limit(booking, "booking", key_func=signed_in_user, methods=["POST"]),
    )
    _wrap(
        app,
        SIGNUP_ENDPOINTS,
        limiter.shared_limit(signup, "signup", key_func=client_address, methods=["POST"]),
    )

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded) -> Response:
        return too_many_requests(limiter)

    return limiter


def too_many_requests(limiter: Limiter) -> Response:
    """The 429 answer: the one error shape (a page for browsers) and Retry-After in seconds."""
    retry = _retry_after(limiter)
    message = render("error.rate_limited", lang(), seconds=retry)
    if request.endpoint == "pages.login" and _wants_html():
        # Keep the sign-in form on screen with the reason, rather than an error page.
        hint = current_app.config.get("MATCHMAKER_DEMO_HINT", False)
        response = make_response(render_template("login.html", error=message, demo_hint=hint), 429)
    else:
        response = make_response(_respond(429, message, []))
    response.headers["Retry-After"] = str(retry)
    return response


def client_address() -> str:
    """The client's address (the proxy's forwarded one when MATCHMAKER_PROXY_HOPS is set)."""
    return request.remote_addr or "unknown"


def address_and_username() -> str:
    """Key of the per-account sign-in limit: address and (a digest of) the name tried."""
    try:
        if request.is_json:
            body = request.get_json(silent=True)
            name = body.get("username", "") if isinstance(body, dict) else ""
        else:
            name = request.form.get("username", "")
    except (ValueError, HTTPException):  # an unreadable body: the view answers it
        name = ""
    digest = hashlib.sha256(str(name).encode("utf-8", "replace")).hexdigest()[:20]
    return f"{client_address()}/{digest}"


def signed_in_user() -> str:
    """Key of the booking limit: the signed-in user (by address for a visitor the view refuses)."""
    try:
        user = current_user()
    except MatchmakerError:  # the view itself reports a bad token
        user = None
    except SQLAlchemyError:
        # The view itself reports the database (503 when it is still down). Roll back so the
        # view's own reads start afresh rather than on the broken transaction (a 500).
        db().rollback()
        user = None
    return f"user-{user.id}" if user is not None else f"anon-{client_address()}"


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


def _wrap(app: Flask, endpoints: tuple[str, ...], *limits: Callable[[Any], Any]) -> None:
    for endpoint in endpoints:
        view = app.view_functions[endpoint]
        for limit in limits:
            view = limit(view)
        app.view_functions[endpoint] = view


def _checked(config: Any, name: str) -> str:
    value = str(config.get(name, ""))
    try:
        parse_many(value)
    except ValueError as exc:
        raise ValueError(f"{name}: not a rate limit such as '10/minute': {value!r}") from exc
    return value


def _retry_after(limiter: Limiter) -> int:
    limit = limiter.current_limit
    if limit is None:
        return 60
    try:
        reset_at = limit.reset_at
    except Exception:  # noqa: BLE001 - the counter store went away mid-request; guess a window
        return int(limit.limit.get_expiry())
    return max(1, int(reset_at - time.time()))
