"""The solver: exact pair selection (LP on a totally unimodular b-matching), then CP-SAT slots.

Pair selection is a bipartite b-matching with degree bounds; its constraint matrix is totally
unimodular, so the simplex optimum (GLOP) is integral and is also the bound: no valid agenda
scores more. Slot assignment then timetables the chosen pairs with CP-SAT; when availability
makes that impossible, one joint CP-SAT model chooses pairs and slots together, and its own
proven bound is reported instead, so the gap stays honest.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from matchmaker.scheduling.instance import Instance, Pair, Placement
from matchmaker.scheduling.model import Facts, derive, diagnose
from matchmaker.scheduling.result import Agenda, Diagnostic

SCALE = 10_000  # CP-SAT needs integers: scores to 1e-4
Progress = Callable[[str, float], None]


def select_pairs(
    facts: Facts, instance: Instance, lows: dict[str, int] | None = None
) -> tuple[list[Pair], float] | None:
    """Return the best pair set and its score (None if the degree bounds cannot be met)."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    x = {pair: solver.NumVar(0, 1, "") for pair in facts.pairs}
    must = instance.must_meet - {m.pair for m in instance.locked}
    for pair in must:
        if pair not in x:
            return None
        x[pair].SetLb(1)
    incident: dict[str, list[Any]] = defaultdict(list)
    for (i, p), var in x.items():
        incident[i].append(var)
        incident[p].append(var)
    for pid, spec in facts.parties.items():
        done = facts.locked_load.get(pid, 0)
        low = max(spec.min_meetings, (lows or {}).get(pid, 0)) - done
        high = min(spec.max_meetings - done, len(facts.free[pid]))
        if low > high or (low > 0 and not incident[pid]):
            return None
        if incident[pid]:
            solver.Add(solver.Sum(incident[pid]) <= max(high, 0))
            if low > 0:
                solver.Add(solver.Sum(incident[pid]) >= low)
    solver.Maximize(solver.Sum(score * x[pair] for pair, score in facts.pairs.items()))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    chosen = [pair for pair, var in x.items() if var.solution_value() > 0.5]
    if any(0.001 < var.solution_value() < 0.999 for var in x.values()):
        return None  # not a vertex (should not happen on a TU matrix); the joint model decides
    return chosen, solver.Objective().Value()


def fair_minimum(facts: Facts, instance: Instance) -> tuple[int, dict[str, int]]:
    """Return the largest m such that every project can get min(m, its capacity) meetings."""
    projects = [p.id for p in instance.projects]

    def lows(m: int) -> dict[str, int]:
        return {p: min(m, facts.capacity[p] + facts.locked_load.get(p, 0)) for p in projects}

    low, high = (
        0,
        max((facts.capacity[p] + facts.locked_load.get(p, 0) for p in projects), default=0),
    )
    while low < high:
        mid = (low + high + 1) // 2
        if select_pairs(facts, instance, lows(mid)) is not None:
            low = mid
        else:
            high = mid - 1
    return low, lows(low)


