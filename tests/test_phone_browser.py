"""The matchmaking day on a phone (#17) in a real browser (Debian's Chromium via Playwright)
against the real server: every entrant and investor page fits a 390 px screen with its menu
behind one button, home shows the next meeting without scrolling, the organiser's grid works by
tap on a tablet (cancel asks first), and with the network cut the agenda still shows, saying
when it was last updated, and an answer given offline is sent once when the network is back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from test_browser import _guarded_page, browser, sign_in  # noqa: F401 - the browser fixture
from tests_support import demo_server

from matchmaker.db.engine import make_engine, session_factory, transaction
from matchmaker.db.models import (
    Event,
    Institution,
    MatchmakingSession,
    MeetingRequest,
    Project,
    User,
)
from matchmaker.db.types import utcnow
from matchmaker.domain import RequestStatus, Role
from matchmaker.services.agendas.bookings import BookingRules, decide, request_meeting
from matchmaker.services.registry.accounts import create_user

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TABLET = {"viewport": {"width": 820, "height": 1180}, "is_mobile": True, "has_touch": True}


@dataclass
class Day:
    """The served demo and the meetings booked for its investor and entrant."""

    base: str
    db: str
    session: str  # the investor's session
    institution: str  # the entrant's next counterpart (name)
    project: str  # the investor's next counterpart (name)
    later_project: str  # the investor's second meeting of the day (name)
    pending: int  # a request the investor asked of the entrant, not yet answered
    grid_meeting_pair: tuple[str, str]  # (institution code, project code) the grid test cancels


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    home = tmp_path_factory.mktemp("phone-server")
    with demo_server(home, "--ledger") as base:
        url = f"sqlite:///{home / 'demo.db'}"
        engine = make_engine(url)
        factory = session_factory(engine)
        with transaction(factory) as db:
            users = {u.username: u for u in db.scalars(select(User))}
            investor, entrant = users["investor"], users["entrant"]
            mine, ours = investor.institution, entrant.project
            assert mine is not None and ours is not None
            # the demo pair has no session in common; --ledger's past session is over
            theirs = next(s for s in mine.sessions if s.ends_at > utcnow())
            its = next(s for s in ours.sessions if s.ends_at > utcnow())
            projects = [p for p in theirs.projects if p.id != ours.id]
            institutions = [i for i in its.institutions if i.id != mine.id]
            rules = BookingRules()

            def book(
                session: MatchmakingSession, institution: Institution, project: Project, slot: int
            ) -> MeetingRequest:
                made = request_meeting(
                    db, rules, users["organiser"], session, project, institution, slot
                )
                return decide(db, users["organiser"], made, accept=True)

            book(theirs, mine, projects[0], 2)  # the investor's next meeting
            book(theirs, mine, projects[1], 4)  # later the same day
            far = next(i for i in theirs.institutions if i.id != mine.id)
            book(theirs, far, projects[2], 6)  # the grid test cancels this one
            book(its, institutions[0], ours, 2)  # the entrant's next meeting
            book(its, institutions[1], ours, 5)
            asker = create_user(
                db, "asker", Role.INVESTOR, "demo1234", institution=institutions[2],
                check_policy=False,
            )  # fmt: skip
            asked = request_meeting(db, rules, asker, its, ours, institutions[2], 8)
            assert asked.status == RequestStatus.PENDING
            _last_year_in_the_library(db, db.get(Event, ours.event_id))
            found = Day(
                base=base,
                db=url,
                session=theirs.code,
                institution=institutions[0].name,
                project=projects[0].name,
                later_project=projects[1].name,
                pending=asked.id,
                grid_meeting_pair=(far.code, projects[2].code),
            )
        engine.dispose()
        yield found


def _last_year_in_the_library(db: Any, event: Any) -> None:
    """A shared 2025 contest where one of this year's demo projects registered under another
    name: linking the demo proposes it, with the duplicate detector's evidence (/library)."""
    from matchmaker.demo import __file__ as demo_module
    from matchmaker.services.library.links import link_event
    from matchmaker.services.library.sharing import set_share_library
    from matchmaker.services.registry.events import SessionSpec, add_session, create_event
    from matchmaker.services.registry.registrations import import_registrations

    sheet = (Path(demo_module).parent / "data" / "projects.csv").read_text("utf-8-sig")
    header, row = sheet.splitlines()[:2]
    cells = row.split(",")
    cells[0], cells[1], cells[-3:] = "XH2025-P001", "瓷光智造陶瓷打印", ["", "", ""]
    old = create_event(db, code="XH2025", name="2025 创业大赛", year=2025, city="太原")
    spec = {"code": "S1", "kind": "local", "name": "S1", "date": "2035-06-01"}
    times = {"start": "09:00", "end": "10:00", "slot_minutes": 20, "tables": 2}
    add_session(db, old, SessionSpec.from_dict(spec | times))
    sheet_2025 = f"{header}\n{','.join(cells)}\n".encode()
    import_registrations(db, old, "projects", sheet_2025, "projects.csv")
    set_share_library(db, old, True)
    assert link_event(db, event).proposed == 1


