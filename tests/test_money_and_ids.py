"""Money text and ids as people type them (issue #13, items 5, 6 and 11), on SQLite and PostgreSQL.

Amounts are read exactly or refused naming the row and field, never misread (``1,2亿`` is not
12亿, ``5²万`` is not 52万) and never beyond the one ceiling every money column holds
(:data:`matchmaker.domain.MAX_YUAN`): through the import page, the command, the intents import
and the API. Ids are NFKC-normalised and hold no invisible or unreachable character; names hold
no line break and nothing that reorders or hides text.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from typing import Any

import pytest
from sqlalchemy import select
from tests_support import CSRF, MATCHMAKER, assert_error, db_snapshot, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import Event, Institution, Project
from matchmaker.domain import MAX_YUAN, check_name, parse_amount, parse_amount_range, parse_id
from matchmaker.errors import InvalidInput

HTML = {"Accept": "text/html"}
PROJECTS = "报名编号,项目名称,赛道,融资需求(万元),对接专场\n"
INSTITUTIONS = "机构编号,机构名称,机构类型,单笔投资额(万元)\n"
INTENTS = "项目编号,机构编号,状态,金额(万元),签约日期\n"
ZWSP, RLO = "\u200b", "\u202e"
PROBLEM_ROW = re.compile(
    r"<tr><td class=\"n\">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>"
)


def refused(raw: object, **kwargs: Any) -> str:
    with pytest.raises(InvalidInput) as info:
        parse_amount(raw, **kwargs)
    return info.value.code


# ---- the parsers --------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["5²万", "5³", "2,5万", "5 00万", "1,2亿", "12,34", "٥٠٠万", "5¹"])
def test_money_text_that_reads_as_another_amount_is_refused(raw: str) -> None:
    """Superscripts, stray spaces, commas not in groups of three, other scripts' digits."""
    assert refused(raw) == "import.bad_amount"


@pytest.mark.parametrize(
    ("raw", "yuan"),
    [
        ("3,000,000元", 3_000_000),
        ("1,200.5万", 12_005_000),
        ("１，０００万", 10_000_000),  # typed with a Chinese input method
        ("500 万元", 5_000_000),
        ("五百万", 5_000_000),
        ("五百万元", 5_000_000),
        ("一点二亿", 120_000_000),
        ("五亿五千万", 550_000_000),
        ("两千万", 20_000_000),
        ("伍佰万", 5_000_000),
        ("一千零五十万", 10_500_000),  # 1050万, not 1005 × 十万
        ("三点五万元", 35_000),
        ("五百元", 500),
        ("五百", 5_000_000),  # bare, like 500: in the column's 万元
    ],
)
def test_amounts_in_groups_of_three_and_in_chinese_numerals_are_exact(raw: str, yuan: int) -> None:
    assert parse_amount(raw) == yuan


@pytest.mark.parametrize("raw", ["一万五", "五百万五", "一二三", "二百五", "一千五", "五亿五百万"])
def test_colloquial_chinese_numerals_are_refused_not_guessed(raw: str) -> None:
    """一万五 said aloud is 15,000 and 五百万五 is 505万: written so, they are refused."""
    assert refused(raw) == "import.bad_amount"


def test_one_ceiling_for_money() -> None:
    assert parse_amount(MAX_YUAN, default_unit=1) == MAX_YUAN
    for raw in ("99999999999999999999999亿", 2**63, str(MAX_YUAN + 1)):
        assert refused(raw, default_unit=1) == "import.amount_too_large"
    with pytest.raises(InvalidInput) as info:
        parse_amount_range("1-99999999999999999999亿")
    assert info.value.code == "import.amount_too_large"
    assert "1,000,000,000,000,000" in info.value.message("zh")


def test_ids_are_normalised_and_names_keep_to_one_visible_line() -> None:
    assert parse_id("ＸＨ２０２６－Ｐ００１") == "XH2026-P001"
    assert parse_id(" 星火2026_S1 ") == "星火2026_S1"
    for raw, char in [
        (f"XH2026-P001{ZWSP}", "U+200B"),
        ('E"1', '"'),
        ("E\\1", "\\"),
        ("E.1", "."),
        ("E 1", "U+0020"),
        ("XH2026-Р001", "Р"),  # a Cyrillic Er, not a P
    ]:
        with pytest.raises(InvalidInput) as info:
            parse_id(raw, "code")
        problem = info.value.problems[0]
        assert (info.value.code, problem.column, problem.params["char"]) == (
            "field.bad_id",
            "code",
            char,
        )
    for raw in ("甲\n乙", "甲\t乙", f"{RLO}甲乙", f"甲{ZWSP}乙", "甲\u2066乙", "甲\x85乙"):
        with pytest.raises(InvalidInput) as info:
            check_name(raw)
        assert info.value.code == "field.bad_name_char", repr(raw)
    assert check_name("Silverline Angels 银线天使") == "Silverline Angels 银线天使"


# ---- every entry point --------------------------------------------------------------------


