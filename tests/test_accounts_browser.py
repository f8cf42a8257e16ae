"""Invitation and reset links in a real browser (Debian's Chromium via Playwright) against the
real server: an invited entrant sets a password and lands signed in; a used, expired or revoked
link says so; a disabled account cannot sign in."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, update
from test_browser import _guarded_page, browser, open_menu, sign_in  # noqa: F401 - the browser fixture
from tests_support import MATCHMAKER, demo_server

from matchmaker.db.models import Invitation, User
from matchmaker.db.types import utcnow

pytestmark = pytest.mark.browser
GOOD = "amber lantern over the harbour"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo served as `make run` does; yield its base URL and its database's URL."""
    home = tmp_path_factory.mktemp("accounts-server")
    with demo_server(home) as base:
        yield base, f"sqlite:///{home / 'demo.db'}"


@pytest.fixture
def page(browser: Any, served: tuple[str, str]) -> Iterator[Any]:  # noqa: F811
    yield from _guarded_page(browser, served[0])


def cli(db: str, *args: str) -> str:
    done = subprocess.run(
        [MATCHMAKER, "--db", db, *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def invites(
    served: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, str]]:
    """Every demo project contact invited by the command, as the organiser's CSV lists them."""
    base, db = served
    out = tmp_path_factory.mktemp("invites") / "invites.csv"
    cli(db, "accounts", "invite", "--from", "projects", "--base-url", base, "--output", str(out))
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))


def set_password(page: Any, link: str, password: str, confirm: str | None = None) -> None:
    page.goto(link)
    page.wait_for_selector("[data-testid=set-password]")
    page.fill("input[name=password]", password)
    page.fill("input[name=confirm]", password if confirm is None else confirm)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_invited_entrant_sets_a_password_lands_signed_in_and_the_link_is_spent(
    page: Any, invites: list[dict[str, str]]
) -> None:
    person = invites[0]
    set_password(page, person["链接"], "password12")
    assert "常见密码" in page.inner_text("[data-field=password]")
    set_password(page, person["链接"], GOOD)
    page.wait_for_url("**/")
    assert person["联系人"] in page.inner_text("header .who")
    page.goto(person["链接"])
    page.wait_for_selector("[data-testid=link-problem]")
    assert "已经使用过" in page.inner_text("main")
    page.context.clear_cookies()
    sign_in(page, person["用户名"], GOOD)
    page.wait_for_selector("header .who")
    assert person["联系人"] in page.inner_text("header .who")
    assert not page.outside


def test_expired_and_revoked_links_say_so_and_sign_nobody_in(
    page: Any, served: tuple[str, str], invites: list[dict[str, str]]
) -> None:
    _base, db = served
    expired, revoked = invites[1], invites[2]
    engine = create_engine(db)
    with engine.begin() as conn:
        user_id = conn.scalar(User.__table__.select().with_only_columns(User.id)
                              .where(User.username == expired["用户名"]))  # fmt: skip
        conn.execute(update(Invitation).where(Invitation.user_id == user_id)
                     .values(expires_at=utcnow() - timedelta(hours=1)))  # fmt: skip
    engine.dispose()
    cli(db, "accounts", "revoke-invite", revoked["用户名"])
    for person, words in ((expired, "过期"), (revoked, "撤销")):
        page.goto(person["链接"])
        page.wait_for_selector("[data-testid=link-problem]")
        assert words in page.inner_text("main")
        assert page.locator("input[name=password]").count() == 0
    page.goto("/")
    page.wait_for_selector("input[name=username]")  # sent to sign in: nobody is signed in


def test_a_disabled_account_cannot_sign_in(
    page: Any, served: tuple[str, str], invites: list[dict[str, str]]
) -> None:
    _base, db = served
    person = invites[3]
    set_password(page, person["链接"], GOOD)
    page.wait_for_url("**/")
    cli(db, "accounts", "disable", person["用户名"])
    page.goto("/")
    page.wait_for_selector("input[name=username]")  # the signed-in page stopped working
    sign_in(page, person["用户名"], GOOD)
    page.wait_for_selector("[role=alert]")
    assert "用户名或密码错误" in page.inner_text("main")
    listed = json.loads(cli(db, "--json", "accounts", "list", "--search", person["用户名"]))
    assert [r["status"] for r in listed] == ["disabled"]


