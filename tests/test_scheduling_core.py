"""The scheduling core with real OR-Tools: optimality, fairness, diagnostics, repair, validator."""

from __future__ import annotations

import itertools
import json
import math
import random
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tests_support import tiny

from matchmaker.errors import InvalidInput
from matchmaker.messages import CATALOG
from matchmaker.scheduling import (
    Instance,
    PartySpec,
    Placement,
    agenda_to_dict,
    instance_to_dict,
    parse_instance,
    repair,
    solve,
    validate,
)
from matchmaker.scheduling.synthetic import make_instance

DATA = Path(__file__).parent / "data"


def brute_force(instance: Instance) -> float | None:
    """Best total score over every pair subset × slot assignment the validator accepts."""
    pairs = [pair for pair in instance.scores if pair not in instance.forbidden]
    slots = [s.id for s in instance.slots]
    best = None
    for choice in itertools.product([None, *slots], repeat=len(pairs)):
        meetings = [Placement(*pair, s) for pair, s in zip(pairs, choice, strict=True) if s]
        meetings += [m for m in instance.locked if m.pair not in {x.pair for x in meetings}]
        if not validate(instance, meetings):
            total = sum(instance.scores.get(m.pair, 0.0) for m in meetings)
            best = total if best is None else max(best, total)
    return best


def random_tiny(seed: int) -> Instance:
    """Return a small random instance: availability, vetoes, must-meets, minimums."""
    rng = random.Random(seed)
    inst = [f"I{n}" for n in range(rng.randint(1, 3))]
    proj = [f"P{n}" for n in range(rng.randint(1, 3))]
    pairs = [(i, p) for i in inst for p in proj if rng.random() < 0.8]
    data = tiny({pair: round(rng.uniform(-0.2, 1), 2) for pair in pairs}, slots=rng.randint(1, 3))
    slot_ids = [s["id"] for s in data["slots"]]
    data["institutions"] = [{"id": i} for i in inst]
    data["projects"] = [{"id": p} for p in proj]
    for party in data["institutions"] + data["projects"]:
        party["unavailable"] = [s for s in slot_ids if rng.random() < 0.25]
        party["max_meetings"] = rng.randint(0, 3)
        party["min_meetings"] = rng.choice(
            [0, 0, min(1, party["max_meetings"]), party["max_meetings"]]
        )
    data["forbidden"] = [{"institution": i, "project": p} for i, p in pairs if rng.random() < 0.15]
    vetoed = {(f["institution"], f["project"]) for f in data["forbidden"]}
    data["must_meet"] = [
        {"institution": i, "project": p}
        for i, p in pairs
        if (i, p) not in vetoed and rng.random() < 0.15
    ]
    return parse_instance(data)


# ---- exactness -------------------------------------------------------------------------------


def test_hand_instance_has_its_known_optimum() -> None:
    # A is away in slot 1-1, so it meets once; p meets at most once. A×p 0.9 leaves B with
    # q and r (0.1 + 0.5): 1.5. A×q 0.8 leaves B with p and r (0.7 + 0.5): 2.0, the optimum.
    data = tiny(
        {("A", "p"): 0.9, ("A", "q"): 0.8, ("B", "p"): 0.7, ("B", "q"): 0.1, ("B", "r"): 0.5}
    )
    data["projects"] = [{"id": "p", "max_meetings": 1}, {"id": "q"}, {"id": "r"}]
    data["institutions"] = [{"id": "A", "unavailable": ["1-1"]}, {"id": "B"}]
    instance = parse_instance(data)
    agenda = solve(instance)
    assert agenda.status == "optimal" and agenda.gap == 0.0
    assert agenda.objective == pytest.approx(2.0) and agenda.bound == pytest.approx(2.0)
    assert {m.pair for m in agenda.meetings} == {("A", "q"), ("B", "p"), ("B", "r")}
    assert validate(instance, agenda.meetings) == []
    assert all(m.table is not None for m in agenda.meetings)