def page_upload(client: Any, url: str, name: str, data: bytes, **form: str) -> Any:
    payload = {"csrf": CSRF, "file": (io.BytesIO(data), name), **form}
    return client.post(url, data=payload, headers=HTML, content_type="multipart/form-data")


def page_problems(response: Any) -> list[tuple[str, str, str, str]]:
    """(row, column, value, message) of every problem the import page lists."""
    return PROBLEM_ROW.findall(response.get_data(as_text=True))


def cli(db_url: str, tmp_path: Any, *args: str, data: bytes) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "sheet.csv"
    path.write_bytes(data)
    return subprocess.run(
        [MATCHMAKER, "--db", db_url, *args, str(path)],
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_amounts_beyond_the_ceiling_are_422_naming_the_row_at_every_entry_point(
    client, accounts, factory, db_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    projects = (
        PROJECTS
        + "T-P901,太大,先进制造,99999999999999999999999亿,S1\n"
        + f"T-P902,二的六十三次方,先进制造,{2**63}元,S1\n"
        + "T-P903,正常,先进制造,500,S1\n"
    ).encode()
    institutions = (INSTITUTIONS + "T-I901,太大机构,风险投资,1-99999999999999999999亿\n").encode()
    intents = (INTENTS + "T-P001,T-I01,签约意向,100000000001,2026-11-20\n").encode()
    before = db_snapshot(factory)

    sign_in(client, factory, "organiser")
    page = page_upload(client, "/import", "p.csv", projects, kind="projects")
    assert page.status_code == 422
    found = page_problems(page)
    assert [(row, column) for row, column, _v, _m in found] == [
        ("2", "融资需求(万元)"),
        ("3", "融资需求(万元)"),
    ]
    assert all("金额过大" in message for _r, _c, _v, message in found)
    page = page_upload(client, "/import", "i.csv", institutions, kind="institutions")
    assert page.status_code == 422
    assert [(r, c) for r, c, _v, _m in page_problems(page)] == [("2", "单笔投资额(万元)")]

    result = cli(db_url, tmp_path, "import", "projects", data=projects)
    assert result.returncode == 2, result.stderr
    assert "第 2 行 [融资需求(万元)]" in result.stderr and "金额过大" in result.stderr
    assert "Traceback" not in result.stderr and "OverflowError" not in result.stderr
    result = cli(db_url, tmp_path, "intents", "import", data=intents)
    assert result.returncode == 2 and "第 2 行 [金额(万元)]" in result.stderr, result.stderr

    staff, organiser = accounts.headers("staff"), accounts.headers("organiser")
    upload = {"file": (io.BytesIO(intents), "意向.csv")}
    body = assert_error(
        client.post(
            "/api/v1/events/T2026/intents/import",
            data=upload,
            headers=staff,
            content_type="multipart/form-data",
        ),
        422,
    )
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        (2, "金额(万元)", "import.amount_too_large")
    ]
    intent = {"project_id": "T-P001", "institution_id": "T-I01", "status": "negotiating"}
    for amount in ("99999999999999999999999亿", MAX_YUAN + 1):
        body = assert_error(
            client.post("/api/v1/intents", json={**intent, "amount": amount}, headers=staff), 422
        )
        assert [e["field"] for e in body["errors"]] == ["amount"]
    patch = {"funding_ask": MAX_YUAN + 1}
    response = client.patch("/api/v1/projects/T-P001", json=patch, headers=organiser)
    assert [e["field"] for e in assert_error(response, 422)["errors"]] == ["funding_ask"]
    assert db_snapshot(factory) == before

    # the ceiling itself is a storable amount on both databases
    at_limit = (PROJECTS + f'T-P904,上限,先进制造,"{MAX_YUAN:,}元",S1\n').encode()
    assert page_upload(client, "/import", "p.csv", at_limit, kind="projects").status_code == 200
    with transaction(factory) as db:
        assert db.scalar(select(Project.funding_ask).where(Project.code == "T-P904")) == MAX_YUAN


def test_misreadable_amounts_are_refused_by_row_and_chinese_numerals_read_exactly(
    client, accounts, factory, db_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    sheet = (
        PROJECTS
        + "T-P901,上标,先进制造,5²万,S1\n"
        + 'T-P902,小数逗号,先进制造,"1,2亿",S1\n'
        + "T-P903,空格,先进制造,5 00万,S1\n"
        + 'T-P904,两组,先进制造,"2,5万",S1\n'
    ).encode()
    before = db_snapshot(factory)
    sign_in(client, factory, "organiser")
    page = page_upload(client, "/import", "p.csv", sheet, kind="projects")
    assert page.status_code == 422
    assert [(r, c, v) for r, c, v, _m in page_problems(page)] == [
        ("2", "融资需求(万元)", "5²万"),
        ("3", "融资需求(万元)", "1,2亿"),
        ("4", "融资需求(万元)", "5 00万"),
        ("5", "融资需求(万元)", "2,5万"),
    ]
    result = cli(db_url, tmp_path, "import", "projects", data=sheet)
    assert result.returncode == 2 and "第 3 行 [融资需求(万元)] '1,2亿'" in result.stderr
    staff = accounts.headers("staff")
    intent = {"project_id": "T-P001", "institution_id": "T-I01", "status": "negotiating"}
    body = assert_error(
        client.post("/api/v1/intents", json={**intent, "amount": "1,2亿"}, headers=staff), 422
    )
    assert [e["field"] for e in body["errors"]] == ["amount"]
    assert db_snapshot(factory) == before

    good = (PROJECTS + "T-P905,中文数字,先进制造,五百万,S1\n").encode()
    assert page_upload(client, "/import", "p.csv", good, kind="projects").status_code == 200
    made = client.post("/api/v1/intents", json={**intent, "amount": "一点二亿"}, headers=staff)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["amount"] == 120_000_000
    with transaction(factory) as db:
        assert db.scalar(select(Project.funding_ask).where(Project.code == "T-P905")) == 5_000_000


def test_lookalike_ids_and_unsafe_names_are_refused_naming_the_field(
    client, accounts, factory, db_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    sheet = (
        PROJECTS
        + f"T-P001{ZWSP},看似重复,先进制造,,S1\n"
        + '"T-P902","换行\n名称",先进制造,,S1\n'
        + f"T-P903,{RLO}名称反转,先进制造,,S1\n"
        + "T.P904,带点编号,先进制造,,S1\n"
    ).encode()
    institutions = (INSTITUTIONS + f"T-I01{ZWSP},看似重复的机构,风险投资,\n").encode()
    before = db_snapshot(factory)

    sign_in(client, factory, "organiser")
    page = page_upload(client, "/import", "p.csv", sheet, kind="projects")
    assert page.status_code == 422
    found = page_problems(page)
    assert [(r, c) for r, c, _v, _m in found] == [
        ("2", "报名编号"),
        ("3", "项目名称"),
        ("4", "项目名称"),
        ("5", "报名编号"),
    ]
    assert "U+200B" in found[0][3] and "U+000A" in found[1][3] and "U+202E" in found[2][3]
    page = page_upload(client, "/import", "i.csv", institutions, kind="institutions")
    assert [(r, c) for r, c, _v, _m in page_problems(page)] == [("2", "机构编号")]

    result = cli(db_url, tmp_path, "import", "projects", data=sheet)
    assert result.returncode == 2 and "第 2 行 [报名编号]" in result.stderr, result.stderr
    assert "U+200B" in result.stderr and "Traceback" not in result.stderr

    refusals = [
        ("/api/v1/projects", {"id": f"T-P001{ZWSP}", "name": "甲", "track": "先进制造"}, "id"),
        ("/api/v1/projects", {"id": "T-P905", "name": "换行\n名称", "track": "先进制造"}, "name"),
        ("/api/v1/institutions", {"id": "T-I905", "name": f"{RLO}乙", "type": "vc"}, "name"),
        ("/api/v1/events", {"code": 'E"1', "name": "引号", "year": 2026}, "code"),
        ("/api/v1/events", {"code": "E\\1", "name": "反斜杠", "year": 2026}, "code"),
        ("/api/v1/events", {"code": "E.1", "name": "点", "year": 2026}, "code"),
        ("/api/v1/events", {"code": "E2", "name": "两\n行", "year": 2026}, "name"),
    ]
    for url, body, field in refusals:
        errors = assert_error(client.post(url, json=body, headers=organiser), 422)["errors"]
        assert [e["field"] for e in errors] == [field], (url, body, errors)
    patch = client.patch("/api/v1/projects/T-P001", json={"name": "甲\n乙"}, headers=organiser)
    assert [e["field"] for e in assert_error(patch, 422)["errors"]] == ["name"]
    session = {
        "code": "S.3",
        "name": "专场",
        "kind": "local",
        "date": "2036-12-10",
        "start": "09:00",
        "end": "10:00",
        "slot_minutes": 20,
        "tables": 2,
    }
    response = client.post("/api/v1/events/T2026/sessions", json=session, headers=organiser)
    assert [e["field"] for e in assert_error(response, 422)["errors"]] == ["code"]
    assert db_snapshot(factory) == before

    # full-width ids are the same ids, stored as ASCII and reachable at their URL
    made = client.post(
        "/api/v1/projects",
        json={"id": "Ｔ－Ｐ９０６", "name": "全角编号", "track": "先进制造"},
        headers=organiser,
    )
    assert made.status_code == 201 and made.get_json()["id"] == "T-P906"
    assert client.get("/api/v1/projects/T-P906", headers=organiser).status_code == 200
    event = {"code": "ＸＨ２０２７", "name": "星火杯", "year": 2027}
    assert client.post("/api/v1/events", json=event, headers=organiser).status_code == 201
    with transaction(factory) as db:
        assert db.scalar(select(Event.code).where(Event.name == "星火杯")) == "XH2027"
        assert db.scalar(select(Institution.id).where(Institution.code == f"T-I01{ZWSP}")) is None
