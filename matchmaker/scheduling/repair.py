"""Repair on the day: re-plan around a change, locked meetings kept and the fewest others moved.

The new instance says what changed (a cancelled meeting is a forbidden pair, a late arrival
adds unavailable slots, a new must-meet, a withdrawn party has max_meetings 0). Previous
meetings that still fit stay unless a rule now broken needs them to change. A small CP-SAT
model over a neighbourhood of the change then maximises first the previous meetings that stay
exactly where they were and second the total score (so freed seats are refilled). The
neighbourhood grows only when the smaller one is proven unable to absorb the change; each
answer is exact within its neighbourhood.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matchmaker.scheduling.diagnose import diagnose
from matchmaker.scheduling.explain import explain
from matchmaker.scheduling.instance import Instance, Placement
from matchmaker.scheduling.model import Edge, Facts, derive
from matchmaker.scheduling.pairs import select_pairs
from matchmaker.scheduling.result import Diagnostic, Repair, certified, infeasible
from matchmaker.scheduling.slots import SCALE, SlotModel
from matchmaker.scheduling.solver import Clock, assemble, summary
from matchmaker.scheduling.stages import FOUND

BREADTH = 8  # partners a short party may take a new meeting with, in the small neighbourhoods


@dataclass(frozen=True)
class Scope:
    """One neighbourhood: what may change in a repair."""

    movable: frozenset[Edge]  # previous meetings that may move to another slot (or go)
    droppable: bool  # the other previous meetings may go (not move) to free their seat
    short: frozenset[int]  # parties that may take new meetings in any slot (displacing others)
    refill: frozenset[int]  # parties that may take new meetings in seats nobody holds
    breadth: int | None  # each short party considers its best partners only (None: all)


def repair(instance: Instance, previous: Sequence[Placement], *, time_limit: float = 2.0) -> Repair:
    """Return the repaired agenda and which previous meetings moved, were dropped or added.

    A previous meeting "moves" when its slot changes, or its table when it had one. Previous
    meetings naming parties or slots the instance no longer has are dropped. The agenda's
    bound is the new instance's pair-selection optimum, so its gap shows what stability cost.
    """
    clock = Clock(time_limit)
    facts = derive(instance)
    problems = diagnose(facts)
    if problems:
        return Repair(infeasible(problems, clock.stats()))
    best = select_pairs(facts)
    if best is None:
        reasons = explain(facts, clock.deadline) or [Diagnostic("no_pairing")]
        return Repair(infeasible(reasons, clock.stats()))
    locked = {(lk.i, lk.p) for lk in facts.locks}
    first: dict[Edge, int] = {}
    for m in previous:
        e, k = facts.edge_of(m.pair), facts.slot_at.get(m.slot)
        if e is not None and k is not None and e not in first and e not in locked:
            first[e] = k
    keep = {e: k for e, k in first.items() if facts.common.get(e, 0) >> k & 1}
    proven, placed, level = False, None, 0
    for level, scope in enumerate(_scopes(facts, keep, first), start=1):
        if clock.left() < 0.05:
            break
        share = (0.3, 0.5, 0.7, 1.0)[level - 1]
        placed, proven = _replan(facts, keep, first, scope, share * clock.left())
        if placed is not None:
            break
    if placed is None:
        if proven:
            reasons = explain(facts, clock.deadline) or [Diagnostic("no_timetable")]
        else:
            reasons = [Diagnostic("timeout", {"seconds": round(clock.limit, 1)})]
        return Repair(infeasible(reasons, clock.stats()))
    session_of = {facts.slot_ids[k]: facts.session_ids[s] for k, s in enumerate(facts.session_of)}
    prefer = {
        (session_of[m.slot], m.institution): m.table
        for m in previous
        if m.table is not None and m.slot in session_of
    }
    meetings = assemble(facts, placed, prefer)
    moved, dropped, added = _changes(previous, meetings)
    objective = sum(instance.scores.get(m.pair, 0.0) for m in meetings)
    stats = {
        **clock.stats(),
        **summary(facts, meetings),
        "neighbourhood": level,
        "moved": len(moved),
        "dropped": len(dropped),
        "added": len(added),
    }
    return Repair(certified(objective, best.bound, meetings, stats=stats), moved, dropped, added)


def _scopes(facts: Facts, keep: dict[Edge, int], first: dict[Edge, int]) -> list[Scope]:
    """Return the neighbourhoods to try, smallest first (each contains the one before).

    Broken parties are those whose rules the still-valid previous meetings break (below the
    minimum, above the maximum, a must-meet missing, twice in a slot, too many at the tables);
    their meetings may move. Parties that lost a meeting, or may lose one because it involves
    a broken party, may take new meetings in seats nobody holds.

    1. broken parties' meetings move, nobody else's; 2. any other meeting may also go, to free
    a seat for a must-meet or a party that is (or may fall) below its minimum; 3. every
    meeting may move; 4. every party may take new meetings anywhere (the whole problem: big,
    tried last).
    """
    load = list(facts.locked_count)
    per_slot: Counter[tuple[int, int]] = Counter()
    seated: dict[int, set[int]] = defaultdict(set)
    for e, k in keep.items():
        seated[facts.session_of[k]].add(e[0])
        for v in e:
            load[v] += 1
            per_slot[(v, k)] += 1
    for lk in facts.locks:
        seated[facts.session_of[lk.slot]].add(lk.i)
    short = {v for v in facts.nodes if load[v] < facts.low[v]}
    broken = short | {v for v in facts.nodes if load[v] > facts.high[v]}
    broken |= {v for (v, _), n in per_slot.items() if n > 1}
    broken |= {v for e in facts.must if e not in keep for v in e}
    for s, institutions in seated.items():
        listed = facts.instance.tables.get(facts.session_ids[s])
        if listed is not None and len(institutions) > len(listed):
            broken |= institutions  # too many at the tables: any of them may have to leave
    freed = {v for e in first if e not in keep for v in e}
    own = frozenset(e for e in keep if e[0] in broken or e[1] in broken)
    # the partners of meetings that may go may fall short of their minimum in turn
    partners = {v for e in own for v in e} - broken
    refill = frozenset(broken | freed | partners)
    needy = frozenset(short | partners)
    everyone = frozenset(keep)
    return [
        Scope(own, False, frozenset(), refill, None),
        Scope(own, True, needy, refill, BREADTH),
        Scope(everyone, True, needy, refill, 2 * BREADTH),
        Scope(everyone, True, frozenset(facts.nodes), refill, None),
    ]


def _replan(
    facts: Facts, keep: dict[Edge, int], first: dict[Edge, int], scope: Scope, seconds: float
) -> tuple[dict[Edge, int] | None, bool]:
    """Re-plan one neighbourhood; return ``(timetable, proven impossible in this scope)``."""
    deadline = time.perf_counter() + seconds
    fixed = {} if scope.droppable else {e: k for e, k in keep.items() if e not in scope.movable}
    only = {e: 1 << k for e, k in keep.items() if e not in scope.movable and scope.droppable}
    busy: dict[int, int] = defaultdict(int)  # seats held by fixed meetings
    held: dict[int, int] = defaultdict(int)  # seats held by previous meetings at all
    base = list(facts.locked_count)
    seated: dict[int, set[int]] = defaultdict(set)
    for lk in facts.locks:
        seated[facts.session_of[lk.slot]].add(lk.i)
    for e, k in keep.items():
        for v in e:
            held[v] |= 1 << k
    for e, k in fixed.items():
        seated[facts.session_of[k]].add(e[0])
        for v in e:
            busy[v] |= 1 << k
            base[v] += 1
    must = set(facts.must)
    candidates = {e for e in first if e not in fixed} | must
    best = _best_partners(facts, scope.short, scope.breadth)
    for e in facts.common:
        if e in best:
            candidates.add(e)
        elif (e[0] in scope.refill or e[1] in scope.refill) and e not in first and e not in must:
            candidates.add(e)
            only[e] = ~held[e[0]] & ~held[e[1]]  # a seat nobody holds: displaces no one
    edges = sorted(e for e in candidates if e in facts.common and e not in fixed)
    slots = SlotModel(facts, edges, busy, seated, only)
    for e in edges:
        slots.once(e, exactly=e in must)
    loads = slots.loads()
    for v in facts.nodes:  # a party without variables must already be within its bounds
        load = slots.load(loads.get(v, []))
        if facts.low[v] - base[v] > 0:
            slots.model.add(load >= facts.low[v] - base[v])
        slots.model.add(load <= facts.high[v] - base[v])
    slots.tables()
    # Lexicographic, in two solves: first the most previous meetings kept in place, then,
    # with that many held, the best score. (One weighted objective needs weights ~1e8, which
    # slowed CP-SAT's search for a first solution badly.)
    stays, hint = [], {}
    for e in edges:
        var = next((var for slot, var in slots.y[e] if slot == first.get(e)), None)
        if var is not None:
            stays.append(var)
            if e in keep:
                hint[e] = keep[e]
    slots.model.maximize(sum(stays))
    slots.hint(hint)
    status, solver = slots.solve(0.6 * (deadline - time.perf_counter()))
    if status not in FOUND:
        return None, status == cp_model.INFEASIBLE
    placed = slots.timetable(solver)
    if stays:
        slots.model.add(sum(stays) >= round(solver.objective_value))
    slots.model.maximize(sum(round(facts.score(e) * SCALE) * slots.placed(e) for e in edges))
    slots.hint(placed)  # a complete solution: safe for the two-worker interleaved search
    status, solver = slots.solve(deadline - time.perf_counter(), interleave=True)
    if status in FOUND:
        placed = slots.timetable(solver)
    return {**fixed, **placed}, False


def _best_partners(facts: Facts, parties: frozenset[int], breadth: int | None) -> set[Edge]:
    """Return the admissible pairs of ``parties``: each party's ``breadth`` best-scoring."""
    options: dict[int, list[Edge]] = defaultdict(list)
    for e in facts.common:
        for v in e:
            if v in parties:
                options[v].append(e)
    out: set[Edge] = set()
    for found in options.values():
        if breadth is not None:
            found = sorted(found, key=facts.score, reverse=True)[:breadth]
        out.update(found)
    return out


def _changes(
    previous: Sequence[Placement], meetings: list[Placement]
) -> tuple[list[tuple[Placement, Placement]], list[Placement], list[Placement]]:
    now = {m.pair: m for m in meetings}
    before = set()
    moved, dropped = [], []
    for m in previous:
        after = now.get(m.pair)
        if after is None or m.pair in before:
            dropped.append(m)  # gone, or the second copy of a pair that met twice
        elif after.slot != m.slot or (m.table is not None and after.table != m.table):
            moved.append((m, after))
        before.add(m.pair)
    added = [m for m in meetings if m.pair not in before]
    return moved, dropped, added
