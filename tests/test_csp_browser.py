"""Every page in Chromium under the real Content-Security-Policy: no violation, no console error.

The pages come from the app's own URL map, so a new page is opened here without being listed;
the server is `matchmaker demo --ledger` + `matchmaker serve`, as `make run` starts it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from tests_support import MATCHMAKER, api_json
from tests_support import demo_server as running_demo

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Not pages: files (the service worker's script among them), redirects (the language, the
# chosen event) and the API (its docs page is opened on its own).
# /badge is a party's own page (the walk signs in as an organiser): test_checkin_browser opens
# it; the demo has no roadshow session: test_roadshow_browser opens those pages.
NOT_PAGES = re.compile(
    r"^/(api/|static/|lang/|event$|healthz|logout|attachments/|sw\.js$|badge$)|/roadshow"
    r"|\.<fmt>$|\.xlsx$|\.csv$|\.json$|/arrivals$"  # files and JSON the pages fetch
)
# Query strings that show a page's main view instead of its chooser.
QUERIES = {
    "matching_pages.shortlist_page": "?institution=XH2026-I01",
    "matching_pages.recommendations_page": "?project=XH2026-P001",
    "agenda_pages.book": "?project=XH2026-P001&institution=XH2026-I01",
    "agenda_pages.printable": "?session=S1",
}
CSP_WATCH = """
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
  window.__printed = 0;
  window.print = () => { window.__printed += 1; };
"""


# A usable one-time link for each link page (made with the command on the server's database).
LINK_TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("csp-server")
    with running_demo(home, "--ledger") as base:
        LINK_TOKENS.update(one_time_links(f"sqlite:///{home / 'demo.db'}"))
        LINK_TOKENS["inbox_pages.unsubscribe"] = unsubscribe_link(home)
        yield base


def one_time_links(db: str) -> dict[str, str]:
    """An invitation (every institution contact invited) and a reset link, as their tokens;
    the demo's sign-up page opened on the way."""

    def run(*args: str) -> str:
        done = subprocess.run(
            [MATCHMAKER, "--db", db, *args], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    invited = json.loads(run("--json", "accounts", "invite", "--from", "institutions"))
    run("signups", "open", "--event", "XH2026")  # the public sign-up page answers 200
    return {
        "registry_pages.invite": invited["invites"][0]["link"].rsplit("/", 1)[1],
        "registry_pages.reset": run("accounts", "reset", "investor").strip().rsplit("/", 1)[1],
    }


def unsubscribe_link(home: Any) -> str:
    """The demo entrant's link to turn off reminders, signed with the server's own secret."""
    from sqlalchemy import create_engine, select

    from matchmaker.db.models import User
    from matchmaker.domain import NoticeKind
    from matchmaker.services.notifications.links import unsubscribe_token

    engine = create_engine(f"sqlite:///{home / 'demo.db'}")
    with engine.connect() as conn:
        entrant = conn.scalar(select(User.id).where(User.username == "entrant"))
    engine.dispose()
    secret = (home / "instance" / "secret_key").read_text().strip()
    return unsubscribe_token(secret, int(entrant or 0), NoticeKind.REMINDER)


def page_urls(base: str) -> list[str]:
    """One URL for every GET page in the app's URL map, with real ids from the demo."""
    from matchmaker.app import create_app

    token = api_json(base, "/api/v1/auth/token", body={"username": "staff", "password": "demo1234"})
    token = token["token"]
    values = {
        "session_code": "S1",
        "intent_id": str(api_json(base, "/api/v1/intents", token)["items"][0]["id"]),
        "task_id": str(api_json(base, "/api/v1/due-diligence", token)["items"][0]["id"]),
    }
    codes = {
        "registry_pages.project": "XH2026-P001",
        "registry_pages.institution": "XH2026-I01",
        "profile_pages.edit_project": "XH2026-P001",
        "profile_pages.edit_institution": "XH2026-I01",
        "registry_pages.session_page": "XH2026",
        "registry_pages.signup": "XH2026",
    }
    app = create_app({"DATABASE_URL": "sqlite://", "MATCHMAKER_RATE_LIMITS": False})
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or NOT_PAGES.search(rule.rule):
            continue
        url = rule.rule
        for name in rule.arguments:
            value = codes.get(rule.endpoint) if name == "code" else values.get(name)
            value = LINK_TOKENS.get(rule.endpoint) if name == "token" else value
            assert value, f"{rule.rule}: give the test a value for <{name}>"
            url = re.sub(rf"<(?:\w+:)?{name}>", value, url)
        urls.append(url + QUERIES.get(rule.endpoint, ""))
    app.extensions["matchmaker.engine"].dispose()
    return urls


def test_every_page_keeps_to_the_content_security_policy(
    server: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("MATCHMAKER_INSTANCE_DIR", str(tmp_path / "instance"))
    urls = page_urls(server)
    assert {"/", "/intents", "/reports", "/agenda/print", "/sessions/S1/agenda"} <= {
        u.split("?")[0] for u in urls
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(base_url=server, locale="zh-CN")
        context.add_init_script(CSP_WATCH)
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda m: (
                errors.append(f"{m.text} ({m.location.get('url')})") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(f"exception: {e}"))
        page.goto("/login")
        page.fill("input[name=username]", "organiser")
        page.fill("input[name=password]", "demo1234")
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))
        page.wait_for_load_state("networkidle")
        assert errors == []
        seen: dict[str, list[str]] = {}
        for url in [*urls, "/api/docs"]:
            response = page.goto(url, timeout=180_000)  # the first shortlist builds the index
            assert response is not None and response.status == 200, url
            assert "script-src 'self'" in response.headers["content-security-policy"], url
            if url == "/reports":
                page.wait_for_function("() => window.echarts && document.querySelector('canvas')")
                page.hover("#amount-chart canvas")  # a tooltip: ECharts styles it from script
            if url == "/api/docs":
                page.wait_for_selector(".opblock-summary-path", timeout=15000)
            page.wait_for_load_state("networkidle")
            found = errors + page.evaluate("window.__violations")
            if found:
                seen[url] = list(found)
            errors.clear()
        assert seen == {}

        # What used to be inline still works from static/pages.js.
        page.goto("/agenda/print?session=S1")
        page.click("[data-print]")
        assert page.evaluate("window.__printed") == 1
        intent = next(u for u in urls if re.fullmatch(r"/intents/\d+", u))
        page.goto(intent)
        page.once("dialog", lambda dialog: dialog.dismiss())  # "delete?" → no
        page.click("form[data-confirm] button[type=submit]")
        assert page.url.endswith(intent)  # nothing was sent
        assert page.locator("[data-testid=intent-status]").count() == 1
        browser.close()
