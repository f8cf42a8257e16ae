"""The notices' eligibility rules on SQLite and PostgreSQL: imports refused or warned naming both
rows, nothing written on refusal, stored projects compared with sheet rows, API edits checked."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tests_support import CSRF, assert_error, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import AuditEntry, Event, Project
from matchmaker.errors import ImportRejected, InvalidInput
from matchmaker.services.registry import eligibility
from matchmaker.services.registry.events import get_event
from matchmaker.services.registry.registrations import (
    ImportReport,
    export_registrations,
    import_registrations,
)

HUAWEI = "914403001922038216"
TENCENT = "9144030071526726XG"
XIAOMI = "91110108551385082Q"
PERSON = "11010519491231002X"
OTHER_PERSON = "110101199003074477"
HEADER = "报名编号,项目名称,赛道,组别,统一社会信用代码,负责人身份证号,联系电话\n"


def sheet(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def run_import(factory: sessionmaker[Session], data: bytes) -> ImportReport:
    with transaction(factory) as db:
        return import_registrations(db, get_event(db, "T2026"), "projects", data, "p.csv")


def refused(factory: sessionmaker[Session], data: bytes) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        run_import(factory, data)
    return [p.line() for p in caught.value.problems]


def switch(factory: sessionmaker[Session], **switches: str) -> None:
    with transaction(factory) as db:
        eligibility.set_rules(db, get_event(db, "T2026"), **switches)


def count(factory: sessionmaker[Session]) -> int:
    with factory() as db:
        return db.scalar(select(func.count()).select_from(Project)) or 0


TWO_OF_ONE_ENTERPRISE = sheet(
    f"E-1,储能管理系统,绿色经济,企业组,{HUAWEI},,",
    f"E-2,光伏运维平台,绿色经济,企业组,{TENCENT},,",
    f"E-3,氢能换电站,绿色经济,企业组,{HUAWEI.lower()},,",
)


def test_one_per_enterprise_refuses_the_sheet_naming_both_rows(factory, event) -> None:  # type: ignore[no-untyped-def]
    switch(factory, one_per_enterprise="refuse")
    lines = refused(factory, TWO_OF_ONE_ENTERPRISE)
    assert lines == [
        f"第 4 行 [统一社会信用代码] '{HUAWEI}': 第 4 行与第 2 行同属统一社会信用代码 {HUAWEI}："
        "每家企业限报一个项目"
    ]
    assert count(factory) == 0  # nothing imported


def test_with_the_rule_off_the_same_sheet_imports(factory, event) -> None:  # type: ignore[no-untyped-def]
    report = run_import(factory, TWO_OF_ONE_ENTERPRISE)
    assert (report.created, report.warnings) == (3, [])


def test_warn_mode_imports_with_a_warning_naming_both_rows(factory, event) -> None:  # type: ignore[no-untyped-def]
    switch(factory, one_per_enterprise="warn")
    report = run_import(factory, TWO_OF_ONE_ENTERPRISE)
    assert report.created == 3
    assert [w.message("en") for w in report.warnings] == [
        f"row 4 and row 2 share the credit code {HUAWEI}: one project per enterprise"
    ]
    assert report.to_dict()["warnings"][0]["row"] == 4


def test_enterprise_project_in_the_maker_group_is_refused(factory, event) -> None:  # type: ignore[no-untyped-def]
    switch(factory, enterprise_not_maker="refuse")
    lines = refused(
        factory,
        sheet(f"M-1,创客小站,现代服务,创客组,{XIAOMI},,", "M-2,个人工作室,现代服务,创客组,,,"),
    )
    assert lines == [
        f"第 2 行 [组别] '创客组': 第 2 行填有统一社会信用代码 {XIAOMI}，属企业项目，不得报名创客组"
    ]


def test_one_person_in_both_groups_is_refused(factory, event) -> None:  # type: ignore[no-untyped-def]
    switch(factory, not_both_groups="refuse")
    data = sheet(
        f"G-1,企业项目,先进制造,企业组,{TENCENT},{PERSON},",
        f"G-2,创客项目,先进制造,创客组,,{PERSON.lower()},",
        f"G-3,他人项目,先进制造,创客组,,{OTHER_PERSON},",
        "G-4,同电话项目,先进制造,企业组,,,+86 138-0000-0099",
        "G-5,同电话创客,先进制造,创客组,,,13800000099",
    )
    lines = refused(factory, data)
    assert len(lines) == 2
    assert (
        "第 3 行（创客组）与第 2 行（企业组）是同一负责人（身份证号 1101**********002X）"
        in lines[0]
    )
    assert "同一人不得同时报名两个组别" in lines[0]
    assert "第 6 行（创客组）与第 5 行（企业组）是同一负责人（电话 138****0099）" in lines[1]


def test_one_per_person_uses_the_id_else_the_phone(factory, event) -> None:  # type: ignore[no-untyped-def]
    switch(factory, one_per_person="refuse")
    lines = refused(
        factory,
        sheet(
            f"P-1,一号项目,先进制造,企业组,,{PERSON},13800000001",
            f"P-2,二号项目,先进制造,企业组,,{PERSON},13800000002",
            "P-3,三号项目,先进制造,企业组,,,13800000009",
            "P-4,四号项目,先进制造,企业组,,,138 0000 0009",
        ),
    )
    assert [line.split(": ", 1)[1] for line in lines] == [
        "第 3 行与第 2 行是同一负责人（身份证号 1101**********002X）：每人限报一个项目",
        "第 5 行与第 4 行是同一负责人（电话 138****0009）：每人限报一个项目",
    ]


def test_barred_credit_code_is_refused(factory, event) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        found = get_event(db, "T2026")
        entries = eligibility.parse_barred(f"名称,统一社会信用代码\n往届冠军公司,{XIAOMI}\n")
        eligibility.set_barred(db, found, entries)
        eligibility.set_rules(db, found, barred="refuse")
    lines = refused(factory, sheet(f"B-1,新项目,现代服务,企业组,{XIAOMI},,"))
    assert lines == [
        f"第 2 行 [统一社会信用代码] '{XIAOMI}': "
        f"第 2 行的统一社会信用代码 {XIAOMI} 在往届获奖名单中，不得参赛"
    ]
    lines = refused(factory, sheet("B-2,往届冠军公司,现代服务,企业组,,,"))  # the name too
    assert "项目名称 往届冠军公司 在往届获奖名单中" in lines[0]


def test_a_new_row_clashing_with_a_stored_project_names_that_project(factory, event) -> None:  # type: ignore[no-untyped-def]
    run_import(factory, sheet(f"S-1,已报名储能项目,绿色经济,企业组,{HUAWEI},,"))
    switch(factory, one_per_enterprise="refuse")
    lines = refused(factory, sheet(f"S-2,另一个储能项目,绿色经济,企业组,{HUAWEI},,"))
    assert lines == [
        f"第 2 行 [统一社会信用代码] '{HUAWEI}': "
        f"第 2 行与已报名项目 S-1「已报名储能项目」同属统一社会信用代码 {HUAWEI}："
        "每家企业限报一个项目"
    ]
    # the stored project's own row, re-imported with a change, is no clash with itself
    report = run_import(factory, sheet(f"S-1,已报名储能项目,绿色经济,企业组,{HUAWEI},{PERSON},"))
    assert (report.updated, report.warnings) == (1, [])
    # a sheet without the credit code column keeps the stored codes and is still compared
    data = "报名编号,项目名称,赛道\nS-1,已报名储能项目,绿色经济\nS-3,新项目,绿色经济\n".encode()
    assert run_import(factory, data).created == 1


def test_bad_check_characters_are_row_errors_naming_row_column_and_value(factory, event) -> None:  # type: ignore[no-untyped-def]
    lines = refused(
        factory,
        sheet(
            "C-1,项目一,绿色经济,企业组,914403001922038217,,",
            "C-2,项目二,绿色经济,企业组,,110105194912310021,",
        ),
    )
    assert lines[0].startswith(
        "第 2 行 [统一社会信用代码] '914403001922038217': 统一社会信用代码有误"
    )
    assert lines[1].startswith("第 3 行 [负责人身份证号] '110105194912310021': 身份证号有误")
    assert count(factory) == 0


def test_export_round_trips_codes_and_masks_ids_unless_revealed(factory, event) -> None:  # type: ignore[no-untyped-def]
    run_import(factory, sheet(f"X-1,出口项目,绿色经济,企业组,{HUAWEI},{PERSON},"))
    with factory() as db:
        found = get_event(db, "T2026")
        whole = export_registrations(db, found, "projects", "xlsx", reveal_ids=True)
        masked = export_registrations(db, found, "projects", "csv").decode("utf-8-sig")
    assert "1101**********002X" in masked and PERSON not in masked
    lines = refused(factory, masked.encode())  # a masked export sent back says what to do
    assert "身份证号已打码" in lines[0] and "删去此列" in lines[0]
    again = run_import(factory, whole)
    assert (again.updated, again.unchanged) == (0, 1)
    cells = [c.value for c in next(openpyxl.load_workbook(io.BytesIO(whole)).active.iter_rows())]
    assert "统一社会信用代码" in cells and "负责人身份证号" in cells


def test_switches_are_checked_stored_and_audited(factory, event) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        found = get_event(db, "T2026")
        with pytest.raises(InvalidInput) as caught:
            eligibility.set_rules(db, found, one_per_planet="refuse", barred="maybe")
        assert [p.code for p in caught.value.problems] == [
            "rules.unknown_rule",
            "rules.unknown_mode",
        ]
        with pytest.raises(InvalidInput) as caught:
            eligibility.set_barred(db, found, ["91440300192203821X", "某公司"])
        assert caught.value.problems[0].value == "91440300192203821X"
        eligibility.set_rules(db, found, one_per_enterprise="refuse", barred="warn")
        eligibility.set_rules(db, found, barred="off")
    with factory() as db:
        rules = eligibility.rules_of(db.scalar(select(Event)))
        assert rules.to_dict()["rules"] == {
            "one_per_enterprise": "refuse",
            "one_per_person": "off",
            "not_both_groups": "off",
            "enterprise_not_maker": "off",
            "barred": "off",
        }
        trail = db.scalars(select(AuditEntry).where(AuditEntry.action == "rules")).all()
        assert len(trail) == 2 and trail[0].event_id is not None


@pytest.mark.fake_encoder
def test_api_create_and_patch_are_checked_and_ids_masked(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    assert_error(
        client.patch(
            "/api/v1/projects/T-P001", headers=h, json={"credit_code": "914403001922038217"}
        ),
        422,
    )
    ok = client.patch(
        "/api/v1/projects/T-P001", headers=h, json={"credit_code": HUAWEI, "leader_id": PERSON}
    )
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["leader_id"] == PERSON  # organisers see it whole
    switch(factory, one_per_enterprise="refuse", one_per_person="warn")
    body = {
        "id": "T-P950",
        "name": "同一企业的第二个项目",
        "track": "绿色经济",
        "credit_code": HUAWEI,
    }
    error = assert_error(client.post("/api/v1/projects", headers=h, json=body), 422)
    assert "已报名项目 T-P001「晋能储能电池管理系统」" in error["errors"][0]["message"]
    error = assert_error(
        client.patch("/api/v1/projects/T-P002", headers=h, json={"credit_code": HUAWEI}), 422
    )
    assert error["errors"][0]["message"].startswith("本项目与已报名项目 T-P001")
    # a warned rule does not stop an edit
    assert (
        client.patch("/api/v1/projects/T-P002", headers=h, json={"leader_id": PERSON}).status_code
        == 200
    )
    own = client.get("/api/v1/projects/T-P001", headers=accounts.headers("entrant")).get_json()
    assert own["leader_id"] == "1101**********002X" and own["credit_code"] == HUAWEI
    seen = client.get("/api/v1/projects/T-P001", headers=accounts.headers("investor")).get_json()
    assert seen["leader_id"] is None


@pytest.mark.fake_encoder
def test_rules_page_switches_rules_and_takes_a_barred_list(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, factory, "organiser")
    page = client.get("/rules")
    assert page.status_code == 200 and "每家企业（统一社会信用代码）限报一个项目" in page.text
    form = {f"mode_{r}": "off" for r in eligibility.RULES} | {"csrf": CSRF}
    bad = client.post(
        "/rules", data=form | {"mode_barred": "refuse", "barred": "91440300192203821X"}
    )
    assert bad.status_code == 422 and "校验位不符" in bad.text
    with factory() as db:
        assert eligibility.rules_of(db.scalar(select(Event))).switches == {}  # nothing changed
    upload = (io.BytesIO(f"名称\n往届冠军公司\n{XIAOMI}\n".encode()), "winners.csv")
    saved = client.post(
        "/rules",
        data=form
        | {
            "mode_one_per_enterprise": "warn",
            "mode_barred": "refuse",
            "barred": "",
            "barred_file": upload,
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert saved.status_code == 200 and "报名规则已保存" in saved.text
    with factory() as db:
        rules = eligibility.rules_of(db.scalar(select(Event)))
    assert rules.to_dict()["rules"]["one_per_enterprise"] == "warn"
    assert rules.barred == ("往届冠军公司", XIAOMI)
    # the page shows the list back, one per line, ready to edit
    assert f"往届冠军公司\n{XIAOMI}</textarea>" in client.get("/rules").text


@pytest.mark.fake_encoder
def test_project_page_masks_the_id_to_all_but_organisers(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        project = db.scalar(select(Project).where(Project.code == "T-P001"))
        project.credit_code, project.leader_id = HUAWEI, PERSON
    sign_in(client, factory, "organiser")
    assert PERSON in client.get("/projects/T-P001").text
    sign_in(client, factory, "entrant")
    own = client.get("/projects/T-P001").text
    assert "1101**********002X" in own and PERSON not in own and HUAWEI in own
    sign_in(client, factory, "staff")
    assert PERSON not in client.get("/projects/T-P001").text


@pytest.mark.fake_encoder
def test_rules_over_the_api(client, accounts) -> None:  # type: ignore[no-untyped-def]
    h = accounts.headers("organiser")
    url = "/api/v1/events/T2026/rules"
    assert client.get(url, headers=h).get_json()["rules"]["barred"] == "off"
    assert_error(client.patch(url, headers=h, json={"rules": {"one_per_planet": "refuse"}}), 422)
    assert_error(client.patch(url, headers=h, json={"rules": {"barred": "maybe"}}), 422)
    error = assert_error(
        client.patch(
            url, headers=h, json={"rules": {"barred": "refuse"}, "barred": ["9144030019220382X7"]}
        ),
        422,
    )
    assert "校验位不符" in error["errors"][0]["message"]
    assert client.get(url, headers=h).get_json()["rules"]["barred"] == "off"  # nothing changed
    body = {"rules": {"barred": "refuse", "one_per_person": "warn"}, "barred": [XIAOMI]}
    shown = client.patch(url, headers=h, json=body).get_json()
    assert shown["rules"]["barred"] == "refuse" and shown["barred"] == [XIAOMI]
    refused = client.patch("/api/v1/projects/T-P001", headers=h, json={"credit_code": XIAOMI})
    assert "往届获奖名单" in assert_error(refused, 422)["errors"][0]["message"]
    assert_error(client.get(url, headers=accounts.headers("staff")), 403)


def test_an_event_with_its_own_groups_one_person_one_group_and_no_maker_rule(factory) -> None:  # type: ignore[no-untyped-def]
    """Groups of the event's own: "not both groups" holds for any two of them, and without a
    group keyed ``maker`` an enterprise's project breaks no maker rule."""
    from matchmaker.services.registry.events import create_event

    with transaction(factory) as db:
        city = create_event(
            db, "CITY", "城市赛", 2026, preset="none", tracks=["电子信息"],
            groups=["初创组", "成长组", "高校组"],
        )  # fmt: skip
        eligibility.set_rules(db, city, not_both_groups="refuse", enterprise_not_maker="refuse")

    def into_city(data: bytes) -> ImportReport:
        with transaction(factory) as db:
            return import_registrations(db, get_event(db, "CITY"), "projects", data, "p.csv")

    data = sheet(
        f"G-1,芯片探针卡,电子信息,初创组,{XIAOMI},{PERSON},",
        f"G-2,探针卡二代,电子信息,成长组,,{PERSON},",
        f"G-3,高校实验室,电子信息,高校组,,{OTHER_PERSON},",
    )
    with pytest.raises(ImportRejected) as caught:
        into_city(data)
    problems = caught.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [(3, "组别", "成长组")]
    assert problems[0].message("zh") == (
        "第 3 行（成长组）与第 2 行（初创组）是同一负责人（身份证号 1101**********002X）："
        "同一人不得同时报名两个组别"
    )
    assert "one person may not enter two groups" in problems[0].message("en")
    assert count(factory) == 0
    # the same person twice in one group is no clash for this rule; 初创组 is no maker group
    report = into_city(data.decode().replace("成长组", "初创组").encode())
    assert (report.created, report.warnings) == (3, [])
    with factory() as db:
        stored = db.scalars(select(Project.group).order_by(Project.code)).all()
    assert stored == ["初创组", "初创组", "高校组"]


def test_a_group_added_to_a_preset_event_is_one_more_group_a_person_may_not_add(
    factory, event
) -> None:  # type: ignore[no-untyped-def]
    from matchmaker.services.registry.vocabulary import add_group

    with transaction(factory) as db:
        add_group(db, get_event(db, "T2026"), "高校组")
    switch(factory, not_both_groups="refuse", enterprise_not_maker="refuse")
    lines = refused(
        factory,
        sheet(
            f"H-1,企业项目,先进制造,企业组,{TENCENT},{PERSON},",
            f"H-2,高校项目,先进制造,高校组,,{PERSON},",
            f"H-3,创客项目,先进制造,创客组,{XIAOMI},,",
        ),
    )
    assert lines == [
        "第 3 行 [组别] '高校组': 第 3 行（高校组）与第 2 行（企业组）是同一负责人"
        "（身份证号 1101**********002X）：同一人不得同时报名两个组别",
        f"第 4 行 [组别] '创客组': 第 4 行填有统一社会信用代码 {XIAOMI}，"
        "属企业项目，不得报名创客组",
    ]