def assign_slots(
    facts: Facts, instance: Instance, pairs: list[Pair], seconds: float
) -> dict[Pair, str] | None:
    """Timetable ``pairs`` (no party twice a slot, availability, table counts; compact days)."""
    model = cp_model.CpModel()
    y: dict[tuple[Pair, str], Any] = {}
    by_party_slot: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for pair in pairs:
        options = []
        for slot in facts.common[pair]:
            var = model.NewBoolVar("")
            y[(pair, slot)] = var
            options.append(var)
            by_party_slot[(pair[0], slot)].append(var)
            by_party_slot[(pair[1], slot)].append(var)
        model.AddExactlyOne(options)
    for group in by_party_slot.values():
        if len(group) > 1:
            model.AddAtMostOne(group)
    _table_limits(model, facts, instance, y)
    # earlier slots first keeps each party's meetings together (fewer idle gaps)
    model.Minimize(sum(facts.slot_order[slot] * var for (_, slot), var in y.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.5)
    solver.parameters.num_workers = 2
    if solver.Solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {pair: slot for (pair, slot), var in y.items() if solver.Value(var)}


def _table_limits(
    model: Any, facts: Facts, instance: Instance, y: dict[tuple[Pair, str], Any]
) -> None:
    """Per session, no more institutions may meet than the session has tables."""
    by_session: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for (pair, slot), var in y.items():
        by_session[facts.session_of[slot]][pair[0]].append(var)
    for session, per_institution in by_session.items():
        listed = instance.tables.get(session)
        locked = {m.institution for m in instance.locked if facts.session_of[m.slot] == session}
        if listed is None or len(per_institution.keys() | locked) <= len(listed):
            continue
        active = []
        for institution, vars_ in per_institution.items():
            if institution in locked:
                continue
            flag = model.NewBoolVar("")
            for var in vars_:
                model.AddImplication(var, flag)
            active.append(flag)
        model.Add(sum(active) <= len(listed) - len(locked))


def joint(
    facts: Facts, instance: Instance, lows: dict[str, int], seconds: float, hint: list[Pair]
) -> tuple[dict[Pair, str], float, bool] | None:
    """Choose pairs and slots in one CP-SAT model; return placement, proven bound, optimality."""
    model = cp_model.CpModel()
    z: dict[tuple[Pair, str], Any] = {}
    by_party_slot: dict[tuple[str, str], list[Any]] = defaultdict(list)
    load: dict[str, list[Any]] = defaultdict(list)
    hinted = set(hint)
    must = instance.must_meet - {m.pair for m in instance.locked}
    for pair, slots in facts.common.items():
        options = []
        for slot in slots:
            var = model.NewBoolVar("")
            z[(pair, slot)] = var
            options.append(var)
            by_party_slot[(pair[0], slot)].append(var)
            by_party_slot[(pair[1], slot)].append(var)
        (model.AddExactlyOne if pair in must else model.AddAtMostOne)(options)
        load[pair[0]] += options
        load[pair[1]] += options
        if pair in hinted:
            model.AddHint(options[0], 1)
    for group in by_party_slot.values():
        if len(group) > 1:
            model.AddAtMostOne(group)
    for pid, spec in facts.parties.items():
        done = facts.locked_load.get(pid, 0)
        low = max(spec.min_meetings, lows.get(pid, 0)) - done
        model.Add(sum(load[pid]) <= spec.max_meetings - done)
        if low > 0:
            model.Add(sum(load[pid]) >= low)
    _table_limits(model, facts, instance, z)
    model.Maximize(sum(round(facts.pairs[pair] * SCALE) * var for (pair, _), var in z.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.5)
    solver.parameters.num_workers = 2
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    placed = {pair: slot for (pair, slot), var in z.items() if solver.Value(var)}
    return placed, solver.BestObjectiveBound() / SCALE, status == cp_model.OPTIMAL


def seat(instance: Instance, facts: Facts, placed: list[Placement]) -> list[Placement]:
    """Give each institution one table per session (locked tables kept)."""
    seats: dict[tuple[str, str], str] = {}
    for m in placed:
        if m.table is not None:
            seats.setdefault((facts.session_of[m.slot], m.institution), m.table)
    by_session: dict[str, set[str]] = defaultdict(set)
    for m in placed:
        by_session[facts.session_of[m.slot]].add(m.institution)
    for session, institutions in by_session.items():
        tables = list(instance.tables_of(session, len(institutions)))
        used = {t for (s, _), t in seats.items() if s == session}
        free = [t for t in tables if t not in used]
        for institution in sorted(institutions):
            if (session, institution) not in seats:
                seats[(session, institution)] = (
                    free.pop(0) if free else str(len(tables) + len(seats))
                )
    return [
        Placement(
            m.institution, m.project, m.slot, seats[(facts.session_of[m.slot], m.institution)]
        )
        for m in placed
    ]


def solve(
    instance: Instance,
    *,
    time_limit: float = 10.0,
    fair: bool = False,
    progress: Progress | None = None,
) -> Agenda:
    """Return the best agenda for ``instance`` within ``time_limit`` seconds, with its bound."""
    started = time.perf_counter()
    tell = progress or (lambda phase, fraction: None)
    facts = derive(instance)
    problems = diagnose(instance, facts)
    if problems:
        return Agenda("infeasible", 0.0, 0.0, [], problems, stats=_stats(started, {}))
    tell("pairs", 0.0)
    lows: dict[str, int] = {}
    minimum = None
    unfair = select_pairs(facts, instance)
    if unfair is None:
        return Agenda(
            "infeasible", 0.0, 0.0, [], [Diagnostic("no_pairing")], stats=_stats(started, {})
        )
    if fair:
        minimum, lows = fair_minimum(facts, instance)
    selected = select_pairs(facts, instance, lows) if fair else unfair
    assert selected is not None  # the fair minimum was found feasible
    pairs, bound = selected
    timings = {"pairs_seconds": round(time.perf_counter() - started, 3)}
    tell("slots", 0.3)
    left = time_limit - (time.perf_counter() - started)
    slots = assign_slots(facts, instance, pairs, left * 0.5)
    status = "optimal"
    if slots is None:
        tell("joint", 0.6)
        left = time_limit - (time.perf_counter() - started)
        found = joint(facts, instance, lows, left, pairs)
        if found is None:
            return Agenda(
                "infeasible",
                0.0,
                bound,
                [],
                [Diagnostic("no_timetable")],
                minimum,
                _stats(started, timings),
            )
        slots, joint_bound, proven = found
        bound = min(bound, joint_bound)
        status = "optimal" if proven else "feasible"
    placed = [Placement(i, p, slot) for (i, p), slot in slots.items()]
    placed += list(instance.locked)
    meetings = seat(instance, facts, placed)
    objective = sum(instance.scores.get(m.pair, 0.0) for m in meetings)
    locked_score = sum(instance.scores.get(m.pair, 0.0) for m in instance.locked)
    bound += locked_score
    if status == "optimal" and objective < bound - 1e-6 * max(1.0, abs(bound)):
        status = "feasible"
    tell("done", 1.0)
    stats = _stats(started, timings, meetings, instance)
    if fair and unfair is not None:
        stats["price_of_fairness"] = round(unfair[1] + locked_score - objective, 6)
    return Agenda(status, objective, max(bound, objective), meetings, [], minimum, stats)


def _stats(
    started: float,
    extra: dict[str, Any],
    meetings: list[Placement] | None = None,
    instance: Instance | None = None,
) -> dict[str, Any]:
    stats = {**extra, "seconds": round(time.perf_counter() - started, 3)}
    if meetings is not None and instance is not None:
        order = {s.id: k for k, s in enumerate(instance.slots)}
        session = {s.id: s.session for s in instance.slots}
        per_project = defaultdict(int)
        for m in meetings:
            per_project[m.project] += 1
        counts = [per_project[p.id] for p in instance.projects]
        stats.update(
            meetings=len(meetings),
            project_meetings_min=min(counts, default=0),
            project_meetings_max=max(counts, default=0),
            idle_gaps=idle_gaps(meetings, order, session),
        )
    return stats


def idle_gaps(meetings: list[Placement], order: dict[str, int], session: dict[str, str]) -> int:
    """Return the empty slots between a party's first and last meeting of a session, summed."""
    spans: dict[tuple[str, str], list[int]] = defaultdict(list)
    for m in meetings:
        for party in (m.institution, m.project):
            spans[(party, session[m.slot])].append(order[m.slot])
    return sum(max(v) - min(v) + 1 - len(v) for v in spans.values())
