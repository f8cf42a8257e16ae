"""Scheduling baselines for benchmarks/schedule_quality.py: greedy self-booking and a two-pass flow.

Both take the same parsed :class:`~matchmaker.scheduling.Instance` as the solver and return
meetings the independent validator can check. They reuse the core's derived facts (admissible
pairs, free slots as bit masks, slot order by start) and its seating, not its choices.

``greedy_fcfs``
    What self-booking platforms produce: projects arrive in a seeded random order (whoever
    registers first books first) and book one meeting per turn, round-robin — the best-scoring
    institution they may still meet that shares a free slot with them, in the earliest such
    slot, at the institution's table for that session — until nobody can book more or everyone
    is at their maximum. ``rounds=False`` is the harsher sequential variant: each arriving
    project books all its meetings before the next one starts. Both respect forbidden and
    unscored pairs, unavailability, maximum meetings on both sides, no double booking and
    one table per institution per session; they know nothing of minimums or must-meets.
``two_pass``
    How openreview-matcher's MinMax solver works: pass 1 is a min-cost max-flow with every
    project's upper bound set to its minimum (must-meets fixed beforehand, so they always
    count), pass 2 fills the remaining capacity (projects up to their maximum) with the pass-1
    pairs fixed, again as much flow as fits at the best score. Neither pass knows slots; the
    pairs are then timetabled by the core's CP-SAT slot model (first timetable found, no idle
    gap polishing). If they do not all fit, as many as possible are placed (most score first)
    and the rest are dropped and counted. Pair sets too large for one CP-SAT model (above the
    solver's ``MATCHING_ABOVE`` options) are timetabled as the solver does them: matchings,
    then CP-SAT on the left-over pairs' neighbourhood.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from matchmaker.scheduling import Instance, Placement
from matchmaker.scheduling.colouring import match_slots, repair_left
from matchmaker.scheduling.model import Edge, Facts, derive
from matchmaker.scheduling.slots import SlotModel, greedy
from matchmaker.scheduling.solver import MATCHING_ABOVE, assemble
from matchmaker.scheduling.stages import FOUND, locked_busy, timetable

COST_SCALE = 1_000_000  # flow costs are integers: scores to 1e-6 (synthetic scores have 4 decimals)


@dataclass
class Baseline:
    """A baseline's agenda and what it could not do."""

    meetings: list[Placement]
    seconds: float
    dropped: int = 0  # pairs chosen but not timetabled (two-pass only)
    note: str = ""


def greedy_fcfs(instance: Instance, seed: int = 0, *, rounds: bool = True) -> Baseline:
    """Return the agenda projects book for themselves in a seeded first-come order.

    ``rounds`` (default): one meeting per project per turn, round-robin over the arrival
    order; otherwise each project books all it can on arrival.
    """
    started = time.perf_counter()
    facts = derive(instance)
    n_inst = facts.n_inst
    projects = list(range(n_inst, len(facts.ids)))
    order = [projects[k] for k in np.random.default_rng(seed).permutation(len(projects))]
    wishes: dict[int, list[Edge]] = {p: [] for p in projects}
    for e in facts.common:
        wishes[e[1]].append(e)
    for options in wishes.values():
        options.sort(key=lambda e: (-facts.score(e), facts.ids[e[0]]))
    in_session = [0] * len(facts.session_ids)  # session -> mask of its slots
    for k, s in enumerate(facts.session_of):
        in_session[s] |= 1 << k
    limit = [
        len(listed) if (listed := instance.tables.get(sid)) is not None else len(facts.ids)
        for sid in facts.session_ids
    ]
    seated: list[set[int]] = [set() for _ in facts.session_ids]
    for lk in facts.locks:
        seated[facts.session_of[lk.slot]].add(lk.i)
    taken = [0] * len(facts.ids)  # slots booked here (locked ones are already out of free)
    load = list(facts.locked_count)
    cursor = dict.fromkeys(projects, 0)
    placed: dict[Edge, int] = {}

    def book(p: int) -> bool:
        # Every test below only gets harder as bookings accumulate, so an option that fails
        # once fails for good: the cursor never moves back.
        options = wishes[p]
        while load[p] < facts.high[p] and cursor[p] < len(options):
            e = options[cursor[p]]
            cursor[p] += 1
            i = e[0]
            if load[i] >= facts.high[i]:
                continue
            room = 0
            for s, mask in enumerate(in_session):
                if i in seated[s] or len(seated[s]) < limit[s]:
                    room |= mask
            mask = facts.common[e] & ~taken[i] & ~taken[p] & room
            if not mask:
                continue
            k = (mask & -mask).bit_length() - 1  # the earliest slot (slots are in time order)
            placed[e] = k
            for v in e:
                taken[v] |= 1 << k
                load[v] += 1
            seated[facts.session_of[k]].add(i)
            return True
        return False

    if rounds:
        waiting = order
        while waiting:
            waiting = [p for p in waiting if book(p)]
    else:
        for p in order:
            while book(p):
                pass
    meetings = assemble(facts, placed)
    return Baseline(meetings, time.perf_counter() - started)


