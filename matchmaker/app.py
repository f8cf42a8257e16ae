"""The web app: ``create_app()`` assembles it, ``serve`` runs it under gunicorn.

The parts (engine, sessions, Matcher, job queue) come from the composition root, ``wiring.py``;
here they meet the API, the pages and error handling.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from flask import Flask, send_from_directory

from matchmaker.config import Settings, instance_secret


def create_app(
    test_config: dict[str, Any] | None = None, settings: Settings | None = None
) -> Flask:
    """Create the Flask app from ``settings`` (by default the environment's).

    ``test_config`` overrides ``app.config`` keys, and through them the settings they carry
    (``DATABASE_URL``, ``MATCHMAKER_LOGIN_LIMIT``...); ``MATCHER`` and ``JOB_QUEUE`` replace
    the parts the composition root would build.
    """
    import swagger_ui_bundle
    from werkzeug.routing import IntegerConverter

    from matchmaker.api.context import init_db
    from matchmaker.api.errors import register_error_handlers
    from matchmaker.api.guards import register_guards
    from matchmaker.api.i18n import lang, t
    from matchmaker.api.limits import init_limits
    from matchmaker.api.openapi import ErrorResponses, MatchmakerApi, row_id_parameter
    from matchmaker.api.pages import accounts as _account_pages  # noqa: F401 - on registry_pages
    from matchmaker.api.pages import agendas as agenda_pages
    from matchmaker.api.pages import attendance as attendance_pages
    from matchmaker.api.pages import checkins as _checkin_pages  # noqa: F401 - on agenda_pages
    from matchmaker.api.pages import common as pages
    from matchmaker.api.pages import inbox as inbox_pages
    from matchmaker.api.pages import ledger as ledger_pages
    from matchmaker.api.pages import library as library_pages
    from matchmaker.api.pages import matching as matching_pages
    from matchmaker.api.pages import notification_log as notification_log_pages
    from matchmaker.api.pages import profiles as profile_pages
    from matchmaker.api.pages import registry as registry_pages
    from matchmaker.api.pages import roadshow as roadshow_pages
    from matchmaker.api.pages import signups as _signup_pages  # noqa: F401 - on registry_pages
    from matchmaker.api.resources import (
        agendas,
        attendance,
        auth,
        bookings,
        checkins,
        deliveries,
        inbox,
        jobs,
        library,
        matching,
        registry,
    )
    from matchmaker.api.resources.ledger import followups, intents, landings
    from matchmaker.api.security import init_security
    from matchmaker.domain import LOCAL_TZ
    from matchmaker.services.agendas.bookings import BookingRules
    from matchmaker.wiring import Parts

    test_config = test_config or {}
    settings = (settings or Settings.from_env()).with_config(test_config)
    parts = Parts(settings)
    app = Flask(
        __name__,
        instance_path=str(settings.instance_dir.resolve()),
        static_folder="api/static",
        template_folder="api/templates",
    )
    app.config.from_mapping(
        settings.app_config(),
        SECRET_KEY=instance_secret(settings),
        MATCHMAKER_BOOKING_RULES=BookingRules.from_settings(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        API_TITLE="matchmaker API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/api/docs/static/",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Investor–project matchmaking. Money is integer yuan. "
                "Errors: {code, status, message, errors}."
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    )
    app.config.update(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # readable Chinese in JSON

    app.extensions["matchmaker.engine"] = parts.engine
    init_db(app, parts.session_factory)
    # one per app: its OpenAPI document belongs to this app
    api = MatchmakerApi(app, spec_kwargs={"extra_plugins": [ErrorResponses()]})
    api.register_converter(IntegerConverter, row_id_parameter)
    api.register_blueprint(registry.blp)
    api.register_blueprint(registry.projects)
    api.register_blueprint(registry.institutions)
    api.register_blueprint(auth.blp)
    api.register_blueprint(matching.blp)
    api.register_blueprint(library.blp)
    api.register_blueprint(agendas.blp)
    api.register_blueprint(attendance.blp)
    api.register_blueprint(bookings.blp)
    api.register_blueprint(intents.blp)
    api.register_blueprint(followups.blp)
    api.register_blueprint(landings.blp)
    api.register_blueprint(jobs.blp)
    api.register_blueprint(deliveries.blp)
    api.register_blueprint(inbox.blp)
    api.register_blueprint(checkins.blp)
    # Background jobs go to RQ workers when Redis is configured, else run in the request.
    app.extensions["matchmaker.jobs"] = app.config.get("JOB_QUEUE") or parts.queue
    # One matcher per process: it caches each event's vectors and indexes between requests.
    app.extensions["matchmaker.matcher"] = app.config.get("MATCHER") or parts.matcher
    app.extensions["matchmaker.attachments"] = parts.attachments
    # Notices go out right after the request that wrote them (tests turn this on themselves).
    background = test_config.get("MATCHMAKER_NOTIFY_BACKGROUND", not app.testing)
    if settings.notify_background and background:
        app.extensions["matchmaker.notice_kicker"] = parts.notice_kicker
    app.register_blueprint(pages.bp)
    app.register_blueprint(registry_pages.bp)
    app.register_blueprint(profile_pages.bp)
    app.register_blueprint(matching_pages.bp)
    app.register_blueprint(library_pages.bp)
    app.register_blueprint(agenda_pages.bp)
    app.register_blueprint(attendance_pages.bp)
    app.register_blueprint(ledger_pages.bp)
    app.register_blueprint(notification_log_pages.bp)
    app.register_blueprint(inbox_pages.bp)
    app.register_blueprint(roadshow_pages.bp)
    register_error_handlers(app)
    register_guards(app)
    init_limits(app)  # after the blueprints: it wraps their sign-in and booking views
    init_security(app)
    app.jinja_env.globals.update(t=t, lang=lang, tz=LOCAL_TZ)
    app.jinja_env.filters["localdate"] = lambda v: v.astimezone(LOCAL_TZ).strftime("%Y-%m-%d")
    app.jinja_env.filters["localtime"] = lambda v: v.astimezone(LOCAL_TZ).strftime("%H:%M")

    swagger_dir = Path(swagger_ui_bundle.swagger_ui_path)

    @app.get("/api/docs/static/<path:filename>")
    def swagger_static(filename: str) -> Any:
        """Serve the vendored Swagger UI, so the docs page works with no network."""
        return send_from_directory(swagger_dir, filename, max_age=86400)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness check."""
        return {"status": "ok"}

    return app


# gunicorn's default line, then the time the worker spent on the request in milliseconds
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


def serve(settings: Settings, host: str, port: int, workers: int, threads: int = 4) -> None:
    """Run the app made from ``settings`` under gunicorn (the process edge)."""
    from gunicorn.app.base import BaseApplication

    logging.basicConfig(level=logging.INFO)
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)  # which CPU build it picked

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            # Idle keep-alive connections stay open longer than clients pause between clicks;
            # closing them sooner races with the next request on the same socket (a reset).
            self.cfg.set("keepalive", 75)
            self.cfg.set("accesslog", "-")
            # how long each request took inside the worker (ms), so a slow answer can be told
            # from a request that waited outside (benchmarks/load.py reads it)
            self.cfg.set("access_log_format", ACCESS_LOG_FORMAT)
            # gunicorn by default believes X-Forwarded-Proto and SCRIPT_NAME/PATH_INFO headers
            # from 127.0.0.1, so any local client (or a proxy passing them through) could make
            # a request "secure" or move the app's URLs. Forwarded headers are ProxyFix's
            # business alone, and only with MATCHMAKER_PROXY_HOPS set (api/security.py).
            self.cfg.set("forwarded_allow_ips", "")
            self.cfg.set("secure_scheme_headers", {})
            self.cfg.set("forwarder_headers", "")
            # Each worker loads the encoder and every event's state after making its app and
            # before it accepts a request: otherwise its first shortlist pays for that (7-8 s).
            self.cfg.set("post_worker_init", warm_worker)

        def load(self) -> Flask:
            # Each worker process makes its app (and its parts) from the same settings.
            return create_app(settings=settings)

    _Server().run()


def warm_worker(worker: Any) -> None:
    """Load the matching state into a gunicorn worker's app before it serves (its
    ``post_worker_init`` hook), keeping up the worker's heartbeat meanwhile.

    Loading in each worker, not in the master before fork: the encoder's thread pools and the
    database engine must not cross a fork, and the notice thread would not survive one.
    """
    from matchmaker.services.matching.warmup import warm

    app: Flask = worker.wsgi
    done = threading.Event()

    def heartbeat() -> None:  # gunicorn kills a worker silent for `timeout` (30 s)
        while not done.wait(5):
            worker.notify()

    threading.Thread(target=heartbeat, name="warm-heartbeat", daemon=True).start()
    try:
        with app.extensions["matchmaker.session_factory"]() as db:
            warm(app.extensions["matchmaker.matcher"], db, worker.notify)
    except Exception:  # noqa: BLE001 - process edge: a failed warm-up must not stop the server
        logging.getLogger(__name__).exception("could not load the matching state at start")
    finally:
        done.set()
