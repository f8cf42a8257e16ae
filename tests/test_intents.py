"""The intent ledger through the API, on SQLite and PostgreSQL: the ladder, money, audit, roles."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select
from tests_support import assert_error

from matchmaker.db.engine import transaction
from matchmaker.db.models import AuditEntry, Intent

URL = "/api/v1/intents"


def record(client: Any, headers: dict[str, str], **body: Any) -> Any:
    payload = {"project_id": "T-P001", "institution_id": "T-I01", **body}
    return client.post(URL, json=payload, headers=headers)


def snapshot(factory: Any) -> list[tuple[Any, ...]]:
    """Every intent's fields and the audit count: what 'nothing changed' compares."""
    with transaction(factory) as db:
        rows = [
            (i.id, i.status, i.amount, i.signed_at, i.invested_amount, i.version, i.note)
            for i in db.scalars(select(Intent).order_by(Intent.id))
        ]
        audits = db.scalar(select(func.count()).select_from(AuditEntry))
    return [*rows, ("audit", audits)]


def test_the_ladder_with_amounts_in_wan_and_yi(client, accounts) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    made = record(client, staff, status="watching", session="S1", note="会上留了联系方式")
    assert made.status_code == 201, made.get_json()
    intent = made.get_json()
    assert intent["status"] == "watching" and intent["status_label"] == "关注"
    assert intent["session"] == "S1" and intent["amount"] is None and intent["version"] == 1

    moved = client.patch(
        f"{URL}/{intent['id']}",
        json={"status": "意向洽谈", "amount": "500万", "version": 1},
        headers=staff,
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["amount"] == 5_000_000 and moved.get_json()["amount_text"] == "500万元"

    signed = client.patch(
        f"{URL}/{intent['id']}",
        json={
            "status": "signed",
            "amount": "1.2亿",
            "signed_at": "2026-11-20",
            "signatories": "张三、李四",
        },
        headers=staff,
    )
    body = signed.get_json()
    assert signed.status_code == 200, body
    assert body["amount"] == 120_000_000 and body["amount_text"] == "1.2亿元"
    assert body["status_label"] == "签约意向" and body["version"] == 3

    landed = client.patch(
        f"{URL}/{intent['id']}",
        json={"status": "invested", "invested_amount": 30_000_000, "invested_at": "2026-11-23"},
        headers=staff,
    )
    assert landed.status_code == 200, landed.get_json()
    assert landed.get_json()["invested_amount_text"] == "3000万元"

    trail = client.get(f"{URL}/{intent['id']}/history", headers=staff).get_json()
    assert [e["action"] for e in trail] == ["create", "update", "update", "update"]
    assert trail[0]["before"] is None and trail[0]["after"]["status"] == "watching"
    assert trail[1]["before"] == {"status": "watching", "amount": None}
    assert trail[1]["after"] == {"status": "negotiating", "amount": 5_000_000}
    assert trail[2]["before"]["amount"] == 5_000_000 and trail[2]["after"]["amount"] == 120_000_000
    assert all(e["actor"] == "staff" for e in trail)
    assert trail[3]["at"].endswith("+08:00")


@pytest.mark.parametrize(
    ("body", "field", "code_text"),
    [
        ({"status": "signed", "amount": "500万"}, "signed_at", "签约日期"),
        ({"status": "signed", "signed_at": "2026-11-20"}, "amount", "金额"),
        ({"status": "signed", "amount": 0, "signed_at": "2026-11-20"}, "amount", "不能为 0"),
        ({"status": "dropped"}, "drop_reason", "终止原因"),
        (
            {"status": "invested", "amount": 10_000_000, "signed_at": "2026-11-20"},
            "invested_amount",
            "落地金额",
        ),
        ({"status": "signed", "amount": 1, "signed_at": "2031-01-01"}, "signed_at", "晚于今天"),
    ],
)
def test_a_step_without_what_it_needs_is_refused_and_nothing_changes(  # type: ignore[no-untyped-def]
    client, accounts, factory, body, field, code_text
) -> None:
    staff = accounts.headers("staff")
    made = record(client, staff).get_json()
    before = snapshot(factory)
    refused = client.patch(f"{URL}/{made['id']}", json=body, headers=staff)
    error = assert_error(refused, 422)
    assert any(e.get("column") == field and code_text in e["message"] for e in error["errors"]), (
        error
    )
    assert snapshot(factory) == before


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (-5, "金额不能为负数"),
        ("约五百万", "无法识别的金额"),
        ("12.5元", "精确到元"),
        (1.5, "integer yuan"),
        ("1e9", "无法识别的金额"),
        (True, "无法识别的金额"),
    ],
)
def test_bad_amounts_are_refused_with_the_field(
    client, accounts, factory, amount, expected
) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(factory)
    refused = record(client, accounts.headers("staff"), status="negotiating", amount=amount)
    error = assert_error(refused, 422)
    assert [e["field"] for e in error["errors"]] == ["amount"], error
    assert expected in error["errors"][0]["message"]
    assert snapshot(factory) == before


