"""An investor signs up on a phone from the sign-in page's link, in a real browser (Debian's
Chromium via Playwright) against the real server; the organiser approves on /signups; the
investor signs in with the password chosen and sees its shortlist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_browser import _guarded_page, browser, sign_in  # noqa: F401 - the browser fixture
from tests_support import MATCHMAKER, demo_server

pytestmark = pytest.mark.browser
GOOD = "amber lantern over the harbour"
NAME = "太行清洁能源基金"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo served as `make run` does, its sign-up page opened by the command."""
    import subprocess

    home = tmp_path_factory.mktemp("signup-server")
    with demo_server(home) as base:
        db = f"sqlite:///{home / 'demo.db'}"
        command = [MATCHMAKER, "--db", db, "signups", "open", "--event", "XH2026"]
        opened = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert opened.returncode == 0, opened.stderr
        yield base, db


def fill(phone: Any, password: str) -> None:
    form = "[data-testid=signup-form]"
    phone.fill(f"{form} input[name=name]", NAME)
    phone.select_option(f"{form} select[name=type]", "vc")
    phone.fill(f"{form} input[name=focus_sectors]", "储能、氢能、智能装备")
    phone.fill(f"{form} input[name=regions]", "山西、全国")
    phone.fill(f"{form} input[name=ticket_min]", "500")
    phone.fill(f"{form} input[name=ticket_max]", "3000")
    phone.check(f"{form} input[name=stages][value=angel]")
    phone.check(f"{form} input[name=stages][value=a]")
    phone.fill(f"{form} textarea[name=thesis]", "关注新型储能、氢能与智能装备的早期项目。")
    phone.fill(f"{form} input[name=contact_name]", "赵磊")
    phone.fill(f"{form} input[name=contact_phone]", "13700000042")
    phone.fill(f"{form} input[name=contact_email]", "zhaolei@taihang.example.com")
    phone.fill(f"{form} input[name=username]", "zhaolei@taihang.example.com")
    phone.fill(f"{form} input[name=password]", password)
    phone.fill(f"{form} input[name=confirm]", password)
    phone.click(f"{form} button[type=submit]")
    phone.wait_for_load_state()


def test_an_investor_signs_up_on_a_phone_is_approved_and_sees_its_shortlist(
    browser: Any,  # noqa: F811
    served: tuple[str, str],
) -> None:
    base, _db = served
    phone = next(_guarded_page(browser, base, viewport={"width": 390, "height": 844},
                               is_mobile=True, has_touch=True))  # fmt: skip
    phone.goto("/login")
    phone.click("[data-testid=signup-link] a")
    phone.wait_for_selector("[data-testid=signup-form]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    fill(phone, "password12")  # a common password: refused beside its field, the rest kept
    phone.wait_for_selector("[data-field=password]")
    assert "常见密码" in phone.inner_text("[data-field=password]")
    assert phone.input_value("input[name=name]") == NAME
    assert phone.input_value("input[name=ticket_max]") == "3000"
    assert phone.input_value("input[name=password]") == ""
    assert phone.is_checked("input[name=stages][value=angel]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    fill(phone, GOOD)
    phone.wait_for_selector("[data-testid=signup-done]")
    assert "组委会将审核" in phone.inner_text("main")

    desk = next(_guarded_page(browser, base))
    sign_in(desk, "organiser")
    desk.wait_for_selector("header .who")
    desk.goto("/accounts")
    desk.click("[data-testid=signups-link]")
    desk.wait_for_selector("[data-testid=signup-request]")
    request = desk.locator("[data-testid=signup-request]", has_text=NAME)
    assert "13700000042" in request.inner_text()
    request.locator("button[value=approve]").click()
    desk.wait_for_selector("[data-testid=notice]")
    assert "XH2026-S001" in desk.inner_text("[data-testid=notice]")

    sign_in(phone, "zhaolei@taihang.example.com", GOOD)
    phone.wait_for_selector("header .who", state="attached")  # in the phone's folded menu
    phone.goto("/shortlist")
    phone.wait_for_selector("[data-testid=shortlist] li.match")
    assert phone.locator("[data-testid=shortlist] li.match").count() > 0
    assert phone.outside == [] and desk.outside == []
    phone.context.close()
    desk.context.close()
