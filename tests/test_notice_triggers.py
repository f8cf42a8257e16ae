"""What causes a notice (#16), on SQLite and PostgreSQL: booking requests asked, answered,
withdrawn and lapsed; an agenda published; a published agenda repaired. Each writes the right
notice to the right people with the right names, times and tables, and a refused or
rolled-back change writes none."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from tests_support import assert_error, notice_text, notices_told, publish_s1_investor_early

from matchmaker.db.engine import transaction
from matchmaker.db.models import MeetingRequest, Notice, User
from matchmaker.db.types import utcnow

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

URL = "/api/v1/meeting-requests"
S1 = "/api/v1/events/T2026/sessions/S1/agenda"


def book(client: Any, headers: dict[str, str], slot: int = 3, **body: Any) -> Any:
    payload = {"session": "S1", "project_id": "T-P001", "institution_id": "T-I01", "slot": slot}
    return client.post(URL, json={**payload, **body}, headers=headers)


def test_a_request_reaches_the_asked_side_and_its_answer_the_asker(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    made = book(client, accounts.headers("entrant"), message="想介绍储能BMS")
    assert made.status_code == 201, made.get_json()
    ((who, kind, params, items),) = notices_told(factory)
    assert (who, kind) == ("investor", "request_received")  # not the entrant who asked
    # S1 is on 2036-12-08 from 09:00 (Asia/Shanghai), 20-minute slots: slot 3 is 09:40
    assert params["project"] == "晋能储能电池管理系统" and params["by"] == params["project"]
    assert (params["date"], params["time"], params["table"]) == ("12-08", "09:40", "1号桌")
    assert params["table_en"] == "Table 1" and params["session"] == "本地专场"
    assert items == [{"what": "message", "text": "想介绍储能BMS"}]
    text = notice_text(factory, "investor", "request_received")
    assert "晋能储能电池管理系统" in text and "09:40" in text and "1号桌" in text
    assert "留言：想介绍储能BMS" in text
    english = notice_text(factory, "investor", "request_received", "en")
    assert "Local session" in english and "Table 1" in english and "09:40" in english

    request_id = made.get_json()["id"]
    accepted = client.post(f"{URL}/{request_id}/accept", headers=accounts.headers("investor"))
    assert accepted.status_code == 200
    (answer,) = notices_told(factory, "request_accepted")
    assert answer[0] == "entrant" and answer[2]["counterpart"] == "汾河新能源创投"
    assert "汾河新能源创投接受了会见预约" in notice_text(factory, "entrant", "request_accepted")
    assert [n[0] for n in notices_told(factory)] == ["investor", "entrant"]  # nobody else

    # declined reaches the asker; a withdrawal reaches the other side
    second = book(client, accounts.headers("entrant_b"), slot=4, project_id="T-P002")
    client.post(f"{URL}/{second.get_json()['id']}/decline", headers=accounts.headers("investor"))
    assert [n[0] for n in notices_told(factory, "request_declined")] == ["entrant_b"]
    third = book(
        client, accounts.headers("investor_b"), slot=5, project_id="T-P002", institution_id="T-I02"
    )
    assert [n[0] for n in notices_told(factory, "request_received")][-1] == "entrant_b"
    client.post(f"{URL}/{third.get_json()['id']}/withdraw", headers=accounts.headers("investor_b"))
    (withdrawn,) = notices_told(factory, "request_withdrawn")
    assert withdrawn[0] == "entrant_b" and withdrawn[2]["time"] == "10:20"


def test_a_refused_request_and_a_rolled_back_one_tell_nobody(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.services.agendas.bookings import BookingRules, book_meeting

    assert book(client, accounts.headers("entrant"), slot=5).status_code == 201
    assert len(notices_told(factory)) == 1
    # the slot is taken: refused, nothing written
    assert_error(book(client, accounts.headers("entrant_b"), slot=5, project_id="T-P002"), 409)
    assert_error(book(client, accounts.headers("entrant"), slot=6), 409)  # the pair asked already
    assert len(notices_told(factory)) == 1

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction(factory) as db:
        entrant_b = db.scalars(select(User).where(User.username == "entrant_b")).one()
        book_meeting(db, BookingRules(), entrant_b, "T2026", "S1", "T-P002", "T-I02", 2)
        assert len(db.scalars(select(Notice)).all()) == 2  # written inside the transaction
        raise Boom  # … and the change fails after it
    assert len(notices_told(factory)) == 1


def test_a_lapsed_request_tells_both_sides_once(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    made = book(client, accounts.headers("entrant"), slot=7).get_json()
    with transaction(factory) as db:
        db.execute(update(MeetingRequest).values(expires_at=utcnow() - timedelta(minutes=1)))
    for _ in range(2):  # the next readers expire it; only the first one tells
        listed = client.get(URL, headers=accounts.headers("entrant")).get_json()
        client.get(
            "/api/v1/projects/T-P001/free-slots",
            query_string={"institution": "T-I01", "session": "S1"},
            headers=accounts.headers("entrant"),
        )
    assert [(r["id"], r["status"]) for r in listed] == [(made["id"], "expired")]
    lapsed = notices_told(factory, "request_expired")
    assert sorted(n[0] for n in lapsed) == ["entrant", "investor"]
    assert "已自动失效" in notice_text(factory, "entrant", "request_expired")


def test_publishing_gives_each_party_its_own_day_once(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    client.post(S1 + "/build", json={}, headers=organiser)
    assert notices_told(factory) == []  # a draft tells nobody
    publish_s1_investor_early(client, accounts, factory)
    published = notices_told(factory, "agenda_published")
    assert sorted(n[0] for n in published) == ["entrant", "entrant_b", "investor", "investor_b"]
    day = {n[0]: n for n in published}
    investor = day["investor"]
    assert investor[2]["count"] == 3 and investor[2]["session"] == "本地专场"
    assert [(i["time"], i["table"]) for i in investor[3]] == [
        ("09:00", "1号桌"),
        ("09:20", "1号桌"),
        ("09:40", "1号桌"),
    ]
    assert {i["counterpart"] for i in investor[3]} >= {"晋能储能电池管理系统", "智慧养老陪护机器人"}
    entrant = day["entrant"]
    assert sorted(i["counterpart"] for i in entrant[3]) == ["Silverline Angels", "汾河新能源创投"]
    text = notice_text(factory, "entrant", "agenda_published")
    assert "本地专场议程已发布" in text and "您共有 2 场会见" in text and "汾河新能源创投" in text
    # publishing again tells nobody twice
    assert client.post(S1 + "/publish", headers=organiser).status_code == 200
    assert len(notices_told(factory, "agenda_published")) == 4


def test_a_repair_moving_several_meetings_tells_each_person_once(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    publish_s1_investor_early(client, accounts, factory)
    organiser = accounts.headers("organiser")
    # T-I01 arrives only for slot 4: all three of its meetings (slots 1–3) must move
    late = client.post(S1 + "/late", json={"institution_id": "T-I01", "first_slot": 4},
                       headers=organiser)  # fmt: skip
    assert late.status_code == 200, late.get_json()
    outcome = late.get_json()
    assert len([m for m in outcome["moved"] if m["institution"] == "T-I01"]) == 3
    changed = notices_told(factory, "meetings_changed")
    mine = [n for n in changed if n[0] == "investor"]
    assert len(mine) == 1  # one notice listing all three
    items = mine[0][3]
    assert [i["what"] for i in items] == ["moved"] * 3
    assert sorted(i["from_time"] for i in items) == ["09:00", "09:20", "09:40"]
    assert all(i["time"] >= "10:00" for i in items)
    text = notice_text(factory, "investor", "meetings_changed")
    assert text.count("改期：") == 3 and "→" in text
    # each entrant is told of their own meeting with T-I01 only; T-I02's account is not told
    assert "investor_b" not in {n[0] for n in changed}
    entrant = next(n for n in changed if n[0] == "entrant")
    assert [i["counterpart"] for i in entrant[3]] == ["汾河新能源创投"]
    # a second change folds into the undispatched notice: still one for the investor
    meeting_id = client.get(S1, headers=organiser).get_json()["meetings"][0]["meeting_id"]
    cancelled = client.post(f"/api/v1/meetings/{meeting_id}/cancel", headers=organiser)
    assert cancelled.status_code == 200, cancelled.get_json()
    changed = notices_told(factory, "meetings_changed")
    assert len([n for n in changed if n[0] == "investor"]) == 1
    assert "cancelled" in {i["what"] for n in changed for i in n[3]}


def test_a_repair_of_a_draft_tells_nobody(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    client.post(S1 + "/build", json={}, headers=organiser)
    late = client.post(S1 + "/late", json={"project_id": "T-P001", "first_slot": 5},
                       headers=organiser)  # fmt: skip
    assert late.status_code == 200
    assert notices_told(factory) == []


def test_a_published_session_edit_tells_whose_meetings_moved(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    publish_s1_investor_early(client, accounts, factory)  # T-I02 meets at 11:00, 11:20, 11:40
    organiser = accounts.headers("organiser")
    edited = client.patch(
        "/api/v1/events/T2026/sessions/S1", json={"end": "11:00"}, headers=organiser
    )
    assert edited.status_code == 200, edited.get_json()
    changed = notices_told(factory, "meetings_changed")
    mine = [n for n in changed if n[0] == "investor_b"]
    assert len(mine) == 1
    items = mine[0][3]
    assert sorted(i["from_time"] for i in items) == ["11:00", "11:20", "11:40"]
    assert all(i["what"] == "moved" and i["time"] < "11:00" for i in items)
    assert "investor" not in {n[0] for n in changed}  # T-I01's meetings stayed where they were
