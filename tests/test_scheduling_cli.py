"""``matchmaker schedule`` end to end, as a subprocess: no database needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from matchmaker.scheduling import Placement, parse_instance, validate

MATCHMAKER = str(Path(sys.executable).parent / "matchmaker")
DATA = Path(__file__).parent / "data"


def schedule(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MATCHMAKER, *args], capture_output=True, text=True, timeout=120, check=False
    )


def meetings(agenda: dict) -> list[Placement]:
    return [
        Placement(m["institution"], m["project"], m["slot"], m["table"]) for m in agenda["meetings"]
    ]


def test_good_instance_writes_a_valid_agenda(tmp_path: Path) -> None:
    out = tmp_path / "agenda.json"
    done = schedule("schedule", "--input", str(DATA / "schedule_small.json"), "--output", str(out))
    assert done.returncode == 0, done.stderr
    agenda = json.loads(out.read_text(encoding="utf-8"))
    assert agenda["status"] == "optimal" and agenda["gap"] == 0 and agenda["diagnostics"] == []
    instance = parse_instance(json.loads((DATA / "schedule_small.json").read_text("utf-8")))
    assert validate(instance, meetings(agenda)) == []
    assert all(m["table"] for m in agenda["meetings"])
    # the summary names status, objective, bound, gap, meetings, per-project range and time
    first, second = done.stdout.splitlines()[:2]
    assert first.startswith("status optimal  objective ") and " bound " in first and "gap" in first
    assert second.startswith(f"meetings {len(agenda['meetings'])}  per project min 1 max ")
    assert second.endswith(" s") and "idle gaps" in second


def test_fair_and_json_output(tmp_path: Path) -> None:
    out = tmp_path / "agenda.json"
    done = schedule(
        "--json", "schedule", "--input", str(DATA / "schedule_small.json"),
        "--output", str(out), "--fair", "--time-limit", "5",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["ok"] is True and printed["fair_minimum"] >= 1
    assert "price_of_fairness" in printed["stats"]
    assert json.loads(out.read_text("utf-8"))["fair_minimum"] == printed["fair_minimum"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_malformed_instance_names_each_field_and_writes_nothing(tmp_path: Path, lang: str) -> None:
    out = tmp_path / "agenda.json"
    done = schedule(
        "--lang", lang, "schedule", "--input", str(DATA / "schedule_bad.json"), "--output", str(out)
    )
    assert done.returncode == 2 and not out.exists()
    lines = done.stderr.splitlines()
    for field in (
        "slots[1].start",
        "projects[2].max_meetings",
        "projects[3].min_meetings",
        "scores[4].score",
        "must_meet[1].institution",
        "locked[0].slot",
        "institutions[0].max_meeting",
    ):
        assert sum(f"[{field}]" in line for line in lines) == 1, field
    assert len(lines) == 1 + 7  # the headline, then one line per problem
    if lang == "en":
        assert lines[0] == "error: The schedule instance has 7 problems"
        assert any("[institutions[0].max_meeting]: Unknown field" in line for line in lines)
    else:
        assert lines[0] == "error: 排程输入有误：7 处问题"


def test_broken_json_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken, out = tmp_path / "broken.json", tmp_path / "agenda.json"
    broken.write_text('{"slots": [\n  {"id": 1,}\n]}', encoding="utf-8")
    done = schedule("--lang", "en", "schedule", "--input", str(broken), "--output", str(out))
    assert done.returncode == 2 and not out.exists()
    assert "[broken.json: line 2 column 12]" in done.stderr and "Not valid JSON" in done.stderr
    missing = schedule("schedule", "--input", str(tmp_path / "nope.json"), "--output", str(out))
    assert missing.returncode == 2 and "nope.json" in missing.stderr


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh", "项目 P017：去除回避关系后没有可会见的机构"),
        ("en", "Project P017: no institution left to meet once conflicts are removed"),
    ],
)
def test_infeasible_prints_the_reason_writes_the_file_and_exits_1(
    tmp_path: Path, lang: str, text: str
) -> None:
    out = tmp_path / "agenda.json"
    done = schedule(
        "--lang", lang, "schedule",
        "--input", str(DATA / "schedule_infeasible.json"), "--output", str(out),
    )  # fmt: skip
    assert done.returncode == 1
    assert f"! {text}" in done.stdout.splitlines()
    agenda = json.loads(out.read_text("utf-8"))
    assert agenda["status"] == "infeasible" and agenda["meetings"] == [] and agenda["gap"] is None
    assert agenda["diagnostics"] == [
        {"code": "no_partner", "message": text, "party": "P017", "side": "project", "need": 1}
    ]


def test_previous_agenda_is_repaired_with_moves_listed(tmp_path: Path) -> None:
    first = tmp_path / "agenda.json"
    assert (
        schedule(
            "schedule", "--input", str(DATA / "schedule_small.json"), "--output", str(first)
        ).returncode
        == 0
    )
    before = json.loads(first.read_text("utf-8"))
    victim = next(
        m for m in before["meetings"] if (m["institution"], m["project"]) != ("I03", "P06")
    )
    data = json.loads((DATA / "schedule_small.json").read_text("utf-8"))
    data["forbidden"].append({"institution": victim["institution"], "project": victim["project"]})
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "repaired.json"
    done = schedule(
        "schedule", "--input", str(changed), "--output", str(out), "--previous", str(first)
    )
    assert done.returncode == 0, done.stderr
    repaired = json.loads(out.read_text("utf-8"))
    assert repaired["dropped"] == [victim] and len(repaired["moved"]) <= 2
    assert all({"to_slot", "to_table"} <= set(m) for m in repaired["moved"])
    assert validate(parse_instance(data), meetings(repaired)) == []
    assert any(
        line.startswith("moved ") and "dropped 1" in line for line in done.stdout.splitlines()
    )


def test_malformed_previous_agenda_exits_2(tmp_path: Path) -> None:
    previous, out = tmp_path / "previous.json", tmp_path / "agenda.json"
    previous.write_text(json.dumps({"meetings": [{"institution": "I01", "slot": 3}]}), "utf-8")
    done = schedule(
        "--lang", "en", "schedule", "--input", str(DATA / "schedule_small.json"),
        "--output", str(out), "--previous", str(previous),
    )  # fmt: skip
    assert done.returncode == 2 and not out.exists()
    assert "[meetings[0].project]: This field is required" in done.stderr