@pytest.mark.parametrize("seed", range(40))
def test_tiny_random_instances_match_brute_force(seed: int) -> None:
    instance = random_tiny(seed)
    best = brute_force(instance)
    agenda = solve(instance, time_limit=5)
    if best is None:
        assert agenda.status == "infeasible" and agenda.meetings == []
        assert agenda.diagnostics, "an infeasible answer always says why"
        return
    assert agenda.status == "optimal", [d.message("en") for d in agenda.diagnostics]
    assert agenda.objective == pytest.approx(best, abs=1e-6)
    assert agenda.bound >= agenda.objective - 1e-9
    assert validate(instance, agenda.meetings) == []


def test_real_event_sized_instance_is_optimal_and_valid() -> None:
    instance = parse_instance(make_instance(seed=3))
    agenda = solve(instance, time_limit=10)
    assert agenda.status == "optimal" and agenda.gap == 0.0
    assert agenda.objective == pytest.approx(agenda.bound, rel=1e-6)
    assert validate(instance, agenda.meetings) == []
    stats = agenda.stats
    assert stats["meetings"] == len(agenda.meetings)
    assert stats["meetings_per_project"]["min"] >= 2
    assert set(stats["idle_gaps"]) == {"institutions", "projects"}
    assert {"prepare", "pairs", "slots"} <= set(stats["phase_seconds"])


def test_joint_model_when_the_best_pairs_cannot_be_timetabled() -> None:
    # A×p and A×q (1 + 1) pass the degree test, but p and q are both free only in slot 1-0.
    # The joint model finds A×p + B×q = 1.5 and proves it optimal: the certificate holds.
    data = tiny({("A", "p"): 1, ("A", "q"): 1, ("B", "q"): 0.5})
    data["projects"] = [{"id": "p", "unavailable": ["1-1"]}, {"id": "q", "unavailable": ["1-1"]}]
    instance = parse_instance(data)
    agenda = solve(instance)
    assert "joint" in agenda.stats["phase_seconds"] and agenda.stats["pair_bound"] == 2
    assert agenda.status == "optimal" and agenda.objective == agenda.bound == 1.5
    assert {m.pair for m in agenda.meetings} == {("A", "p"), ("B", "q")}
    assert validate(instance, agenda.meetings) == []


# ---- rules -----------------------------------------------------------------------------------


def test_locked_must_meet_forbidden_and_unavailability_are_kept() -> None:
    data = tiny({(i, p): 0.5 for i in "AB" for p in "pqr"}, slots=3)
    data["scores"][0]["score"] = 0.01  # A×p scores low but is a must-meet
    data["must_meet"] = [{"institution": "A", "project": "p"}]
    data["forbidden"] = [{"institution": "B", "project": "q"}]
    data["locked"] = [{"institution": "B", "project": "r", "slot": "1-2", "table": "7"}]
    data["institutions"] = [{"id": "A", "unavailable": ["1-0"]}, {"id": "B", "max_meetings": 2}]
    instance = parse_instance(data)
    agenda = solve(instance)
    pairs = {m.pair: m for m in agenda.meetings}
    assert ("A", "p") in pairs and ("B", "q") not in pairs
    assert pairs[("B", "r")].slot == "1-2" and pairs[("B", "r")].table == "7"
    assert all(m.slot != "1-0" for m in agenda.meetings if m.institution == "A")
    assert validate(instance, agenda.meetings) == []


def test_tables_limit_how_many_institutions_a_session_seats() -> None:
    # one table per session: A and B cannot share a session, yet all four pairs still meet
    data = tiny({(i, p): 0.5 for i in "AB" for p in "pq"}, slots=2, sessions=2)
    data["tables"] = [{"session": "S1", "ids": ["T1"]}, {"session": "S2", "ids": ["T9"]}]
    instance = parse_instance(data)
    agenda = solve(instance)
    assert agenda.status == "optimal" and len(agenda.meetings) == 4
    for session, table in (("1-", "T1"), ("2-", "T9")):
        here = [m for m in agenda.meetings if m.slot.startswith(session)]
        assert len({m.institution for m in here}) == 1 and {m.table for m in here} == {table}
    assert validate(instance, agenda.meetings) == []


