"""A roadshow on an investor's phone (390×844, Chromium via Playwright, the real server): the
order with the project pitching now marked, and a big "感兴趣" tap that counts once and undoes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from test_browser import _guarded_page, browser, sign_in  # noqa: F401 - the browser fixture
from tests_support import demo_server, retime_session

from matchmaker.db.engine import make_engine, session_factory, transaction
from matchmaker.db.models import Event, Project, RoadshowInterest, User
from matchmaker.db.types import utcnow
from matchmaker.services.agendas.roadshow import make_draw, publish_draw
from matchmaker.services.registry.events import SessionSpec, add_session

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The demo served, with roadshow R9 under way (its first pitch began five minutes ago),
    four demo projects pitching and the demo investor's institution watching."""
    home = tmp_path_factory.mktemp("roadshow-server")
    with demo_server(home) as base:
        engine = make_engine(f"sqlite:///{home / 'demo.db'}")
        factory = session_factory(engine)
        spec = {"code": "R9", "kind": "roadshow", "name": "项目路演", "date": "2036-12-01",
                "start": "09:00", "end": "10:00", "slot_minutes": 10, "tables": 0}  # fmt: skip
        with transaction(factory) as db:
            event = db.scalars(select(Event)).one()
            investor = db.scalars(select(User).where(User.username == "investor")).one()
            session = add_session(db, event, SessionSpec.from_dict(spec))
            projects = select(Project).where(Project.event_id == event.id).order_by(Project.code)
            session.projects.extend(db.scalars(projects.limit(4)))
            session.institutions.append(investor.institution)
        retime_session(factory, "R9", utcnow() - timedelta(minutes=5))
        with transaction(factory) as db:
            session = db.scalars(select(Event)).one().sessions
            (roadshow,) = [s for s in session if s.code == "R9"]
            make_draw(db, roadshow, None, seed=2026)
            publish_draw(db, roadshow, None)
        yield base, factory
        engine.dispose()


@pytest.fixture
def phone(browser: Any, served: tuple[str, Any]) -> Iterator[Any]:  # noqa: F811
    yield from _guarded_page(browser, served[0], **PHONE)


def interest(factory: Any) -> list[bool]:
    with factory() as db:
        return list(db.scalars(select(RoadshowInterest.interested)))


def test_investor_taps_interested_on_a_phone_and_taps_again_to_undo(
    phone: Any, served: tuple[str, Any]
) -> None:
    _base, factory = served
    sign_in(phone, "investor")
    phone.wait_for_load_state()
    phone.goto("/sessions/R9/roadshow")
    pitches = phone.locator("[data-testid=pitch]")
    assert pitches.count() == 4
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # the first pitch is under way: marked, and its "pitching now" shows
    assert "now" in (pitches.nth(0).get_attribute("class") or "")
    assert pitches.nth(0).locator("[data-testid=now]").is_visible()
    assert not pitches.nth(1).locator("[data-testid=now]").is_visible()
    button = pitches.nth(1).locator("[data-testid=tap]")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb's tap target
    button.tap()  # phone.js sends the form and puts the answer page in place
    pressed = phone.locator("[data-testid=pitch]").nth(1).locator("[data-testid=tap]")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    assert "已记下" in phone.inner_text("[data-testid=notice]")
    assert interest(factory) == [True]
    pressed.tap()  # tap again: an undo, under the new key the page filled in
    again = phone.locator("[data-testid=pitch]").nth(1).locator("[data-testid=tap]")
    expect(again).to_have_attribute("aria-pressed", "false")
    assert interest(factory) == [False]
    assert not phone.outside  # nothing fetched from outside the server
