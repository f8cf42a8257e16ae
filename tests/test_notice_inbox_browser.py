"""Notices on a phone (#16), in a real browser (Debian's Chromium via Playwright) against the real
server: an entrant sees the unread count in the header, opens the list, taps a notice and the
count drops, with nothing wider than the screen and every control big enough for a thumb; the
settings form shows a refused quiet-hours value beside its field, then saves the corrected one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker
from test_browser import _guarded_page, browser, sign_in  # noqa: F401 - the browser fixture
from tests_support import demo_server

from matchmaker.db.engine import transaction
from matchmaker.db.models import User
from matchmaker.domain import NoticeKind
from matchmaker.services.notifications.outbox import notify

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo served as `make run` does; yield its base URL and its database's URL."""
    home = tmp_path_factory.mktemp("notices-server")
    with demo_server(home) as base:
        yield base, f"sqlite:///{home / 'demo.db'}"


@pytest.fixture
def phone(browser: Any, served: tuple[str, str]) -> Iterator[Any]:  # noqa: F811
    yield from _guarded_page(browser, served[0], **PHONE)


def send_notices(db_url: str, username: str, channels: list[str]) -> None:
    """Write one test notice per channel name to ``username``, as a trigger would."""
    engine = create_engine(db_url)
    try:
        with transaction(sessionmaker(engine, expire_on_commit=False)) as db:
            person = db.scalars(select(User).where(User.username == username)).one()
            for channel in channels:
                notify(db, [person], NoticeKind.TEST, {"channel": channel}, event_id=None)
    finally:
        engine.dispose()


def badge_count(page: Any) -> int:
    counts = page.locator("[data-testid=notify-count]")
    return int(counts.inner_text()) if counts.count() else 0


def assert_fits(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{what} is {width}px wide on a 390px phone"


def assert_thumb_sized(page: Any, selector: str) -> None:
    found = page.locator(selector)
    assert found.count(), selector
    for i in range(found.count()):
        box = found.nth(i).bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, (selector, box)


def test_on_a_phone_the_count_drops_as_notices_are_read_and_settings_round_trip(
    phone: Any, served: tuple[str, str]
) -> None:
    send_notices(served[1], "entrant", ["短信通道", "邮件通道", "Webhook 通道"])
    sign_in(phone, "entrant")
    phone.wait_for_selector("header .who", state="attached")  # inside the folded menu
    open_menu(phone)
    assert badge_count(phone) == 3
    assert_fits(phone, "the home page with the badge")
    assert_thumb_sized(phone, "[data-testid=notify-badge]")
    phone.locator("[data-testid=notify-badge]").tap()
    phone.wait_for_selector("[data-testid=inbox]")
    items = phone.locator("[data-testid=notice-item]")
    assert items.count() == 3
    assert "测试消息：Webhook 通道" in items.first.inner_text()  # newest first
    assert phone.locator("li.unread").count() == 3
    assert_fits(phone, "the list of notices")
    assert_thumb_sized(phone, "button.notice-tap")
    assert_thumb_sized(phone, "[data-testid=read-all]")
    phone.locator("li.unread button.notice-tap").nth(1).tap()
    phone.wait_for_load_state()
    phone.wait_for_selector("[data-testid=inbox]")
    assert badge_count(phone) == 2
    assert phone.locator("li.unread").count() == 2 and phone.locator("li.read").count() == 1
    assert "邮件通道" in phone.locator("li.read").inner_text()
    assert "2 条未读" in phone.inner_text("[data-testid=inbox-unread]")
    phone.locator("[data-testid=read-all]").tap()
    phone.wait_for_selector("[data-testid=notice]")
    assert badge_count(phone) == 0 and phone.locator("li.unread").count() == 0
    assert_fits(phone, "the list after marking all read")

    # the settings, from the list: a refused quiet hour is shown beside its field, then saved
    phone.locator("[data-testid=notify-settings-link]").tap()
    phone.wait_for_selector("[data-testid=notify-settings]")
    assert "sun.zihan63@example.cn" in phone.inner_text("[data-testid=email-fallback]")
    assert_fits(phone, "the settings page")
    assert_thumb_sized(phone, "form.settings-form label.check-row")
    assert_thumb_sized(phone, "[data-testid=save-settings]")
    phone.fill("input[name=quiet_start]", "25:00")
    phone.fill("input[name=quiet_end]", "07:00")
    phone.locator("label.check-row:has(input[value=reminder])").tap()  # stop reminders
    phone.locator("[data-testid=save-settings]").tap()
    phone.wait_for_selector("[data-field=quiet_start]")
    assert "“25:00”不是有效的时间" in phone.inner_text("[data-field=quiet_start]")
    assert phone.input_value("input[name=quiet_start]") == "25:00"  # kept, to be corrected
    assert phone.get_attribute("input[name=quiet_start]", "aria-invalid") == "true"
    assert not phone.is_checked("input[name=receive][value=reminder]")
    assert_fits(phone, "the settings page with an error")
    phone.fill("input[name=quiet_start]", "22:00")
    phone.locator("[data-testid=save-settings]").tap()
    phone.wait_for_selector("[data-testid=notice]")
    assert "通知设置已保存" in phone.inner_text("[data-testid=notice]")
    phone.reload()
    phone.wait_for_selector("[data-testid=notify-settings]")
    assert phone.input_value("input[name=quiet_start]") == "22:00"
    assert phone.input_value("input[name=quiet_end]") == "07:00"
    assert not phone.is_checked("input[name=receive][value=reminder]")
    assert phone.is_checked("input[name=receive][value=broadcast]")
    assert phone.locator("[data-field]").count() == 0
    assert phone.outside == []


def open_menu(page: Any) -> None:
    """On a phone the header's menu (with the notices badge) is behind one button: open it."""
    button = page.locator("[data-testid=menu-button]")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()