def test_every_meeting_has_one_table_per_institution_and_session() -> None:
    instance = parse_instance(json.loads((DATA / "schedule_small.json").read_text("utf-8")))
    agenda = solve(instance)
    seats = {m.institution: m.table for m in agenda.meetings}  # one session: AM
    assert all(m.table == seats[m.institution] for m in agenda.meetings)
    assert len(set(seats.values())) == len(seats)
    assert validate(instance, agenda.meetings) == []
    locked = next(m for m in agenda.meetings if m.pair == ("I02", "P01"))
    assert (locked.slot, locked.table) == ("AM-2", "B")


# ---- fair mode -------------------------------------------------------------------------------


def test_fair_mode_raises_the_minimum_to_the_largest_feasible_value() -> None:
    # A and B love p and q; r is scored low by everyone. Plain: r gets nothing.
    scores = {("A", "p"): 1, ("A", "q"): 1, ("B", "p"): 1, ("B", "q"): 1}
    scores |= {("A", "r"): 0.1, ("B", "r"): 0.1}
    data = tiny(scores, slots=2)
    instance = parse_instance(data)
    plain = solve(instance)
    fair = solve(instance, fair=True)
    assert plain.stats["meetings_per_project"]["min"] == 0
    assert fair.fair_minimum == 1 and fair.stats["meetings_per_project"]["min"] >= 1
    assert fair.stats["price_of_fairness"] == pytest.approx(plain.objective - fair.objective)
    assert fair.stats["price_of_fairness"] == pytest.approx(0.9)
    assert validate(instance, fair.meetings) == []
    # one more is not possible for every project (4 seats, 3 projects)
    raised = replace(
        instance, projects=tuple(replace(p, min_meetings=2) for p in instance.projects)
    )
    assert solve(raised).status == "infeasible"


def test_fair_minimum_is_capped_by_each_projects_own_capacity() -> None:
    # q can meet nobody but A and only in one slot: the fair minimum still reaches 2 for p, r
    scores = {(i, p): 0.5 for i in "AB" for p in "pr"} | {("A", "q"): 0.1}
    data = tiny(scores, slots=3)
    data["projects"] = [{"id": "p"}, {"id": "q", "unavailable": ["1-0", "1-1"]}, {"id": "r"}]
    agenda = solve(parse_instance(data), fair=True)
    per_project: dict[str, int] = {}
    for m in agenda.meetings:
        per_project[m.project] = per_project.get(m.project, 0) + 1
    assert agenda.fair_minimum == 2 and per_project == {"p": 2, "q": 1, "r": 2}


def test_fair_mode_on_the_real_event_size() -> None:
    instance = parse_instance(make_instance(seed=3))
    plain = solve(instance, time_limit=5)
    fair = solve(instance, time_limit=5, fair=True)
    assert fair.status == "optimal" and validate(instance, fair.meetings) == []
    assert fair.fair_minimum is not None and fair.fair_minimum >= 2
    assert fair.stats["meetings_per_project"]["min"] >= fair.fair_minimum
    assert fair.stats["price_of_fairness"] == pytest.approx(plain.objective - fair.objective)
    raised = replace(
        instance,
        projects=tuple(replace(p, min_meetings=fair.fair_minimum + 1) for p in instance.projects),
    )
    assert solve(raised, time_limit=5).status == "infeasible"


# ---- diagnostics -----------------------------------------------------------------------------


def _diagnose(data: dict[str, Any] | Instance) -> tuple[list[str], list[str], list[str]]:
    instance = data if isinstance(data, Instance) else parse_instance(data)
    agenda = solve(instance, time_limit=5)
    assert agenda.status == "infeasible" and agenda.meetings == [] and agenda.diagnostics
    assert math.isnan(agenda.gap) and agenda_to_dict(agenda)["gap"] is None
    zh = [d.message() for d in agenda.diagnostics]
    en = [d.message("en") for d in agenda.diagnostics]
    assert not any("{" in line for line in zh + en), "every placeholder is filled"
    return [d.code for d in agenda.diagnostics], zh, en


