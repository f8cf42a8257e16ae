"""Pages against a hostile site: CSRF on every page form, sign-in that starts a fresh session,
security headers on every answer, and Secure cookies behind a TLS proxy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from tests_support import assert_error, page_sign_in, server

from matchmaker.db.engine import transaction
from matchmaker.db.models import Base, User, WebSession
from matchmaker.domain import Role
from matchmaker.services.registry.accounts import create_user

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

HTML = {"Accept": "text/html"}
TEMPLATES = Path(__file__).parent.parent / "matchmaker" / "api" / "templates"
PASSWORD = "correct horse battery staple"  # tests/conftest.py Accounts.password


def everything(factory: Any) -> dict[str, list[str]]:
    """Every row of every table: what 'nothing changed' compares."""
    with transaction(factory) as db:
        return {
            table.name: sorted(repr(tuple(row)) for row in db.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def user_id(factory: Any, username: str) -> int:
    with transaction(factory) as db:
        return int(db.scalar(select(User.id).where(User.username == username)) or 0)


# ---- CSRF -----------------------------------------------------------------------------------


@pytest.fixture
def things(client: Any, accounts: Any, factory: Any) -> dict[str, str]:
    """One of everything a page POST route can name: an intent, a task, a meeting request, an
    account, a usable invitation link (and ids of rows refused before their lookup)."""
    from matchmaker.services.registry.links import send_link

    with transaction(factory) as db:
        create_user(db, "invitee", Role.STAFF)
        link = send_link(db, "invitee", "invite", "http://localhost").link
    staff, entrant = accounts.headers("staff"), accounts.headers("entrant")
    pair = {"project_id": "T-P001", "institution_id": "T-I01"}
    intent = client.post("/api/v1/intents", json=pair, headers=staff)
    task = client.post("/api/v1/due-diligence", json={**pair, "owner": "张三"}, headers=staff)
    booking = {**pair, "session": "S1", "slot": 1}
    request = client.post("/api/v1/meeting-requests", json=booking, headers=entrant)
    made = (intent, task, request)
    assert all(r.status_code == 201 for r in made), [r.get_json() for r in made]
    return {
        "intent_id": str(intent.get_json()["id"]),
        "task_id": str(task.get_json()["id"]),
        "request_id": str(request.get_json()["id"]),
        "session_code": "S1",
        "username": "entrant_b",
        "token": link.rsplit("/", 1)[1],
        "code": "T-P001",  # a registration id (refused before it is looked up)
        "attachment_id": "1",
        "delivery_id": "1",  # a notification delivery (refused before it is looked up)
        "notice_id": "1",
        "meeting_id": "1",  # a meeting (attendance, no-show repair: refused before the lookup)
        "report_id": "1",  # a late report (likewise)
        "landing_id": "1",  # a landing (refused before it is looked up)
        "proposal_id": "1",  # a library link proposal (likewise)
    }


# A form each route would act on with the right token (fields a route does not read are ignored).
FORM = {
    "username": "investor",
    "password": PASSWORD,
    "project": "T-P001",
    "institution": "T-I01",
    "verdict": "pass",
    "kind": "projects",
    "action": "build",
    "session": "S1",
    "slot": "2",
    "status": "negotiating",
    "amount": "300万",
    "version": "1",
    "owner": "张三",
    "reason": "test",
}


def test_every_page_form_refuses_a_post_without_this_sessions_token(  # type: ignore[no-untyped-def]
    app, client, factory, things
) -> None:
    routes = [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")
    ]
    assert len(routes) >= 13  # the page forms of today; new ones are picked up by themselves
    organiser = user_id(factory, "organiser")
    with client.session_transaction() as session:
        session["sign_in"], session["csrf"] = page_sign_in(factory, organiser), "the-real-token"
        signed_in = session["sign_in"]
    before = everything(factory)
    for rule in routes:
        missing = rule.arguments - things.keys()
        assert not missing, f"{rule.rule}: give the test a value for {missing}"
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{name}>", things[name], url)
        for token in (None, "", "forged", "the-real-token-but-longer"):
            form = FORM if token is None else {**FORM, "csrf": token}
            response = client.post(url, data=form, headers=HTML)
            page = response.get_data(as_text=True)
            assert response.status_code == 400, (rule.rule, token, response.status_code)
            assert "页面已过期，请刷新后重试" in page, rule.rule
        with client.session_transaction() as session:
            assert session["sign_in"] == signed_in, rule.rule  # not signed out, nor in as another
    assert everything(factory) == before


def test_the_right_token_is_what_lets_a_form_through(client, factory, accounts) -> None:  # type: ignore[no-untyped-def]
    # The control for the test above: the same kind of post with the token does act.
    with client.session_transaction() as session:
        session["sign_in"], session["csrf"] = (
            page_sign_in(factory, user_id(factory, "investor")),
            "t",
        )
    form = {"csrf": "t", "institution": "T-I01", "project": "T-P002", "verdict": "pass"}
    before = everything(factory)
    assert client.post("/shortlist/feedback", data=form).status_code == 302
    assert everything(factory) != before


def test_the_api_takes_no_cookie_so_needs_no_csrf_token(client, factory, accounts) -> None:  # type: ignore[no-untyped-def]
    with client.session_transaction() as session:
        session["sign_in"] = page_sign_in(factory, user_id(factory, "organiser"))
    body = {"project_id": "T-P001", "institution_id": "T-I01"}
    assert_error(client.post("/api/v1/intents", json=body), 401)


def test_signing_in_and_out_starts_a_fresh_session(client, factory, accounts) -> None:  # type: ignore[no-untyped-def]
    client.get("/login")
    with client.session_transaction() as session:
        before = session["csrf"]
        session["planted"] = "by someone else"  # e.g. a session cookie fixed on the victim
    form = {"csrf": before, "username": "investor", "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 302
    with client.session_transaction() as session:
        assert set(session) == {"sign_in"}  # the old token and anything planted are gone
    page = client.get("/", headers=HTML).get_data(as_text=True)
    after = re.search(r'name="csrf" value="([^"]+)"', page)
    assert after is not None and after.group(1) != before
    assert client.post("/logout", data={"csrf": before}, headers=HTML).status_code == 400
    assert client.post("/logout", data={"csrf": after.group(1)}).status_code == 302
    with client.session_transaction() as session:
        assert dict(session) == {}
    assert client.get("/").status_code == 302  # to the sign-in page


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(client, factory, accounts) -> None:  # type: ignore[no-untyped-def]
    # Flask's cookie is signed, not stored: without a server-side record, a copy taken before
    # sign-out (a shared computer, a proxy log) stayed valid for 31 days.
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    form = {"csrf": token, "username": "investor", "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 302
    copied = client.get_cookie("session").value
    other = app_client(client)  # the same person on a second computer
    other.post("/login", data={**form, "csrf": _csrf(other)})
    assert client.get("/shortlist", headers=HTML).status_code == 200
    page = client.get("/", headers=HTML).get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    assert client.post("/logout", data={"csrf": csrf.group(1)}).status_code == 302

    client.set_cookie("session", copied)  # the copy, replayed
    replay = client.get("/shortlist", headers=HTML)
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]
    assert other.get("/shortlist", headers=HTML).status_code == 200  # only that sign-in ended
    with factory() as db:  # and it left no row behind
        assert db.scalar(select(func.count()).select_from(WebSession)) == 1


def test_sign_in_sends_you_back_to_the_page_you_asked_for(client, accounts) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import parse_qs, urlsplit

    for asked in ("/projects", "/projects?track=green_economy&page=2"):
        response = client.get(asked, headers=HTML)
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [asked]


def test_a_deactivated_user_is_signed_out_of_pages(client, factory, accounts) -> None:  # type: ignore[no-untyped-def]
    with client.session_transaction() as session:
        session["sign_in"] = page_sign_in(factory, user_id(factory, "investor"))
    assert client.get("/shortlist", headers=HTML).status_code == 200
    with transaction(factory) as db:
        db.get_one(User, user_id(factory, "investor")).active = False
    assert client.get("/shortlist", headers=HTML).status_code == 302


def app_client(client: Any) -> Any:
    return client.application.test_client()


def _csrf(other: Any) -> str:
    other.get("/login")
    with other.session_transaction() as session:
        return str(session["csrf"])


# ---- headers --------------------------------------------------------------------------------


def test_pages_and_api_answers_carry_the_security_headers(client, factory, accounts) -> None:  # type: ignore[no-untyped-def]
    with client.session_transaction() as session:
        session["sign_in"] = page_sign_in(factory, user_id(factory, "organiser"))
    answers = {
        "page": client.get("/projects", headers=HTML),
        "api": client.get("/api/v1/projects/T-P001", headers=accounts.headers("organiser")),
        "error": client.get("/no-such-page", headers=HTML),
        "download": client.get("/export/projects.csv"),
        "docs": client.get("/api/docs"),
    }
    for name, response in answers.items():
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self';" in policy, name
        assert "frame-ancestors 'none'" in policy and "unsafe" not in policy, name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["Referrer-Policy"] == "same-origin", name
        assert headers["Cache-Control"] == "no-store", name  # personal data is not kept
        assert "Strict-Transport-Security" not in headers, name  # plain HTTP here
    assert answers["api"].get_json()["contact"]["phone"]  # (it does carry personal data)


def test_static_files_stay_cacheable(client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/static/app.css", "/static/pages.js", "/api/docs/static/swagger-ui.css"):
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert "no-store" not in response.headers.get("Cache-Control", ""), url
            assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_templates_hold_no_inline_script_style_or_handler() -> None:
    # The policy allows none of these; the browser test shows the pages raise no violation.
    inline = re.compile(
        r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>"
        r"|<style\b|\sstyle=|\son[a-z]+=|javascript:",
        re.IGNORECASE,
    )
    found = {
        path.name: inline.findall(path.read_text(encoding="utf-8"))
        for path in TEMPLATES.rglob("*.html")
    }
    assert {name: hits for name, hits in found.items() if hits} == {}
    assert "swagger_ui.html" in found  # the docs page is ours too (flask-smorest's is inline)


# ---- cookies behind TLS ---------------------------------------------------------------------


def cookie(response: Any, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.getlist("Set-Cookie")
    return found[0]


def sign_in_page(client: Any, **environ: Any) -> Any:
    client.get("/login", environ_base=environ)
    with client.session_transaction() as session:
        token = session["csrf"]
    form = {"csrf": token, "username": "investor", "password": PASSWORD}
    return client.post("/login", data=form, environ_base=environ)


PROXIED_HTTPS = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}


def test_cookies_over_plain_http_are_httponly_lax_and_not_secure(make_app, accounts) -> None:  # type: ignore[no-untyped-def]
    client = make_app().test_client()
    signed = sign_in_page(client, **PROXIED_HTTPS)  # no trusted proxy: the header is ignored
    assert signed.status_code == 302
    session = cookie(signed, "session")
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Secure" not in session
    assert "Strict-Transport-Security" not in signed.headers
    language = cookie(client.get("/lang/en"), "lang")
    assert "HttpOnly" in language and "Secure" not in language


def test_behind_a_trusted_tls_proxy_cookies_are_secure(make_app, accounts) -> None:  # type: ignore[no-untyped-def]
    app = make_app(MATCHMAKER_PROXY_HOPS=1)
    client = app.test_client()
    signed = sign_in_page(client, **PROXIED_HTTPS)
    assert signed.status_code == 302
    session = cookie(signed, "session")
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
    assert signed.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in cookie(client.get("/lang/en", environ_base=PROXIED_HTTPS), "lang")
    # The same proxy forwarding plain HTTP: no Secure (it would never come back).
    plain = app.test_client()
    assert "Secure" not in cookie(sign_in_page(plain, HTTP_X_FORWARDED_PROTO="http"), "session")


def test_secure_cookies_can_be_forced(make_app, accounts) -> None:  # type: ignore[no-untyped-def]
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    assert "Secure" in cookie(sign_in_page(client), "session")
    assert "Secure" in cookie(client.get("/lang/en"), "lang")


def test_a_trusted_proxy_gives_the_limits_the_real_client_address(make_app, accounts) -> None:  # type: ignore[no-untyped-def]
    client = make_app(
        MATCHMAKER_PROXY_HOPS=1, MATCHMAKER_RATE_LIMITS=True, MATCHMAKER_LOGIN_LIMIT="1/minute"
    ).test_client()

    def attempt(forwarded_for: str, password: str) -> int:
        body = {"username": "investor", "password": password}
        environ = {"REMOTE_ADDR": "10.1.1.1", "HTTP_X_FORWARDED_FOR": forwarded_for}
        return int(client.post("/api/v1/auth/token", json=body, environ_base=environ).status_code)

    assert attempt("198.51.100.1", "guess") == 401
    assert attempt("198.51.100.1", PASSWORD) == 429
    assert attempt("198.51.100.2", PASSWORD) == 201  # another client behind the same proxy


def test_settings_read_the_production_variables() -> None:
    from matchmaker.config import Settings

    production = {
        "MATCHMAKER_PROXY_HOPS": "2",
        "MATCHMAKER_SECURE_COOKIES": "1",
        "MATCHMAKER_RATE_LIMITS": "0",
    }
    settings = Settings.from_env(production)
    assert (settings.proxy_hops, settings.secure_cookies, settings.rate_limits) == (2, True, False)
    defaults = Settings.from_env({})
    assert (defaults.proxy_hops, defaults.secure_cookies, defaults.rate_limits) == (0, False, True)


# ---- forwarded headers under gunicorn (`matchmaker serve`) ----------------------------------

SPOOFED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.9"}
PREFIXED = {"SCRIPT_NAME": "/x"}  # what a proxy serving the app under /x/ would send


def _served_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    return env | {
        "MATCHMAKER_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "MATCHMAKER_INSTANCE_DIR": str(tmp_path / "instance"),
        **extra,
    }


def _failed_sign_ins(base: str, forwarded_for: list[str]) -> list[int]:
    body = {"username": "nobody", "password": "guess"}
    return [
        requests.post(
            f"{base}/api/v1/auth/token", json=body, headers={"X-Forwarded-For": f}, timeout=30
        ).status_code
        for f in forwarded_for
    ]


def test_a_served_app_without_a_proxy_setting_ignores_forwarded_headers(tmp_path: Path) -> None:
    # gunicorn believes X-Forwarded-Proto (and a SCRIPT_NAME header) from 127.0.0.1 unless told
    # otherwise; README says that without MATCHMAKER_PROXY_HOPS no forwarded header counts
    env = _served_env(tmp_path, MATCHMAKER_LOGIN_LIMIT="1/minute")
    with server(env) as (base, _process):
        login = requests.get(f"{base}/login", headers=SPOOFED, timeout=30)
        assert login.status_code == 200
        assert "Strict-Transport-Security" not in login.headers
        assert "Secure" not in login.headers["Set-Cookie"]
        # the prefix header neither breaks the page (gunicorn answered 500) nor moves its links
        assert requests.get(f"{base}/login", headers=PREFIXED, timeout=30).status_code == 200
        assert requests.get(f"{base}/x/login", headers=PREFIXED, timeout=30).status_code == 404
        switched = requests.get(
            f"{base}/lang/en", headers=SPOOFED, allow_redirects=False, timeout=30
        )
        assert "Secure" not in switched.headers["Set-Cookie"]
        assert not switched.headers["Location"].startswith("https:")
        # the sign-in limit counts this client, whatever address it claims to forward for
        assert _failed_sign_ins(base, ["198.51.100.1", "198.51.100.2"]) == [401, 429]


def test_a_served_app_behind_a_configured_proxy_believes_it(tmp_path: Path) -> None:
    env = _served_env(tmp_path, MATCHMAKER_PROXY_HOPS="1", MATCHMAKER_LOGIN_LIMIT="1/minute")
    with server(env) as (base, _process):
        login = requests.get(f"{base}/login", headers=SPOOFED, timeout=30)
        assert login.headers["Strict-Transport-Security"].startswith("max-age=")
        assert "Secure" in login.headers["Set-Cookie"]
        assert requests.get(f"{base}/x/login", headers=PREFIXED, timeout=30).status_code == 404
        assert _failed_sign_ins(base, ["198.51.100.1", "198.51.100.2"]) == [401, 401]
