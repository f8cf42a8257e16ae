"""Booking as people see it, on SQLite and PostgreSQL: the /book form, 我的议程, the .ics, and
where 预约洽谈 is offered."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import icalendar
import pytest
from tests_support import CSRF, db_snapshot, retime_session, sign_in

from matchmaker.db.types import utcnow

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

URL = "/api/v1/meeting-requests"
HTML = {"Accept": "text/html"}


def request(client: Any, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    """Make a meeting request through the API; it must be accepted as a request (201)."""
    payload = {"session": "S1", "project_id": "T-P001", "institution_id": "T-I01", "slot": 3}
    made = client.post(URL, json=payload | body, headers=headers)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def notice(page: Any) -> str:
    """The text of the page's notice (the sentence shown after an action)."""
    found = re.search(r'data-testid="notice">\s*<p>(.*?)</p>', page.get_data(as_text=True), re.S)
    assert found, page.get_data(as_text=True)
    return found.group(1)


def section(page: Any, testid: str) -> str:
    """The HTML of the element marked ``data-testid=testid`` (a table or a block)."""
    text = page.get_data(as_text=True)
    start = text.index(f'data-testid="{testid}"')
    tag = text.rfind("<", 0, start)
    name = text[tag + 1 : text.index(" ", tag)]
    return text[tag : text.index(f"</{name}>", start)]


def actions(page: str, kind: str) -> dict[str, str]:
    """Each recommended item's actions (its booking link or the reason there is none), by code."""
    pattern = rf'data-{kind}="([^"]+)">.*?<div class="actions">(.*?)</div>'
    return dict(re.findall(pattern, page, re.S))


# ---- item 14: the confirmation, the message, no slot chosen for you ------------------------


def test_the_confirmation_names_the_counterpart_for_each_side(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, factory, "investor")  # of 汾河新能源创投 (T-I01)
    form = {"csrf": CSRF, "project": "T-P001", "session": "S1", "slot": "2"}
    page = client.post("/book", data=form, headers=HTML, follow_redirects=True)
    said = notice(page)
    assert "晋能储能电池管理系统" in said and "汾河新能源创投" not in said
    sign_in(client, factory, "entrant_b")  # of 智慧养老陪护机器人 (T-P002)
    form = {"csrf": CSRF, "institution": "T-I02", "session": "S1", "slot": "4"}
    said = notice(client.post("/book", data=form, headers=HTML, follow_redirects=True))
    assert "Silverline Angels" in said and "智慧养老陪护机器人" not in said
    form = {"csrf": CSRF, "institution": "T-I02", "session": "S2", "slot": "1"}
    page = client.post("/book?lang=en", data=form, headers=HTML, follow_redirects=True)
    assert notice(page) == "Request sent to Silverline Angels; waiting for their answer"
    # an organiser books for both sides: the sentence names both
    sign_in(client, factory, "organiser")
    form = {"csrf": CSRF, "project": "T-P001", "institution": "T-I02", "session": "S1"}
    said = notice(client.post("/book", data={**form, "slot": "6"}, follow_redirects=True))
    assert said == "已为 晋能储能电池管理系统 向 Silverline Angels 发送预约，等待确认"


