"""Bookings through the API on SQLite and PostgreSQL: holds, answers, expiry, caps, races."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from tests_support import assert_error, many_entrants, retime_session, sign_in
from werkzeug.serving import make_server

from matchmaker.db.engine import transaction
from matchmaker.db.models import Meeting, MeetingRequest
from matchmaker.db.types import utcnow
from matchmaker.domain import MeetingStatus

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

URL = "/api/v1/meeting-requests"


def book(client: Any, headers: dict[str, str], slot: int = 1, **body: Any) -> Any:
    payload = {
        "session": "S1",
        "project_id": "T-P001",
        "institution_id": "T-I01",
        "slot": slot,
        **body,
    }
    return client.post(URL, json=payload, headers=headers)


def free(client: Any, headers: dict[str, str], project: str = "T-P001") -> list[int]:
    response = client.get(
        f"/api/v1/projects/{project}/free-slots",
        query_string={"institution": "T-I01", "session": "S1"},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    return [slot["number"] for slot in response.get_json()]


def live_in_slot(factory: Any, slot_number: int) -> list[Meeting]:
    with transaction(factory) as db:
        rows = db.scalars(select(Meeting).where(Meeting.status != MeetingStatus.CANCELLED)).all()
        return [m for m in rows if m.slot.number == slot_number]


def test_a_request_holds_its_slot_until_answered(client, accounts) -> None:  # type: ignore[no-untyped-def]
    entrant, investor = accounts.headers("entrant"), accounts.headers("investor")
    assert free(client, entrant) == list(range(1, 10))
    made = book(client, entrant, slot=3, message="想介绍储能BMS")
    assert made.status_code == 201, made.get_json()
    request = made.get_json()
    assert request["status"] == "pending" and request["slot"] == 3
    assert request["expires_at"].endswith("+08:00")
    assert 3 not in free(client, entrant)
    # the institution sees it and accepts; the hold becomes a scheduled meeting
    seen = client.get(URL, headers=investor).get_json()
    assert [r["id"] for r in seen] == [request["id"]]
    accepted = client.post(f"{URL}/{request['id']}/accept", headers=investor)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    agenda = client.get("/api/v1/events/T2026/sessions/S1/agenda", headers=entrant).get_json()
    assert [(m["slot"], m["institution_id"], m["status"]) for m in agenda["meetings"]] == [
        (3, "T-I01", "scheduled")
    ]
    assert agenda["meetings"][0]["table"] == "1号桌"
    # answering twice is a clear conflict, not a silent no-op
    body = assert_error(client.post(f"{URL}/{request['id']}/decline", headers=investor), 409)
    assert "已接受" in body["message"] or "Accepted" in body["message"]


def test_a_party_s_own_project_and_event_come_with_its_sign_in(app, client, accounts) -> None:  # type: ignore[no-untyped-def]
    """An entrant's free-slots question asks the database four things: the token (with the
    project and its event), the institution, the session with its slots, and the stale requests
    with the two parties' busy slots. Its own project and event are not looked up again by code,
    nor the stale requests apart (it took eight)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    headers = accounts.headers("entrant")
    free_before = free(client, headers)  # the token's first use is recorded: not counted below
    assert free_before
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(" ".join(str(args[2]).split())[:60])

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        assert free(client, headers) == free_before
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert len(statements) == 4, statements
    assert not any(s.startswith(("SELECT projects.", "SELECT events.")) for s in statements)


def test_declined_and_withdrawn_requests_free_the_slot(client, accounts) -> None:  # type: ignore[no-untyped-def]
    entrant, investor = accounts.headers("entrant"), accounts.headers("investor")
    first = book(client, entrant, slot=2).get_json()
    client.post(f"{URL}/{first['id']}/decline", headers=investor)
    assert 2 in free(client, entrant)
    # a declined pair may not simply ask again for another slot in the same session? It may:
    second = book(client, entrant, slot=4)
    assert second.status_code == 201
    withdrawn = client.post(f"{URL}/{second.get_json()['id']}/withdraw", headers=entrant)
    assert withdrawn.get_json()["status"] == "cancelled"
    assert 4 in free(client, entrant)


