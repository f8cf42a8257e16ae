"""Reading and validating registration sheets (no database)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from matchmaker.errors import ImportRejected
from matchmaker.tabular.formulas import neutralise, restore
from matchmaker.tabular.read import read_sheet
from matchmaker.tabular.records import INSTITUTIONS, PROJECTS, parse_table
from matchmaker.tabular.write import write_table

DATA = Path(__file__).parent / "data"
SESSIONS = {"s1": "S1", "s2": "S2", "本地专场": "S1", "全国专场": "S2"}


def parse(data: bytes, name: str, spec=PROJECTS):  # type: ignore[no-untyped-def]
    return parse_table(read_sheet(data, name, spec.header_names()), spec, SESSIONS)


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_utf8_bom_gbk_and_plain_utf8_read_the_same() -> None:
    text = (DATA / "projects.csv").read_bytes().decode("utf-8-sig")
    variants = {
        "bom": (DATA / "projects.csv").read_bytes(),
        "utf8": text.encode("utf-8"),
        "gbk": text.encode("gb18030"),
    }
    parsed = {k: parse(v, "p.csv") for k, v in variants.items()}
    assert all(not p.problems for p in parsed.values())
    assert parsed["bom"].records == parsed["utf8"].records == parsed["gbk"].records
    assert read_sheet(variants["gbk"], "p.csv").encoding == "gbk"


def test_traditional_row_is_kept_as_written() -> None:
    parsed = parse((DATA / "projects.csv").read_bytes(), "projects.csv")
    row = next(r for r in parsed.records if r["code"] == "T-P003")
    assert row["name"] == "港澳跨境冷鏈物流平台"
    assert row["sectors"] == ["冷鏈物流", "跨境電商"]
    assert row["track"] == "modern_services" and row["stage"] == "pre_a"
    assert row["funding_ask"] == 120_000_000


def test_xlsx_with_a_title_row_and_numeric_cells() -> None:
    data = xlsx(
        [
            ["2026年星火杯报名汇总表"],
            ["报名编号", "项目名称", "赛道", "阶段", "融资需求（万元）", "对接专场"],
            ["X-1", "氢能重卡", "绿色经济", "A轮", 1500, "全国专场"],
            [None, None, None, None, None, None],
            ["X-2", "银发旅居", "银发经济", "天使", 80.5, "S1"],
        ]
    )
    parsed = parse(data, "报名表.xlsx")
    assert not parsed.problems
    assert [(r["_row"], r["code"], r["funding_ask"], r["sessions"]) for r in parsed.records] == [
        (3, "X-1", 15_000_000, ["S2"]),
        (5, "X-2", 805_000, ["S1"]),
    ]


def test_header_unit_in_yuan_is_respected() -> None:
    data = "id,name,track,融资需求(元)\nA,甲,先进制造,3000000\n".encode()
    assert parse(data, "a.csv").records[0]["funding_ask"] == 3_000_000


def test_english_headers_and_ticket_columns() -> None:
    parsed = parse((DATA / "institutions.csv").read_bytes(), "institutions.csv", INSTITUTIONS)
    assert not parsed.problems
    first = parsed.records[0]
    assert (first["ticket_min"], first["ticket_max"]) == (3_000_000, 30_000_000)
    assert first["stages"] == ["angel", "pre_a", "a"]
    assert first["portfolio"][0] == {"company": "清源储能科技", "sectors": ["储能"], "stage": "a"}
    assert parsed.records[1]["sessions"] == ["S1", "S2"]


def test_every_problem_is_listed_with_row_column_and_value() -> None:
    parsed = parse((DATA / "projects_bad.csv").read_bytes(), "projects_bad.csv")
    found = {
        (p.row, p.column, p.code, None if p.value is None else str(p.value))
        for p in parsed.problems
    }
    assert found == {
        (3, "融资需求(万元)", "import.bad_amount", "约五百万"),
        (4, "阶段", "import.bad_stage", "天使2轮"),
        (5, "报名编号", "import.duplicate_id", "T-P101"),
        (6, "融资需求(万元)", "import.negative_amount", "-50"),
        (7, "项目名称", "import.required", None),
    }
    assert "第 4 行" in parsed.problems[1].line("zh")
    assert "row 4" in parsed.problems[1].line("en")


def test_missing_required_column_is_named() -> None:
    parsed = parse((DATA / "projects_missing_column.csv").read_bytes(), "m.csv")
    assert [p.code for p in parsed.problems] == ["import.missing_column"]
    assert "赛道" in parsed.problems[0].message("zh")
    assert "track" in parsed.problems[0].message("en")


def test_unknown_session_and_ticket_range_inverted() -> None:
    data = "id,name,type,ticket_min_wan,ticket_max_wan,sessions\nI1,甲,VC,500,100,S9\n".encode()
    parsed = parse(data, "i.csv", INSTITUTIONS)
    assert {p.code for p in parsed.problems} == {"import.bad_session"}
    data = "id,name,type,单笔投资额(万元)\nI1,甲,VC,500-100\n".encode()
    parsed = parse(data, "i.csv", INSTITUTIONS)
    assert [p.code for p in parsed.problems] == ["import.range_inverted"]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"\x81\x30\xff\xfe\xfd" * 10 + b"\xff", "bad.csv", "import.encoding"),
        (b"not a zip", "bad.xlsx", "import.not_xlsx"),
        (b"whatever", "bad.pdf", "import.unsupported_format"),
    ],
)
def test_unreadable_files_are_refused_clearly(data: bytes, name: str, code: str) -> None:
    with pytest.raises(ImportRejected) as info:
        read_sheet(data, name)
    assert info.value.code == code


def test_empty_file_is_a_problem_not_a_crash() -> None:
    assert [p.code for p in parse(b"", "e.csv").problems] == ["import.empty"]
    assert [p.code for p in parse(b"id,name,track\n", "e.csv").problems] == ["import.empty"]


def test_exports_neutralise_formulas() -> None:
    data = write_table(["名称"], [['=HYPERLINK("http://x")'], ["+1"], ["正常"], [-5]], "csv")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2] == "'+1" and lines[3] == "正常"
    assert lines[4] == "-5"  # numbers are numbers, not formulas
    book = openpyxl.load_workbook(io.BytesIO(write_table(["a"], [["=1+1"]], "xlsx")))
    assert book.active["A2"].value == "'=1+1"


@pytest.mark.parametrize(
    ("stored", "exported"),
    [
        ("=1+1", "'=1+1"),
        (" =1+1", "' =1+1"),  # blanks before the formula do not stop a spreadsheet
        ("\u3000@SUM(1)", "'\u3000@SUM(1)"),  # nor an ideographic space
        ("\t=cmd|' /C calc'!A0", "'\t=cmd|' /C calc'!A0"),
        ("\r-1", "'\r-1"),
        ("＝1+1", "'＝1+1"),  # full-width, as Chinese input methods type it
        ("－5", "'－5"),
        ("'=1+1", "''=1+1"),  # a quote already there survives the round trip
        ("-5", "'-5"),  # text, not a number: a spreadsheet would compute it
        ("正常文本", "正常文本"),
        ("a=b", "a=b"),
        ("'引号开头", "'引号开头"),
    ],
)
def test_formula_like_text_is_quoted_on_export_and_unquoted_on_import(
    stored: str, exported: str
) -> None:
    assert neutralise(stored) == exported
    assert restore(exported) == stored
    assert neutralise(-5) == -5 and neutralise(1.5) == 1.5  # numbers pass untouched


def test_xlsx_export_drops_characters_xml_cannot_hold() -> None:
    book = openpyxl.load_workbook(io.BytesIO(write_table(["a"], [["甲\x00乙\x0b丙"]], "xlsx")))
    assert book.active["A2"].value == "甲乙丙"


def test_an_xlsx_of_exactly_the_row_limit_reads_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit counts data rows: a title row and the header come on top of it."""
    monkeypatch.setattr("matchmaker.tabular.read.MAX_ROWS", 30)
    head = [["2026年报名汇总表"], ["报名编号", "项目名称", "赛道"]]
    rows = [[f"X-{i}", f"项目{i}", "先进制造"] for i in range(31)]
    assert len(parse(xlsx(head + rows[:30]), "名单.xlsx").records) == 30
    with pytest.raises(ImportRejected) as info:
        parse(xlsx(head + rows), "名单.xlsx")
    assert [(p.code, p.row) for p in info.value.problems] == [("import.too_many_rows", 33)]
