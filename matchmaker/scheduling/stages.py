"""The solver's CP-SAT stages: timetable a fixed pair set, polish idle gaps, or choose jointly."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matchmaker.scheduling.model import Edge, Facts
from matchmaker.scheduling.pairs import degree_bounds
from matchmaker.scheduling.slots import SlotModel, greedy

JOINT_SCALE = 1_000_000  # joint objective weights: scores to 1e-6
JOINT_MAX_VARS = 200_000  # above this many (pair, slot) Booleans the joint model is narrowed
BUILD_SECONDS = 2e-5  # rough cost of one (pair, slot) Boolean: Python build + CP-SAT presolve
FOUND = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def locked_busy(facts: Facts) -> dict[int, int]:
    """Return per node the slots of its locked meetings."""
    out: dict[int, int] = {}
    for lk in facts.locks:
        for v in (lk.i, lk.p):
            out[v] = out.get(v, 0) | 1 << lk.slot
    return out


def timetable(
    facts: Facts, edges: list[Edge], deadline: float
) -> tuple[SlotModel | None, dict[Edge, int] | None, bool]:
    """Place every pair of ``edges`` in a slot (first solution found, no objective yet).

    Returns ``(model, timetable, proven_impossible)``; the timetable is None when none was
    found (proven impossible, or out of time). The model is kept for :func:`polish`.
    """
    size = sum(facts.common[e].bit_count() for e in edges)
    if deadline - time.perf_counter() < BUILD_SECONDS * size / 2:
        return None, None, False  # the model could not even be built in time
    slots = SlotModel(facts, edges)
    for e in edges:
        slots.once(e, exactly=True)
    slots.tables()
    slots.hint(greedy(facts, edges, locked_busy(facts)))
    quick = max(1.0, 0.5 * (deadline - time.perf_counter()))
    status, solver = slots.solve(min(quick, deadline - time.perf_counter()), presolve=False)
    if status == cp_model.UNKNOWN and deadline - time.perf_counter() > 0.05:
        status, solver = slots.solve(deadline - time.perf_counter())
    if status not in FOUND:
        return slots, None, status == cp_model.INFEASIBLE
    return slots, slots.timetable(solver), False


def polish(
    facts: Facts,
    placed: dict[Edge, int],
    deadline: float,
    search: float,
    tick: Callable[[], None],
    slots: SlotModel | None = None,
) -> dict[Edge, int]:
    """Return ``placed`` rearranged (same pairs) to leave fewer idle gaps.

    Searches for ``search`` seconds after the gap variables are built, never past
    ``deadline``; skipped when the time left would not even cover building them. ``slots`` is
    the model that found ``placed``, if at hand (else one is built).
    """
    size = sum(facts.common[e].bit_count() for e in placed)
    if not placed or deadline - time.perf_counter() < BUILD_SECONDS * size + 0.1:
        return placed
    if slots is None:
        slots = SlotModel(facts, list(placed))
        for e in placed:
            slots.once(e, exactly=True)
        slots.tables()
    slots.model.minimize(slots.idle_gaps(locked_busy(facts)))
    slots.hint(placed)
    seconds = min(search, deadline - time.perf_counter())
    status, solver = slots.solve(seconds, on_solution=tick, interleave=True)
    return slots.timetable(solver) if status in FOUND else placed


@dataclass
class Joint:
    """What the joint model found: a timetable, its proven bound (if valid for all), status."""

    placed: dict[Edge, int] | None
    bound: float | None  # an upper bound on any valid agenda (None: only the flow's holds)
    infeasible: bool  # proven: no agenda satisfies the instance (under these minimums)


def joint(
    facts: Facts,
    lows: list[int] | None,
    deadline: float,
    hint_edges: list[Edge],
    tick: Callable[[], None],
) -> Joint:
    """Choose pairs and slots in one CP-SAT model, hinted with ``hint_edges`` timetabled greedily.

    When every admissible pair fits in the model and no table count binds, the model is the
    whole problem and its proven bound is a bound for every valid agenda; otherwise only the
    flow's bound is (``bound`` None). The objective counts scores to 1e-6, so the bound adds
    the largest rounding of one score per meeting.
    """
    bounds = degree_bounds(facts, lows)
    if bounds is None:
        return Joint(None, None, True)
    lo, hi = bounds
    edges, narrowed = _candidates(facts, hi, hint_edges)
    size = sum(facts.common[e].bit_count() for e in edges)
    if deadline - time.perf_counter() < BUILD_SECONDS * size:
        return Joint(None, None, False)  # could not even be built in time
    slots = SlotModel(facts, edges)
    must = set(facts.must)
    for e in edges:
        slots.once(e, exactly=e in must)
    loads = slots.loads()
    here = [0] * len(facts.ids)  # must-meets are in the model: they count against the bounds
    for e in must:
        here[e[0]] += 1
        here[e[1]] += 1
    for v in facts.nodes:
        load = slots.load(loads.get(v, []))
        if lo[v] + here[v] > 0:
            slots.model.add(load >= lo[v] + here[v])
        slots.model.add(load <= hi[v] + here[v])
    slots.tables()
    weight = {e: round(facts.score(e) * JOINT_SCALE) for e in edges}
    rounding = max((abs(facts.score(e) * JOINT_SCALE - w) for e, w in weight.items()), default=0)
    slots.model.maximize(sum(weight[e] * slots.placed(e) for e in edges))
    slots.hint(greedy(facts, hint_edges, locked_busy(facts)))
    status, solver = slots.solve(deadline - time.perf_counter(), on_solution=tick)
    if status not in FOUND:
        exhaustive = not narrowed and status == cp_model.INFEASIBLE
        return Joint(None, None, exhaustive)
    placed = slots.timetable(solver)
    bound = None
    if not narrowed and not slots.table_limited:
        most = sum(hi[v] for v in range(facts.n_inst)) + len(must)
        fixed = sum(facts.score((lk.i, lk.p)) for lk in facts.locks)
        bound = (solver.best_objective_bound + rounding * most) / JOINT_SCALE + fixed
    return Joint(placed, bound, False)


def _candidates(facts: Facts, hi: list[int], chosen: list[Edge]) -> tuple[list[Edge], bool]:
    """Return the pairs of the joint model and whether some admissible ones were left out.

    Large instances keep, per party, its best-scoring pairs (a few more than it may have)
    beside the flow's choice, so the model stays a size CP-SAT answers within seconds.
    """
    edges = list(facts.common)
    if sum(facts.common[e].bit_count() for e in edges) <= JOINT_MAX_VARS:
        return edges, False
    keep = set(chosen) | set(facts.must)
    by_node: dict[int, list[Edge]] = {}
    for e in facts.optional:
        for v in e:
            by_node.setdefault(v, []).append(e)
    for v, options in by_node.items():
        options.sort(key=lambda e: -facts.optional[e])
        keep.update(options[: hi[v] + 3])
    return sorted(keep), True
