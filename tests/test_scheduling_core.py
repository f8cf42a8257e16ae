"""The scheduling core with real OR-Tools: optimality, fairness, diagnostics, repair, validator."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.errors import InvalidInput
from matchmaker.scheduling import Placement, parse_instance, repair, solve, validate
from matchmaker.scheduling.synthetic import make_instance

MATCHMAKER = str(Path(sys.executable).parent / "matchmaker")


def tiny(scores: dict[tuple[str, str], float], slots: int = 2, **extra: Any) -> dict[str, Any]:
    institutions = sorted({i for i, _ in scores})
    projects = sorted({p for _, p in scores})
    return {
        "slots": [
            {"id": str(k), "session": "S1", "start": f"2026-12-08T09:{20 * k:02d}", "minutes": 20}
            for k in range(slots)
        ],
        "institutions": [{"id": i} for i in institutions],
        "projects": [{"id": p} for p in projects],
        "scores": [{"institution": i, "project": p, "score": s} for (i, p), s in scores.items()],
        **extra,
    }


def brute_force(data: dict[str, Any]) -> float:
    """Best total score over every subset of pairs that some timetable can hold (tiny only)."""
    instance = parse_instance(data)
    pairs = [pair for pair in instance.scores if pair not in instance.forbidden]
    slots = [s.id for s in instance.slots]
    best = -1.0
    for k in range(len(pairs) + 1):
        for subset in itertools.combinations(pairs, k):
            for assignment in itertools.product(slots, repeat=k):
                meetings = [
                    Placement(i, p, s) for (i, p), s in zip(subset, assignment, strict=True)
                ]
                if not validate(instance, meetings):
                    best = max(best, sum(instance.scores[m.pair] for m in meetings))
    return best


def test_solver_matches_brute_force_on_a_hand_instance() -> None:
    data = tiny(
        {("A", "p"): 0.9, ("A", "q"): 0.8, ("B", "p"): 0.7, ("B", "q"): 0.1, ("B", "r"): 0.5},
        slots=2,
    )
    data["projects"] = [{"id": "p", "max_meetings": 1}, {"id": "q"}, {"id": "r"}]
    data["institutions"] = [{"id": "A", "unavailable": ["1"]}, {"id": "B"}]
    agenda = solve(parse_instance(data))
    assert agenda.status == "optimal" and agenda.gap == pytest.approx(0)
    assert agenda.objective == pytest.approx(brute_force(data))
    assert validate(parse_instance(data), agenda.meetings) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.tuples(st.sampled_from("AB"), st.sampled_from("pqr")),
        st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 3)),
        min_size=1,
        max_size=5,
    ),
    st.integers(1, 2),
    st.lists(st.tuples(st.sampled_from("ABpqr"), st.sampled_from("01")), max_size=3),
)
def test_random_instances_are_optimal_and_valid(scores, slots, away) -> None:  # type: ignore[no-untyped-def]
    data = tiny(scores, slots=slots)
    for party in data["institutions"] + data["projects"]:
        party["unavailable"] = [s for who, s in away if who == party["id"] and int(s) < slots]
    instance = parse_instance(data)
    agenda = solve(instance, time_limit=5)
    assert validate(instance, agenda.meetings) == []
    assert agenda.objective == pytest.approx(brute_force(data), abs=1e-6)


def test_real_event_sized_instance_is_optimal_fair_and_valid() -> None:
    instance = parse_instance(make_instance(seed=3))
    plain = solve(instance, time_limit=20)
    fair = solve(instance, time_limit=20, fair=True)
    for agenda in (plain, fair):
        assert agenda.status == "optimal" and agenda.gap < 1e-9
        assert validate(instance, agenda.meetings) == []
    assert fair.fair_minimum is not None and fair.fair_minimum >= 2
    assert fair.stats["project_meetings_min"] >= fair.fair_minimum
    assert fair.stats["price_of_fairness"] == pytest.approx(plain.objective - fair.objective)
    # one more than the fair minimum is not feasible for everyone
    raised = replace(
        instance,
        projects=tuple(replace(p, min_meetings=fair.fair_minimum + 1) for p in instance.projects),
    )
    assert solve(raised, time_limit=20).status == "infeasible"
    # a cancellation is repaired by moving at most two meetings, and the result is valid
    victim = next(m for m in fair.meetings if m.pair not in instance.must_meet)
    changed = replace(instance, forbidden=instance.forbidden | {victim.pair})
    fixed = repair(changed, fair.meetings)
    assert len(fixed.moved) <= 2 and victim in fixed.dropped
    assert victim.pair not in {m.pair for m in fixed.agenda.meetings}
    assert validate(changed, fixed.agenda.meetings) == []


def test_diagnostics_name_the_blocking_rule() -> None:
    data = tiny({("A", "p"): 0.5, ("A", "q"): 0.5}, slots=1)
    data["projects"] = [{"id": "p", "min_meetings": 1}, {"id": "q", "min_meetings": 1}]
    agenda = solve(parse_instance(data))
    assert agenda.status == "infeasible" and agenda.meetings == []
    assert "最低会见数之和 2 > 总容量 1" in [d.message() for d in agenda.diagnostics]
    data = tiny(
        {("A", "p"): 0.5, ("B", "q"): 0.5}, forbidden=[{"institution": "A", "project": "p"}]
    )
    data["projects"] = [{"id": "p", "min_meetings": 1}, {"id": "q"}]
    messages = [d.message() for d in solve(parse_instance(data)).diagnostics]
    assert any(m.startswith("p：去除回避关系后没有可会见的一方") for m in messages)
    data = tiny({("A", "p"): 0.5}, must_meet=[{"institution": "A", "project": "p"}])
    data["institutions"] = [{"id": "A", "unavailable": ["0", "1"]}]
    english = [d.message("en") for d in solve(parse_instance(data)).diagnostics]
    assert any("Must-meet A × p cannot happen" in m for m in english)


def test_malformed_instances_name_every_field() -> None:
    bad = tiny({("A", "p"): 0.5})
    bad["slots"][0]["start"] = "明天"
    bad["projects"][0]["max_meetings"] = -1
    bad["scores"].append({"institution": "Z", "project": "p", "score": float("inf")})
    with pytest.raises(InvalidInput) as caught:
        parse_instance(bad)
    where = {p.column for p in caught.value.problems}
    assert {"slots[0].start", "projects[0].max_meetings", "scores[1].institution"} <= where
    assert "scores[1].score" in where


@pytest.mark.parametrize(
    ("meetings", "code"),
    [
        ([Placement("A", "p", "0"), Placement("A", "q", "0")], "double_booked"),
        ([Placement("A", "p", "0"), Placement("A", "p", "1")], "pair_twice"),
        ([Placement("B", "p", "0")], "forbidden"),
        ([Placement("B", "q", "0")], "unscored"),
        ([Placement("A", "q", "1")], "unavailable"),
        ([Placement("A", "p", "9")], "unknown_slot"),
        ([Placement("A", "p", "0", "1"), Placement("A", "r", "1", "2")], "two_tables"),
        ([Placement("A", "p", "0", "1"), Placement("B", "r", "0", "1")], "table_shared"),
        ([Placement("A", "p", "0", "7")], "unknown_table"),
        ([], "must_meet_missing"),
    ],
)
def test_validator_catches_each_planted_violation(meetings: list[Placement], code: str) -> None:
    data = tiny(
        {("A", "p"): 0.5, ("A", "q"): 0.5, ("A", "r"): 0.4, ("B", "p"): 0.5, ("B", "r"): 0.3}
    )
    data["projects"] = [{"id": "p"}, {"id": "q", "unavailable": ["1"]}, {"id": "r"}]
    data["forbidden"] = [{"institution": "B", "project": "p"}]
    data["tables"] = [{"session": "S1", "count": 2}]
    if code == "must_meet_missing":
        data["must_meet"] = [{"institution": "A", "project": "r"}]
    found = {v.code for v in validate(parse_instance(data), meetings)}
    assert code in found


def test_standalone_cli(tmp_path: Path) -> None:
    source, out = tmp_path / "instance.json", tmp_path / "agenda.json"
    source.write_text(
        json.dumps(make_instance(30, 6, 1, 6, project_min=1, project_max=2, seed=2)),
        encoding="utf-8",
    )
    done = subprocess.run(
        [MATCHMAKER, "schedule", "--input", str(source), "--output", str(out), "--fair"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    agenda = json.loads(out.read_text(encoding="utf-8"))
    assert agenda["status"] == "optimal" and agenda["gap"] < 1e-9 and agenda["meetings"]
    assert (
        validate(
            parse_instance(json.loads(source.read_text())),
            [
                Placement(m["institution"], m["project"], m["slot"], m["table"])
                for m in agenda["meetings"]
            ],
        )
        == []
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"slots": [{"id": "1", "session": "S1", "start": "x"}]}', encoding="utf-8")
    failed = subprocess.run(
        [MATCHMAKER, "schedule", "--input", str(bad), "--output", str(tmp_path / "no.json")],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 2 and "slots[0].start" in failed.stderr
    assert "institutions" in failed.stderr and not (tmp_path / "no.json").exists()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    failed = subprocess.run(
        [MATCHMAKER, "schedule", "--input", str(broken), "--output", str(tmp_path / "no.json")],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 2 and "line 1" in failed.stderr
    infeasible = make_instance(10, 2, 1, 3)
    infeasible["projects"][0]["min_meetings"] = 9
    infeasible["projects"][0]["max_meetings"] = 9
    source.write_text(json.dumps(infeasible), encoding="utf-8")
    done = subprocess.run(
        [MATCHMAKER, "--lang", "en", "schedule", "--input", str(source), "--output", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "P0000: needs 9 meetings" in done.stdout
    assert json.loads(out.read_text())["status"] == "infeasible"
