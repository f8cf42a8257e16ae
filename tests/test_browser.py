"""Pages in a real browser (Debian's Chromium via Playwright) against the real server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests_support import api_json
from tests_support import demo_server as running_demo

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`matchmaker demo` then `matchmaker serve` (gunicorn), as the README's first command does."""
    with running_demo(tmp_path_factory.mktemp("server")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page that refuses, and records, every request leaving this machine."""
    yield from _guarded_page(browser, server)


@pytest.fixture
def phone(browser: Any, server: str) -> Iterator[Any]:
    """The same on a phone's screen (390×844, touch), as entrants and investors use it."""
    yield from _guarded_page(
        browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


def _guarded_page(browser: Any, server: str, **options: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=server, locale="zh-CN", **options)
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.outside = outside
    yield page
    context.close()


def open_menu(page: Any) -> None:
    """On a phone the header's menu is behind one button: open it (nothing to do on a desktop)."""
    button = page.locator("[data-testid=menu-button]")
    if button.is_visible() and button.get_attribute("aria-expanded") != "true":
        button.click()


def sign_in(page: Any, username: str, password: str = "demo1234") -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # wait for the answer's page (home, or the form again with its error): a test that went on
    # at once could open the sign-in page's menu just before it was replaced (a flaky tap)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_sign_in_and_event_overview_in_chinese_then_english(page: Any) -> None:
    page.goto("/")
    assert page.url.endswith("/login?next=/")  # back to the page asked for, no bare "?"
    assert page.locator("h1").inner_text() == "登录"
    sign_in(page, "organiser", "wrong")
    assert page.locator("[role=alert]").inner_text() == "用户名或密码错误"
    sign_in(page, "organiser")
    assert page.locator("[data-testid=count-projects]").inner_text() == "240"
    assert page.locator("[data-testid=count-institutions]").inner_text() == "41"
    assert page.get_by_text("往届参赛项目专场").count() == 1
    header_rule = "getComputedStyle(document.querySelector('header.top')).borderBottomWidth"
    page.wait_for_load_state("load")  # the stylesheet has arrived (the text can come first)
    assert page.evaluate(header_rule) == "3px"  # the stylesheet is served and applied
    page.screenshot(
        path=str(Path(os.environ.get("MM_SHOTS", "/tmp")) / "mm-home.png"), full_page=True
    )
    page.click("text=English")
    assert page.locator("nav").inner_text().split()[:2] == ["Home", "Projects"]
    assert page.get_by_text("Past entrants session").count() == 1
    assert page.outside == []


def test_project_list_filters(page: Any) -> None:
    sign_in(page, "investor")
    page.goto("/projects")
    page.select_option("select[name=track]", "green_economy")
    with page.expect_navigation():  # the list below is read at once: read the new one
        page.click("form.filters button")
    tracks = page.locator("[data-testid=project-list] tbody tr td:nth-child(3)").all_inner_texts()
    assert tracks and set(tracks) == {"绿色经济"}
    page.fill("input[name=q]", "陶瓷3D打印")
    page.select_option("select[name=track]", "")
    with page.expect_navigation():
        page.click("form.filters button")
    names = page.locator("[data-testid=project-list] tbody tr td:nth-child(2)").all_inner_texts()
    assert names == ["光固化陶瓷3D打印设备与浆料"]
    page.click("text=光固化陶瓷3D打印设备与浆料")
    assert "打印精度25μm" in page.locator(".prose").inner_text()
    assert page.get_by_text("联系方式").count() == 0  # investors do not see entrants' phones


def test_import_page_lists_every_problem_then_imports(page: Any, tmp_path: Path) -> None:
    sign_in(page, "organiser")
    page.goto("/import")
    page.set_input_files("input[type=file]", str(DATA / "projects_bad.csv"))
    page.click("form.stack button")
    assert "发现 5 处问题" in page.locator("[data-testid=import-rejected]").inner_text()
    rows = page.locator("[data-testid=import-problems] tbody tr").all_inner_texts()
    assert [r.split("\t")[0] for r in rows] == ["3", "4", "5", "6", "7"]
    good = tmp_path / "新报名.csv"
    good.write_text(
        "报名编号,项目名称,赛道,阶段\nXH2026-P950,<b>粗体</b>智能灌溉,乡村振兴,种子轮\n",
        encoding="utf-8",
    )
    page.set_input_files("input[type=file]", str(good))
    page.click("form.stack button")
    assert "新增 1" in page.locator("[data-testid=import-ok]").inner_text()
    page.goto("/projects?q=XH2026-P950")
    assert page.locator("td a").first.inner_text() == "<b>粗体</b>智能灌溉"  # escaped, not bold


def test_entrant_sees_institutions_not_other_projects(page: Any) -> None:
    sign_in(page, "entrant")
    assert page.locator("nav").get_by_text("参赛项目").count() == 0
    page.goto("/institutions?type=bank")
    types = page.locator(
        "[data-testid=institution-list] tbody tr td:nth-child(3)"
    ).all_inner_texts()
    assert types and set(types) == {"银行"}
    response = page.goto("/projects")
    assert response.status == 403
    assert "无权" in page.locator(".error").inner_text()


def test_api_docs_render_offline(page: Any) -> None:
    page.goto("/api/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/projects" in paths
    assert page.outside == []


def test_investor_shortlist_with_reasons_and_pass(page: Any) -> None:
    sign_in(page, "investor")
    page.click("nav >> text=项目推荐")
    items = page.locator("[data-testid=shortlist] li.match")
    assert items.count() == 20
    first = items.first
    code = first.get_attribute("data-project")
    assert first.locator("ul.reasons li.pro").count() >= 3
    assert "地区：山西" in first.locator("ul.reasons").inner_text()
    # only projects of a session the institution attends can be booked from here
    book = first.locator("a.button", has_text="预约洽谈")
    if book.count():
        assert f"project={code}" in (book.get_attribute("href") or "")
    else:
        assert first.locator("text=不在同一专场").count() == 1
    # each click posts a form: wait for the answer page, or the next step races the last
    with page.expect_navigation():
        first.locator("button", has_text="不合适").click()
    assert page.locator(f"li.match[data-project='{code}']").count() == 0
    page.check("input[name=passed]")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert page.locator(f"li.match[data-project='{code}'].verdict-pass").count() == 1
    assert page.outside == []


def test_entrant_recommendations_page(page: Any) -> None:
    sign_in(page, "entrant")
    page.goto("/recommendations?lang=en")
    items = page.locator("[data-testid=recommendations] li.match")
    assert items.count() >= 5
    assert "Stage fits" in page.locator("[data-testid=recommendations]").inner_text()
    response = page.goto("/shortlist")
    assert response.status == 403


def test_organiser_sees_the_planted_duplicates(page: Any) -> None:
    sign_in(page, "organiser")
    page.click("nav >> text=疑似重复报名")
    # all_inner_texts does not wait: under load it read the page before the click's navigation
    page.wait_for_selector("[data-testid=duplicates] tbody tr")
    rows = page.locator("[data-testid=duplicates] tbody tr").all_inner_texts()
    pairs = {tuple(sorted(c for c in row.split() if c.startswith("XH2026-P"))) for row in rows}
    assert pairs == {
        ("XH2026-P099", "XH2026-P171"),
        ("XH2026-P188", "XH2026-P227"),
        ("XH2026-P190", "XH2026-P206"),
    }
    assert "繁简转换后" in page.locator("[data-testid=duplicates]").inner_text()


def test_organiser_chooses_whose_shortlist_to_see(page: Any) -> None:
    sign_in(page, "organiser")
    page.goto("/shortlist")
    page.select_option("select[name=institution]", "XH2026-I07")
    page.click("form.filters button[type=submit]")
    assert "东岭资本管理有限公司" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=shortlist] li.match").count() == 20
    page.goto("/recommendations?project=XH2026-P139")
    assert "新能源汽车一体化压铸结构件" in page.locator("h1").inner_text()


# (before the build below: a built S3 agenda fills the investor's slots)
def test_on_a_phone_an_investor_books_a_chosen_slot_and_sees_the_project_named(phone: Any) -> None:
    page = phone
    sign_in(page, "investor")
    page.goto("/shortlist")
    offer = page.locator("[data-testid=shortlist] li.match", has=page.locator("a.button"))
    project = offer.first.locator(".head b").inner_text()
    offer.first.locator("a.button", has_text="预约洽谈").tap()
    assert page.locator("h1").inner_text() == f"预约洽谈：{project}"  # the other side
    assert page.locator("input[name=slot]:checked").count() == 0
    page.wait_for_load_state("load")  # measured with the stylesheet applied
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the booking form is {width}px wide on a 390px phone"
    page.locator("[data-testid=book] button[type=submit]").tap()  # a hasty tap books nothing
    assert "/book" in page.url and page.locator("[data-testid=notice]").count() == 0
    message = page.eval_on_selector("input[name=slot]", "e => e.validationMessage")
    assert message == "请选择一个时段"
    page.locator("label.slot").nth(1).tap()
    page.fill("textarea[name=message]", "想了解贵项目的量产计划")
    page.locator("[data-testid=book] button[type=submit]").tap()
    assert page.locator("[data-testid=notice]").inner_text() == (
        f"已向 {project} 发送预约，等待对方确认"
    )
    request = page.locator("[data-testid=requests] tbody tr").first
    own = "晋阳湖创新投资有限公司"  # the investor's institution: never where the other side belongs
    assert project in request.inner_text() and own not in request.inner_text()
    assert "想了解贵项目的量产计划" in request.locator("[data-testid=request-message]").inner_text()
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the agenda is {width}px wide on a 390px phone"
    assert page.outside == []


def test_organiser_builds_and_publishes_then_entrant_books_and_prints(page: Any) -> None:
    sign_in(page, "organiser")
    page.goto("/sessions/S3/agenda")
    page.click("[data-testid=build]")
    assert "已生成最优议程" in page.locator("[data-testid=notice]").inner_text()
    cells = page.locator("[data-testid=grid] td.cell")
    assert cells.count() > 0
    status = page.locator("[data-testid=agenda-status]").inner_text()
    assert "草稿" in status and "上界" in status
    page.once("dialog", lambda dialog: dialog.accept())  # "publish?" → yes
    page.click("[data-testid=publish]")
    assert "议程已通过校验并发布" in page.locator("[data-testid=notice]").inner_text()
    page.context.clear_cookies()
    sign_in(page, "entrant")
    page.goto("/recommendations")
    page.locator("a.button", has_text="预约洽谈").first.click()
    institution = page.locator("h1").inner_text().split("：", 1)[1]
    assert page.locator("label.slot").count() > 0
    # no slot is chosen for you: sending without one is refused, in words of this page
    assert page.locator("input[name=slot]:checked").count() == 0
    page.click("[data-testid=book] button[type=submit]")
    assert "/book" in page.url and page.locator("[data-testid=notice]").count() == 0
    message = page.eval_on_selector("input[name=slot]", "e => e.validationMessage")
    assert message == "请选择一个时段"
    page.locator("label.slot").first.click()
    page.click("[data-testid=book] button[type=submit]")
    assert page.locator("[data-testid=notice]").inner_text() == (
        f"已向 {institution} 发送预约，等待对方确认"
    )
    assert page.locator("[data-testid=requests] tbody tr").count() == 1
    page.goto("/agenda/print")
    assert page.locator("h2").inner_text().startswith("创投对接会议程")
    assert page.locator("table.list tbody tr").count() >= 1  # the pending booking at least
    assert page.outside == []


def test_cancel_and_publish_ask_first_lock_does_not(page: Any) -> None:
    sign_in(page, "organiser")
    page.goto("/sessions/S2/agenda")
    page.click("[data-testid=build]")
    assert "议程" in page.locator("[data-testid=notice]").inner_text()
    cells = page.locator("[data-testid=grid] td.cell")
    count = cells.count()
    assert count > 0
    first = cells.first
    meeting = first.get_attribute("data-meeting")
    asked: list[str] = []

    def answer(accept: bool) -> Any:
        def handle(dialog: Any) -> None:
            asked.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        return handle

    # a meeting's actions are in its dialog, opened by a tap on the cell (no hover)
    dialog = page.locator(f"#meeting-{meeting}")
    # "cancel?" → no: nothing is sent, the meeting stays
    page.evaluate("window.__same_page = true")  # gone if the form is sent (a new page loads)
    refuse = answer(False)  # the browser's own confirm is not what asks: none may show
    page.on("dialog", refuse)
    first.locator("[data-testid=cell-tap]").click()
    dialog.locator("[data-testid=cell-cancel]").click()
    question = dialog.locator("[data-step=confirm-cancel] p").inner_text()
    assert question.startswith("取消 ") and "时段" in question
    dialog.locator("[data-testid=cell-cancel-no]").click()
    dialog.locator("[data-testid=dialog-close]").click()
    assert page.evaluate("window.__same_page === true")
    assert page.locator(f"td[data-meeting='{meeting}']").count() == 1
    # lock asks nothing
    first.locator("[data-testid=cell-tap]").click()
    dialog.locator("[data-testid=cell-lock]").click()
    page.wait_for_selector(f"td[data-meeting='{meeting}'].locked")
    assert asked == []
    page.remove_listener("dialog", refuse)
    # "cancel?" → yes: it goes, and the notice says so
    page.locator(f"td[data-meeting='{meeting}'] [data-testid=cell-tap]").click()
    dialog.locator("[data-testid=cell-cancel]").click()
    dialog.locator("[data-testid=cell-cancel-yes]").click()
    page.wait_for_selector("[data-testid=notice]")
    assert page.locator(f"td[data-meeting='{meeting}']").count() == 0
    assert "取消" in page.locator("[data-testid=notice]").inner_text()
    # "publish?" → no, then yes
    page.once("dialog", answer(False))
    page.click("[data-testid=publish]")
    assert "确定发布" in asked[-1]
    assert "草稿" in page.locator("[data-testid=agenda-status]").inner_text()
    page.once("dialog", answer(True))
    page.click("[data-testid=publish]")
    assert "议程已通过校验并发布" in page.locator("[data-testid=notice]").inner_text()
    assert page.outside == []


@pytest.mark.parametrize("width", [1280, 390])
def test_organiser_switches_event_in_the_header_at_desktop_and_phone_width(
    browser: Any, server: str, width: int
) -> None:
    """A second event (the last test here: the others see the demo's one event): the header's
    selector switches every page to it and stays on screen, at desktop and at phone width."""
    token = api_json(
        server, "/api/v1/auth/token", body={"username": "organiser", "password": "demo1234"}
    )["token"]
    events = {e["code"] for e in api_json(server, "/api/v1/events", token)["items"]}
    if "XH2025" not in events:
        body = {"code": "XH2025", "name": "2025年第九届“星火杯”创新创业大赛", "year": 2025}
        api_json(server, "/api/v1/events", token, body)
    context = browser.new_context(
        base_url=server, locale="zh-CN", viewport={"width": width, "height": 844}
    )
    page = context.new_page()
    try:
        sign_in(page, "organiser")
        page.goto("/intents")
        open_menu(page)  # at phone width the selector is in the menu
        choice = page.locator("[data-testid=event-choice] select")
        assert choice.input_value() == "XH2026"  # the most recent event until one is chosen
        choice.select_option("XH2025")  # submits itself (pages.js), no button needed
        page.wait_for_url("**/intents")
        assert page.locator("[data-testid=event-choice] select").input_value() == "XH2025"
        assert "第九届" in page.locator("main p.muted").first.inner_text()
        page.goto("/due-diligence")  # remembered by every page
        open_menu(page)
        assert page.locator("[data-testid=event-choice] select").input_value() == "XH2025"
        box = page.locator("[data-testid=event-choice]").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        shot = Path(os.environ.get("MM_SHOTS", "/tmp")) / f"mm-event-choice-{width}.png"
        page.screenshot(path=str(shot))
        page.locator("[data-testid=event-choice] select").select_option("XH2026")
        page.wait_for_url("**/due-diligence")
        assert page.locator("[data-testid=event-choice] select").input_value() == "XH2026"
    finally:
        context.close()


def test_on_a_phone_an_organiser_sets_up_a_session_and_deletes_it_after_confirming(
    phone: Any,
) -> None:
    page = phone
    sign_in(page, "organiser")
    open_menu(page)
    page.locator("nav a", has_text="活动设置").tap()
    page.wait_for_url("**/setup")
    assert page.locator("[data-testid=events] tr[data-event=XH2026]").count() == 1
    form = page.locator("[data-testid=session-add]")
    form.locator("input[name=code]").fill("S9")
    form.locator("input[name=name]").fill("路演加场")
    form.locator("select[name=kind]").select_option("roadshow")
    form.locator("input[name=date]").fill("2036-12-20")
    form.locator("input[name=start]").fill("09:00")
    form.locator("input[name=end]").fill("09:00")  # not after the start: refused beside it
    form.locator("input[name=slot_minutes]").fill("30")
    form.locator("input[name=tables]").fill("A1,A2")
    form.locator("input[name=breaks]").fill("10:00-10:30")
    form.locator("button[type=submit]").tap()
    page.wait_for_selector("[data-testid=form-errors]")
    assert "结束时间应晚于开始时间" in page.locator(".field-error[data-field=end]").inner_text()
    assert page.locator("[data-testid=session-add] input[name=name]").input_value() == "路演加场"
    page.locator("[data-testid=session-add] input[name=end]").fill("12:00")
    page.locator("[data-testid=session-add] button[type=submit]").tap()
    page.wait_for_selector("[data-testid=sessions] tr[data-session=S9]")
    row = page.locator("[data-testid=sessions] tr[data-session=S9]").inner_text()
    assert "路演专场" in row and "5 × 30" in row and "A1,A2" in row  # 10:00-10:30 left out
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the set-up page is {width}px wide on a 390px phone"
    page.locator("[data-testid=sessions] tr[data-session=S9] a").tap()
    page.wait_for_selector("[data-testid=session-delete]")
    page.once("dialog", lambda dialog: dialog.dismiss())  # "no": nothing happens
    page.locator("[data-testid=session-delete] button").tap()
    assert page.locator("[data-testid=session-edit]").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-testid=session-delete] button").tap()
    page.wait_for_url("**/setup?event=XH2026")
    assert "已删除专场 S9" in page.locator("[data-testid=notice]").inner_text()
    assert page.locator("[data-testid=sessions] tr[data-session=S9]").count() == 0
    assert page.outside == []
