"""The ``matchmaker`` command, run as a user runs it (a real process, a real database file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
MATCHMAKER = str(Path(sys.executable).parent / "matchmaker")


def run(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MATCHMAKER, "--db", db, *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def demo_db(tmp_path: Path) -> str:
    """A SQLite file with the packaged demo event (so `import` has an event to import into)."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = run("demo", "--reset", db=url)
    assert result.returncode == 0, result.stderr
    return url


def counts(db: str) -> tuple[int, int]:
    out = run("export", "projects", db=db).stdout.splitlines()
    institutions = run("export", "institutions", db=db).stdout.splitlines()
    return len(out) - 1, len(institutions) - 1


def test_demo_loads_the_packaged_event(demo_db: str) -> None:
    result = run("--json", "events", db=demo_db)
    events = json.loads(result.stdout)
    assert [e["code"] for e in events] == ["XH2026"]
    sessions = events[0]["sessions"]
    assert [s["code"] for s in sessions] == ["S1", "S2", "S3"]
    assert all(s["slots"] == 9 and s["starts_at"].endswith("09:00:00+08:00") for s in sessions)
    assert counts(demo_db) == (240, 41)


def test_import_into_an_event(tmp_path: Path, demo_db: str) -> None:
    extra = tmp_path / "新增项目.csv"
    extra.write_text(
        "报名编号,项目名称,赛道,阶段,融资需求(万元),所在地区,项目简介\n"
        "XH2026-P901,台灣智慧農業感測,鄉村振興,天使輪,1.2亿,台灣台中市,以低成本土壤感測器協助果農精準灌溉。\n",
        encoding="utf-8",
    )
    result = run("--json", "import", "projects", str(extra), db=demo_db)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["ok"], report["created"], report["updated"]) == (True, 1, 0)
    exported = run("export", "projects", db=demo_db).stdout
    row = next(line for line in exported.splitlines() if line.startswith("XH2026-P901"))
    assert "台灣智慧農業感測" in row and "以低成本土壤感測器" in row  # kept as written
    assert ",12000," in row  # 1.2亿 = 12000万
    again = json.loads(run("--json", "import", "projects", str(extra), db=demo_db).stdout)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert counts(demo_db) == (241, 41)


def test_bad_file_exits_non_zero_lists_problems_and_changes_nothing(demo_db: str) -> None:
    before = run("export", "projects", db=demo_db).stdout
    bad = DATA / "projects_bad.csv"
    result = run("import", "projects", str(bad), db=demo_db)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "error: 文件未导入：发现 5 处问题，数据库未做任何改动"
    assert "第 3 行 [融资需求(万元)] '约五百万'" in lines[1]
    assert any("第 5 行 [报名编号] 'T-P101'" in line and "重复" in line for line in lines)
    assert "Traceback" not in result.stderr
    assert run("export", "projects", db=demo_db).stdout == before


