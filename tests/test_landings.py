"""Long-term follow-up (#19): investments landed with the amount to be fixed, landings that are
not money (入驻园区, 合作), and government services' tasks without an institution — in the
report, its XLSX, the page and the CLI, with totals that reconcile to the yuan. On SQLite and
PostgreSQL (the ``db_url`` fixture)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from tests_support import CSRF, db_snapshot, sign_in

from matchmaker.services.ledger.intents import today_local

pytestmark = pytest.mark.fake_encoder  # no ranking is measured here

MATCHMAKER = str(Path(sys.executable).parent / "matchmaker")
HTML = {"Accept": "text/html"}
PARK = "大同市智慧养老产业园"
SERVICE = "太原市人社局就业训练中心"


def day(ago: int) -> str:
    return (today_local() - timedelta(days=ago)).isoformat()


def post(client: Any, accounts: Any, url: str, body: dict[str, Any], status: int = 201) -> Any:
    made = client.post(url, json={"event": "T2026", **body}, headers=accounts.headers("staff"))
    assert made.status_code == status, made.get_json()
    return made.get_json()


def patch(client: Any, accounts: Any, url: str, body: dict[str, Any]) -> Any:
    done = client.patch(url, json=body, headers=accounts.headers("staff"))
    assert done.status_code == 200, done.get_json()
    return done.get_json()


def get(client: Any, accounts: Any, url: str) -> Any:
    got = client.get(url, headers=accounts.headers("staff"))
    assert got.status_code == 200, got.get_data(as_text=True)[:500]
    return got


def signed(project: str, institution: str, amount: str) -> dict[str, Any]:
    return {
        "project_id": project,
        "institution_id": institution,
        "status": "signed",
        "amount": amount,
        "signed_at": day(20),
    }


@pytest.fixture
def follow_up(client: Any, accounts: Any) -> dict[str, int]:
    """Two investments landed (300万 fixed; one 待定), 入驻园区 and two 合作 landings, a 培训 task
    of a city service with no institution."""
    fixed = post(client, accounts, "/api/v1/intents", signed("T-P001", "T-I01", "500万"))["id"]
    patch(client, accounts, f"/api/v1/intents/{fixed}", {
        "status": "invested", "invested_amount": "300万", "invested_at": day(5)})  # fmt: skip
    pending = post(client, accounts, "/api/v1/intents", signed("T-P003", "T-I03", "1.2亿"))["id"]
    landed = patch(client, accounts, f"/api/v1/intents/{pending}", {
        "status": "invested", "invested_amount_pending": True, "invested_at": day(3)})  # fmt: skip
    assert (landed["status"], landed["invested_amount"]) == ("invested", None)
    assert landed["invested_amount_pending"] is True
    park = post(client, accounts, "/api/v1/landings", {
        "project_id": "T-P002", "kind": "入驻园区", "place": PARK,
        "counterpart": "大同经开区管委会", "landed_on": day(4)})  # fmt: skip
    assert park["institution_id"] is None and park["kind"] == "park"
    loan = post(client, accounts, "/api/v1/landings", {
        "project_id": "T-P004", "institution_id": "T-I03", "kind": "合作",
        "cooperation": "贷款", "value": "200万", "landed_on": day(2)})  # fmt: skip
    space = post(client, accounts, "/api/v1/landings", {
        "project_id": "T-P001", "kind": "cooperation", "cooperation": "space",
        "counterpart": "小店区孵化基地", "value_pending": True, "landed_on": day(1)})  # fmt: skip
    task = post(client, accounts, "/api/v1/due-diligence", {
        "project_id": "T-P002", "kind": "培训", "counterpart": SERVICE, "owner": "王芳",
        "due_date": day(-10)})  # fmt: skip
    assert (task["institution_id"], task["kind"], task["counterpart_name"]) == (
        None, "training", SERVICE)  # fmt: skip
    return {"fixed": fixed, "pending": pending, "park": park["id"], "loan": loan["id"],
            "space": space["id"], "task": task["id"]}  # fmt: skip


def kinds_of(report: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {k["key"]: (k["count"], k["amount"], k["unfixed"]) for k in report["landings"]["kinds"]}


def sheet_rows(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        name: [tuple(row) for row in book[name].iter_rows(values_only=True)]
        for name in book.sheetnames
    }


def reconcile(client: Any, accounts: Any, report: dict[str, Any]) -> None:
    """The report's totals equal what the intent ledger and the landing list add up to."""
    intents = get(client, accounts, "/api/v1/intents?event=T2026&page_size=100").get_json()
    invested = [i for i in intents["items"] if i["status"] == "invested"]
    fixed = sum(i["invested_amount"] for i in invested if i["invested_amount"] is not None)
    unfixed = sum(1 for i in invested if i["invested_amount"] is None)
    listed = get(client, accounts, "/api/v1/landings?event=T2026&page_size=1").get_json()
    assert len(listed["items"]) == 1 and listed["meta"]["total"] >= 3  # a page at a time
    landings = get(client, accounts, "/api/v1/landings?event=T2026&page_size=100").get_json()
    assert landings["meta"]["total"] == len(landings["items"])
    landings = landings["items"]
    values = sum(x["value"] for x in landings if x["value"] is not None)
    total = report["total"]["invested"]
    assert (total["count"], total["amount"], total["unfixed"]) == (len(invested), fixed, unfixed)
    assert report["landings"]["amount"] == fixed + values
    assert report["landings"]["unfixed"] == unfixed + sum(x["value_pending"] for x in landings)
    assert report["landings"]["count"] == len(invested) + len(landings)