def test_no_partner_once_conflicts_are_removed() -> None:
    codes, zh, en = _diagnose(json.loads((DATA / "schedule_infeasible.json").read_text("utf-8")))
    assert codes == ["no_partner"]
    assert zh == ["项目 P017：去除回避关系后没有可会见的机构"]
    assert en == ["Project P017: no institution left to meet once conflicts are removed"]


def test_sum_of_minimums_above_total_capacity() -> None:
    data = make_instance(unavailability=0, forbidden=0, must_meet=0, min_meetings=5)
    codes, zh, en = _diagnose(data)
    # the reason, then the fix
    assert "最低会见数之和 1210 > 总容量 1107；把下限合计调低 103 场，或调高另一方的上限" in zh
    assert (
        "sum of minimum meetings 1210 > total capacity 1107; lower the minimums by 103 in total, "
        "or raise the other side's maximums"
    ) in en


def test_minimum_above_free_slots_or_partners() -> None:
    data = tiny({("A", "p"): 0.5, ("B", "p"): 0.5, ("A", "q"): 0.5}, slots=3)
    data["projects"] = [
        {"id": "p", "min_meetings": 2, "unavailable": ["1-0", "1-1"]},
        {"id": "q", "min_meetings": 2},
    ]
    codes, zh, en = _diagnose(data)
    assert codes == ["min_above_capacity", "min_above_capacity"]
    assert "Project p: needs 2 meetings but has only 1 free slots" in en[0]
    assert "2 institution partners to meet (at most 1)" in en[0]
    assert "Project q: needs 2 meetings but has only 3 free slots and 1 institution" in en[1]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("forbidden", "must_meet_forbidden"),
        ("unscored", "must_meet_unscored"),
        ("away", "must_meet_no_common_slot"),
        ("max", "must_above_max"),
    ],
)
def test_must_meet_that_cannot_happen(change: str, code: str) -> None:
    data = tiny({("A", "p"): 0.5, ("A", "q"): 0.5, ("B", "q"): 0.5})
    data["must_meet"] = [{"institution": "A", "project": "p"}, {"institution": "A", "project": "q"}]
    instance = parse_instance(data)
    if change == "forbidden":  # parse refuses this; a repair's replace() can still make it
        instance = replace(instance, forbidden=frozenset({("A", "p")}))
    elif change == "unscored":
        instance = replace(
            instance, scores={k: v for k, v in instance.scores.items() if k[1] != "p"}
        )
    elif change == "away":
        projects = (PartySpec("p", 0, 2, frozenset({"1-0"})), instance.projects[1])
        institutions = (PartySpec("A", 0, 2, frozenset({"1-1"})), instance.institutions[1])
        instance = replace(instance, projects=projects, institutions=institutions)
    else:
        instance = replace(instance, institutions=(PartySpec("A", 0, 1), instance.institutions[1]))
    codes, zh, en = _diagnose(instance)
    assert codes == [code]
    assert "A" in en[0] and ("p" in en[0] or code == "must_above_max")


@pytest.mark.parametrize(
    ("locked", "code"),
    [
        ([("A", "p", "1-0", None), ("A", "q", "1-0", None)], "locked_clash"),
        ([("A", "p", "1-1", None)], "locked_unavailable"),
        ([("A", "p", "1-0", "1"), ("A", "q", "1-1", "2")], "locked_two_tables"),
        ([("A", "p", "1-0", "1"), ("B", "q", "1-0", "1")], "locked_table_clash"),
        ([("A", "p", "1-0", None), ("B", "q", "1-0", None)], "too_few_tables"),
    ],
)
def test_locked_meetings_that_cannot_stand(locked: list[tuple], code: str) -> None:
    data = tiny({(i, p): 0.5 for i in "AB" for p in "pq"})
    data["locked"] = [
        {"institution": i, "project": p, "slot": s} | ({"table": t} if t else {})
        for i, p, s, t in locked
    ]
    if code == "locked_unavailable":
        data["projects"] = [{"id": "p", "unavailable": ["1-1"]}, {"id": "q"}]
    if code == "too_few_tables":
        data["tables"] = [{"session": "S1", "count": 1}]
    codes, zh, en = _diagnose(data)
    assert code in codes


