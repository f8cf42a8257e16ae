"""Issue #17, must show 4, with an attendance mark: in a real browser on a phone, with the
network cut, the agenda still shows from the service worker's copy and a tap of 已会见 is kept on
the phone; when the network returns it is sent once and recorded once (the server counts the
form's client_key once even if the phone sends it again)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from test_browser import _guarded_page, browser, sign_in  # noqa: F401 - the browser fixture
from tests_support import demo_server, retime_session

from matchmaker.db.engine import make_engine, session_factory, transaction
from matchmaker.db.models import Meeting, MeetingMark, User
from matchmaker.db.types import utcnow
from matchmaker.domain import MeetingStatus
from matchmaker.services.agendas.bookings import BookingRules, decide, request_meeting

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@dataclass
class Under:
    """The served demo, its database and the entrant's meeting now under way."""

    base: str
    db: str
    meeting: int


@pytest.fixture(scope="module")
def under(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Under]:
    home = tmp_path_factory.mktemp("offline-attendance")
    with demo_server(home) as base:
        url = f"sqlite:///{home / 'demo.db'}"
        engine = make_engine(url)
        factory = session_factory(engine)
        with transaction(factory) as db:
            users = {u.username: u for u in db.scalars(select(User))}
            entrant, organiser = users["entrant"], users["organiser"]
            project = entrant.project
            assert project is not None
            session = next(s for s in project.sessions if s.ends_at > utcnow())
            institution = next(iter(session.institutions))
            asked = request_meeting(db, BookingRules(), organiser, session, project, institution, 1)
            decide(db, organiser, asked, accept=True)
            meeting = db.scalars(select(Meeting).where(Meeting.request_id == asked.id)).one()
            code, meeting_id = session.code, meeting.id
        # the session's first slot began five minutes ago: the meeting is under way
        retime_session(factory, code, utcnow() - timedelta(minutes=5))
        engine.dispose()
        yield Under(base=base, db=url, meeting=meeting_id)


def test_an_attendance_mark_made_offline_is_sent_once_when_the_network_returns(
    browser: Any,  # noqa: F811
    under: Under,
) -> None:
    context = browser.new_context(base_url=under.base, locale="zh-CN", **PHONE)
    page = context.new_page()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    sign_in(page, "entrant")
    page.goto("/agenda")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # under the worker now: this copy of the agenda is kept
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_load_state("networkidle")
    context.set_offline(True)
    page.reload()
    assert page.locator("[data-testid=offline-stamp]").inner_text().startswith("最后更新 ")
    card = page.locator(f"[data-testid=meeting-actions][data-meeting='{under.meeting}']")
    card.locator("[data-testid=att-held] button").tap()
    assert page.locator("[data-testid=offline-queue]").inner_text() == "已保存，联网后发送"
    tap_url = f"/agenda/meetings/{under.meeting}/attendance"
    assert not [u for u in posts if tap_url in u]  # nothing left the phone
    engine = make_engine(under.db)
    marks = select(func.count(MeetingMark.id)).where(MeetingMark.meeting_id == under.meeting)
    with session_factory(engine)() as db:
        assert db.scalar(marks) == 0
    context.set_offline(False)
    page.wait_for_selector("body[data-queue-sent='1']", state="attached")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a second wake sends nothing
    page.wait_for_timeout(500)
    assert len([u for u in posts if tap_url in u]) == 1
    with session_factory(engine)() as db:
        assert db.scalar(marks) == 1
        assert db.get(Meeting, under.meeting).status == MeetingStatus.HELD
    engine.dispose()
    page.goto("/agenda")
    card = page.locator(f"[data-testid=meeting-actions][data-meeting='{under.meeting}']")
    assert card.locator("[data-testid=att-mine]").is_visible()  # the page shows the mark
    context.close()
