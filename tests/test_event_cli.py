"""Setting up a contest from the command line, as a new organiser would: an empty database, an
event, three sessions with a lunch break, edits, deletes and the errors on the way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
MATCHMAKER = str(Path(sys.executable).parent / "matchmaker")
LUNCH = ("12:00", "13:30")


def run(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MATCHMAKER, "--db", db, *args], capture_output=True, text=True, timeout=180, check=False
    )


def ok(*args: str, db: str) -> Any:
    result = run("--json", *args, db=db)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def sessions(db: str) -> list[dict[str, Any]]:
    return ok("session", "list", "--event", "XK2036", db=db)  # type: ignore[no-any-return]


def add(db: str, code: str, day: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        "session", "add", "--event", "XK2036", "--code", code, "--name", f"{code} 专场",
        "--kind", "local", "--date", day, "--start", "09:00", "--end", "17:00",
        "--slot-minutes", "30", "--tables", "4", "--breaks", "-".join(LUNCH), *extra, db=db,
    )  # fmt: skip


@pytest.fixture
def contest(tmp_path: Path) -> str:
    """A new database with one event and three sessions, each with a lunch break."""
    url = f"sqlite:///{tmp_path / 'own.db'}"
    assert run("init", db=url).returncode == 0
    created = ok(
        "event", "create", "--code", "XK2036", "--name", "2036创客大赛", "--year", "2036",
        "--city", "太原", "--organiser", "太原市就业服务中心", db=url,
    )  # fmt: skip
    assert (created["code"], created["year"], created["languages"]) == ("XK2036", 2036, "zh,en")
    assert add(url, "S1", "2036-05-10").returncode == 0
    assert add(url, "S2", "2036-05-11", "--kind", "national").returncode == 0
    assert (
        add(url, "S3", "2036-05-12", "--kind", "路演", "--table-labels", "A1,A2,B1,B2").returncode
        == 0
    )
    return url


def test_a_new_database_says_how_to_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = run("import", "projects", str(DATA / "projects.csv"), db=url)
    assert result.returncode == 2 and "matchmaker init" in result.stderr
    assert "no such table" not in result.stderr
    assert run("init", db=url).returncode == 0
    result = run("import", "projects", str(DATA / "projects.csv"), db=url)
    assert result.returncode == 2 and "matchmaker event create" in result.stderr


def test_three_sessions_with_a_lunch_break(contest: str) -> None:
    rows = sessions(contest)
    assert [r["code"] for r in rows] == ["S1", "S2", "S3"]
    assert [r["kind"] for r in rows] == ["local", "national", "roadshow"]
    for row in rows:
        assert row["breaks"] == ["12:00-13:30"]
        starts = [t.split("-")[0] for t in row["slot_times"]]
        ends = [t.split("-")[1] for t in row["slot_times"]]
        # no slot overlaps the break; the first after it starts when it ends
        pairs = zip(starts, ends, strict=True)
        assert all(end <= LUNCH[0] or start >= LUNCH[1] for start, end in pairs)
        assert "11:30" in starts and "13:30" in starts and "12:00" not in starts
        assert row["slots"] == 13
    assert rows[2]["table_labels"] == ["A1", "A2", "B1", "B2"]
    listed = ok("event", "list", db=contest)
    assert listed == ok("events", db=contest)  # the old command still works
    assert [s["code"] for s in listed[0]["sessions"]] == ["S1", "S2", "S3"]


def test_edit_before_publication_lays_out_again_and_delete_an_empty_session(contest: str) -> None:
    edited = ok(
        "session", "edit", "--event", "XK2036", "--code", "S1",
        "--start", "10:00", "--end", "15:00", "--tables", "2", "--breaks", "12:00-13:00",
        db=contest,
    )  # fmt: skip
    assert edited["slot_times"] == [
        "10:00-10:30", "10:30-11:00", "11:00-11:30", "11:30-12:00",
        "13:00-13:30", "13:30-14:00", "14:00-14:30", "14:30-15:00",
    ]  # fmt: skip
    assert edited["table_labels"] == ["1号桌", "2号桌"]
    assert edited["change"]["moved"] == [] and edited["change"]["dropped"] == []
    renamed = ok(
        "session", "edit", "--event", "XK2036", "--code", "S3", "--venue", "B厅", db=contest
    )
    assert renamed["venue"] == "B厅" and renamed["slots"] == 13
    deleted = run("session", "delete", "--event", "XK2036", "--code", "S2", db=contest)
    assert deleted.returncode == 0 and "S2" in deleted.stdout
    assert [r["code"] for r in sessions(contest)] == ["S1", "S3"]
    again = run("session", "delete", "--event", "XK2036", "--code", "S2", db=contest)
    assert again.returncode == 2 and "S2" in again.stderr


BAD = [
    (("--date", "2036-02-30"), "date", "2036-02-30"),
    (("--start", "9点"), "start", "9点"),
    (("--end", "08:00"), "end", "08:00"),
    (("--breaks", "13:30-12:00"), "breaks", "13:30-12:00"),
    (("--breaks", "11:00-12:30,12:00-13:00"), "breaks", "12:00-13:00"),
    (("--breaks", "18:00-19:00"), "breaks", "18:00-19:00"),
    (("--slot-minutes", "0"), "slot_minutes", "0"),
    (("--tables", "A1,A1"), "tables", "A1"),
    (("--kind", "午宴"), "kind", "午宴"),
]


def test_bad_values_name_the_field_and_change_nothing(contest: str) -> None:
    # in-process (click's runner): the same commands, without a process start per bad value
    from click.testing import CliRunner

    from matchmaker.cli import main

    runner = CliRunner()
    before = sessions(contest)
    good = {
        "--name": "x", "--kind": "local", "--date": "2036-05-13", "--start": "09:00",
        "--end": "17:00", "--slot-minutes": "30", "--tables": "3",
    }  # fmt: skip
    for options, field, value in BAD:
        for command, code in (("edit", "S1"), ("add", "S9")):
            given = dict(zip(options[::2], options[1::2], strict=True))
            values = {**good, **given} if command == "add" else given
            args = ["session", command, "--event", "XK2036", "--code", code]
            args += [part for pair in values.items() for part in pair]
            result = runner.invoke(main, ["--db", contest, "--json", *args])
            assert result.exit_code == 2, (command, options, result.output)
            body = json.loads(result.stdout)
            assert body["ok"] is False
            assert any(
                e.get("column") == field and value in str(e.get("value")) for e in body["errors"]
            ), (command, options, body)
    plain = run(
        "session", "edit", "--event", "XK2036", "--code", "S1", "--end", "08:00", db=contest
    )
    assert plain.returncode == 2 and "[end] '08:00'" in plain.stderr
    assert "Traceback" not in plain.stderr
    assert sessions(contest) == before


def test_after_publication_an_edit_says_what_moved_and_delete_is_refused(contest: str) -> None:
    for kind in ("institutions", "projects"):
        assert run("import", kind, str(DATA / f"{kind}.csv"), db=contest).returncode == 0
    built = run("agenda", "build", "--event", "XK2036", "--session", "S1", db=contest)
    assert built.returncode == 0, built.stderr
    refused = run("--json", "session", "delete", "--event", "XK2036", "--code", "S1", db=contest)
    assert refused.returncode == 2
    assert "6" in json.loads(refused.stdout)["message"]  # the meetings it holds, counted
    publish = run("agenda", "publish", "--event", "XK2036", "--session", "S1", db=contest)
    assert publish.returncode == 0, publish.stderr
    before = ok("agenda", "show", "--event", "XK2036", "--session", "S1", db=contest)["meetings"]
    assert len(before) == 6
    # the session now ends at 11:00: four morning slots for each institution's three meetings
    late = {(m["institution_id"], m["project_id"]) for m in before if m["start"][11:16] >= "11:00"}
    assert late  # (the solver fills the day from the end)
    edit = ["session", "edit", "--event", "XK2036", "--code", "S1", "--end", "11:00"]
    result = run(*edit, "--breaks", "", db=contest)
    assert result.returncode == 0, result.stderr
    assert "调整的会见" in result.stdout and "→" in result.stdout
    for institution, project in late:  # each named by both parties, old → new time
        name = next(m["institution"] for m in before if m["institution_id"] == institution)
        title = next(m["project"] for m in before if m["project_id"] == project)
        assert f"{name} × {title}:" in result.stdout
    after = ok("agenda", "show", "--event", "XK2036", "--session", "S1", db=contest)["meetings"]
    assert {(m["institution_id"], m["project_id"]) for m in after} == {
        (m["institution_id"], m["project_id"]) for m in before
    }
    assert all(m["start"][11:16] < "11:00" for m in after)
    impossible = run(*edit[:-1], "09:30", db=contest)
    assert impossible.returncode == 2 and "未做任何改动" in impossible.stderr
    assert sessions(contest)[0]["end"] == "11:00"
    again = ok("agenda", "show", "--event", "XK2036", "--session", "S1", db=contest)["meetings"]
    assert again == after