def test_locked_forbidden_pair_is_named() -> None:
    instance = parse_instance(
        tiny({("A", "p"): 0.5}, locked=[{"institution": "A", "project": "p", "slot": "1-0"}])
    )
    codes, _, en = _diagnose(replace(instance, forbidden=frozenset({("A", "p")})))
    assert codes == ["locked_forbidden"] and "A × p" in en[0]


def test_conflicting_degrees_are_named_by_assumptions() -> None:
    # each test passes alone: p and q both need A and B, but B meets at most once
    data = tiny({(i, p): 0.5 for i in "AB" for p in "pq"}, slots=4)
    data["projects"] = [{"id": "p", "min_meetings": 2}, {"id": "q", "min_meetings": 2}]
    data["institutions"] = [{"id": "A"}, {"id": "B", "max_meetings": 1}]
    codes, zh, en = _diagnose(data)
    assert codes[0] == "conflict" and zh[0] == "以下 3 项要求不能同时满足："
    assert set(en[1:]) == {
        "· Institution B: at most 1 meetings",
        "· Project p: at least 2 meetings",
        "· Project q: at least 2 meetings",
    }


def test_conflicting_slots_and_tables_are_named_by_assumptions() -> None:
    musts = [{"institution": "A", "project": "p"}, {"institution": "B", "project": "p"}]
    data = tiny({("A", "p"): 0.5, ("B", "p"): 0.5}, must_meet=musts)
    data["institutions"] = [
        {"id": "A", "unavailable": ["1-1"]},
        {"id": "B", "unavailable": ["1-1"]},
    ]
    codes, zh, _ = _diagnose(data)
    assert zh == ["以下 2 项要求不能同时满足：", "· 必须会见 A × p", "· 必须会见 B × p"]
    musts = [{"institution": "A", "project": "p"}, {"institution": "B", "project": "q"}]
    data = tiny({("A", "p"): 0.5, ("B", "q"): 0.5}, must_meet=musts)
    data["tables"] = [{"session": "S1", "count": 1}]
    codes, zh, _ = _diagnose(data)
    assert "· S1 专场只有 1 张桌子" in zh and len(zh) == 4


# ---- time limit and progress -----------------------------------------------------------------


def test_time_limit_is_respected_on_a_large_instance() -> None:
    instance = parse_instance(make_instance(500, 400, seed=1))
    phases: list[tuple[str, float]] = []
    started = time.perf_counter()
    agenda = solve(instance, time_limit=3, progress=lambda p, f: phases.append((p, f)))
    elapsed = time.perf_counter() - started
    assert agenda.status in ("optimal", "feasible") and agenda.gap >= 0
    assert validate(instance, agenda.meetings) == []
    assert elapsed < 3 + 3  # generous: model building in Python is not interruptible
    assert phases[0][0] == "prepare" and phases[-1] == ("done", 1.0)
    assert all(0 <= f <= 1 for _, f in phases)


# ---- repair ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def event() -> tuple[Instance, list[Placement]]:
    instance = parse_instance(make_instance(seed=5))
    agenda = solve(instance, time_limit=4)
    assert agenda.status == "optimal"
    return instance, agenda.meetings


def _unchanged_except(previous: list[Placement], fixed: Any) -> None:
    now = set(fixed.agenda.meetings)
    touched = {a for a, _ in fixed.moved} | set(fixed.dropped)
    assert all(m in now for m in previous if m not in touched)