def test_the_side_asked_reads_the_requesters_message(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    request(client, accounts.headers("entrant"), message="想介绍储能BMS的园区试点")
    sign_in(client, factory, "investor")
    requests = section(client.get("/agenda", headers=HTML), "requests")
    assert "想介绍储能BMS的园区试点" in requests
    listed = client.get(URL, headers=accounts.headers("investor")).get_json()
    assert [r["message"] for r in listed] == ["想介绍储能BMS的园区试点"]


def test_no_slot_is_chosen_for_you_and_a_booking_without_one_is_refused(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, factory, "entrant")
    form_page = client.get("/book?institution=T-I01", headers=HTML)
    radios = re.findall(r'<input type="radio" name="slot"[^>]*>', form_page.get_data(as_text=True))
    assert len(radios) == 9 and not any("checked" in r for r in radios)
    before = db_snapshot(factory)
    for slot in ({}, {"slot": ""}, {"slot": "第二"}):
        form = {"csrf": CSRF, "institution": "T-I01", "session": "S1", **slot}
        refused = client.post("/book", data=form, headers=HTML)
        assert refused.status_code == 422, slot
        text = refused.get_data(as_text=True)
        assert "请选择一个时段" in notice(refused) and "[时段]" in text  # named, not [slot]
        assert 'data-testid="book"' in text  # the form again, to pick a slot in
    assert db_snapshot(factory) == before
    # the API names the field too
    body = {"session": "S1", "project_id": "T-P001", "institution_id": "T-I01"}
    refused = client.post(URL, json=body, headers=accounts.headers("entrant"))
    assert refused.status_code == 422 and "slot" in str(refused.get_json()["errors"])


# ---- item 15: nothing offered where it cannot be had; the .ics; 我的议程 ----------------------


def test_booking_is_not_offered_where_every_shared_session_has_ended(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    retime_session(factory, "S1", utcnow() - timedelta(days=3))  # over; S2 (2036) to come
    ended = "共同参加的专场均已结束"
    sign_in(client, factory, "entrant_b")  # T-P002: S1 and S2
    page = client.get("/recommendations", headers=HTML).get_data(as_text=True)
    offers = actions(page, "institution")
    assert "/book?" not in offers["T-I01"] and ended in offers["T-I01"]  # met only in S1
    assert "/book?" in offers["T-I02"] and ended not in offers["T-I02"]  # S2 is to come
    sign_in(client, factory, "investor")  # T-I01: S1 only
    page = client.get("/shortlist", headers=HTML).get_data(as_text=True)
    offers = actions(page, "project")
    assert "/book?" not in offers["T-P001"] and ended in offers["T-P001"]
    assert "/book?" not in offers["T-P004"] and "不在同一专场" in offers["T-P004"]  # S2 only
    # and the booking page itself says so instead of a form for a session that is over
    book = client.get("/book?project=T-P001", headers=HTML).get_data(as_text=True)
    assert ended in book and 'name="slot"' not in book


def test_the_ics_holds_confirmed_meetings_only(client, accounts) -> None:  # type: ignore[no-untyped-def]
    entrant_b, investor_b = accounts.headers("entrant_b"), accounts.headers("investor_b")
    confirmed = request(client, entrant_b, project_id="T-P002", institution_id="T-I02", slot=2)
    client.post(f"{URL}/{confirmed['id']}/accept", headers=investor_b)
    request(client, entrant_b, project_id="T-P002", institution_id="T-I01", slot=5)  # pending
    response = client.get("/api/v1/events/T2026/agenda.ics", headers=entrant_b)
    events = list(icalendar.Calendar.from_ical(response.data).walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["对接：Silverline Angels × 智慧养老陪护机器人"]
    assert str(events[0]["status"]) == "CONFIRMED" and "号桌" in str(events[0]["location"])
    # the sheet still lists the pending one, marked as such
    sheet = client.get("/api/v1/events/T2026/agenda.csv", headers=entrant_b).data.decode(
        "utf-8-sig"
    )
    assert "汾河新能源创投" in sheet and "待确认" in sheet


def test_my_agenda_puts_sessions_to_come_first_and_names_the_other_party(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    entrant_b, investor_b = accounts.headers("entrant_b"), accounts.headers("investor_b")
    for session in ("S1", "S2"):  # T-P002 × T-I02 meet in both sessions
        made = request(
            client, entrant_b, session=session, project_id="T-P002", institution_id="T-I02"
        )
        client.post(f"{URL}/{made['id']}/accept", headers=investor_b)
    retime_session(factory, "S1", utcnow() - timedelta(days=3))  # S1 is over, S2 to come
    sign_in(client, factory, "investor_b")
    page = client.get("/agenda", headers=HTML)
    coming, past = section(page, "my-meetings"), section(page, "past-meetings")
    assert "S2" in coming and "S1" not in coming
    assert "S1" in past and "S2" not in past
    text = page.get_data(as_text=True)
    assert text.index('data-testid="my-meetings"') < text.index('data-testid="past-meetings"')
    for rows in (coming, past):  # the other party, not the investor's own name again
        assert "智慧养老陪护机器人" in rows and "Silverline Angels" not in rows
    sign_in(client, factory, "entrant_b")
    coming = section(client.get("/agenda", headers=HTML), "my-meetings")
    assert "Silverline Angels" in coming and "智慧养老陪护机器人" not in coming
    english = client.get("/agenda?lang=en", headers=HTML).get_data(as_text=True)
    assert "<th>With</th>" in english and "Sessions that are over (1 meeting(s))" in english
    # the printout names the other party too: the investor's own name only in its heading
    sign_in(client, factory, "investor_b")
    printed = client.get("/agenda/print", headers=HTML).get_data(as_text=True)
    table = printed[printed.index("<table") :]
    assert "智慧养老陪护机器人" in table and "Silverline Angels" not in table
    sign_in(client, factory, "organiser")
    printed = client.get("/agenda/print", headers=HTML).get_data(as_text=True)
    assert "智慧养老陪护机器人" in printed and "Silverline Angels" in printed  # the office: both