def two_pass(instance: Instance, time_limit: float = 10.0) -> Baseline:
    """Return the minimum-then-rest flow's pairs, timetabled (see the module docstring)."""
    started = time.perf_counter()
    facts = derive(instance)
    n = len(facts.ids)
    must = facts.valid_must()
    fixed = [0] * n
    for e in must:
        for v in e:
            fixed[v] += 1
    top = [
        max(0, min(facts.high[v] - facts.locked_count[v], facts.free[v].bit_count()) - fixed[v])
        for v in facts.nodes
    ]
    first_cap = [
        top[v]
        if v < facts.n_inst
        else min(top[v], max(facts.low[v] - facts.locked_count[v] - fixed[v], 0))
        for v in facts.nodes
    ]
    first = _best_flow(facts, list(facts.optional), first_cap)
    used = [0] * n
    for e in first:
        for v in e:
            used[v] += 1
    chosen = set(first)
    rest = [e for e in facts.optional if e not in chosen]
    second = _best_flow(facts, rest, [top[v] - used[v] for v in facts.nodes])
    pairs = must + first + second
    deadline = started + time_limit
    note = ""
    if sum(facts.common[e].bit_count() for e in pairs) > MATCHING_ABOVE:
        placed, left = match_slots(facts, pairs)
        placed, _ = repair_left(facts, placed, left, deadline)
        meetings = assemble(facts, placed)
        return Baseline(meetings, time.perf_counter() - started, len(pairs) - len(placed))
    _, placed, _ = timetable(facts, pairs, deadline)
    if placed is None:
        placed, note = _most_that_fit(facts, pairs, must, deadline), "not all pairs fit"
    meetings = assemble(facts, placed)
    return Baseline(meetings, time.perf_counter() - started, len(pairs) - len(placed), note)


def _best_flow(facts: Facts, edges: Sequence[Edge], cap: Sequence[int]) -> list[Edge]:
    """Return the pairs of a maximum flow of least cost (most score) under per-node caps.

    As openreview-matcher's SimpleSolver: as many meetings as the caps allow first, the best
    total score among those second (a max flow fixes the amount, a min-cost flow routes it).
    """
    if not edges:
        return []
    n_inst, n = facts.n_inst, len(facts.ids)
    source, sink = n, n + 1
    ei = np.array([e[0] for e in edges], np.int64)
    ep = np.array([e[1] for e in edges], np.int64)
    proj = np.arange(n_inst, n)
    tails = np.concatenate([np.full(n_inst, source), ei, proj])
    heads = np.concatenate([np.arange(n_inst), ep, np.full(n - n_inst, sink)])
    capv = np.asarray(cap, np.int64)
    caps = np.concatenate([capv[:n_inst], np.ones(len(edges), np.int64), capv[n_inst:]])
    most = max_flow.SimpleMaxFlow()
    most.add_arcs_with_capacity(tails, heads, caps)
    if most.solve(source, sink) != most.OPTIMAL:
        raise RuntimeError("max flow failed")  # a bug in the baseline, not the instance
    amount = most.optimal_flow()
    scores = np.array([facts.score(e) for e in edges])
    costs = np.concatenate(
        [np.zeros(n_inst), -np.rint(scores * COST_SCALE), np.zeros(n - n_inst)]
    ).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supply = np.zeros(n + 2, np.int64)
    supply[source], supply[sink] = amount, -amount
    flow.set_nodes_supplies(np.arange(n + 2), supply)
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("min-cost flow failed")
    carried = flow.flows(np.arange(n_inst, n_inst + len(edges)))
    return [edges[k] for k in np.flatnonzero(carried > 0)]


def _most_that_fit(
    facts: Facts, pairs: list[Edge], must: list[Edge], deadline: float
) -> dict[Edge, int]:
    """Place as much of ``pairs`` as fits (must-meets first, then by score); CP-SAT, hinted."""
    model = SlotModel(facts, pairs)
    for e in pairs:
        model.once(e, exactly=False)
    model.tables()
    weight = {e: round(facts.score(e) * 10_000) + (10**9 if e in must else 0) for e in pairs}
    model.model.Maximize(sum(weight[e] * model.placed(e) for e in pairs))
    model.hint(greedy(facts, pairs, locked_busy(facts)))
    status, solver = model.solve(deadline - time.perf_counter())
    if status not in FOUND:
        return {}
    return model.timetable(solver)