def test_going_back_needs_a_reason_and_the_reason_is_audited(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    made = record(
        client, staff, status="signed", amount=8_000_000, signed_at="2026-11-18"
    ).get_json()
    before = snapshot(factory)
    refused = client.patch(f"{URL}/{made['id']}", json={"status": "negotiating"}, headers=staff)
    error = assert_error(refused, 422)
    assert "退回需要填写原因" in error["errors"][0]["message"]
    assert snapshot(factory) == before
    back = client.patch(
        f"{URL}/{made['id']}",
        json={"status": "negotiating", "reason": "对方要求重新谈估值"},
        headers=staff,
    )
    assert back.status_code == 200, back.get_json()
    last = client.get(f"{URL}/{made['id']}/history", headers=staff).get_json()[-1]
    assert last["before"]["status"] == "signed" and last["after"]["status"] == "negotiating"
    assert last["after"]["reason"] == "对方要求重新谈估值"


def test_dropped_needs_a_listed_reason_and_reopening_needs_a_reason(client, accounts) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    made = record(client, staff, status="negotiating", amount="300万").get_json()
    bad = client.patch(
        f"{URL}/{made['id']}", json={"status": "dropped", "drop_reason": "心情不好"}, headers=staff
    )
    assert_error(bad, 422)
    dropped = client.patch(
        f"{URL}/{made['id']}",
        json={"status": "终止", "drop_reason": "估值分歧", "note": "估值差两倍"},
        headers=staff,
    )
    assert dropped.status_code == 200, dropped.get_json()
    assert dropped.get_json()["drop_reason_label"] == "估值分歧"
    assert_error(
        client.patch(f"{URL}/{made['id']}", json={"status": "negotiating"}, headers=staff), 422
    )
    reopened = client.patch(
        f"{URL}/{made['id']}",
        json={"status": "negotiating", "reason": "对方重新报价"},
        headers=staff,
    )
    assert reopened.status_code == 200 and reopened.get_json()["drop_reason"] == ""


def test_unknown_parties_duplicates_and_stale_edits(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    before = snapshot(factory)
    assert_error(record(client, staff, project_id="NOPE"), 404)
    assert_error(record(client, staff, institution_id="NOPE"), 404)
    assert_error(record(client, staff, session="S9"), 404)
    assert snapshot(factory) == before
    made = record(client, staff).get_json()
    again = assert_error(record(client, staff), 409)
    assert str(made["id"]) in again["message"]
    client.patch(f"{URL}/{made['id']}", json={"note": "第一次", "version": 1}, headers=staff)
    stale = client.patch(f"{URL}/{made['id']}", json={"note": "覆盖", "version": 1}, headers=staff)
    assert "已被他人修改" in assert_error(stale, 409)["message"]
    assert client.get(f"{URL}/{made['id']}", headers=staff).get_json()["note"] == "第一次"


def test_delete_is_audited_and_the_trail_cannot_be_edited(client, accounts) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    made = record(client, staff, status="negotiating", amount=1_000_000).get_json()
    assert_error(client.delete(f"{URL}/{made['id']}", headers=accounts.headers("investor")), 403)
    assert client.delete(f"{URL}/{made['id']}?reason=录入重复", headers=staff).status_code == 204
    assert_error(client.get(f"{URL}/{made['id']}", headers=staff), 404)
    trail = client.get(f"{URL}/{made['id']}/history", headers=staff).get_json()
    assert trail[-1]["action"] == "delete" and trail[-1]["before"]["amount"] == 1_000_000
    assert trail[-1]["after"] == {"reason": "录入重复"}
    for method in ("put", "patch", "delete", "post"):
        response = getattr(client, method)(f"{URL}/{made['id']}/history", headers=staff)
        assert response.status_code == 405


def test_a_new_intent_never_inherits_a_deleted_ones_id_or_trail(client, accounts) -> None:  # type: ignore[no-untyped-def]
    # SQLite reused the highest deleted id: the new intent showed the deleted one's history.
    staff = accounts.headers("staff")
    gone = record(client, staff, status="negotiating", amount=1_000_000).get_json()
    assert client.delete(f"{URL}/{gone['id']}?reason=录入重复", headers=staff).status_code == 204
    response = record(client, staff, status="negotiating", amount=2_000_000)
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["id"] != gone["id"]
    trail = client.get(f"{URL}/{made['id']}/history", headers=staff).get_json()
    assert [entry["action"] for entry in trail] == ["create"]
    assert trail[0]["after"]["amount"] == 2_000_000
    old = client.get(f"{URL}/{gone['id']}/history", headers=staff).get_json()
    assert old[-1]["action"] == "delete" and old[-1]["before"]["amount"] == 1_000_000


def test_investors_and_entrants_see_only_their_own(client, accounts) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    mine = record(client, staff, status="negotiating", amount="200万").get_json()  # T-I01 × T-P001
    other = record(
        client,
        staff,
        project_id="T-P002",
        institution_id="T-I02",
        status="negotiating",
        amount="900万",
    ).get_json()
    investor, entrant = accounts.headers("investor"), accounts.headers("entrant")
    for who in (investor, entrant):
        listed = client.get(URL, headers=who).get_json()["items"]
        assert [i["id"] for i in listed] == [mine["id"]]
        assert client.get(f"{URL}/{mine['id']}", headers=who).get_json()["amount"] == 2_000_000
        assert_error(client.get(f"{URL}/{other['id']}", headers=who), 404)
        assert_error(client.get(f"{URL}/{other['id']}/history", headers=who), 404)
        export = client.get("/api/v1/events/T2026/intents.csv", headers=who)
        assert export.status_code == 200
        assert "T-P002" not in export.get_data(as_text=True)
        assert "900" not in export.get_data(as_text=True)
    # an investor edits their own institution's intents only; an entrant edits none
    assert (
        client.patch(
            f"{URL}/{mine['id']}", json={"note": "已约下周考察"}, headers=investor
        ).status_code
        == 200
    )
    assert_error(client.patch(f"{URL}/{other['id']}", json={"note": "x"}, headers=investor), 404)
    assert_error(client.patch(f"{URL}/{mine['id']}", json={"note": "x"}, headers=entrant), 403)
    assert_error(record(client, investor, institution_id="T-I02", project_id="T-P003"), 403)
    assert record(client, investor, project_id="T-P003").status_code == 201
    assert_error(record(client, entrant, project_id="T-P001", institution_id="T-I03"), 403)
    assert_error(client.get(URL), 401)


def test_an_intent_links_the_pairs_meeting(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.db.models import MatchmakingSession, Meeting, Slot
    from matchmaker.services.registry.catalog import get_institution, get_project

    with transaction(factory) as db:
        session = db.scalar(select(MatchmakingSession).where(MatchmakingSession.code == "S2"))
        slot = db.scalar(select(Slot).where(Slot.session_id == session.id, Slot.number == 2))
        meeting = Meeting(
            session_id=session.id,
            slot_id=slot.id,
            institution_id=get_institution(db, "T-I02").id,
            project_id=get_project(db, "T-P002").id,
        )
        db.add(meeting)
        db.flush()
        meeting_id = meeting.id
    made = record(client, accounts.headers("staff"), project_id="T-P002", institution_id="T-I02")
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["meeting_id"] == meeting_id and made.get_json()["session"] == "S2"
    wrong = record(client, accounts.headers("staff"), project_id="T-P003", meeting_id=meeting_id)
    assert "不属于" in assert_error(wrong, 422)["errors"][0]["message"]


# ---- import / export -------------------------------------------------------------------------

GOOD = (
    "项目编号,机构编号,专场,状态,金额(万元),签约日期,备注\n"
    "T-P001,T-I01,S1,签约意向,1500,2026/11/20,现场签约\n"
    "T-P002,T-I02,全国专场,意向洽谈,80.5,,\n"
    "T-P003,T-I01,,投资落地,1.2亿,2026年11月2日,已到账\n"
)


def upload(client: Any, headers: dict[str, str], text: str, name: str = "intents.csv") -> Any:
    data = {"file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post(
        "/api/v1/events/T2026/intents/import",
        data=data,
        headers=headers,
        content_type="multipart/form-data",
    )


def test_import_then_export_round_trips_to_the_yuan(client, accounts) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    done = upload(client, staff, GOOD)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["created"] == 3
    items = {i["project_id"]: i for i in client.get(URL, headers=staff).get_json()["items"]}
    assert items["T-P001"]["amount"] == 15_000_000 and items["T-P001"]["signed_at"] == "2026-11-20"
    assert items["T-P002"]["amount"] == 805_000 and items["T-P002"]["session"] == "S2"
    assert items["T-P003"]["invested_amount"] == 120_000_000
    assert items["T-P003"]["invested_at"] == "2026-11-02"
    exported = client.get("/api/v1/events/T2026/intents.xlsx", headers=staff)
    assert exported.status_code == 200
    again = client.post(
        "/api/v1/events/T2026/intents/import",
        data={"file": (io.BytesIO(exported.data), "back.xlsx")},
        headers=staff,
        content_type="multipart/form-data",
    )
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["unchanged"] == 3 and again.get_json()["updated"] == 0
    english = (
        "project_id,institution_id,status,amount_yuan,signed_at\n"
        "T-P001,T-I01,due_diligence,15000000,2026-11-20\n"
    )
    moved = upload(client, staff, english)
    assert moved.status_code == 200 and moved.get_json()["updated"] == 1
    trail = client.get(f"{URL}/{items['T-P001']['id']}/history", headers=staff).get_json()
    assert [e["action"] for e in trail] == ["import", "import"]


BAD = (
    "项目编号,机构编号,专场,状态,金额(万元),签约日期\n"
    "T-P001,T-I01,S1,签约意向,-5,2026-11-20\n"  # row 2: negative
    "T-P404,T-I01,S1,关注,,\n"  # row 3: unknown project
    "T-P002,T-I09,S1,关注,,\n"  # row 4: unknown institution
    "T-P003,T-I02,S1,签约,约五百万,2026-11-20\n"  # row 5: unparseable
    "T-P004,T-I02,S7,关注,,\n"  # row 6: unknown session
    "T-P005,T-I02,S1,大概吧,,\n"  # row 7: unknown status
    "T-P001,T-I02,S1,签约意向,100,\n"  # row 8: signed without a date
    "T-P002,T-I03,S1,关注,,2026-13-01\n"  # row 9: bad date
    "T-P003,T-I03,S1,签约意向,2000000,2026-11-20\n"  # row 10: 200亿: a unit slip
    "T-P005,T-I03,S1,关注,,\n"  # row 11: fine
    "T-P005,T-I03,S2,关注,,\n"  # row 12: the same pair again
)


def test_a_bad_sheet_names_every_row_and_writes_nothing(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    assert upload(client, staff, GOOD).status_code == 200
    before = snapshot(factory)
    error = assert_error(upload(client, staff, BAD), 422)
    rows = {(e["row"], e.get("column")) for e in error["errors"]}
    assert {
        (2, "金额(万元)"),
        (3, "项目编号"),
        (4, "机构编号"),
        (5, "金额(万元)"),
        (6, "专场"),
        (7, "状态"),
        (8, "签约日期"),
        (9, "签约日期"),
        (10, "金额(万元)"),
        (12, "机构编号"),
    } <= rows, error["errors"]
    by_row = {e["row"]: e for e in error["errors"]}
    assert by_row[3]["value"] == "T-P404" and "项目编号" in by_row[3]["message"]
    assert "第 11 行" in by_row[12]["message"]
    assert snapshot(factory) == before
    # going back through a sheet needs its 变更原因 column, like an edit in the product
    back = "项目编号,机构编号,状态\nT-P001,T-I01,关注\n"
    assert "原因" in assert_error(upload(client, staff, back), 422)["errors"][0]["message"]
    with_reason = "项目编号,机构编号,状态,变更原因\nT-P001,T-I01,关注,签约撤回\n"
    assert upload(client, staff, with_reason).status_code == 200
    assert_error(upload(client, accounts.headers("investor"), GOOD), 403)


# ---- the real-sized event --------------------------------------------------------------------

SESSION_TOTALS = {"L": 301_000_000, "N": 402_000_000, "A": 71_000_000}  # = 774,000,000 yuan


def _amounts(total: int, parts: int) -> list[int]:
    """Split ``total`` into ``parts`` uneven whole-yuan amounts (some not whole 万)."""
    weights = [(7 * i) % 11 + 1 for i in range(parts)]
    out = [total * w // sum(weights) for w in weights]
    out[0] += total - sum(out)
    out[1] += 3_333  # keep some amounts off the 万 grid …
    out[2] -= 3_333  # … without changing the total
    return out


@pytest.fixture
def big_event(factory: Any) -> str:
    """An event shaped like the real one: three sessions, 45 projects, 12 institutions."""
    from matchmaker.domain import Track
    from matchmaker.services.registry.catalog import create_institution, create_project
    from matchmaker.services.registry.events import SessionSpec, add_session, create_event

    with transaction(factory) as db:
        event = create_event(db, code="R2026", name="星火杯", year=2026, city="太原")
        for code, kind, day in (
            ("L", "local", "08"),
            ("N", "national", "09"),
            ("A", "alumni", "10"),
        ):
            spec = {
                "code": code,
                "kind": kind,
                "name": f"{code}专场",
                "date": f"2026-11-{day}",
                "start": "09:00",
                "end": "12:00",
                "slot_minutes": 20,
                "tables": 12,
            }
            add_session(db, event, SessionSpec.from_dict(spec))
        tracks = list(Track)
        for i in range(45):
            create_project(
                db,
                event,
                {
                    "code": f"P{i:03d}",
                    "name": f"项目{i}",
                    "track": tracks[i % len(tracks)],
                    "region": "太原市" if i % 3 == 0 else "大同市",
                },
            )
        for j in range(12):
            create_institution(db, event, {"code": f"I{j:02d}", "name": f"机构{j}", "type": "vc"})
    return "R2026"


def test_a_real_sized_event_reports_exactly_what_was_signed(
    client, accounts, factory, big_event
) -> None:  # type: ignore[no-untyped-def]
    staff = accounts.headers("staff")
    made = []
    project = 0
    for session, total in SESSION_TOTALS.items():
        for amount in _amounts(total, 14):
            body = {
                "event": big_event,
                "project_id": f"P{project:03d}",
                "institution_id": f"I{project % 12:02d}",
                "session": session,
                "status": "signed",
                "amount": amount,
                "signed_at": "2026-11-10",
            }
            response = client.post(URL, json=body, headers=staff)
            assert response.status_code == 201, response.get_json()
            made.append(response.get_json())
            project += 1
    assert project == 42
    # noise that must not count as signed: watching, negotiating, dropped after signing
    for i, status in enumerate(("watching", "negotiating")):
        body = {
            "event": big_event,
            "project_id": f"P{42 + i:03d}",
            "institution_id": "I00",
            "session": "L",
            "status": status,
            "amount": 9_999_999,
        }
        assert client.post(URL, json=body, headers=staff).status_code == 201
    # three landed; their signed amounts stay in the signed total
    for intent in made[:3]:
        for step in (
            {"status": "due_diligence"},
            {
                "status": "invested",
                "invested_amount": intent["amount"] // 2,
                "invested_at": "2026-11-20",
            },
        ):
            assert (
                client.patch(f"{URL}/{intent['id']}", json=step, headers=staff).status_code == 200
            )
    for intent in made[3:30]:
        assert (
            client.patch(
                f"{URL}/{intent['id']}", json={"status": "due_diligence"}, headers=staff
            ).status_code
            == 200
        )

    report = client.get(f"/api/v1/reports/funnel?event={big_event}&by=session", headers=staff)
    data = report.get_json()
    assert report.status_code == 200, data
    total = data["total"]
    assert total["signed"]["count"] == 42 and total["signed"]["projects"] == 42
    assert total["signed"]["amount"] == 774_000_000 and total["signed"]["amount_text"] == "7.74亿元"
    assert total["follow_ups"]["count"] == 44 and total["negotiating"]["count"] == 43
    assert total["due_diligence"]["count"] == 30 and total["invested"]["count"] == 3
    assert total["invested"]["amount"] == sum(i["amount"] // 2 for i in made[:3])
    per_session = {g["key"]: g["signed"]["amount"] for g in data["groups"]}
    assert per_session == SESSION_TOTALS
    assert sum(per_session.values()) == total["signed"]["amount"]
    assert {g["key"]: g["label"] for g in data["groups"]}["L"] == "L专场"
    assert "签约项目 42 个，意向投资额 7.74亿元" in data["headline"]
    # the ledger's own rows add up to the same yuan
    listed = client.get(f"{URL}?event={big_event}&page_size=200", headers=staff).get_json()["items"]
    signed = [i for i in listed if i["status"] in ("signed", "due_diligence", "invested")]
    assert sum(i["amount"] for i in signed) == 774_000_000
    # filtered to one session, the report is that session's figure
    one = client.get(
        f"/api/v1/reports/funnel?event={big_event}&session=N", headers=staff
    ).get_json()
    assert (
        one["total"]["signed"]["amount"] == 402_000_000
        and one["total"]["signed"]["amount_text"] == "4.02亿元"
    )
    by_region = client.get(
        f"/api/v1/reports/funnel?event={big_event}&by=region", headers=staff
    ).get_json()
    assert sum(g["signed"]["amount"] for g in by_region["groups"]) == 774_000_000
    # the workbook carries the same yuan
    import openpyxl

    book = openpyxl.load_workbook(
        io.BytesIO(
            client.get(
                f"/api/v1/reports/funnel.xlsx?event={big_event}&by=session", headers=staff
            ).data
        )
    )
    sheet = book.active
    total_row = [row for row in sheet.iter_rows(values_only=True) if row[0] == "合计"][0]
    assert total_row[6] == 774_000_000
    assert len(sheet._charts) == 1
    # amounts are for staff and organisers only
    for who in ("investor", "entrant", "investor_b"):
        assert_error(
            client.get(f"/api/v1/reports/funnel?event={big_event}", headers=accounts.headers(who)),
            403,
        )
    assert (
        client.get(
            f"/api/v1/reports/funnel?event={big_event}", headers=accounts.headers("organiser")
        ).status_code
        == 200
    )


def test_with_two_events_the_api_asks_for_the_event_parameter(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.services.registry.events import create_event

    with transaction(factory) as db:
        create_event(db, "T2027", "第二届测试活动", 2027)
    before = snapshot(factory)
    staff = accounts.headers("staff")
    body = assert_error(record(client, staff, status="negotiating", amount=1_000_000), 422)
    assert "event 参数" in body["message"] and "T2026, T2027" in body["message"]
    assert "--event" in body["message"]  # the same message serves the command line
    assert snapshot(factory) == before
    named = record(client, staff, status="negotiating", amount=1_000_000, event="T2026")
    assert named.status_code == 201, named.get_json()