def test_repair_after_a_cancellation_moves_at_most_two(event: Any) -> None:
    instance, previous = event
    victim = next(m for m in previous if m.pair not in instance.must_meet)
    changed = replace(instance, forbidden=instance.forbidden | {victim.pair})
    fixed = repair(changed, previous)
    assert fixed.agenda.status in ("optimal", "feasible")
    assert len(fixed.moved) <= 2 and fixed.dropped == [victim]
    assert victim.pair not in {m.pair for m in fixed.agenda.meetings}
    assert validate(changed, fixed.agenda.meetings) == []
    assert fixed.added, "the freed seats are offered again"
    _unchanged_except(previous, fixed)


def test_repair_after_a_late_arrival(event: Any) -> None:
    instance, previous = event
    project = previous[0].project
    late = {m.slot for m in previous if m.project == project}
    projects = tuple(
        replace(p, unavailable=p.unavailable | late) if p.id == project else p
        for p in instance.projects
    )
    changed = replace(instance, projects=projects)
    fixed = repair(changed, previous)
    assert validate(changed, fixed.agenda.meetings) == []
    gone = {(a.pair, a.slot) for a, _ in fixed.moved} | {(m.pair, m.slot) for m in fixed.dropped}
    assert {(m.pair, m.slot) for m in previous if m.project == project} <= gone
    _unchanged_except(previous, fixed)


def test_repair_adds_a_new_must_meet_and_drops_a_withdrawn_party(event: Any) -> None:
    instance, previous = event
    met = {m.pair for m in previous}
    away = {p.id: p.unavailable for p in (*instance.institutions, *instance.projects)}
    musts = {party for pair in instance.must_meet for party in pair}
    new = next(
        (i, p)
        for i, p in instance.scores
        if (i, p) not in met | instance.forbidden and len(away[i] | away[p]) < 20
    )
    withdrawn = next(m.institution for m in previous if m.institution not in musts | {new[0]})
    institutions = tuple(
        replace(i, max_meetings=0) if i.id == withdrawn else i for i in instance.institutions
    )
    changed = replace(instance, must_meet=instance.must_meet | {new}, institutions=institutions)
    fixed = repair(changed, previous, time_limit=5)
    assert validate(changed, fixed.agenda.meetings) == []
    assert new in {m.pair for m in fixed.added}
    assert {m for m in previous if m.institution == withdrawn} <= set(fixed.dropped)


def test_repair_keeps_locked_meetings_and_tables() -> None:
    instance = parse_instance(json.loads((DATA / "schedule_small.json").read_text("utf-8")))
    previous = solve(instance).meetings
    victim = next(m for m in previous if m.pair not in instance.must_meet and m.project == "P04")
    changed = replace(instance, forbidden=instance.forbidden | {victim.pair})
    fixed = repair(changed, previous)
    assert validate(changed, fixed.agenda.meetings) == []
    assert Placement("I02", "P01", "AM-2", "B") in fixed.agenda.meetings
    assert fixed.dropped == [victim] and len(fixed.moved) <= 2


def test_repair_of_an_impossible_change_says_why() -> None:
    instance = parse_instance(json.loads((DATA / "schedule_small.json").read_text("utf-8")))
    previous = solve(instance).meetings
    changed = replace(instance, forbidden=instance.forbidden | {("I03", "P06")})  # a must-meet
    fixed = repair(changed, previous)
    assert fixed.agenda.status == "infeasible"
    assert [d.code for d in fixed.agenda.diagnostics] == ["must_meet_forbidden"]


# ---- validator: one planted violation per kind ------------------------------------------------


def _validator_instance() -> Instance:
    data = tiny(
        {("A", "p"): 0.5, ("A", "q"): 0.5, ("A", "r"): 0.4, ("B", "p"): 0.5, ("B", "r"): 0.3}
    )
    data["projects"] = [{"id": "p"}, {"id": "q", "unavailable": ["1-1"]}, {"id": "r"}]
    data["institutions"] = [{"id": "A", "max_meetings": 2}, {"id": "B", "min_meetings": 1}]
    data["forbidden"] = [{"institution": "B", "project": "p"}]
    data["must_meet"] = [{"institution": "A", "project": "r"}]
    data["locked"] = [{"institution": "A", "project": "r", "slot": "1-0", "table": "1"}]
    data["tables"] = [{"session": "S1", "count": 2}]
    return parse_instance(data)


