"""Hostile input, on SQLite and PostgreSQL: every kind gets a clear 4xx or a row error naming
where, never a 500, and leaves the database exactly as it was (audit trail included).

Kinds: oversized uploads, files that are not what they claim, formulas in cells (kept as text,
neutralised in every export), markup in names (escaped on every page, and no script runs in a
real browser), out-of-range pagination, malformed JSON and wrong content types, very long
Chinese text, and the encodings Chinese spreadsheets are saved in.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import zipfile
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select
from tests_support import CSRF, MATCHMAKER, assert_error, db_snapshot, organiser_pages, sign_in

from matchmaker.db.engine import transaction
from matchmaker.db.models import DueDiligence, Institution, Project
from matchmaker.messages import render
from matchmaker.tabular.formulas import is_formula_like

pytestmark = pytest.mark.fake_encoder  # some vectors are needed, no ranking is measured

HTML = {"Accept": "text/html"}
PROJECTS = "报名编号,项目名称,赛道,所在地区,项目简介,对接专场\n"
INTENTS = "项目编号,机构编号,状态,金额(万元),签约日期,签约人,备注\n"


def page_upload(client: Any, url: str, name: str, data: bytes, **form: str) -> Any:
    payload = {"csrf": CSRF, "file": (io.BytesIO(data), name), **form}
    return client.post(url, data=payload, headers=HTML, content_type="multipart/form-data")


def api_upload(client: Any, headers: dict[str, str], name: str, data: bytes) -> Any:
    return client.post(
        "/api/v1/events/T2026/intents/import",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def xlsx(rows: list[list[Any]], *, as_text: bool = True) -> bytes:
    """A workbook; with ``as_text`` cells starting with ``=`` are text (as Excel stores '=1+1)."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    if as_text:
        for row in book.active.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


# ---- oversized uploads --------------------------------------------------------------------


def test_oversized_uploads_get_413_naming_the_limit(
    app, client, accounts, factory, db_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    app.config["MAX_CONTENT_LENGTH"] = 4096
    limit = "上传的文件或请求内容过大（上限 4 KB）"
    big_intents = (INTENTS + "T-P001,T-I01,关注,,,," + "长" * 3000 + "\n").encode()
    big_projects = (PROJECTS + "T-P901,大文件,先进制造,,," + "长" * 3000 + ",S1\n").encode()
    before = db_snapshot(factory)

    body = assert_error(api_upload(client, accounts.headers("staff"), "意向.csv", big_intents), 413)
    assert body["message"] == limit
    patch = {"description": "长" * 3000}
    body = assert_error(
        client.patch("/api/v1/projects/T-P001", json=patch, headers=accounts.headers("organiser")),
        413,
    )
    assert body["message"] == limit

    sign_in(client, factory, "organiser")
    for url, data in (("/import", big_projects), ("/intents/import", big_intents)):
        page = page_upload(client, url, "big.csv", data, kind="projects")
        assert page.status_code == 413, url
        assert limit in text_of(page) and 'type="file"' in text_of(page)  # the form, again

    # the command refuses a file over the same limit, in one line
    env = {**os.environ, "MATCHMAKER_MAX_UPLOAD_BYTES": "4096"}
    for args, data in (
        (["import", "projects"], big_projects),
        (["intents", "import"], big_intents),
    ):
        path = tmp_path / "big.csv"
        path.write_bytes(data)
        result = subprocess.run(
            [MATCHMAKER, "--db", db_url, *args, str(path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode != 0 and f"error: {limit}" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert db_snapshot(factory) == before


# ---- files that are not what they claim ---------------------------------------------------


def _not_sheets(header: str) -> list[tuple[str, str, bytes, str, int | None]]:
    """(what, file name, bytes, expected problem code, expected row)."""
    good = xlsx([header.strip().split(","), ["x"] * len(header.split(","))])
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    packed = io.BytesIO(good)
    with zipfile.ZipFile(packed, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(3 * 2**20))  # 3 MB of zeros, packs to 3 KB
    bomb = packed.getvalue()
    return [
        (
            "a PNG named .xlsx",
            "名单.xlsx",
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
            "import.not_a_sheet",
            None,
        ),
        ("a truncated xlsx", "名单.xlsx", good[: len(good) // 2], "import.not_xlsx", None),
        (
            "an old .xls",
            "名单.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            "import.xls_or_encrypted",
            None,
        ),
        ("a Word file", "名单.xlsx", docx.getvalue(), "import.not_xlsx", None),
        ("an empty .xlsx", "名单.xlsx", b"", "import.empty", None),
        ("an empty .csv", "名单.csv", b"", "import.empty", None),
        ("a header only", "名单.csv", header.encode(), "import.empty", None),
        (
            "a 50,000-column row",
            "名单.csv",
            (header.strip() + ",x" * 50_000 + "\n").encode(),
            "import.too_wide",
            1,
        ),
        (
            "a NUL byte in a cell",
            "名单.csv",
            (header + "T-P001,T-I01\x00,关注,,,,\n").encode(),
            "import.control_char",
            2,
        ),
        ("binary noise", "名单.csv", bytes([0x81, 0x30, 0xFF]) * 40, "import.encoding", 1),
        ("a 16,384-column sheet", "名单.xlsx", xlsx([["x"] * 16_384]), "import.too_wide", 1),
        ("a zip bomb", "名单.xlsx", bomb, "import.xlsx_too_big", None),
        ("a PDF", "名单.pdf", b"%PDF-1.7", "import.unsupported_format", None),
    ]


def test_files_that_are_not_what_they_claim_are_refused_by_name(
    client, accounts, factory, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("matchmaker.tabular.read.MAX_XLSX_UNPACKED", 2 * 2**20)  # 512 MB in use
    staff = accounts.headers("staff")
    before = db_snapshot(factory)
    for what, name, data, code, row in _not_sheets(INTENTS):
        body = assert_error(api_upload(client, staff, name, data), 422)
        problem = body["errors"][0]
        assert problem["code"] == code, what
        assert problem.get("row") == row, what
        headline = (problem["message"], render("import.rejected", count=1))
        assert body["message"] in headline, what  # the file's fault, said in Chinese
        if code == "import.control_char":
            assert (problem["column"], problem["value"]) == ("机构编号", "T-I01\x00")
    sign_in(client, factory, "organiser")
    for what, name, data, code, _row in _not_sheets(PROJECTS):
        page = page_upload(client, "/import", name, data, kind="projects")
        assert page.status_code == 422, what
        shown = render(code).split("{")[0][:6]  # the sentence up to its first placeholder
        assert shown in text_of(page), (what, shown)
        assert 'data-testid="import-rejected"' in text_of(page), what
    assert db_snapshot(factory) == before

    # a workbook named .csv is still a workbook: the content decides, and it imports
    rows = [PROJECTS.strip().split(","), ["T-P950", "改名的表格", "先进制造", "", "", "S1"]]
    page = page_upload(client, "/import", "名单.csv", xlsx(rows), kind="projects")
    assert page.status_code == 200 and 'data-testid="import-ok"' in text_of(page)


# ---- formulas in cells --------------------------------------------------------------------

FORMULAS = {
    "T-P801": ("=cmd|' /C calc'!A0", "+1", '=HYPERLINK("http://evil.example","点我")'),
    "T-P802": ("-1+2", "@SUM(1)", "＝1+1"),
    "T-P803": ("'=1+1", " =1+1", "-5"),  # a quote before a formula is the sheet's text mark
}
STORED = {"T-P803": ("=1+1", "=1+1", "-5")}


def _exported_cells(response: Any, fmt: str) -> list[Any]:
    assert response.status_code == 200, text_of(response)[:300]
    if fmt == "csv":
        rows = csv.reader(io.StringIO(response.data.decode("utf-8-sig")))
        return [cell for row in rows for cell in row]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)  # no formula anywhere
    return [cell.value for cell in cells]


def _assert_neutralised(cells: list[Any], expected: set[str], where: str) -> None:
    texts = [c for c in cells if isinstance(c, str)]
    assert not [c for c in texts if is_formula_like(c)], where
    assert expected <= set(texts), (where, expected - set(texts))


def test_formulas_are_kept_as_text_and_neutralised_in_every_export(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    sign_in(client, factory, "organiser")
    out = io.StringIO()
    csv.writer(out).writerows(
        [code, name, "先进制造", region, text, "S1"]
        for code, (name, region, text) in FORMULAS.items()
    )
    projects = PROJECTS + out.getvalue()
    assert (
        page_upload(client, "/import", "p.csv", projects.encode(), kind="projects").status_code
        == 200
    )
    institutions = "机构编号,机构名称,机构类型,关注地区,参加专场\nT-I801,=1+1,风险投资,@地区,S1\n"
    page = page_upload(client, "/import", "i.csv", institutions.encode(), kind="institutions")
    assert page.status_code == 200, text_of(page)
    with transaction(factory) as db:
        stored = {p.code: (p.name, p.region, p.description) for p in db.scalars(select(Project))}
        assert db.scalar(select(Institution.name).where(Institution.code == "T-I801")) == "=1+1"
    assert {c: stored[c] for c in FORMULAS} == {**FORMULAS, **STORED}  # kept as typed

    intents = INTENTS + 'T-P801,T-I801,签约意向,500,2026-11-20,@SUM(1),=HYPERLINK("x")\n'
    made = api_upload(client, staff, "i.csv", intents.encode())
    assert made.status_code == 200, made.get_json()
    booked = client.post(
        "/api/v1/meeting-requests",
        json={"session": "S1", "project_id": "T-P801", "institution_id": "T-I801", "slot": 2},
        headers=organiser,
    )
    assert booked.status_code == 201, booked.get_json()
    accepted = client.post(
        f"/api/v1/meeting-requests/{booked.get_json()['id']}/accept", headers=organiser
    )
    assert accepted.status_code == 200, accepted.get_json()

    names = {"'" + n for n, _r, _d in (FORMULAS | STORED).values()}
    quoted = {"'@SUM(1)", '\'=HYPERLINK("x")'}
    downloads = {
        "/export/projects.{fmt}": names,
        "/export/institutions.{fmt}": {"'=1+1", "'@地区"},
        "/api/v1/events/T2026/intents.{fmt}": quoted,
        "/intents/export.{fmt}": quoted,
        "/api/v1/events/T2026/agenda.{fmt}": {"'=1+1", "'=cmd|' /C calc'!A0"},
        "/agenda/export.{fmt}": {"'=1+1", "'=cmd|' /C calc'!A0"},
    }
    for url, expected in downloads.items():
        for fmt in ("csv", "xlsx"):
            response = client.get(url.format(fmt=fmt), headers={**organiser, **HTML})
            _assert_neutralised(_exported_cells(response, fmt), expected, url.format(fmt=fmt))
    for url in (
        "/api/v1/reports/funnel.xlsx?by=institution",
        "/reports/funnel.xlsx?by=institution",
    ):
        cells = _exported_cells(client.get(url, headers=staff), "xlsx")
        _assert_neutralised(cells, {"'=1+1"}, url)
        assert 5_000_000 in cells  # amounts stay numbers

    # an export imports back unchanged: the quote comes off again
    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/export/projects.{fmt}", headers=HTML).data
        again = page_upload(client, "/import", f"p.{fmt}", exported, kind="projects")
        assert "新增 0，更新 0" in text_of(again), fmt
    with transaction(factory) as db:
        assert {
            p.code: (p.name, p.region, p.description) for p in db.scalars(select(Project))
        } == stored


def with_results(data: bytes, results: dict[str, tuple[str, str]]) -> bytes:
    """Save results beside formula cells, as Excel does: ``{"B2": ("str", "智能储能")}``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for ref, (kind, value) in results.items():
                    cell = rf'<c r="{ref}"><f>(.*?)</f><v ?/>'
                    text = re.sub(cell, rf'<c r="{ref}" t="{kind}"><f>\1</f><v>{value}</v>', text)
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_formula_cells_count_as_their_saved_results_or_are_row_errors(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, factory, "organiser")
    header = PROJECTS.strip().split(",")
    rows = [
        header,
        ["T-P860", "=1+1", "先进制造", '=IF(1,"山西")', "=1/0", "S1"],
        ["T-P861", '=CONCAT("智能","储能")', "先进制造", "", "", "S1"],
    ]
    results = {"D2": ("str", "山西"), "E2": ("e", "#DIV/0!"), "B3": ("str", "智能储能")}
    before = db_snapshot(factory)
    book = with_results(xlsx(rows, as_text=False), results)
    page = page_upload(client, "/import", "公式.xlsx", book, kind="projects")
    assert page.status_code == 422
    problems = re.findall(
        r"<tr><td class=\"n\">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td>", text_of(page)
    )
    # no saved result: named with its formula; an Excel error: named with the error
    assert problems == [("2", "项目名称", "=1+1"), ("2", "项目简介", "#DIV/0!")]
    assert "没有保存计算结果" in text_of(page) and "Excel 错误 #DIV/0!" in text_of(page)
    assert db_snapshot(factory) == before

    book = with_results(xlsx([header, rows[2]], as_text=False), {"B2": ("str", "智能储能")})
    assert page_upload(client, "/import", "公式.xlsx", book, kind="projects").status_code == 200
    with transaction(factory) as db:  # what Excel showed, not the formula
        assert db.scalar(select(Project.name).where(Project.code == "T-P861")) == "智能储能"


# ---- markup in names ----------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
LINK = "javascript:alert(1)"
RAW = ("<script>alert", "<img src=x", 'href="javascript:', "onerror=alert(1)>")


def plant_markup(client: Any, accounts: Any, factory: Any) -> int:
    """Give T-P001, T-I01, an intent and a task names and texts that are markup; return the
    intent's id."""
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    project = {"name": SCRIPT, "description": f"{IMG} {LINK}", "region": IMG, "sectors": [SCRIPT]}
    institution = {"name": IMG, "thesis": SCRIPT, "regions": [SCRIPT], "focus_sectors": [IMG]}
    for url, body in (
        ("/api/v1/projects/T-P001", project),
        ("/api/v1/institutions/T-I01", institution),
    ):
        assert client.patch(url, json=body, headers=organiser).status_code == 200
    intent = client.post(
        "/api/v1/intents",
        json={
            "project_id": "T-P001",
            "institution_id": "T-I01",
            "status": "signed",
            "amount": "300万",
            "signed_at": "2026-11-20",
            "signatories": SCRIPT,
            "note": f"{IMG} {LINK}",
        },
        headers=staff,
    )
    assert intent.status_code == 201, intent.get_json()
    task = client.post(
        "/api/v1/due-diligence",
        json={"project_id": "T-P001", "institution_id": "T-I01", "owner": SCRIPT, "outcome": IMG},
        headers=staff,
    )
    assert task.status_code == 201, task.get_json()
    booked = client.post(
        "/api/v1/meeting-requests",
        json={
            "session": "S1",
            "project_id": "T-P001",
            "institution_id": "T-I01",
            "slot": 1,
            "message": SCRIPT,
        },
        headers=organiser,
    )
    assert booked.status_code == 201, booked.get_json()
    return int(intent.get_json()["id"])


def test_markup_in_names_and_descriptions_is_escaped_on_every_page(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    intent_id = plant_markup(client, accounts, factory)
    with transaction(factory) as db:
        task_id = db.scalar(select(DueDiligence.id))
    sign_in(client, factory, "organiser")
    pages = [
        *organiser_pages(intent_id, task_id),
        "/projects?q=script",
        "/projects/%3Cscript%3Ealert(1)%3C%2Fscript%3E",  # the 404 page repeats the id
    ]
    for url in pages:
        response = client.get(url, headers=HTML)
        assert response.status_code in (200, 404), (url, response.status_code)
        page = text_of(response)
        assert not [raw for raw in RAW if raw in page], url
        if response.status_code == 200 and url not in ("/", "/duplicates", "/reports?by=region"):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&lt;img src=x" in page, url
    # a refused import repeats the bad cells: escaped too
    bad = (PROJECTS + f'T-P901,"{IMG.replace(chr(34), chr(34) * 2)}",{SCRIPT},,,S1\n').encode()
    page = page_upload(client, "/import", "p.csv", bad, kind="projects")
    assert page.status_code == 422 and not [raw for raw in RAW if raw in text_of(page)]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text_of(page)


# ---- pagination ---------------------------------------------------------------------------

LISTS = {
    "/api/v1/projects": ("page", "page_size", 1_000_000, 200),
    "/api/v1/institutions": ("page", "page_size", 1_000_000, 200),
    "/api/v1/events": ("page", "page_size", 1_000_000, 200),
    "/api/v1/intents": ("page", "page_size", 1_000_000, 200),
    "/api/v1/due-diligence": ("page", "page_size", 1_000_000, 200),
    "/api/v1/institutions/T-I01/shortlist": ("page", "k", 10_000, 200),
    "/api/v1/projects/T-P001/recommendations": ("page", "k", 10_000, 200),
}


def test_out_of_range_pagination_is_422_naming_the_field(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    organiser = accounts.headers("organiser")
    before = db_snapshot(factory)
    for url, (page, size, last_page, largest) in LISTS.items():
        for field, value in (
            (page, "0"),
            (page, "-1"),
            (page, str(10**12)),
            (page, "abc"),
            (page, "1.5"),
            (page, "9" * 5000),
            (size, "0"),
            (size, str(10**9)),
            (size, "-3"),
        ):
            body = assert_error(
                client.get(url, query_string={field: value}, headers=organiser), 422
            )
            assert [(e["location"], e["field"]) for e in body["errors"]] == [("query", field)], (
                url,
                field,
                value,
            )
        last = client.get(url, query_string={page: last_page, size: largest}, headers=organiser)
        assert last.status_code == 200, (url, last.get_json())
        assert last.get_json()["items"] == [] and last.get_json()["meta"]["page"] == last_page
    assert db_snapshot(factory) == before


# ---- malformed JSON and wrong content types -----------------------------------------------

DEEP = "[" * 10_000 + "]" * 10_000
NESTED = '{"sectors": ' + "[" * 30 + "]" * 30 + "}"
BIG = '{"name": "' + "x" * 10_000_000 + '"}'
# (what, body, content type, status, "location:field" the error names, text its message holds)
JSON = "application/json"
JSON_CASES = [
    ("truncated", '{"name": "半截', JSON, 400, "json:", "不是有效的 JSON（第 1 行"),
    ("not UTF-8", b'{"name": "\xd6\xd0"}', JSON, 400, "json:", "UTF-8"),
    ("a list", "[1, 2]", JSON, 422, "json:_schema", ""),
    ("a string", '"名称"', JSON, 422, "json:_schema", ""),
    ("nested 10,000 deep", DEEP, JSON, 400, "json:", "嵌套层数过多"),
    ("nested inside a field", NESTED, JSON, 400, "json:sectors" + ".0" * 20, "嵌套层数过多"),
    ("a 10 MB string", BIG, JSON, 422, "json:name", "200"),
    ("a 5,000-digit number", '{"funding_ask": 1' + "0" * 5000 + "}", JSON, 400, "json:", "位数"),
    ("NaN", '{"funding_ask": NaN}', JSON, 400, "json:", "NaN"),
    ("a NUL", '{"name": "甲\\u0000乙"}', JSON, 422, "json:name", "U+0000"),
    ("a lone surrogate", '{"description": "\\ud800"}', JSON, 422, "json:description", "U+D800"),
    ("a bell in a list", '{"sectors": ["储能", "\\u0007"]}', JSON, 422, "json:sectors.1", "U+0007"),
    ("text/plain", '{"name": "新"}', "text/plain", 415, "headers:Content-Type", JSON),
    (
        "form data",
        "name=新",
        "application/x-www-form-urlencoded",
        415,
        "headers:Content-Type",
        JSON,
    ),
    ("no content type", '{"name": "新"}', "", 415, "headers:Content-Type", JSON),
]


def test_malformed_json_and_wrong_content_types_are_refused(app, client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    before = db_snapshot(factory)
    targets = [
        ("PATCH", "/api/v1/projects/T-P001", organiser),
        ("PATCH", "/api/v1/institutions/T-I01", organiser),
        ("POST", "/api/v1/intents", staff),
        ("POST", "/api/v1/due-diligence", staff),
        ("POST", "/api/v1/meeting-requests", organiser),
    ]
    for what, body, ctype, status, where, message in JSON_CASES:
        for method, url, headers in targets:
            if where.split(":")[1] not in ("", "_schema", "Content-Type") and "T-P001" not in url:
                continue  # field-named cases are about the project's fields
            response = client.open(
                url, method=method, data=body, content_type=ctype, headers=headers
            )
            error = assert_error(response, status)["errors"]
            assert error, (what, url)
            assert f"{error[0]['location']}:{error[0]['field']}" == where, (what, url, error)
            assert message in error[0]["message"], (what, url, error)
    # a file upload sent as JSON, or as raw CSV
    for body, ctype in (('{"file": "a.csv"}', "application/json"), (INTENTS, "text/csv")):
        response = client.post(
            "/api/v1/events/T2026/intents/import", data=body, content_type=ctype, headers=staff
        )
        error = assert_error(response, 415)["errors"][0]
        assert error["field"] == "Content-Type" and "multipart/form-data" in error["message"]
    # numbers beyond BIGINT: SQLite cannot even bind them
    huge = {"project_id": "T-P001", "institution_id": "T-I01", "meeting_id": 10**20}
    error = assert_error(client.post("/api/v1/intents", json=huge, headers=staff), 422)["errors"]
    assert error[0]["field"] == "meeting_id" and "超出范围" in error[0]["message"]
    error = assert_error(client.get("/api/v1/intents/99999999999999999999", headers=staff), 422)
    assert (error["errors"][0]["location"], error["errors"][0]["field"]) == ("path", "intent_id")
    # a NUL in a query, a path or a page form
    for url in (
        "/api/v1/projects?q=%00",
        "/api/v1/projects/T%00P001",
        "/api/v1/intents?project_id=%00",
    ):
        assert_error(client.get(url, headers=staff), 422)
    sign_in(client, factory, "staff")
    form = {
        "csrf": CSRF,
        "project": "T-P001",
        "institution": "T-I01",
        "owner": "甲\x00",
        "due_date": "",
    }
    page = client.post("/due-diligence", data=form, headers=HTML)
    assert page.status_code == 422 and "U+0000" in text_of(page)
    assert db_snapshot(factory) == before


# ---- very long Chinese text ---------------------------------------------------------------

LONG = "长" * 100_000


def test_very_long_chinese_text_is_refused_naming_the_field_and_limit(
    client, accounts, factory
) -> None:  # type: ignore[no-untyped-def]
    organiser, staff = accounts.headers("organiser"), accounts.headers("staff")
    before = db_snapshot(factory)
    refused = [
        ("/api/v1/projects/T-P001", {"description": LONG}, "description", "5000"),
        ("/api/v1/projects/T-P001", {"name": "名" * 300}, "name", "200"),
        ("/api/v1/projects/T-P001", {"region": "省" * 201}, "region", "200"),
        ("/api/v1/institutions/T-I01", {"thesis": LONG}, "thesis", "5000"),
        (
            "/api/v1/institutions/T-I01",
            {"portfolio": [{"company": "司" * 201}]},
            "portfolio.0.company",
            "200",
        ),
    ]
    for url, body, field, limit in refused:
        error = assert_error(client.patch(url, json=body, headers=organiser), 422)["errors"]
        assert [e["field"] for e in error] == [field] and limit in error[0]["message"], error
    note = {"project_id": "T-P001", "institution_id": "T-I01", "status": "watching", "note": LONG}
    error = assert_error(client.post("/api/v1/intents", json=note, headers=staff), 422)["errors"]
    assert error[0]["field"] == "note" and "5000" in error[0]["message"]

    sign_in(client, factory, "organiser")
    sheet = (
        PROJECTS + f"T-P901,{'名' * 300},先进制造,,,S1\n" + f"T-P902,长文本,先进制造,,{LONG},S1\n"
    )
    page = page_upload(client, "/import", "长.csv", sheet.encode(), kind="projects")
    assert page.status_code == 422
    found = re.findall(
        r"<tr><td class=\"n\">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>",
        text_of(page),
    )
    assert [(row, column) for row, column, _v, _m in found] == [
        ("2", "项目名称"),
        ("3", "项目简介"),
    ]
    assert "上限 200 字" in found[0][3] and "上限 5000 字" in found[1][3]
    assert all(len(value) <= 81 for _r, _c, value, _m in found)  # the value is named, not repeated
    portfolio = (
        f"机构编号,机构名称,机构类型,已投项目\nT-I901,甲,风险投资,{'司' * 201}（储能，A轮）\n"
    )
    page = page_upload(client, "/import", "机构.csv", portfolio.encode(), kind="institutions")
    assert page.status_code == 422 and "上限 200 字" in text_of(page)  # was a 500 on PostgreSQL
    assert db_snapshot(factory) == before

    # at the limits, text is kept to the character on both databases
    edge = {"name": "名" * 200, "description": "长" * 5000, "region": "省" * 200}
    assert client.patch("/api/v1/projects/T-P001", json=edge, headers=organiser).status_code == 200
    with transaction(factory) as db:
        project = db.scalar(select(Project).where(Project.code == "T-P001"))
        assert (project.name, project.description, project.region) == tuple(edge.values())

    # Chinese reaches HTTP headers too: a download is named after the event's (Chinese) code,
    # and a header must be Latin-1 for the server to send it at all (PEP 3333)
    event = {"code": "星火2026", "name": "星火杯", "year": 2026}
    assert client.post("/api/v1/events", json=event, headers=organiser).status_code == 201
    for url in ("/api/v1/events/星火2026/intents.csv", "/intents/export.xlsx?event=星火2026"):
        disposition = client.get(url, headers={**staff, **HTML}).headers["Content-Disposition"]
        disposition.encode("latin-1")
        assert "filename*=UTF-8''%E6%98%9F%E7%81%AB2026-intents." in disposition, url


# ---- encodings ----------------------------------------------------------------------------

SIMPLIFIED = [("T-P911", "智能储能电池管理系统", "面向工商业储能电站")]
TRADITIONAL = [("T-P912", "港澳跨境冷鏈倉儲平台", "面向粵港澳大灣區的冷鏈")]
RARE = [("T-P913", "𠮷野家餐饮连锁", "生僻字𠮷不在 GBK 中")]  # needs GB18030's four-byte codes


def _csv(rows: list[tuple[str, str, str]], sep: str = ",", traditional: bool = False) -> str:
    """A registration sheet; ``traditional`` writes its headers as Taiwan's Excel users do."""
    headers = ["报名编号", "项目名称", "赛道", "所在地区", "项目简介", "对接专场"]
    track = "现代服务"
    if traditional:
        headers = ["報名編號", "項目名稱", "賽道", "所在地區", "項目簡介", "對接專場"]
        track = "現代服務"
    out = [sep.join(headers)]
    out += [sep.join([code, name, track, "", text, "S1"]) for code, name, text in rows]
    return "\r\n".join(out) + "\r\n"


def test_chinese_encodings_are_read_or_refused_naming_the_row(client, accounts, factory) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, factory, "organiser")
    readable = [
        ("GBK (Excel, mainland)", _csv(SIMPLIFIED).encode("gbk"), SIMPLIFIED),
        ("GB18030", _csv(RARE).encode("gb18030"), RARE),
        (
            "UTF-8 with BOM",
            _csv(SIMPLIFIED + TRADITIONAL).encode("utf-8-sig"),
            SIMPLIFIED + TRADITIONAL,
        ),
        ("UTF-16 (Excel Unicode text)", _csv(SIMPLIFIED, "\t").encode("utf-16"), SIMPLIFIED),
        ("UTF-16 without BOM", _csv(TRADITIONAL, "\t").encode("utf-16-le"), TRADITIONAL),
        ("Big5 (Excel, Taiwan)", _csv(TRADITIONAL, traditional=True).encode("big5"), TRADITIONAL),
        (
            "UTF-8 rows, then GBK rows",
            _csv(TRADITIONAL).encode("utf-8") + _csv(SIMPLIFIED).split("\r\n", 1)[1].encode("gbk"),
            TRADITIONAL + SIMPLIFIED,
        ),
    ]
    for what, data, rows in readable:
        page = page_upload(client, "/import", "报名.csv", data, kind="projects")
        assert page.status_code == 200, (what, text_of(page)[-2000:])
        with transaction(factory) as db:
            for code, name, text in rows:
                project = db.scalar(select(Project).where(Project.code == code))
                assert (project.name, project.description) == (name, text), what  # no mojibake
        if what.startswith("UTF-8 rows"):
            assert "第 1-2 行为 UTF-8，第 3 行为 GBK" in text_of(page)

    before = db_snapshot(factory)
    unreadable = _csv(SIMPLIFIED).encode("utf-8") + b"T-P999,\x81\x30\xff\xfe,\xfe\xfe\r\n"
    page = page_upload(client, "/import", "报名.csv", unreadable, kind="projects")
    assert page.status_code == 422
    assert '<td class="n">3</td>' in text_of(page) and "无法识别文件编码" in text_of(page)
    assert db_snapshot(factory) == before


# ---- a real browser: no script runs -------------------------------------------------------


@pytest.mark.browser
def test_no_script_from_user_text_runs_in_a_real_browser(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import json
    import shutil
    import urllib.request

    from tests_support import demo_server

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("hostile-browser")
    sheet = home / "改名.csv"
    quoted = IMG.replace('"', '""')
    sheet.write_text(
        "报名编号,项目名称,赛道,项目简介,所在地区\n"
        f'XH2026-P001,{SCRIPT},先进制造,"{quoted} {LINK}",{SCRIPT}\n',
        encoding="utf-8",
    )
    institutions = home / "机构.csv"
    institutions.write_text(  # and seat it in S1 too, so the two can meet there
        "机构编号,机构名称,机构类型,投资逻辑,参加专场\n"
        f'XH2026-I01,"{quoted}",风险投资,{SCRIPT},S1、S3\n',
        encoding="utf-8",
    )

    def api(base: str, path: str, token: str = "", body: Any = None) -> Any:
        request = urllib.request.Request(
            base + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    with demo_server(home, "--ledger") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        page = browser.new_context(base_url=base, locale="zh-CN").new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto("/login")
        page.fill("input[name=username]", "organiser")
        page.fill("input[name=password]", "demo1234")
        page.click("button[type=submit]")
        for kind, path in (("projects", sheet), ("institutions", institutions)):
            page.goto("/import")
            page.select_option("select[name=kind]", kind)
            page.set_input_files("input[type=file]", str(path))
            page.click("form.stack button")
            assert page.locator("[data-testid=import-ok]").count() == 1, page.content()[-3000:]

        token = api(
            base, "/api/v1/auth/token", body={"username": "organiser", "password": "demo1234"}
        )["token"]
        slots = api(
            base, "/api/v1/projects/XH2026-P001/free-slots?institution=XH2026-I01&session=S1", token
        )
        booked = {
            "session": "S1",
            "project_id": "XH2026-P001",
            "institution_id": "XH2026-I01",
            "slot": slots[0]["number"],
            "message": SCRIPT,
        }
        api(base, "/api/v1/meeting-requests", token, booked)

        visited = [
            "/projects?q=script",
            "/projects/XH2026-P001",
            "/institutions/XH2026-I01",
            "/shortlist?institution=XH2026-I01",
            "/recommendations?project=XH2026-P001",
            "/intents?institution=XH2026-I01",
            "/due-diligence",
            "/sessions/S1/agenda",
            "/agenda/print",
            "/reports?by=institution",
        ]
        for url in visited:
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            page.wait_for_load_state("networkidle")
            assert page.locator("script:not([src]):not([type='application/json'])").count() == 0, (
                url
            )
            assert page.locator("img[src=x]").count() == 0, url
        # the bar chart's tooltip is HTML: hover every bar, where the institution's name shows
        chart = page.locator("#amount-chart")
        box = chart.bounding_box()
        assert box is not None
        for step in range(1, 40):
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * step / 40)
            page.wait_for_timeout(30)
        assert dialogs == []  # no alert(1) fired anywhere
        tooltip = page.locator("#amount-chart div").filter(has_text="img src=x")
        assert tooltip.count() >= 1  # the name was shown, as text
        browser.close()