def test_landings_and_service_tasks_in_the_report_and_its_xlsx_reconcile_to_the_yuan(
    client: Any, accounts: Any, follow_up: dict[str, int]
) -> None:
    report = get(client, accounts, "/api/v1/reports/funnel?event=T2026").get_json()
    kinds = kinds_of(report)
    assert kinds["investment"] == (2, 3_000_000, 1)  # the 待定 one counts, adds no yuan
    assert kinds["park"] == (1, 0, 0)
    assert kinds["cooperation:loan"] == (1, 2_000_000, 0)
    assert kinds["cooperation:space"] == (1, 0, 1)
    assert kinds["relocation"] == (0, 0, 0)
    assert (report["landings"]["amount"], report["landings"]["unfixed"]) == (5_000_000, 2)
    assert "另有 1 项金额待定" in report["headline"]
    assert [u["project_id"] for u in report["landings"]["unfixed_investments"]] == ["T-P003"]
    park = next(x for x in report["landings"]["items"] if x["kind"] == "park")
    assert (park["project_id"], park["place"], park["landed_on"]) == ("T-P002", PARK, day(4))
    (task,) = report["service_tasks"]
    assert (task["kind_label"], task["counterpart"], task["owner"]) == ("培训", SERVICE, "王芳")
    assert report["total"]["open_due_diligence_tasks"] == 0  # a service task is not due diligence
    reconcile(client, accounts, report)

    workbook = get(client, accounts, "/api/v1/reports/funnel.xlsx?event=T2026").data
    sheets = sheet_rows(workbook)
    funnel, landed, tasks = sheets["对接成效"], sheets["落地情况"], sheets["服务跟进任务"]
    assert "另有 1 项金额待定" in funnel[1][0]
    assert funnel[2][10] == "落地金额（元）" and funnel[2][12] == "落地金额待定（项）"
    assert (funnel[-1][0], funnel[-1][9], funnel[-1][10], funnel[-1][12]) == (
        "合计", 2, 3_000_000, 1)  # fmt: skip
    by_label = {row[0]: row[1:5] for row in landed[2:10]}
    assert by_label["投资落地"] == (2, 2, 3_000_000, 1)
    assert by_label["入驻园区"] == (1, 1, 0, 0)
    assert by_label["合作·贷款"] == (1, 1, 2_000_000, 0)
    assert by_label["合作·场地"] == (1, 1, 0, 1)
    assert by_label["合计"] == (5, None, 5_000_000, 2)
    items = [row for row in landed if row[4] == PARK]
    row = ("入驻园区", "T-P002", "智慧养老陪护机器人", "大同经开区管委会", PARK, day(4), None)
    assert items == [row]
    assert any(row[6] == "待定" for row in landed)  # the space landing's value
    assert tasks[1][:5] == ("培训", "T-P002", "智慧养老陪护机器人", SERVICE, "王芳")


def test_fixing_amounts_later_updates_the_totals_and_is_audited(
    client: Any, accounts: Any, follow_up: dict[str, int]
) -> None:
    patch(client, accounts, f"/api/v1/intents/{follow_up['pending']}", {"invested_amount": "800万"})
    fixed = patch(client, accounts, f"/api/v1/landings/{follow_up['space']}", {"value": 500_000})
    assert (fixed["value"], fixed["value_pending"]) == (500_000, False)
    report = get(client, accounts, "/api/v1/reports/funnel?event=T2026").get_json()
    assert kinds_of(report)["investment"] == (2, 11_000_000, 0)
    assert kinds_of(report)["cooperation:space"] == (1, 500_000, 0)
    assert (report["landings"]["amount"], report["landings"]["unfixed"]) == (13_500_000, 0)
    assert "待定" not in report["headline"]
    reconcile(client, accounts, report)
    sheets = sheet_rows(get(client, accounts, "/api/v1/reports/funnel.xlsx?event=T2026").data)
    assert sheets["对接成效"][-1][10] == 11_000_000 and sheets["对接成效"][-1][12] == 0

    trail = get(client, accounts, f"/api/v1/intents/{follow_up['pending']}/history").get_json()
    assert trail[-1]["actor"] == "staff"
    assert trail[-1]["before"] == {"invested_amount": None, "invested_amount_pending": True}
    assert trail[-1]["after"] == {"invested_amount": 8_000_000, "invested_amount_pending": False}
    trail = get(client, accounts, f"/api/v1/landings/{follow_up['space']}/history").get_json()
    assert [e["action"] for e in trail] == ["create", "update"]
    assert trail[1]["before"] == {"value": None, "value_pending": True}
    assert trail[1]["after"] == {"value": 500_000, "value_pending": False}