def test_organiser_sends_a_reset_link_that_works_once(page: Any, phone_page: Any) -> None:
    sign_in(page, "organiser")
    page.wait_for_selector("header .who")
    page.goto("/accounts?q=investor")
    page.wait_for_selector("[data-testid=accounts]")
    page.click("tr[data-username=investor] button[value=reset]")
    page.wait_for_selector("[data-testid=notice]")
    link = page.inner_text("[data-testid=notice]").split("：")[-1].strip()
    assert "/reset/" in link
    new = "a fresh passphrase for the investor"
    set_password(phone_page, link, new)
    phone_page.wait_for_url("**/")
    assert phone_page.locator("header .who").count() == 1
    phone_page.goto(link)
    phone_page.wait_for_selector("[data-testid=link-problem]")
    assert "已经使用过" in phone_page.inner_text("main")


@pytest.fixture
def phone_page(browser: Any, served: tuple[str, str]) -> Iterator[Any]:  # noqa: F811
    """A phone-sized page (390×844), as the person opening a link from an SMS uses."""
    yield from _guarded_page(
        browser, served[0], viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


def test_invited_entrant_edits_its_project_and_the_investor_sees_it_next(
    browser: Any,  # noqa: F811
    served: tuple[str, str],
    invites: list[dict[str, str]],
) -> None:
    """The whole way in (#15, must show 3): a team opens its invitation link on a phone, sets a
    password, edits its project, and the investor's very next shortlist ranks the new profile
    with the reasons the edit gave it — no rebuild, no organiser in between."""
    base, db = served
    [person] = [p for p in invites if p["编号"] == "XH2026-P006"]  # fuel-cell plates, 先进制造
    # an investor of XH2026-I01 of its own (another test here resets the demo investor's password)
    cli(db, "user", "add", "i01.analyst", "--role", "investor", "--institution", "XH2026-I01",
        "--password", GOOD)  # fmt: skip
    phone = next(_guarded_page(browser, base, viewport={"width": 390, "height": 844},
                               is_mobile=True, has_touch=True))  # fmt: skip
    desk = next(_guarded_page(browser, base))
    sign_in(desk, "i01.analyst", GOOD)  # XH2026-I01: 先进制造、智能装备、工业互联网; 300–2000 万元
    desk.wait_for_selector("header .who")

    def reasons() -> str:
        desk.goto("/shortlist?track=advanced_manufacturing")
        desk.wait_for_selector("[data-testid=shortlist] li.match")
        item = desk.locator("[data-testid=shortlist] li.match[data-project='XH2026-P006']")
        return str(item.locator("ul.reasons").inner_text()) if item.count() else ""

    before = reasons()
    assert "行业相同：智能装备" not in before

    set_password(phone, person["链接"], GOOD)
    phone.wait_for_url("**/")
    open_menu(phone)  # the header's menu is behind one button on a phone
    phone.click("[data-testid=my-profile]")
    phone.wait_for_selector("[data-testid=edit-profile]")
    phone.click("[data-testid=edit-profile]")
    phone.wait_for_selector("[data-testid=profile-form]")
    phone.fill("input[name=sectors]", "智能装备、工业互联网、氢能")
    phone.fill("input[name=funding_ask]", "800")
    phone.click("[data-testid=profile-form] button[type=submit]")
    phone.wait_for_selector("[data-testid=notice]")
    assert "资料已保存" in phone.locator("[data-testid=notice]").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    after = reasons()
    assert "行业相同：智能装备" in after, after
    assert "额度在区间内：800万元" in after, after
    # the link is spent: opening it again says so, and signs nobody in
    phone.context.clear_cookies()
    phone.goto(person["链接"])
    phone.wait_for_selector("[data-testid=link-problem]")
    assert "已经使用过" in phone.inner_text("main")
    assert phone.locator("input[name=password]").count() == 0
    assert phone.outside == [] and desk.outside == []
    phone.context.close()
    desk.context.close()