VALID = [Placement("A", "r", "1-0", "1"), Placement("B", "r", "1-1", "2")]
PLANTED = {
    "unknown_slot": [Placement("A", "q", "9-9", "1")],
    "unknown_party": [Placement("Z", "q", "1-1", "2")],
    "forbidden": [Placement("B", "p", "1-0", "2")],
    "unscored": [Placement("B", "q", "1-0", "2")],
    "unavailable": [Placement("A", "q", "1-1", "1")],
    "pair_twice": [Placement("B", "r", "1-0", "2")],
    "double_booked": [Placement("A", "p", "1-0", "1")],
    "above_maximum": [Placement("A", "p", "1-1", "1"), Placement("A", "q", "1-1", "1")],
    "locked_table": "locked_table",
    "locked_moved": "locked_moved",  # these four change VALID itself: see the test
    "below_minimum": "below_minimum",
    "must_meet_missing": "must_meet_missing",
    "unknown_table": [Placement("B", "p", "1-0", "9")],
    "two_tables": [Placement("A", "q", "1-1", "2")],
    "table_shared": [Placement("B", "q", "1-0", "1")],
}


@pytest.mark.parametrize("code", sorted(PLANTED))
def test_validator_catches_each_planted_violation(code: str) -> None:
    instance = _validator_instance()
    assert validate(instance, VALID) == []
    planted = PLANTED[code]
    if code == "locked_table":
        meetings = [Placement("A", "r", "1-0", "2"), Placement("B", "r", "1-1", "1")]
    elif code == "locked_moved":
        meetings = [Placement("A", "r", "1-1", "1"), Placement("B", "r", "1-0", "2")]
    elif code == "below_minimum":
        meetings = VALID[:1]
    elif code == "must_meet_missing":
        instance = replace(instance, locked=())
        meetings = VALID[1:]
    else:
        meetings = VALID + planted
    found = validate(instance, meetings)
    assert code in {v.code for v in found}
    for violation in found:
        assert "{" not in violation.message() + violation.message("en")


def test_every_violation_code_is_planted_somewhere() -> None:
    codes = {c.split(".")[-1] for c in CATALOG if c.startswith("schedule.violation.")}
    assert codes == set(PLANTED)


# ---- instance format -------------------------------------------------------------------------


def test_malformed_instance_lists_every_problem_with_its_path() -> None:
    bad = json.loads((DATA / "schedule_bad.json").read_text("utf-8"))
    with pytest.raises(InvalidInput) as caught:
        parse_instance(bad)
    found = {p.column: p for p in caught.value.problems}
    assert {
        "slots[1].start",
        "projects[2].max_meetings",
        "projects[3].min_meetings",
        "scores[4].score",
        "must_meet[1].institution",
        "locked[0].slot",
        "institutions[0].max_meeting",
    } <= set(found)
    assert found["projects[2].max_meetings"].value == -1
    assert found["institutions[0].max_meeting"].code == "schedule.unknown_key"
    assert caught.value.message("en") == f"The schedule instance has {len(found)} problems"