@pytest.fixture
def phone(browser: Any, day: Day) -> Iterator[Any]:  # noqa: F811
    yield from _guarded_page(browser, day.base, **PHONE)


def fits(page: Any) -> tuple[int, int]:
    page.wait_for_load_state("load")
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def small_targets(page: Any) -> list[str]:
    """Visible buttons and button-links of the page's body shorter than 44 px."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll(
                 'main button, main a.button, main input[type=submit], .menu-button'))
             .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
             .map(e => e.outerHTML.slice(0, 80))"""
    )


def check_phone_page(page: Any, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    width, inner = fits(page)
    assert width <= inner, f"{path} is {width}px wide on a {inner}px phone"
    if path == "/agenda/print":  # paper: no header, but a phone's viewport
        viewport = page.locator("meta[name=viewport]").get_attribute("content")
        assert "width=device-width" in viewport
        return
    button = page.locator("[data-testid=menu-button]")
    assert button.is_visible(), path
    assert button.get_attribute("aria-expanded") == "false"
    assert not page.locator("header nav").is_visible(), f"{path}: the menu is not collapsed"
    assert small_targets(page) == [], path


def test_investor_pages_fit_a_phone_with_the_menu_collapsed(phone: Any, day: Day) -> None:
    sign_in(phone, "investor")
    pages = ["/", "/agenda", "/shortlist", "/projects", "/institutions", "/intents"]
    for path in [*pages, "/due-diligence", "/agenda/print"]:
        check_phone_page(phone, path)
    # the booking page: the message box stays on the screen
    phone.goto("/")  # the own profile, from the menu
    check_phone_page(phone, phone.get_attribute("[data-testid=my-profile]", "href"))
    phone.goto("/shortlist")
    booking = phone.locator("a.button", has_text="预约洽谈").first
    check_phone_page(phone, booking.get_attribute("href"))
    box = phone.locator("textarea[name=message]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # the menu opens by one tap: event, language, sign-out inside it, still no sideways scroll
    phone.goto("/agenda")
    phone.tap("[data-testid=menu-button]")
    assert phone.locator("[data-testid=menu-button]").get_attribute("aria-expanded") == "true"
    assert phone.locator("header nav").is_visible()
    assert phone.locator("#menu .lang").is_visible()
    assert phone.locator("#menu button", has_text="退出").is_visible()
    assert fits(phone)[0] <= 390
    phone.tap("[data-testid=menu-button]")
    assert not phone.locator("header nav").is_visible()
    assert phone.outside == []


def test_entrant_pages_fit_a_phone_with_the_menu_collapsed(phone: Any, day: Day) -> None:
    sign_in(phone, "entrant")
    pages = ["/", "/agenda", "/recommendations", "/institutions", "/intents"]
    for path in [*pages, "/due-diligence", "/agenda/print"]:
        check_phone_page(phone, path)
    phone.goto("/recommendations")
    booking = phone.locator("a.button", has_text="预约洽谈").first
    check_phone_page(phone, booking.get_attribute("href"))
    box = phone.locator("textarea[name=message]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone.outside == []


def test_home_shows_the_next_meeting_first_without_scrolling(phone: Any, day: Day) -> None:
    sign_in(phone, "investor")
    phone.goto("/")
    card = phone.locator("[data-testid=next-meeting]")
    box = card.bounding_box()
    assert box["y"] + box["height"] <= 844, "the next meeting is below the fold"
    assert phone.locator("[data-testid=next-counterpart]").inner_text() == day.project
    assert "号桌" in phone.locator("[data-testid=next-table]").inner_text()
    assert phone.locator("[data-testid=next-time]").inner_text().endswith("09:40")
    assert phone.locator("[data-testid=badge-link]").get_attribute("href") == "/badge"
    assert day.later_project in phone.locator("[data-testid=rest-of-day]").inner_text()
    phone.screenshot(path="/tmp/mm-phone-home.png")
    # the entrant's next meeting is the same one, seen from the other side
    phone.context.clear_cookies()
    sign_in(phone, "entrant")
    phone.goto("/")
    assert phone.locator("[data-testid=next-counterpart]").inner_text() == day.institution
    # 我的议程: a card a meeting, time and table first
    phone.goto("/agenda")
    cards = phone.locator("[data-testid=my-meetings] tr.meeting-card")
    assert cards.count() == 3  # two meetings and the request still to answer
    first = cards.first.bounding_box()
    assert first["width"] <= 390 and first["height"] > 100  # stacked, not one squeezed row
    assert day.institution in cards.first.inner_text()
    phone.screenshot(path="/tmp/mm-phone-agenda.png", full_page=True)
    # organisers have no day of their own: no card
    phone.context.clear_cookies()
    sign_in(phone, "organiser")
    phone.goto("/")
    assert phone.locator("[data-testid=next-meeting]").count() == 0


def test_tablet_grid_shows_names_and_cancels_by_tap_after_asking(
    browser: Any,  # noqa: F811
    day: Day,
) -> None:
    page = next(_guarded_page(browser, day.base, **TABLET))
    sign_in(page, "organiser")
    page.goto(f"/sessions/{day.session}/agenda")
    assert page.locator("[data-testid=table-institution]").first.inner_text() != ""
    institution, project = day.grid_meeting_pair
    cell = page.locator("td.cell", has=page.locator(".code", has_text=project)).first
    meeting = cell.get_attribute("data-meeting")
    assert cell.locator(".name").inner_text()  # the project's name, not only its code
    dialog = page.locator(f"#meeting-{meeting}")
    cell.locator("[data-testid=cell-tap]").tap()
    assert dialog.is_visible()
    assert institution in dialog.inner_text() and project in dialog.inner_text()
    # cancel asks first; "keep it" sends nothing
    dialog.locator("[data-testid=cell-cancel]").tap()
    assert dialog.locator("[data-testid=cell-cancel-yes]").is_visible()
    dialog.locator("[data-testid=cell-cancel-no]").tap()
    assert dialog.locator("[data-testid=cell-cancel]").is_visible()
    dialog.locator("[data-testid=dialog-close]").tap()
    assert not dialog.is_visible()
    # lock by tap, no question
    cell.locator("[data-testid=cell-tap]").tap()
    dialog.locator("[data-testid=cell-lock]").tap()
    page.wait_for_selector(f"td[data-meeting='{meeting}'].locked")
    # cancel, yes: it goes
    page.locator(f"td[data-meeting='{meeting}'] [data-testid=cell-tap]").tap()
    dialog.locator("[data-testid=cell-cancel]").tap()
    dialog.locator("[data-testid=cell-cancel-yes]").tap()
    page.wait_for_selector("[data-testid=notice]")
    assert page.locator(f"td[data-meeting='{meeting}']").count() == 0
    assert "取消" in page.locator("[data-testid=notice]").inner_text()
    assert page.outside == []
    page.context.close()


def test_offline_agenda_shows_its_copy_and_an_answer_is_sent_once_back_online(
    browser: Any,  # noqa: F811
    day: Day,
) -> None:
    context = browser.new_context(base_url=day.base, locale="zh-CN", **PHONE)
    page = context.new_page()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    sign_in(page, "entrant")
    page.goto("/agenda")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the worker: this copy of the agenda and its files are kept
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_load_state("networkidle")
    assert not page.locator("[data-testid=offline-stamp]").is_visible()
    context.set_offline(True)
    page.reload()
    stamp = page.locator("[data-testid=offline-stamp]")
    assert stamp.is_visible() and stamp.inner_text().startswith("最后更新 ")
    assert day.institution in page.locator("[data-testid=my-meetings]").inner_text()
    # accept the investor's request offline: kept on the phone, nothing sent
    row = page.locator(f"tr[data-request='{day.pending}']")
    row.locator("button[value=accept]").tap()
    queue = page.locator("[data-testid=offline-queue]")
    assert queue.inner_text() == "已保存，联网后发送"
    login_posts = len(posts)
    assert page.evaluate("JSON.parse(localStorage['matchmaker.offline-queue']).length") == 1
    context.set_offline(False)
    page.wait_for_selector("body[data-queue-sent='1']", state="attached")
    assert queue.inner_text() == "离线时保存的操作已发送"
    answered = [u for u in posts[login_posts:] if f"/agenda/requests/{day.pending}" in u]
    assert len(answered) == 1
    # a second `online` replays nothing: the queue is empty
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    assert len([u for u in posts if f"/agenda/requests/{day.pending}" in u]) == 1
    assert page.evaluate("JSON.parse(localStorage['matchmaker.offline-queue']).length") == 0
    engine = make_engine(day.db)
    with session_factory(engine)() as db:
        assert db.get(MeetingRequest, day.pending).status == RequestStatus.ACCEPTED
    engine.dispose()
    page.reload()
    assert not page.locator("[data-testid=offline-stamp]").is_visible()
    assert page.locator(f"tr[data-request='{day.pending}'] button[value=accept]").count() == 0
    context.close()


def test_follow_up_pages_fit_a_phone_and_a_laptop(phone: Any, day: Day) -> None:
    """The office's follow-up pages (report, county roll-up, landings, library) scroll no page
    sideways at 390 px nor at 1280 px, where the header's many links wrap instead — in
    English, whose labels are the longer."""
    sign_in(phone, "organiser")
    paths = [f"{p}?lang=en" for p in ("/reports", "/reports/rollup", "/landings", "/library")]
    for size in ({"width": 390, "height": 844}, {"width": 1280, "height": 900}):
        phone.set_viewport_size(size)
        for path in paths:
            assert phone.goto(path).status == 200, path
            width, inner = fits(phone)
            assert width <= inner, f"{path} is {width}px wide in a {inner}px window"
            if path.startswith("/library"):
                # the proposal of last year's renamed registration, with what matched; on the
                # phone a card whose values take its width, not columns a letter wide
                found = phone.locator("[data-testid=library-duplicate]")
                assert found.is_visible() and "Same figures" in found.inner_text()
                cells = phone.locator("[data-testid=library-proposals] tbody td")
                narrowest = min(box["width"] for box in (c.bounding_box() for c in cells.all()))
                assert narrowest >= (0.7 * inner if inner < 500 else 80), narrowest
    assert phone.outside == []
