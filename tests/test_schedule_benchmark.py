"""The baselines of benchmarks/schedule_quality.py: valid agendas, and the solver beats them."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from matchmaker.scheduling import Instance, SolvedAgenda, parse_instance, solve, validate
from matchmaker.scheduling.model import derive
from matchmaker.scheduling.synthetic import make_instance

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
# the benchmarks are scripts, not a package: importable only once their folder is on the path
import schedule_baselines  # noqa: E402
import schedule_quality  # noqa: E402
from schedule_baselines import Baseline, greedy_fcfs, two_pass  # noqa: E402
from schedule_quality import SHORTFALLS, WIDE, gini, measure, run_huge, run_methods  # noqa: E402

SEED = 3


@pytest.fixture(scope="module")
def instance() -> Instance:
    """40 projects and 8 institutions: the institutions' slots cannot give everyone six."""
    return parse_instance(make_instance(projects=40, institutions=8, seed=SEED))


@pytest.fixture(scope="module")
def agenda(instance: Instance) -> SolvedAgenda:
    return solve(instance, time_limit=2.0)


@pytest.fixture(scope="module")
def baselines(instance: Instance) -> dict[str, Baseline]:
    return {
        "greedy FCFS": greedy_fcfs(instance, SEED),
        "greedy sequential": greedy_fcfs(instance, SEED, rounds=False),
        "two-pass": two_pass(instance, time_limit=2.0),
    }


def score(instance: Instance, base: Baseline) -> float:
    return sum(instance.scores[m.pair] for m in base.meetings)


def test_baselines_break_no_rule(instance: Instance, baselines: dict[str, Baseline]) -> None:
    for name, base in baselines.items():
        assert base.meetings, name
        broken = [v for v in validate(instance, base.meetings) if v.code not in SHORTFALLS]
        assert broken == [], (name, broken[:3])
    # two-pass knows minimums and must-meets: nothing at all is missing
    assert validate(instance, baselines["two-pass"].meetings) == []
    assert baselines["two-pass"].dropped == 0


def test_the_solver_scores_at_least_every_baseline(
    instance: Instance, agenda: SolvedAgenda, baselines: dict[str, Baseline]
) -> None:
    assert agenda.status == "optimal"
    for name, base in baselines.items():
        assert agenda.objective >= score(instance, base) - 1e-9, name
    # the instance is tight enough that booking in arrival order loses score
    assert agenda.objective > score(instance, baselines["greedy sequential"]) + 1.0


def test_two_pass_gives_every_project_its_minimum(
    instance: Instance, baselines: dict[str, Baseline]
) -> None:
    fair = solve(instance, time_limit=2.0, fair=True)
    lowest = max(p.min_meetings for p in instance.projects)
    assert fair.status == "optimal" and fair.fair_minimum is not None
    assert fair.fair_minimum >= lowest  # so every project's minimum is reachable
    load = Counter(m.project for m in baselines["two-pass"].meetings)
    assert all(load[p.id] >= p.min_meetings for p in instance.projects)
    assert instance.must_meet <= {m.pair for m in baselines["two-pass"].meetings}


@pytest.mark.parametrize("rounds", [True, False])
def test_greedy_respects_maxima_and_books_until_nobody_can(
    instance: Instance, rounds: bool
) -> None:
    meetings = greedy_fcfs(instance, SEED, rounds=rounds).meetings
    for side, parties in (("institution", instance.institutions), ("project", instance.projects)):
        load = Counter(getattr(m, side) for m in meetings)
        assert all(load[p.id] <= p.max_meetings for p in parties), side
    # maximal: no project below its maximum still shares a free slot with an institution below
    # its maximum that it may meet and has not met (tables do not bind in synthetic instances)
    facts = derive(instance)
    busy: dict[int, int] = defaultdict(int)  # node -> mask of booked slots
    load: Counter[int] = Counter()
    for m in meetings:
        for v in facts.edge_of(m.pair) or ():
            busy[v] |= 1 << facts.slot_at[m.slot]
            load[v] += 1
    met = {facts.edge_of(m.pair) for m in meetings}
    for (i, p), shared in facts.common.items():
        if (i, p) in met or load[i] >= facts.high[i] or load[p] >= facts.high[p]:
            continue
        assert not shared & ~busy[i] & ~busy[p], (facts.ids[i], facts.ids[p])


def test_round_robin_is_the_fairer_greedy(instance: Instance) -> None:
    """One meeting per turn spreads meetings more evenly than booking whole agendas."""
    per = {}
    for rounds in (True, False):
        load = Counter(m.project for m in greedy_fcfs(instance, SEED, rounds=rounds).meetings)
        per[rounds] = [load[p.id] for p in instance.projects]
    assert gini(per[True]) < gini(per[False])
    assert min(per[True]) > min(per[False])


def test_gini() -> None:
    assert gini([2, 2, 2]) == 0.0
    assert gini([0, 0, 3]) == pytest.approx(2 / 3)
    assert gini([0, 0]) == 0.0


def test_measure_agrees_with_the_solver(instance: Instance, agenda: SolvedAgenda) -> None:
    result = measure(instance, agenda.meetings, 0.0, agenda.status, agenda.bound)
    assert result.objective == pytest.approx(agenda.objective)
    stats = agenda.stats["idle_gaps"]
    assert result.idle == (stats["institutions"], stats["projects"])
    assert result.per_project[0] == agenda.stats["meetings_per_project"]["min"]
    assert result.must_covered == result.must_total == len(instance.must_meet) > 0
    assert result.broken == 0 and result.below_min == 0


def test_every_method_of_the_benchmark_runs_valid() -> None:
    small = parse_instance(make_instance(projects=20, institutions=5, sessions=2, seed=1))
    results = run_methods(small, seed=1, time_limit=1.0)
    assert set(results) >= {"solver", "solver fair", "greedy FCFS", "two-pass"}
    assert all(r.broken == 0 for r in results.values())
    assert results["solver"].status == "optimal"
    # under greedy's own rules the solver's optimum bounds greedy from above
    assert results["solver, greedy rules"].objective >= results["greedy FCFS"].objective - 1e-9


def test_the_large_run_prints_memory_and_its_verdicts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the province's shape at 1/50 of its size; two-pass takes the matchings path too
    size = {"projects": 200, "institutions": 20, "sessions": 3, "slots_per_session": 9}
    monkeypatch.setitem(schedule_quality.HUGE, "province", (size | WIDE, 30.0, 3.0, 0.0))
    monkeypatch.setattr(schedule_baselines, "MATCHING_ABOVE", 0)
    assert run_huge("province", 0)
    out = capsys.readouterr().out
    assert "200 projects × 20 institutions" in out and "candidates=40" in out
    assert "peak resident memory of this process after each method" in out
    assert "must-show (province, solver fair): valid, gap ≤ 0.0%, ≤ 30 s, ≤ 3 GB: met" in out
    assert "two-pass             0 dropped" in out
