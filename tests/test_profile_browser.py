"""In a real browser: an entrant edits its own project on its page, and the investor's next
shortlist page shows the project with the reason the edit gave it (no rebuild in between).

Runs against its own demo server (``matchmaker demo`` then ``matchmaker serve``), so the edits
here never reach the shared server of tests/test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_browser import _guarded_page, browser, open_menu, server, sign_in

pytestmark = pytest.mark.browser
__all__ = ["browser", "server"]  # fixtures this module shares with tests/test_browser.py

PROJECT = "XH2026-P001"  # the demo entrant's project: ceramic 3D printing, 先进制造, 太原
SHORTLIST = "/shortlist?track=advanced_manufacturing"


@pytest.fixture
def entrant_page(browser: Any, server: str) -> Iterator[Any]:
    """The entrant's browser, on a phone's screen as entrants use it."""
    yield from _guarded_page(
        browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


@pytest.fixture
def investor_page(browser: Any, server: str) -> Iterator[Any]:
    """The investor's browser (its own cookies)."""
    yield from _guarded_page(browser, server)


def reasons_of(page: Any) -> str:
    page.goto(SHORTLIST)
    page.wait_for_selector("[data-testid=shortlist] li.match")
    item = page.locator(f"[data-testid=shortlist] li.match[data-project='{PROJECT}']")
    return str(item.locator("ul.reasons").inner_text()) if item.count() else ""


def test_entrant_edits_its_project_and_the_investor_sees_the_new_reason(
    entrant_page: Any, investor_page: Any
) -> None:
    sign_in(investor_page, "investor")
    investor_page.wait_for_selector("nav")
    before = reasons_of(investor_page)
    assert "行业相同：智能装备" not in before and "额度在区间内：300万元" not in before

    page = entrant_page
    sign_in(page, "entrant")
    open_menu(page)  # on a phone the header's menu is behind one button
    page.click("[data-testid=my-profile]")
    page.wait_for_selector("[data-testid=edit-profile]")
    page.click("[data-testid=edit-profile]")
    page.wait_for_selector("[data-testid=profile-form]")
    assert page.input_value("input[name=funding_ask]") == "100"  # 万元, as on every page
    page.fill("input[name=sectors]", "工业互联网、智能装备、陶瓷3D打印")
    page.fill(
        "textarea[name=description]",
        "面向冶金、化工重资产场景的工业互联网平台与智能装备改造，陶瓷3D打印备件按需生产。",
    )
    page.fill("input[name=funding_ask]", "abc")  # a slip first: named beside the field
    page.click("[data-testid=profile-form] button[type=submit]")
    page.wait_for_selector(".field-error[data-field=funding_ask]")
    assert page.input_value("input[name=sectors]").startswith("工业互联网")  # kept as typed
    page.fill("input[name=funding_ask]", "300")
    page.click("[data-testid=profile-form] button[type=submit]")
    page.wait_for_selector("[data-testid=notice]")
    assert "资料已保存" in page.locator("[data-testid=notice]").inner_text()
    assert "工业互联网平台" in page.locator("[data-testid=description]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone
    assert page.outside == []

    # the investor's next shortlist ranks the new profile: its sectors and its new ask
    reasons = reasons_of(investor_page)
    assert "行业相同：智能装备" in reasons, reasons
    assert "额度在区间内：300万元" in reasons, reasons
    assert investor_page.outside == []
