"""The rules page in a real browser, on a phone: an organiser switches a rule on, bars a past
winner, and a sheet breaking the rules is refused naming both rows (Chromium via Playwright)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests_support import demo_server as running_demo

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HUAWEI = "914403001922038216"
XIAOMI = "91110108551385082Q"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo(tmp_path_factory.mktemp("rules-server")) as base:
        yield base


@pytest.fixture
def phone(server: str) -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(
            base_url=server,
            locale="zh-CN",
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
        yield context.new_page()
        browser.close()


def test_organiser_sets_rules_on_a_phone_and_an_import_is_refused(
    phone: Any, tmp_path: Path
) -> None:
    page = phone
    page.goto("/login?next=/rules")
    page.fill("input[name=username]", "organiser")
    page.fill("input[name=password]", "demo1234")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/rules"), page.content()[-3000:]
    page.wait_for_selector("[data-testid=rules-form]")
    page.select_option("[data-testid=mode-one_per_enterprise]", "refuse")
    page.select_option("[data-testid=mode-barred]", "refuse")
    page.fill("[data-testid=barred]", f"往届冠军公司\n{XIAOMI}")
    with page.expect_navigation():
        page.click("[data-testid=rules-form] button[type=submit]")
    assert page.locator("[data-testid=notice]").inner_text() == "报名规则已保存"
    assert page.locator("[data-testid=mode-one_per_enterprise]").input_value() == "refuse"
    page.wait_for_load_state("load")  # measured with the stylesheet applied
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the rules form is {width}px wide on a 390px phone"

    sheet = tmp_path / "projects.csv"
    sheet.write_text(
        "报名编号,项目名称,赛道,组别,统一社会信用代码\n"
        f"N-1,储能管理系统,绿色经济,企业组,{HUAWEI}\n"
        f"N-2,光伏运维平台,绿色经济,企业组,{HUAWEI}\n"
        f"N-3,往届冠军新项目,绿色经济,企业组,{XIAOMI}\n",
        encoding="utf-8",
    )
    page.goto("/import")
    page.set_input_files("input[name=file]", str(sheet))
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    problems = page.locator("[data-testid=import-problems] tbody").inner_text()
    assert f"第 3 行与第 2 行同属统一社会信用代码 {HUAWEI}：每家企业限报一个项目" in problems
    assert "往届获奖名单中" in problems
    assert page.locator("[data-testid=import-ok]").count() == 0
