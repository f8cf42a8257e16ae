"""Session agendas through the API on SQLite and PostgreSQL: build, publish, repair, export."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import timedelta
from typing import Any

import icalendar
import openpyxl
import pytest
from tests_support import assert_error

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

S1 = "/api/v1/events/T2026/sessions/S1/agenda"


def build(client: Any, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(S1 + "/build", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def meetings(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get(S1, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["meetings"]


def assert_no_double_booking(rows: list[dict[str, Any]]) -> None:
    for key in ("institution_id", "project_id", "table"):
        clashes = Counter((r["slot"], r[key]) for r in rows)
        assert max(clashes.values(), default=1) == 1, key
    tables = {}
    for r in rows:
        assert tables.setdefault(r["institution_id"], r["table"]) == r["table"]  # one seat each


def test_organiser_builds_a_certified_agenda(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    outcome = build(client, organiser)
    # S1: T-I01 and T-I02 × T-P001, T-P002, T-P005 (T-I01 only invests in 山西: all three are)
    assert outcome["status"] == "optimal"
    assert outcome["objective"] > 0 and abs(outcome["objective"] - outcome["bound"]) < 1e-6
    rows = meetings(client, organiser)
    assert len(rows) == outcome["meetings"] > 0
    assert_no_double_booking(rows)
    assert {r["project_id"] for r in rows} <= {"T-P001", "T-P002", "T-P005"}
    # fair mode: every project in the session meets someone
    assert {r["project_id"] for r in rows} == {"T-P001", "T-P002", "T-P005"}
    assert outcome["fair_minimum"] >= 1
    # a second build gives the same agenda (deterministic), revision goes up
    again = build(client, organiser)
    assert again["revision"] == outcome["revision"] + 1
    assert sorted((r["slot"], r["institution_id"], r["project_id"]) for r in rows) == sorted(
        (r["slot"], r["institution_id"], r["project_id"]) for r in meetings(client, organiser)
    )


def test_parties_see_their_meetings_only_once_published(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser, entrant = accounts.headers("organiser"), accounts.headers("entrant")
    build(client, organiser)
    assert meetings(client, entrant) == []
    published = client.post(S1 + "/publish", headers=organiser)
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    mine = meetings(client, entrant)
    assert mine and {r["project_id"] for r in mine} == {"T-P001"}
    investor = meetings(client, accounts.headers("investor"))
    assert investor and {r["institution_id"] for r in investor} == {"T-I01"}
    # published agendas change only by repair
    body = assert_error(client.post(S1 + "/build", json={}, headers=organiser), 409)
    assert "调整" in body["message"]


def test_only_organisers_build_publish_and_repair(client, accounts) -> None:  # type: ignore[no-untyped-def]
    for who in ("staff", "investor", "entrant"):
        assert_error(client.post(S1 + "/build", json={}, headers=accounts.headers(who)), 403)
        assert_error(client.post(S1 + "/publish", headers=accounts.headers(who)), 403)
    assert_error(client.post(S1 + "/build", json={}), 401)
    body = assert_error(
        client.post(
            S1 + "/build", json={"time_limit": "soon"}, headers=accounts.headers("organiser")
        ),
        422,
    )
    assert "time_limit" in str(body["errors"])
    assert_error(client.post(S1 + "/publish", headers=accounts.headers("organiser")), 409)


def test_bookings_and_locks_survive_a_rebuild(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    made = client.post(
        "/api/v1/meeting-requests",
        json={"session": "S1", "project_id": "T-P002", "institution_id": "T-I02", "slot": 9},
        headers=accounts.headers("entrant_b"),
    ).get_json()
    client.post(f"/api/v1/meeting-requests/{made['id']}/accept", headers=organiser)
    build(client, organiser)
    rows = meetings(client, organiser)
    assert ("T-I02", "T-P002", 9) in {
        (r["institution_id"], r["project_id"], r["slot"]) for r in rows
    }
    other = next(r for r in rows if r["slot"] != 9)
    locked = client.post(
        f"/api/v1/meetings/{other['meeting_id']}/lock", json={"locked": True}, headers=organiser
    )
    assert locked.get_json()["locked"] is True
    build(client, organiser, fair=False, project_max=1)
    after = {(r["institution_id"], r["project_id"], r["slot"]) for r in meetings(client, organiser)}
    assert (other["institution_id"], other["project_id"], other["slot"]) in after
    assert ("T-I02", "T-P002", 9) in after


def test_cancel_repairs_with_few_moves_and_never_rebooks_the_pair(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    build(client, organiser)
    rows = meetings(client, organiser)
    victim = rows[0]
    response = client.post(f"/api/v1/meetings/{victim['meeting_id']}/cancel", headers=organiser)
    assert response.status_code == 200, response.get_json()
    outcome = response.get_json()
    assert outcome["status"] in ("optimal", "feasible") and len(outcome["moved"]) <= 2
    after = meetings(client, organiser)
    assert (victim["institution_id"], victim["project_id"]) not in {
        (r["institution_id"], r["project_id"]) for r in after
    }
    assert_no_double_booking(after)
    assert_error(
        client.post(f"/api/v1/meetings/{victim['meeting_id']}/cancel", headers=organiser), 409
    )
    assert_error(client.post("/api/v1/meetings/999999/cancel", headers=organiser), 404)


def test_a_cancelled_seat_is_refilled_and_the_build_options_are_kept(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    outcome = build(client, organiser, fair=False, project_max=1)
    rows = meetings(client, organiser)
    assert outcome["meetings"] == len(rows) == 3  # one meeting per project, as asked
    # publish and repairs check against the options of the build, not the defaults
    instance = client.get(S1 + "/instance", headers=organiser).get_json()
    assert {p["max_meetings"] for p in instance["projects"]} == {1}
    assert client.post(S1 + "/publish", headers=organiser).status_code == 200
    victim = rows[0]
    response = client.post(f"/api/v1/meetings/{victim['meeting_id']}/cancel", headers=organiser)
    outcome = response.get_json()
    assert response.status_code == 200, outcome
    assert [d["project"] for d in outcome["dropped"]] == [victim["project_id"]]
    # the project lost its only meeting; the freed seat goes to the other institution
    assert [(a["project"], a["institution"]) for a in outcome["added"]] == [
        (victim["project_id"], next(i for i in ("T-I01", "T-I02") if i != victim["institution_id"]))
    ]
    after = meetings(client, organiser)
    assert Counter(r["project_id"] for r in after) == Counter(r["project_id"] for r in rows)
    assert_no_double_booking(after)


def test_late_arrival_moves_their_early_meetings(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    build(client, organiser)
    response = client.post(
        S1 + "/late", json={"project_id": "T-P001", "first_slot": 5}, headers=organiser
    )
    assert response.status_code == 200, response.get_json()
    mine = [r for r in meetings(client, organiser) if r["project_id"] == "T-P001"]
    assert mine and all(r["slot"] >= 5 for r in mine)
    body = assert_error(client.post(S1 + "/late", json={"first_slot": 5}, headers=organiser), 422)
    assert body["errors"]


def test_infeasible_build_names_the_blocking_rule_and_changes_nothing(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    build(client, organiser)
    before = meetings(client, organiser)
    outcome = build(client, organiser, fair=False, project_min=5, project_max=5)
    assert outcome["status"] == "infeasible" and outcome["diagnostics"]
    text = " ".join(d["message"] for d in outcome["diagnostics"])
    assert "T-P" in text or "容量" in text  # names a project or the room's capacity
    assert meetings(client, organiser) == before


def test_exports_ics_xlsx_csv(client, accounts) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    build(client, organiser)
    client.post(S1 + "/publish", headers=organiser)
    entrant = accounts.headers("entrant")
    mine = meetings(client, entrant)
    response = client.get("/api/v1/events/T2026/agenda.ics", headers=entrant)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(mine)
    start = events[0].decoded("dtstart")
    assert str(start.tzinfo) == "Asia/Shanghai" and start.hour >= 9
    assert events[0].decoded("dtend") - start == timedelta(minutes=20)
    assert "对接" in str(events[0]["summary"]) and "会展中心A厅" in str(events[0]["location"])
    assert calendar.walk("VTIMEZONE")  # the zone is in the file, so any calendar shows +08:00
    sheet = openpyxl.load_workbook(
        io.BytesIO(
            client.get("/api/v1/events/T2026/agenda.xlsx?session=S1", headers=organiser).data
        )
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("专场", "日期", "开始", "结束", "桌号")
    assert len(rows) - 1 == len(meetings(client, organiser))
    text = client.get(
        "/api/v1/events/T2026/agenda.csv?table=1", headers={**organiser, "Accept-Language": "en"}
    ).data.decode("utf-8-sig")
    table_rows = list(csv.reader(io.StringIO(text)))
    assert table_rows[0][0] == "Session" and {r[4] for r in table_rows[1:]} == {"Table 1"}
    # an entrant cannot export another project's agenda
    assert_error(client.get("/api/v1/events/T2026/agenda.csv?project=T-P002", headers=entrant), 403)
    assert_error(client.get("/api/v1/events/T2026/agenda.pdf", headers=organiser), 422)


def test_instance_endpoint_gives_the_standalone_solver_format(client, accounts) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.scheduling import parse_instance

    response = client.get(S1 + "/instance", headers=accounts.headers("organiser"))
    assert response.status_code == 200
    data = response.get_json()
    instance = parse_instance(data)
    assert [s.id for s in instance.slots] == [str(n) for n in range(1, 10)]
    assert {p.id for p in instance.projects} == {"T-P001", "T-P002", "T-P005"}
    assert {i.id for i in instance.institutions} == {"T-I01", "T-I02"}


def test_a_session_that_has_ended_keeps_its_agenda_as_the_record(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    from tests_support import db_snapshot, retime_session, sign_in

    from matchmaker.db.types import utcnow

    organiser = accounts.headers("organiser")
    build(client, organiser)
    assert client.post(S1 + "/publish", headers=organiser).status_code == 200
    rows = meetings(client, organiser)
    retime_session(factory, "S1", utcnow() - timedelta(days=30))  # it took place last month
    before = db_snapshot(factory)
    meeting = rows[0]["meeting_id"]
    for path, body in (
        ("/build", {}),
        ("/publish", None),
        ("/late", {"project_id": "T-P001", "first_slot": 5}),
        ("/must-meet", {"institution_id": "T-I02", "project_id": "T-P005"}),
    ):
        refused = assert_error(client.post(S1 + path, json=body, headers=organiser), 409)
        assert "专场 S1 已于" in refused["message"] and "结束" in refused["message"], path
    refused = assert_error(
        client.post(f"/api/v1/meetings/{meeting}/cancel", headers=organiser), 409
    )
    assert "结束" in refused["message"]
    assert db_snapshot(factory) == before

    def placed(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        keys = ("meeting_id", "slot", "table", "institution_id", "project_id", "status")
        return [tuple(r[k] for k in keys) for r in found]

    assert placed(meetings(client, organiser)) == placed(rows)  # still there to read, export
    sign_in(client, factory, "organiser")
    page = client.get("/sessions/S1/agenda", headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="session-over"' in text
    assert 'data-testid="build"' not in text and 'value="cancel"' not in text
    assert rows[0]["project_id"] in text


def test_on_the_day_a_repair_leaves_slots_that_have_begun_alone(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    from tests_support import retime_session

    from matchmaker.db.types import utcnow

    organiser = accounts.headers("organiser")
    build(client, organiser)  # the solver fills S1's slots 6–9 (nine 20-minute slots)
    # S1 began 130 minutes ago: slots 1–7 have begun, slot 8 starts in 10 minutes
    retime_session(factory, "S1", utcnow() - timedelta(minutes=130))
    rows = meetings(client, organiser)
    begun = [r for r in rows if r["slot"] <= 7]
    assert begun and any(r["slot"] >= 8 for r in rows)
    late = begun[0]
    # that project turns up only now, from slot 8: its meetings so far were missed
    answer = client.post(
        S1 + "/late", json={"project_id": late["project_id"], "first_slot": 8}, headers=organiser
    )
    assert answer.status_code == 200, answer.get_json()
    after = meetings(client, organiser)

    def taken_place(found: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
        return {(r["slot"], r["institution_id"], r["project_id"]) for r in found if r["slot"] <= 7}

    missed = {m for m in taken_place(rows) if m[2] == late["project_id"]}
    assert missed
    # what took place stays where it was, nothing new lands in a slot that has begun, and the
    # missed meetings (those kept at all) move to slots still to come
    assert taken_place(after) == taken_place(rows) - missed
    again = [r for r in after if (r["slot"], r["institution_id"], r["project_id"]) not in
             taken_place(rows) and r["project_id"] == late["project_id"]]  # fmt: skip
    assert all(r["slot"] >= 8 for r in again)
    assert_no_double_booking(after)
    # a cancellation later in the day is repaired from the slots to come only
    later = next(r for r in after if r["slot"] >= 8)
    cancelled = client.post(f"/api/v1/meetings/{later['meeting_id']}/cancel", headers=organiser)
    assert cancelled.status_code == 200, cancelled.get_json()
    assert taken_place(meetings(client, organiser)) == taken_place(rows) - missed