def test_json_errors_name_row_column_and_value(demo_db: str) -> None:
    result = run(
        "--json",
        "--lang",
        "en",
        "import",
        "projects",
        str(DATA / "projects_missing_column.csv"),
        db=demo_db,
    )
    assert result.returncode == 2
    body = json.loads(result.stdout)
    assert body["ok"] is False and body["code"] == "import.rejected"
    assert body["errors"][0]["code"] == "import.missing_column"
    assert "track" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("import", "projects", "/nonexistent/file.csv"), "No such file"),
        (("import", "projects", str(DATA / "event.json")), "不支持的文件格式"),
    ],
)
def test_one_line_reasons(demo_db: str, args: tuple[str, ...], needle: str) -> None:
    result = run(*args, db=demo_db)
    assert result.returncode != 0
    assert needle in result.stderr and "Traceback" not in result.stderr


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    result = run("init", db="postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 2
    assert result.stderr.startswith("error: database error:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_import_without_an_event_says_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert run("init", db=url).returncode == 0
    result = run("import", "projects", str(DATA / "projects.csv"), db=url)
    assert result.returncode == 2 and "matchmaker event create" in result.stderr


def test_xlsx_export_and_reimport(tmp_path: Path, demo_db: str) -> None:
    target = tmp_path / "institutions.xlsx"
    assert run("export", "institutions", "-o", str(target), db=demo_db).returncode == 0
    result = run("--json", "import", "institutions", str(target), db=demo_db)
    report = json.loads(result.stdout)
    assert (report["total"], report["created"], report["updated"]) == (41, 0, 0)


def test_tokens_issue_and_revoke(demo_db: str) -> None:
    token = run("token", "issue", "organiser", db=demo_db).stdout.strip()
    assert token.startswith("mm_")
    assert run("token", "revoke", token, db=demo_db).returncode == 0
    missing = run("token", "issue", "nobody", db=demo_db)
    assert missing.returncode == 2 and "nobody" in missing.stderr


def test_demo_twice_says_how_to_reload(demo_db: str) -> None:
    result = run("demo", db=demo_db)
    assert result.returncode == 2 and "--reset" in result.stderr
    assert counts(demo_db) == (240, 41)


def test_matching_commands(demo_db: str) -> None:
    built = json.loads(run("--json", "index", "build", db=demo_db).stdout)
    assert (built["projects"], built["institutions"]) == (240, 41)
    assert built["encoder"] == "use-multilingual-v3" and not built["approximate"]
    listed = json.loads(
        run("--json", "shortlist", "--institution", "XH2026-I01", "--k", "3", db=demo_db).stdout
    )
    assert len(listed["items"]) == 3
    assert all(i["project_id"].startswith("XH2026-P") and i["reasons"] for i in listed["items"])
    scores = [i["score"] for i in listed["items"]]
    assert scores == sorted(scores, reverse=True)
    recs = json.loads(
        run("--json", "recommend", "--project", "XH2026-P001", "--k", "2", db=demo_db).stdout
    )
    assert [len(recs["items"]), set(recs["items"][0])] == [
        2,
        {"institution_id", "name", "score", "reasons", "concerns", "fits", "verdict"},
    ]
    text = run("shortlist", "--institution", "XH2026-I01", "--k", "1", db=demo_db).stdout
    assert text.startswith("  1. XH2026-P") and "+ 地区：山西" in text
    pairs = json.loads(run("--json", "duplicates", db=demo_db).stdout)["pairs"]
    assert {(p["a"], p["b"]) for p in pairs} == {
        ("XH2026-P099", "XH2026-P171"),
        ("XH2026-P188", "XH2026-P227"),
        ("XH2026-P190", "XH2026-P206"),
    }
    learned = json.loads(run("--json", "weights", "fit", "--dry-run", db=demo_db).stdout)
    assert learned["fitted"] is False and learned["applied"] is False and learned["outcomes"] == 0
    missing = run("shortlist", "--institution", "XH2026-I99", db=demo_db)
    assert missing.returncode == 2 and missing.stderr.strip() == "error: 机构不存在：XH2026-I99"
    # --json after the command, as the commands are written in the issue, means the same
    after = run("shortlist", "--institution", "XH2026-I01", "--k", "3", "--json", db=demo_db)
    assert json.loads(after.stdout) == listed
    after = run("recommend", "--project", "XH2026-P001", "--k", "2", "--json", db=demo_db)
    assert json.loads(after.stdout) == recs
    assert json.loads(run("duplicates", "--json", db=demo_db).stdout)["pairs"] == pairs
    missing = run("shortlist", "--institution", "XH2026-I99", "--json", db=demo_db)
    assert missing.returncode == 2 and json.loads(missing.stdout)["code"] == "error.not_found"


def test_rules_are_switched_listed_and_refuse_an_import(tmp_path: Path, demo_db: str) -> None:
    barred = tmp_path / "往届获奖.csv"
    barred.write_text("名称,统一社会信用代码\n往届冠军公司,91110108551385082Q\n", encoding="utf-8")
    result = run(
        "--json",
        "rules",
        "--on",
        "one-per-enterprise,enterprise-not-maker",
        "--warn",
        "one-per-person",
        "--barred-file",
        str(barred),
        db=demo_db,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["rules"] == {
        "one_per_enterprise": "refuse",
        "one_per_person": "warn",
        "not_both_groups": "off",
        "enterprise_not_maker": "refuse",
        "barred": "refuse",  # a barred list switches its rule on
    }
    assert shown["barred"] == ["往届冠军公司", "91110108551385082Q"]
    listed = run("rules", db=demo_db).stdout
    assert "one-per-enterprise     拒绝" in listed and "往届获奖名单：2 条" in listed
    sheet = tmp_path / "projects.csv"
    sheet.write_text(
        "报名编号,项目名称,赛道,组别,统一社会信用代码\n"
        "N-1,储能管理系统,绿色经济,企业组,914403001922038216\n"
        "N-2,光伏运维平台,绿色经济,企业组,914403001922038216\n",
        encoding="utf-8",
    )
    before = counts(demo_db)
    result = run("import", "projects", str(sheet), db=demo_db)
    assert result.returncode == 2
    assert (
        "第 3 行与第 2 行同属统一社会信用代码 914403001922038216：每家企业限报一个项目"
        in result.stderr
    )
    assert counts(demo_db) == before
    result = run("rules", "--on", "one-per-planet", db=demo_db)
    assert result.returncode == 2 and "one-per-planet" in result.stderr