@pytest.mark.parametrize(
    ("edit", "column", "code"),
    [
        (lambda d: d.pop("slots"), "slots", "schedule.missing"),
        (lambda d: d.update(projects={}), "projects", "schedule.not_list"),
        (lambda d: d["slots"][0].update(minutes=0), "slots[0].minutes", "schedule.not_positive"),
        (lambda d: d["slots"][1].update(id="1-0"), "slots[1].id", "schedule.duplicate_id"),
        (lambda d: d["projects"].append({"id": "p"}), "projects[1].id", "schedule.duplicate_id"),
        (
            lambda d: d["projects"][0].update(min_meetings=2.5),
            "projects[0].min_meetings",
            "schedule.not_count",
        ),
        (
            lambda d: d["projects"][0].update(unavailable=["x"]),
            "projects[0].unavailable[0]",
            "schedule.unknown_slot",
        ),
        (
            lambda d: d["scores"][0].update(score=float("inf")),
            "scores[0].score",
            "schedule.bad_score",
        ),
        (
            lambda d: d["scores"].append(dict(d["scores"][0])),
            "scores[1]",
            "schedule.duplicate_pair",
        ),
        (
            lambda d: d.update(
                must_meet=[{"institution": "A", "project": "p"}],
                forbidden=[{"institution": "A", "project": "p"}],
            ),
            "must_meet[0]",
            "schedule.must_and_forbidden",
        ),
        (
            lambda d: d.update(tables=[{"session": "PM", "count": 2}]),
            "tables[0].session",
            "schedule.unknown_session",
        ),
        (
            lambda d: d.update(tables=[{"session": "S1", "ids": ["a"], "count": 2}]),
            "tables[0].count",
            "schedule.table_count_mismatch",
        ),
        (
            lambda d: d.update(
                locked=[{"institution": "A", "project": "p", "slot": "1-0", "table": "x"}]
            ),
            "locked[0].table",
            "schedule.unknown_table",
        ),
        (lambda d: d["slots"][0].update(start=20261208), "slots[0].start", "schedule.bad_time"),
        (lambda d: d["projects"][0].update(id=""), "projects[0].id", "schedule.not_id"),
        (lambda d: d["scores"].append(3), "scores[1]", "schedule.not_object"),
    ],
)
def test_each_parse_problem_names_its_field(edit: Any, column: str, code: str) -> None:
    data = tiny({("A", "p"): 0.5})
    edit(data)
    with pytest.raises(InvalidInput) as caught:
        parse_instance(data)
    assert (column, code) in {(p.column, p.code) for p in caught.value.problems}
    for problem in caught.value.problems:
        assert "{" not in problem.message() + problem.message("en")


def test_instance_round_trips_and_defaults_apply() -> None:
    data = tiny({("A", "p"): 0.5}, slots=3)
    data["institutions"].append({"id": 7})  # integer ids are read as strings
    data["scores"].append({"institution": 7, "project": "p", "score": 1})
    data["tables"] = [{"session": "S1", "count": 2}]
    instance = parse_instance(data)
    assert instance.slots[0].start.utcoffset() == timedelta(hours=8)  # naive means Shanghai
    assert instance.projects[0].max_meetings == 3 and instance.projects[0].min_meetings == 0
    assert ("7", "p") in instance.scores and instance.tables == {"S1": ("1", "2")}
    assert parse_instance(json.loads(json.dumps(instance_to_dict(instance)))) == instance


def test_agenda_json_is_strict_json() -> None:
    instance = parse_instance(json.loads((DATA / "schedule_small.json").read_text("utf-8")))
    data = agenda_to_dict(solve(instance), "en")
    text = json.dumps(data, allow_nan=False)
    assert set(json.loads(text)) == {
        "status",
        "objective",
        "bound",
        "gap",
        "meetings",
        "diagnostics",
        "fair_minimum",
        "stats",
    }
    assert set(data["meetings"][0]) == {"institution", "project", "slot", "table"}


def test_synthetic_instances_are_deterministic_and_realistic() -> None:
    one, again, other = make_instance(seed=1), make_instance(seed=1), make_instance(seed=2)
    assert one == again and one != other
    instance = parse_instance(one)
    assert len(instance.projects) == 242 and len(instance.institutions) == 41
    assert len(instance.slots) == 27 and len({s.session for s in instance.slots}) == 3
    pairs = 242 * 41
    assert 0.85 * pairs < len(instance.scores) < 0.95 * pairs
    assert all(0 <= s <= 1 for s in instance.scores.values())
    away = sum(len(p.unavailable) for p in instance.projects) / (242 * 27)
    assert 0.08 < away < 0.22
    assert 0.01 * pairs < len(instance.must_meet) < 0.03 * pairs
    assert 0.03 * pairs < len(instance.forbidden) < 0.07 * pairs
