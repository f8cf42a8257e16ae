"""Editing and deleting sessions through the API: re-laid out before publication, repaired after
(what moved is listed), refused with nothing changed when impossible; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from tests_support import assert_error

pytestmark = pytest.mark.fake_encoder  # agendas need vectors; no ranking is measured here

EVENT = "/api/v1/events/T2026"
S1 = f"{EVENT}/sessions/S1"


def agenda(client: Any, headers: dict[str, str]) -> list[tuple[str, str, int, Any]]:
    response = client.get(S1 + "/agenda", headers=headers)
    assert response.status_code == 200, response.get_json()
    rows = response.get_json()["meetings"]
    return sorted((r["institution_id"], r["project_id"], r["slot"], r["table"]) for r in rows)


def times(client: Any, headers: dict[str, str]) -> list[str]:
    slots = client.get(S1, headers=headers).get_json()["slots"]
    return [s["starts_at"][11:16] for s in slots]


def build_and_publish(client: Any, headers: dict[str, str]) -> None:
    built = client.post(S1 + "/agenda/build", json={}, headers=headers)
    assert built.status_code == 200, built.get_json()
    published = client.post(S1 + "/agenda/publish", headers=headers)
    assert published.status_code == 200, published.get_json()


def test_a_session_gets_breaks_and_labelled_tables(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    body = {
        "code": "S3",
        "name": "路演专场",
        "kind": "路演",
        "date": "2036-12-10",
        "start": "09:00",
        "end": "15:00",
        "slot_minutes": 30,
        "tables": "A1,A2,B1",
        "breaks": ["12:00-13:30"],
    }
    created = client.post(f"{EVENT}/sessions", json=body, headers=organiser)
    assert created.status_code == 201, created.get_json()
    out = created.get_json()
    assert out["kind"] == "roadshow" and out["tables"] == 3
    assert out["table_labels"] == ["A1", "A2", "B1"] and out["breaks"] == ["12:00-13:30"]
    starts = [s["starts_at"][11:16] for s in out["slots"]]
    assert starts == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "13:30",
        "14:00",
        "14:30",
    ]


def test_bad_fields_are_named_and_nothing_changes(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    before = client.get(S1, headers=organiser).get_json()
    body = assert_error(
        client.patch(S1, json={"breaks": ["13:00-12:00"], "tables": "A1,A1"}, headers=organiser),
        422,
    )
    assert {e["column"] for e in body["errors"]} == {"breaks", "tables"}
    assert_error(client.patch(S1, json={"start": "25:00"}, headers=organiser), 422)
    body = assert_error(client.patch(S1, json={"breaks": ["08:00-09:30"]}, headers=organiser), 422)
    assert "09:00-12:00" in body["errors"][0]["message"]  # the break must be inside the hours
    assert client.get(S1, headers=organiser).get_json() == before


def test_before_publication_slots_and_tables_are_laid_out_again(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    built = client.post(S1 + "/agenda/build", json={}, headers=organiser)
    assert built.status_code == 200
    meetings = agenda(client, organiser)
    assert meetings
    response = client.patch(S1, json={"end": "11:00", "breaks": ["10:00-10:20"]}, headers=organiser)
    assert response.status_code == 200, response.get_json()
    out = response.get_json()
    assert times(client, organiser) == ["09:00", "09:20", "09:40", "10:20", "10:40"]
    change = out["change"]
    assert change["published"] is False
    # draft meetings in slots that vanished (10:00, 11:00-12:00) are dropped and listed; the
    # others keep their time
    gone = [m for m in meetings if m[2] in (4, 7, 8, 9)]
    assert gone and len(change["dropped"]) == len(gone)
    assert {(m["institution_id"], m["project_id"]) for m in change["dropped"]} == {
        (i, p) for i, p, _s, _t in gone
    }
    left = agenda(client, organiser)
    assert len(left) == len(meetings) - len(gone)
    assert all(slot <= 5 for _i, _p, slot, _t in left)


def test_after_publication_shrinking_hours_repairs_and_says_what_moved(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    build_and_publish(client, organiser)
    before = agenda(client, organiser)
    late = [m for m in before if m[2] >= 7]  # 11:00, 11:20, 11:40: the slots that go
    assert late
    response = client.patch(S1, json={"end": "11:00"}, headers=organiser)
    assert response.status_code == 200, response.get_json()
    change = response.get_json()["change"]
    assert change["published"] is True and change["dropped"] == []
    moved = {(m["institution_id"], m["project_id"]): m for m in change["moved"]}
    assert {(i, p) for i, p, _slot, _table in late} <= set(moved)
    first = moved[(late[0][0], late[0][1])]
    assert first["institution"] == "汾河新能源创投" and first["project"]  # named, not only ids
    assert first["slot"] >= "11:00" > first["to_slot"]
    after = agenda(client, organiser)
    assert {(i, p) for i, p, _s, _t in after} == {(i, p) for i, p, _s, _t in before}
    assert times(client, organiser)[-1] == "10:40"
    # the parties see the repaired agenda
    mine = client.get(S1 + "/agenda", headers=accounts.headers("entrant")).get_json()["meetings"]
    assert mine and all(m["start"][11:16] < "11:00" for m in mine)


def test_after_publication_removing_a_table_reseats_its_institution(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    build_and_publish(client, organiser)
    before = agenda(client, organiser)
    labels = client.get(S1, headers=organiser).get_json()["table_labels"]
    used = sorted({m[3] for m in before})
    assert len(used) == 2 and len(labels) == 4
    taken = [label for label in labels if label != labels[0]]  # table 1 goes
    response = client.patch(S1, json={"table_labels": taken}, headers=organiser)
    assert response.status_code == 200, response.get_json()
    change = response.get_json()["change"]
    assert change["tables"] == 3 and change["moved"]
    assert {m["table"] for m in change["moved"]} == {labels[0]}
    assert all(m["to_table"] in taken and m["to_slot"] == m["slot"] for m in change["moved"])
    after = agenda(client, organiser)
    assert [(i, p, s) for i, p, s, _t in after] == [(i, p, s) for i, p, s, _t in before]


def test_an_impossible_change_after_publication_is_refused_and_changes_nothing(
    client, accounts
) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    build_and_publish(client, organiser)
    before, slots = agenda(client, organiser), times(client, organiser)
    # 09:00-09:40 holds two slots: an institution with three meetings cannot keep them
    body = assert_error(client.patch(S1, json={"end": "09:40"}, headers=organiser), 409)
    assert "未做任何改动" in body["message"]
    # one table for two seated institutions
    body = assert_error(client.patch(S1, json={"tables": 1}, headers=organiser), 409)
    assert "2" in body["message"]
    assert agenda(client, organiser) == before and times(client, organiser) == slots
    # the organiser may accept losing the meetings that no longer fit: only those go
    late = [m for m in before if m[2] >= 3]
    accepted = client.patch(S1, json={"end": "09:40", "drop_meetings": True}, headers=organiser)
    assert accepted.status_code == 200, accepted.get_json()
    change = accepted.get_json()["change"]
    assert change["moved"] == [] and len(change["dropped"]) == len(late)
    assert agenda(client, organiser) == [m for m in before if m[2] < 3]


def test_delete_only_a_session_without_meetings(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    build_and_publish(client, organiser)
    count = len(agenda(client, organiser))
    body = assert_error(client.delete(S1, headers=organiser), 409)
    assert str(count) in body["message"]
    assert_error(client.delete(f"{EVENT}/sessions/S2", headers=accounts.headers("staff")), 403)
    assert client.delete(f"{EVENT}/sessions/S2", headers=organiser).status_code == 204
    codes = [s["code"] for s in client.get(f"{EVENT}/sessions", headers=organiser).get_json()]
    assert codes == ["S1"]


def test_event_edit_is_checked_and_audited(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from matchmaker.db.models import AuditEntry

    organiser = accounts.headers("organiser")
    body = assert_error(client.patch(EVENT, json={"languages": "zh,fr"}, headers=organiser), 422)
    assert body["errors"][0]["column"] == "languages"
    response = client.patch(EVENT, json={"year": 2027, "languages": "en,zh"}, headers=organiser)
    assert response.status_code == 200
    assert (response.get_json()["year"], response.get_json()["languages"]) == (2027, "en,zh")
    with factory() as db:
        entry = db.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == "events", AuditEntry.action == "edit"
            )
        ).one()
        assert (entry.before["year"], entry.after["year"]) == (2026, 2027)