def test_only_the_asked_side_answers(client, accounts) -> None:  # type: ignore[no-untyped-def]
    request = book(client, accounts.headers("entrant")).get_json()
    url = f"{URL}/{request['id']}/accept"
    assert_error(client.post(url, headers=accounts.headers("entrant")), 403)  # asked, not asker
    assert_error(client.post(url, headers=accounts.headers("investor_b")), 403)  # not theirs
    assert_error(client.post(url, headers=accounts.headers("entrant_b")), 403)
    assert client.post(url, headers=accounts.headers("organiser")).status_code == 200


def test_entrants_book_only_for_their_own_project(client, accounts) -> None:  # type: ignore[no-untyped-def]
    assert_error(book(client, accounts.headers("entrant_b")), 403)
    assert_error(book(client, accounts.headers("staff")), 403)
    assert_error(book(client, {}), 401)


def test_taken_slot_and_bad_input_are_clear_errors(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    assert book(client, accounts.headers("entrant"), slot=5).status_code == 201
    # T-P002 wants the same institution in the same slot
    body = assert_error(
        book(client, accounts.headers("entrant_b"), slot=5, project_id="T-P002"), 409
    )
    assert "第 5 时段已被占用" in body["message"]
    # the same pair asking twice
    body = assert_error(book(client, accounts.headers("entrant"), slot=6), 409)
    assert "已有预约" in body["message"]
    # a project not in the session, a slot that does not exist, a malformed body
    body = assert_error(book(client, accounts.headers("organiser"), project_id="T-P003"), 422)
    assert "T-P003" in body["message"] and "S1" in body["message"]
    assert_error(book(client, accounts.headers("entrant"), slot=99), 404)
    body = assert_error(book(client, accounts.headers("entrant"), slot="九"), 422)
    assert body["errors"][0]["field"] == "slot" or "slot" in json.dumps(body["errors"])
    assert len(live_in_slot(factory, 5)) == 1


def test_unanswered_requests_expire_and_free_the_slot(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    request = book(client, accounts.headers("entrant"), slot=7).get_json()
    with transaction(factory) as db:
        db.execute(update(MeetingRequest).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert 7 in free(client, accounts.headers("entrant"))
    mine = client.get(URL, headers=accounts.headers("entrant")).get_json()
    assert [(r["id"], r["status"]) for r in mine] == [(request["id"], "expired")]
    body = assert_error(
        client.post(f"{URL}/{request['id']}/accept", headers=accounts.headers("investor")), 409
    )
    assert "已过期" in body["message"]


def test_slots_that_have_begun_cannot_be_booked_and_requests_lapse_when_their_slot_begins(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    entrant, investor = accounts.headers("entrant"), accounts.headers("investor")
    # S1 (20-minute slots) began 50 minutes ago: slots 1–3 have begun, slot 4 starts in 10
    retime_session(factory, "S1", utcnow() - timedelta(minutes=50))
    assert free(client, entrant) == list(range(4, 10))
    body = assert_error(book(client, entrant, slot=2), 409)
    assert "第 2 时段已于" in body["message"] and "开始，不能再预约" in body["message"]
    assert live_in_slot(factory, 2) == []
    # slot 4 starts in ten minutes: the request lapses then unless answered first
    made = book(client, entrant, slot=4)
    assert made.status_code == 201, made.get_json()
    request = made.get_json()
    with transaction(factory) as db:
        held = db.get_one(MeetingRequest, request["id"])
        assert held.slot is not None
        assert held.expires_at == held.slot.starts_at
        slot_4 = held.slot.starts_at
    assert slot_4 - utcnow() < timedelta(minutes=11)
    with transaction(factory) as db:  # slot 4 begins unanswered
        db.execute(update(MeetingRequest).values(expires_at=utcnow() - timedelta(seconds=1)))
    body = assert_error(client.post(f"{URL}/{request['id']}/accept", headers=investor), 409)
    assert "已过期" in body["message"]


def test_the_booking_page_offers_the_next_session_not_one_that_is_over(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    retime_session(factory, "S1", utcnow() - timedelta(days=30))  # over; S2 (2036) to come
    sign_in(client, factory, "entrant_b")
    page = client.get("/book?institution=T-I02", headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'aria-current="page">全国专场' in text
    assert 'name="session" value="S2"' in text and 'name="slot"' in text
    over = client.get("/book?institution=T-I02&session=S1", headers={"Accept": "text/html"})
    assert "本专场已结束" in over.get_data(as_text=True)
    assert 'name="slot"' not in over.get_data(as_text=True)
    body = {"session": "S1", "project_id": "T-P002", "institution_id": "T-I02", "slot": 3}
    refused = client.post(URL, json=body, headers=accounts.headers("entrant_b"))
    assert "专场 S1 已于" in assert_error(refused, 409)["message"]


def test_institution_cap_spreads_requests(app, client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.services.agendas.bookings import BookingRules

    app.config["MATCHMAKER_BOOKING_RULES"] = BookingRules(institution_cap=1)
    assert book(client, accounts.headers("entrant"), slot=1).status_code == 201
    body = assert_error(
        book(client, accounts.headers("entrant_b"), slot=2, project_id="T-P002"), 409
    )
    assert "预约已满" in body["message"] and "上限 1" in body["message"]
    app.config["MATCHMAKER_BOOKING_RULES"] = BookingRules(project_cap=1)
    body = assert_error(
        book(client, accounts.headers("entrant"), slot=3, institution_id="T-I02"), 409
    )
    assert "最多同时发起 1 个预约" in body["message"]


# ---- many people booking at once, on PostgreSQL, through a real threaded HTTP server ---------


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_simultaneous_bookings_never_double_book(app, factory) -> None:  # type: ignore[no-untyped-def]
    tokens = many_entrants(factory, 24)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    start = threading.Barrier(len(tokens))

    def attempt(item: tuple[int, tuple[str, str]]) -> tuple[str, int, int, dict[str, Any]]:
        k, (code, token) = item
        slot = 1 + k % 3  # 24 people, 3 slots, one institution: 3 winners
        payload = {"session": "S1", "project_id": code, "institution_id": "T-I01", "slot": slot}
        request = urllib.request.Request(
            base + URL,
            data=json.dumps(payload).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return code, slot, response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return code, slot, error.code, json.load(error)

    try:
        with ThreadPoolExecutor(len(tokens)) as pool:
            results = list(pool.map(attempt, enumerate(tokens.items())))
    finally:
        server.shutdown()
    winners = [r for r in results if r[2] == 201]
    losers = [r for r in results if r[2] != 201]
    assert sorted(slot for _, slot, _, _ in winners) == [1, 2, 3]
    assert {status for _, _, status, _ in losers} == {409}
    assert all("已被占用" in body["message"] for *_, body in losers)
    # every confirmed booking is in the database, and nothing else is
    with transaction(factory) as db:
        live = db.execute(
            select(Meeting.slot_id, func.count())
            .where(Meeting.status != MeetingStatus.CANCELLED)
            .group_by(Meeting.slot_id)
        ).all()
        held = {r.project.code for r in db.scalars(select(MeetingRequest))}
    assert [count for _, count in live] == [1, 1, 1]
    assert held == {code for code, *_ in winners}


def test_a_pair_the_agenda_already_seats_cannot_book_again_and_publish_still_works(
    client, accounts
) -> None:  # type: ignore[no-untyped-def]
    organiser, entrant = accounts.headers("organiser"), accounts.headers("entrant")
    agenda = "/api/v1/events/T2026/sessions/S1/agenda"
    built = client.post(agenda + "/build", json={"time_limit": 5}, headers=organiser)
    assert built.status_code == 200, built.get_json()
    rows = client.get(agenda, headers=organiser).get_json()["meetings"]
    pair = next(r for r in rows if r["project_id"] == "T-P001")
    free_now = free(client, entrant)
    assert free_now  # the project has other free slots with the institution…
    body = assert_error(
        book(client, entrant, slot=free_now[0], institution_id=pair["institution_id"]), 409
    )
    assert f"第 {pair['slot']} 时段会见" in body["message"]  # …but already meets it
    published = client.post(agenda + "/publish", headers=organiser)
    assert published.status_code == 200, published.get_json()
