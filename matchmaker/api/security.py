"""Browser-facing defences: CSRF on every page form, security headers, Secure cookies behind TLS.

- CSRF: each page session holds a random token that every page form posts back as ``csrf``;
  one ``before_request`` hook refuses any page POST (PUT, PATCH, DELETE) without it, so a new
  form is covered without remembering a call. The API is outside: it signs in by bearer token
  only (``auth.current_user`` ignores the cookie there), which a foreign site cannot send.
- Headers on every answer: a Content-Security-Policy that allows scripts, styles and fonts from
  this site only (no inline script or style: the templates keep theirs in ``static/``), no
  framing, no MIME sniffing, no referrer to other sites, and ``Cache-Control: no-store`` on
  everything but static files, since pages and API answers carry personal data.
- TLS: with ``MATCHMAKER_PROXY_HOPS`` set, werkzeug's ProxyFix trusts that many proxies'
  X-Forwarded-For/-Proto, so a request that reached the proxy over HTTPS is secure here; the
  session and language cookies are then marked Secure (always, with
  ``MATCHMAKER_SECURE_COOKIES``), and HSTS tells the browser to stay on HTTPS.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from matchmaker.errors import MatchmakerError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Swagger UI's icons are data: URIs
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
STATIC_ENDPOINTS = frozenset({"static", "swagger_static"})
HSTS = "max-age=31536000"


class CsrfRejected(MatchmakerError):
    """A page form came without this session's CSRF token (forged, or the page is stale)."""

    http_status = 400
    default_code = "ui.csrf"


def csrf_token() -> str:
    """Return this session's CSRF token (made on first use); page forms post it as ``csrf``."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    token: str = session["csrf"]
    return token


def check_csrf() -> None:
    """Refuse the request unless its form carries this session's CSRF token."""
    sent = request.form.get("csrf", "")
    if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
        raise CsrfRejected()


def cookie_secure() -> bool:
    """Whether cookies set now get ``Secure``: on HTTPS requests, or always when configured."""
    forced = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    return forced or (has_request_context() and request.is_secure)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with Secure decided per request (``cookie_secure``)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_secure()


# Pages a mail client may post to without a page session: RFC 8058's one-click unsubscribe
# (the signed token in the address is the proof; only that exact body skips the check).
ONE_CLICK_PAGES = frozenset({"inbox_pages.unsubscribe"})
ONE_CLICK_BODY = ("List-Unsubscribe", "One-Click")

UPLOAD_PAGES = frozenset(
    {"registry_pages.import_page", "ledger_pages.ledger_import", "profile_pages.upload_attachment"}
)


def init_security(app: Flask) -> None:
    """Install the proxy fix, the per-request Secure cookie, the CSRF hook and the headers."""
    hops = int(app.config.get("MATCHMAKER_PROXY_HOPS", 0))
    if hops > 0:
        # Only the headers every proxy sets; X-Forwarded-Host would let a client pick the host
        # if the proxy passes it through.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.session_interface = _SessionInterface()

    @app.before_request
    def _csrf() -> None:
        if (
            request.method in SAFE_METHODS
            or request.path.startswith("/api/")
            or request.routing_exception is not None  # let routing answer 404/405
        ):
            return
        if request.endpoint in ONE_CLICK_PAGES and one_click():
            return
        try:
            check_csrf()
        except RequestEntityTooLarge:
            # The upload pages say "too large" beside their form: their first step reads the
            # form (raising the same error) before acting, so nothing runs unchecked.
            if request.endpoint not in UPLOAD_PAGES:
                raise

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint not in STATIC_ENDPOINTS and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def one_click() -> bool:
    """Whether the request is exactly RFC 8058's one-click POST (nothing but that field)."""
    name, value = ONE_CLICK_BODY
    form = request.form
    return list(form.keys()) == [name] and form.getlist(name) == [value]
