"""The large-instance path: timetables by slot-by-slot matchings and a local CP-SAT repair."""

from __future__ import annotations

import random

import pytest
from tests_support import tiny

from matchmaker.scheduling import parse_instance, solve, validate
from matchmaker.scheduling.colouring import match_slots, repair_left
from matchmaker.scheduling.model import derive
from matchmaker.scheduling.pairs import select_pairs
from matchmaker.scheduling.solver import assemble
from matchmaker.scheduling.synthetic import make_instance


@pytest.mark.parametrize("fair", [False, True])
def test_matchings_reach_the_flow_bound_on_the_real_event_size(fair: bool) -> None:
    instance = parse_instance(make_instance(seed=4))
    exact = solve(instance, time_limit=10, fair=fair)
    matched = solve(instance, time_limit=10, fair=fair, matching_above=0)
    assert exact.stats["timetable"] == "cp-sat" and matched.stats["timetable"] == "matchings"
    # every chosen pair got a slot, so the objective is the flow's optimum: proven optimal
    assert matched.status == "optimal" and matched.gap == 0.0
    assert matched.objective == pytest.approx(matched.bound, rel=1e-9)
    assert matched.objective == pytest.approx(exact.objective, rel=1e-9)
    assert matched.fair_minimum == exact.fair_minimum
    assert validate(instance, matched.meetings) == []


def test_pairs_left_over_are_placed_by_the_local_repair_and_the_rest_stays() -> None:
    instance = parse_instance(make_instance(seed=2))
    facts = derive(instance)
    selection = select_pairs(facts)
    assert selection is not None
    placed, left = match_slots(facts, selection.edges)
    taken = random.Random(2).sample(sorted(placed), 40) + left
    rest = {e: k for e, k in placed.items() if e not in taken}
    fixed, still = repair_left(facts, rest, taken, 1e18)
    assert still == [] and set(fixed) == set(selection.edges)
    parties = {v for e in taken for v in e}
    # only the left-over pairs' parties' meetings may move
    assert all(fixed[e] == k for e, k in rest.items() if not parties & set(e))
    assert validate(instance, assemble(facts, fixed)) == []


def test_a_pair_no_timetable_fits_is_dropped_and_the_gap_says_what_it_cost() -> None:
    # the flow picks A×p and A×q (bound 2), but p and q are both free only in slot 1-0
    data = tiny({("A", "p"): 1, ("A", "q"): 0.8, ("B", "q"): 0.5})
    data["projects"] = [{"id": "p", "unavailable": ["1-1"]}, {"id": "q", "unavailable": ["1-1"]}]
    instance = parse_instance(data)
    agenda = solve(instance, matching_above=0)
    assert agenda.stats["pair_bound"] == pytest.approx(1.8) and agenda.status == "feasible"
    assert agenda.gap == pytest.approx((agenda.bound - agenda.objective) / agenda.bound)
    assert agenda.gap > 0 and validate(instance, agenda.meetings) == []
    # q's minimum decides which pair goes: the repair keeps every minimum it can
    data["projects"][1]["min_meetings"] = 1
    instance = parse_instance(data)
    agenda = solve(instance, matching_above=0)
    assert [m.pair for m in agenda.meetings] == [("A", "q")]
    assert validate(instance, agenda.meetings) == []


def test_matchings_keep_to_the_table_counts() -> None:
    # one table per session: A and B cannot share a session, yet all four pairs still meet
    data = tiny({(i, p): 0.5 for i in "AB" for p in "pq"}, slots=2, sessions=2)
    data["tables"] = [{"session": "S1", "ids": ["T1"]}, {"session": "S2", "ids": ["T9"]}]
    instance = parse_instance(data)
    agenda = solve(instance, matching_above=0)
    assert agenda.stats["timetable"] == "matchings" and agenda.status == "optimal"
    assert len(agenda.meetings) == 4 and validate(instance, agenda.meetings) == []


def test_shortlisted_synthetic_instances_score_each_project_against_its_candidates() -> None:
    data = make_instance(300, 60, candidates=12, seed=5)
    assert data == make_instance(300, 60, candidates=12, seed=5)
    per_project: dict[str, int] = {}
    for row in data["scores"]:
        per_project[row["project"]] = per_project.get(row["project"], 0) + 1
        assert 0 <= row["score"] <= 1
    assert set(per_project.values()) == {12} and len(per_project) == 300
    scored = {(r["institution"], r["project"]) for r in data["scores"]}
    must = [(r["institution"], r["project"]) for r in data["must_meet"]]
    assert must and set(must) <= scored
    assert {(r["institution"], r["project"]) for r in data["forbidden"]} <= scored
    assert max(sum(p == q for _, q in must) for _, p in must) <= 2  # min_meetings
    assert solve(parse_instance(data), time_limit=10).status == "optimal"
