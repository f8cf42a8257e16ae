"""Pair selection: who meets whom, as a min-cost flow; its optimum is also the proven bound.

Choosing pairs with per-party minimum and maximum meetings is a bipartite b-matching. Its
constraint matrix is totally unimodular, so the LP optimum is integral and equals the best
pair set; as a network it is a min-cost circulation (source → institution → project → sink →
source, degree bounds on the outer arcs). OR-Tools' ``SimpleMinCostFlow`` solves it in exact
integer arithmetic in a few hundredths of a second even at 200,000 pairs, where building and
solving the same LP with GLOP took seconds; fair mode solves it a dozen times more. Lower
bounds use the textbook transformation: an arc (u, v) that must carry ``lo`` units becomes an
arc of capacity ``hi - lo`` while ``lo`` units of supply move from u to v.

Costs must be integers, so scores are scaled by ``K`` and rounded; the bound adds the most
the rounding can hide (the largest rounding of one score, per meeting), so it stays a proven
upper bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matchmaker.scheduling.model import Edge, Facts

_MAX_SCALE = float(2**30)
_HEADROOM = float(2**52)  # |cost| × flow stays far inside int64


@dataclass(frozen=True)
class Selection:
    """A best pair set: the pairs to place (locked ones excluded), its score and bound."""

    edges: list[Edge]  # chosen optional pairs and every must-meet pair
    value: float  # true score of edges + locked meetings
    bound: float  # no valid agenda (under the same minimums) scores more


def degree_bounds(
    facts: Facts, lows: list[int] | None = None
) -> tuple[list[int], list[int]] | None:
    """Return per node the optional meetings it needs and may have (None if impossible).

    Locked and must-meet meetings are fixed, so they come off both bounds; the upper bound is
    also the free slots left after them.
    """
    fixed = list(facts.locked_count)
    must_here = [0] * len(facts.ids)
    for i, p in facts.valid_must():
        must_here[i] += 1
        must_here[p] += 1
    lo, hi = [], []
    for v in facts.nodes:
        done = fixed[v] + must_here[v]
        top = min(facts.high[v] - done, facts.free[v].bit_count() - must_here[v])
        need = max(facts.low[v], lows[v] if lows else 0) - done
        if top < 0 or need > top:
            return None
        lo.append(max(need, 0))
        hi.append(top)
    return lo, hi


def select_pairs(
    facts: Facts, lows: list[int] | None = None, *, feasibility_only: bool = False
) -> Selection | None:
    """Return the best pair set under the degree bounds (None if they cannot all be met).

    ``lows`` raises per-node minimums (fair mode). With ``feasibility_only`` the costs are
    zero: the answer only says whether the bounds can be met (value and bound are then 0).
    """
    if len(facts.must) != len(facts.valid_must()):
        return None
    bounds = degree_bounds(facts, lows)
    if bounds is None:
        return None
    lo, hi = (np.asarray(b, dtype=np.int64) for b in bounds)
    n_inst, n = facts.n_inst, len(facts.ids)
    edges = list(facts.optional)
    ei = np.fromiter((e[0] for e in edges), dtype=np.int64, count=len(edges))
    ep = np.fromiter((e[1] for e in edges), dtype=np.int64, count=len(edges))
    scores = np.fromiter(facts.optional.values(), dtype=np.float64, count=len(edges))
    flow_cap = int(min(hi[:n_inst].sum(), hi[n_inst:].sum(), len(edges)))
    biggest = float(np.abs(scores).max()) if len(edges) else 1.0
    scale = min(_MAX_SCALE, _HEADROOM / (max(biggest, 1e-12) * max(flow_cap, 1)))
    scaled = scores * scale
    costs = np.zeros(len(edges), np.int64) if feasibility_only else -np.rint(scaled)
    # the most one meeting's cost was rounded by (≤ 0.5; ~0 for scores with few decimals)
    rounding = float(np.abs(scaled - np.rint(scaled)).max()) if len(edges) else 0.0
    source, sink = n, n + 1  # parties are nodes 0..n-1
    inst, proj = np.arange(n_inst), np.arange(n_inst, n)
    tails = np.concatenate([np.full(n_inst, source), ei, proj, [sink]])
    heads = np.concatenate([inst, ep, np.full(n - n_inst, sink), [source]])
    caps = np.concatenate([(hi - lo)[:n_inst], np.ones(len(edges), np.int64), (hi - lo)[n_inst:]])
    caps = np.concatenate([caps, [int(hi[:n_inst].sum())]])
    unit = np.concatenate([np.zeros(n_inst), costs, np.zeros(n - n_inst + 1)]).astype(np.int64)
    supply = np.zeros(n + 2, np.int64)
    supply[:n_inst] = lo[:n_inst]  # the forced flow source → institution has arrived
    supply[source] = -lo[:n_inst].sum()
    supply[n_inst:n] = -lo[n_inst:]  # the forced flow project → sink is still to leave
    supply[sink] = lo[n_inst:].sum()
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, unit)
    flow.set_nodes_supplies(np.arange(n + 2), supply)
    status = flow.solve()
    if status != flow.OPTIMAL:
        if status in (flow.INFEASIBLE, flow.UNBALANCED):
            return None
        raise RuntimeError(f"min-cost flow failed: {status}")  # a bug, not a user error
    if feasibility_only:
        return Selection([], 0.0, 0.0)
    used = flow.flows(np.arange(n_inst, n_inst + len(edges))) > 0
    chosen = [edges[k] for k in np.flatnonzero(used)]
    fixed = sum(facts.score(e) for e in facts.must) + sum(
        facts.score((lk.i, lk.p)) for lk in facts.locks
    )
    value = float(scores[used].sum()) + fixed
    bound = -flow.optimal_cost() / scale + rounding * flow_cap / scale + fixed
    return Selection(chosen + list(facts.must), value, max(bound, value))


def fair_minimum(facts: Facts, deadline: float | None = None) -> tuple[int, list[int], bool]:
    """Return the largest m such that every project can get min(m, its capacity) meetings.

    A project's capacity is min(max_meetings, its free slots, its admissible partners) plus
    its locked meetings. Feasibility of one m is a zero-cost flow, so the binary search is
    cheap; if ``deadline`` (a ``time.perf_counter`` value) passes, the best m proven so far is
    returned and the flag says the search was cut short.
    """
    room = facts.room()
    capacity = [facts.locked_count[v] + room[v] for v in facts.nodes]
    projects = range(facts.n_inst, len(facts.ids))

    def lows(m: int) -> list[int]:
        out = [0] * len(facts.ids)
        for v in projects:
            out[v] = min(m, capacity[v])
        return out

    low, high = 0, max((capacity[v] for v in projects), default=0)
    cut = False
    while low < high:
        if deadline is not None and time.perf_counter() > deadline:
            cut = True
            break
        mid = (low + high + 1) // 2
        if select_pairs(facts, lows(mid), feasibility_only=True) is not None:
            low = mid
        else:
            high = mid - 1
    return low, lows(low), cut