BAD_LANDINGS = [  # (body, the field each refusal names)
    ({"project_id": "T-P002", "kind": "入驻园区", "landed_on": day(1)}, {"place"}),
    ({"project_id": "T-P002", "kind": "合作", "value": "50万", "landed_on": day(1)},
     {"cooperation"}),
    ({"project_id": "T-P002", "kind": "落户", "place": "太原", "value": 10, "landed_on": day(1)},
     {"value"}),
    ({"project_id": "T-P002", "kind": "落户", "place": "太原", "landed_on": day(-3)},
     {"landed_on"}),
    ({"project_id": "T-P002", "kind": "火星", "place": "太原", "landed_on": day(1)}, {"kind"}),
    ({"project_id": "T-P002", "kind": "合作", "cooperation": "贷款", "value": -5,
      "landed_on": day(1)}, {"value"}),
]  # fmt: skip


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    client: Any, accounts: Any, factory: Any, follow_up: dict[str, int], db_url: str
) -> None:
    before = db_snapshot(factory)
    for body, named in BAD_LANDINGS:
        refused = post(client, accounts, "/api/v1/landings", body, status=422)
        assert {e.get("column") or e.get("field") for e in refused["errors"]} == named, refused
    no_institution = post(client, accounts, "/api/v1/due-diligence", {
        "project_id": "T-P002", "owner": "王芳"}, status=422)  # fmt: skip
    assert [e["column"] for e in no_institution["errors"]] == ["institution_id"]
    no_counterpart = post(client, accounts, "/api/v1/due-diligence", {
        "project_id": "T-P002", "kind": "政策申报", "owner": "王芳"}, status=422)  # fmt: skip
    assert [e["column"] for e in no_counterpart["errors"]] == ["counterpart"]
    refused = client.patch(
        f"/api/v1/landings/{follow_up['park']}",
        json={"value": 1000},
        headers=accounts.headers("staff"),
    )
    assert refused.status_code == 422  # a park landing has no value: record money elsewhere
    assert refused.get_json()["errors"][0] | {"message": ""} == {
        "code": "landing.value_cooperation_only", "column": "value", "value": 1000,
        "message": ""}  # fmt: skip
    for who in ("investor", "entrant"):  # the parties read, they do not write
        denied = client.post(
            "/api/v1/landings",
            json={
                "event": "T2026",
                "project_id": "T-P001",
                "kind": "落户",
                "place": "太原",
                "landed_on": day(1),
            },  # fmt: skip
            headers=accounts.headers(who),
        )
        assert denied.status_code == 403

    sign_in(client, factory, "staff")  # the page: problems beside their fields, nothing saved
    page = client.post(
        "/landings",
        data={"csrf": CSRF, "event": "T2026", "project": "T-P002", "kind": "park"},
        headers=HTML,
    )
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'data-field="place"' in text and 'data-field="landed_on"' in text
    assert db_snapshot(factory) == before

    cli = [MATCHMAKER, "--db", db_url]
    result = subprocess.run(
        [*cli, "landings", "add", "--project", "T-P002", "--kind", "落户", "--date", day(1)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "[place]" in result.stderr + result.stdout
    result = subprocess.run(
        [*cli, "landings", "add", "--project", "T-P002", "--kind", "合作", "--cooperation",
         "飞船", "--date", day(1)], capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "[cooperation] '飞船'" in result.stderr + result.stdout
    assert db_snapshot(factory) == before


def test_the_page_and_the_cli_record_and_fix_a_landing(
    client: Any, accounts: Any, factory: Any, follow_up: dict[str, int], db_url: str
) -> None:
    cli = [MATCHMAKER, "--db", db_url, "--json"]
    added = subprocess.run(
        [*cli, "landings", "add", "--project", "T-P004", "--kind", "合作", "--cooperation",
         "订单", "--counterpart", "晋中市农业农村局", "--value", "待定", "--date", day(1)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    task = subprocess.run(
        [*cli, "dd", "add", "--project", "T-P004", "--kind", "贷款对接", "--counterpart",
         "晋中市就业服务中心", "--owner", "赵强", "--due", day(-7)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert task.returncode == 0, task.stderr
    report = get(client, accounts, "/api/v1/reports/funnel?event=T2026").get_json()
    assert kinds_of(report)["cooperation:orders"] == (1, 0, 1)
    assert {t["counterpart"] for t in report["service_tasks"]} == {SERVICE, "晋中市就业服务中心"}

    sign_in(client, factory, "staff")
    page = client.get("/landings?event=T2026", headers=HTML).get_data(as_text=True)
    assert PARK in page and "晋中市农业农村局" in page and page.count('action="/landings/') == 2
    orders = next(x for x in report["landings"]["items"] if x["kind"] == "cooperation:orders")
    fixed = client.post(
        f"/landings/{orders['id']}", data={"csrf": CSRF, "value": "120"}, headers=HTML
    )
    assert fixed.status_code == 302  # a bare number on a page is 万元
    listed = subprocess.run(
        [MATCHMAKER, "--db", db_url, "landings", "list", "--kind", "合作"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert listed.returncode == 0 and "120万元" in listed.stdout
    done = subprocess.run(
        [*cli, "landings", "fix", "--landing", str(follow_up["space"]), "--value", "30万"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = get(client, accounts, "/api/v1/reports/funnel?event=T2026").get_json()
    assert kinds_of(report)["cooperation:orders"] == (1, 1_200_000, 0)
    assert kinds_of(report)["cooperation:space"] == (1, 300_000, 0)
    reconcile(client, accounts, report)
    trail = get(client, accounts, f"/api/v1/landings/{follow_up['space']}/history").get_json()
    assert trail[-1]["after"] == {"value": 300_000, "value_pending": False}


def test_an_intent_to_be_fixed_stays_so_through_its_sheet_export_and_import(
    client: Any, accounts: Any, follow_up: dict[str, int]
) -> None:
    """The ledger sheet imports back unchanged: a blank invested amount of an intent landed 待定
    is not taken for its signed amount."""
    sheet = get(client, accounts, "/api/v1/events/T2026/intents.csv").data
    assert "待定" in sheet.decode("utf-8-sig")  # the sheet says so, not a blank cell
    imported = client.post(
        "/api/v1/events/T2026/intents/import",
        data={"file": (io.BytesIO(sheet), "intents.csv")},
        headers=accounts.headers("staff"),
        content_type="multipart/form-data",
    )
    assert imported.status_code == 200, imported.get_json()
    assert imported.get_json()["unchanged"] == 2
    pending = get(client, accounts, f"/api/v1/intents/{follow_up['pending']}").get_json()
    assert (pending["invested_amount"], pending["invested_amount_pending"]) == (None, True)


def _import(client: Any, accounts: Any, text: str) -> Any:
    return client.post(
        "/api/v1/events/T2026/intents/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), "intents.csv")},
        headers=accounts.headers("staff"),
        content_type="multipart/form-data",
    )


def test_an_intents_sheet_records_an_investment_landed_with_its_amount_to_be_fixed(
    client: Any, accounts: Any, follow_up: dict[str, int]
) -> None:
    """待定 (or TBD) in 落地金额 records the landing with its amount to be fixed; on a row that
    has not landed it is refused by row and column, and nothing of the sheet is written."""
    before = get(client, accounts, "/api/v1/reports/funnel?event=T2026").get_json()
    header = "项目编号,机构编号,状态,金额(万元),签约日期,落地金额(万元),落地日期\n"
    bad = (
        header
        + "T-P002,T-I02,投资落地,800,2026-11-01,待定,2026-11-20\n"
        + ("T-P004,T-I02,已签约,100,2026-11-01,待定,\n")
    )
    refused = _import(client, accounts, bad)
    assert refused.status_code == 422
    problems = refused.get_json()["errors"]
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [
        (3, "落地金额(万元)", "待定")
    ], problems
    assert (
        get(client, accounts, "/api/v1/reports/funnel?event=T2026").get_json()["total"]
        == (before["total"])
    )  # nothing of the sheet was written
    good = header + "T-P002,T-I02,投资落地,800,2026-11-01,TBD,2026-11-20\n"
    imported = _import(client, accounts, good)
    assert imported.status_code == 200, imported.get_json()
    assert imported.get_json()["created"] == 1
    after = get(client, accounts, "/api/v1/reports/funnel?event=T2026").get_json()
    invested, was = after["total"]["invested"], before["total"]["invested"]
    assert invested["count"] == was["count"] + 1 and invested["unfixed"] == was["unfixed"] + 1
    assert invested["amount"] == was["amount"]  # counted, no yuan added until it is fixed
    reconcile(client, accounts, after)
