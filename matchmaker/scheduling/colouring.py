"""Timetables for very large pair sets: slot-by-slot matchings, then a local CP-SAT repair.

Placing a fixed pair set in slots is a list edge colouring of a bipartite graph (a pair is an
edge, a slot a colour, its shared free slots its list). CP-SAT solves it with one Boolean per
(pair, slot), which at a province's 60,000 chosen pairs × 27 slots costs gigabytes. Here the
slots are filled in time order, each by a matching: greedy, most urgent pairs first (a party
is urgent when its meetings left reach its free slots left), then alternating paths that
bring every urgent party left out into the matching. Memory grows with pairs, not pairs ×
slots. The few pairs left over go to a CP-SAT model of their neighbourhood only (their
parties' other meetings may move), so the model stays small; what even that cannot place is
returned, and the caller's certificate shows its cost.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from matchmaker.scheduling.model import Edge, Facts
from matchmaker.scheduling.slots import SlotModel

FOUND = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def bits(masks: list[int], width: int) -> np.ndarray:
    """Return a (len(masks), width) Boolean array: bit k of each mask."""
    if not masks:
        return np.zeros((0, width), bool)
    raw = np.array(masks, dtype=object)
    if width <= 63:
        raw = raw.astype(np.int64)
    out = np.zeros((len(masks), width), bool)
    for k in range(width):
        out[:, k] = (raw >> k) & 1
    return out


def match_slots(
    facts: Facts, edges: list[Edge], busy: dict[int, int] | None = None
) -> tuple[dict[Edge, int], list[Edge]]:
    """Return ``(timetable, left over)``: ``edges`` placed slot by slot by matchings.

    ``busy`` (node → slot mask) are slots taken outside ``edges`` (locked ones are already
    out of ``facts.free``). Tables are respected: an institution takes a table in a session
    only while one is free.
    """
    n, width = len(facts.ids), len(facts.slot_ids)
    busy = busy or {}
    ei = np.array([e[0] for e in edges], np.int64)
    ep = np.array([e[1] for e in edges], np.int64)
    usable = bits([facts.common[e] for e in edges], width)
    free = bits([facts.free[v] & ~busy.get(v, 0) for v in facts.nodes], width)
    usable &= free[ei] & free[ep]
    left = np.ones(len(edges), bool)
    slot_of = np.full(len(edges), -1, np.int64)
    limits, seated = _seats(facts, busy)
    for k in range(width):
        s = facts.session_of[k]
        cand = np.flatnonzero(left & usable[:, k] & free[ei, k] & free[ep, k])
        if not len(cand):
            continue
        # slack: free slots from k on minus meetings still to place (≤ 0: must meet now)
        remaining = np.bincount(ei[left], minlength=n) + np.bincount(ep[left], minlength=n)
        slack = free[:, k:].sum(axis=1) - remaining
        options = (usable[cand, k:] & free[ei[cand], k:] & free[ep[cand], k:]).sum(axis=1)
        low = np.minimum(np.minimum(slack[ei[cand]], slack[ep[cand]]), 1)
        # after urgency, pairs whose parties met in the slot before go first: fewer idle gaps
        on = np.zeros(n, np.int64)
        if k and facts.session_of[k - 1] == s:
            on[ei[slot_of == k - 1]] = on[ep[slot_of == k - 1]] = 1
        after = -(on[ei[cand]] + on[ep[cand]])
        order = cand[np.lexsort((options, slack[ei[cand]] + slack[ep[cand]], after, low))]
        mate: dict[int, int] = {}  # node -> edge index matched in slot k
        limit = limits[s]
        room = None if limit is None else limit - len(seated[s])
        for x in order.tolist():
            i, p = int(ei[x]), int(ep[x])
            if i in mate or p in mate:
                continue
            if room is not None and i not in seated[s]:
                if room <= 0:
                    continue
                room -= 1
                seated[s].add(i)
            mate[i] = mate[p] = x
        if room is None:  # alternating paths may seat anyone; with a table count, keep greedy
            _augment(cand, ei, ep, mate, slack)
        for x in set(mate.values()):
            slot_of[x] = k
            left[x] = False
            free[ei[x], k] = free[ep[x], k] = False
    placed = {edges[x]: int(slot_of[x]) for x in np.flatnonzero(~left).tolist()}
    return placed, [edges[x] for x in np.flatnonzero(left).tolist()]


def _seats(facts: Facts, busy: dict[int, int]) -> tuple[list[int | None], list[set[int]]]:
    """Return per session its table count (None: no limit) and who already sits there."""
    limits: list[int | None] = []
    for sid in facts.session_ids:
        listed = facts.instance.tables.get(sid)
        limits.append(None if listed is None else len(listed))
    seated: list[set[int]] = [set() for _ in facts.session_ids]
    for lk in facts.locks:
        seated[facts.session_of[lk.slot]].add(lk.i)
    for v, mask in busy.items():
        if v < facts.n_inst:
            for k in facts.slots_in(mask):
                seated[facts.session_of[k]].add(v)
    if any(limit is not None and limit < facts.n_inst for limit in limits):
        return limits, seated
    return [None] * len(limits), seated  # tables for everyone: no count can bind


def _augment(
    cand: np.ndarray, ei: np.ndarray, ep: np.ndarray, mate: dict[int, int], slack: np.ndarray
) -> None:
    """Bring urgent parties (slack ≤ 0) left out of the matching ``mate`` into it.

    From such a party, a breadth-first search along alternating paths (a pair not in the
    matching, then one in it) ends at a party that is unmatched (the matching grows) or not
    urgent (it gives its meeting up); flipping the path matches the urgent party and leaves
    every other urgent party matched.
    """
    adj: dict[int, list[int]] = defaultdict(list)
    for x in cand.tolist():
        adj[int(ei[x])].append(x)
        adj[int(ep[x])].append(x)

    def other(x: int, v: int) -> int:
        i = int(ei[x])
        return int(ep[x]) if i == v else i

    urgent = [v for v in adj if v not in mate and slack[v] <= 0]
    for root in urgent:
        parent: dict[int, tuple[int, int]] = {}  # node reached -> (edge used, node before)
        seen = {root}
        queue = [root]
        end = -1
        while queue and end < 0:
            nxt = []
            for u in queue:
                for x in adj[u]:
                    w = other(x, u)
                    if w in seen or mate.get(u) == x:
                        continue
                    seen.add(w)
                    parent[w] = (x, u)
                    y = mate.get(w)
                    if y is None:
                        end = w
                        break
                    z = other(y, w)
                    if z in seen:
                        continue
                    seen.add(z)
                    parent[z] = (y, w)
                    if slack[z] > 0:
                        end = z
                        break
                    nxt.append(z)
                if end >= 0:
                    break
            queue = nxt
        if end < 0:
            continue
        v = end
        if end in mate:  # a party that is not urgent gives its meeting up
            mate.pop(end)
            v = parent[end][1]
        while True:  # flip: the path's pairs off the matching go in, those on it go out
            x, u = parent[v]
            mate[v] = mate[u] = x
            if u == root:
                break
            v = parent[u][1]


def repair_left(
    facts: Facts,
    placed: dict[Edge, int],
    left: list[Edge],
    deadline: float,
    need: list[int] | None = None,
) -> tuple[dict[Edge, int], list[Edge]]:
    """Place the left-over pairs with CP-SAT on their neighbourhood; return what still is left.

    The model holds the left-over pairs and every placed pair touching one of their parties
    (those may move); the rest of the timetable is fixed. If no timetable places them all,
    a second model keeps the best of those pairs that fit (must-meets first, then score),
    every party at ``need[v]`` meetings (locked ones aside) or more; what it leaves out is
    returned.
    """
    if not left:
        return placed, []
    parties = {v for e in left for v in e}
    moving = [e for e in placed if e[0] in parties or e[1] in parties]
    moving_set = set(moving)
    busy: dict[int, int] = defaultdict(int)
    seated: dict[int, set[int]] = defaultdict(set)
    for e, k in placed.items():
        if e not in moving_set:
            busy[e[0]] |= 1 << k
            busy[e[1]] |= 1 << k
            seated[facts.session_of[k]].add(e[0])
    for lk in facts.locks:
        seated[facts.session_of[lk.slot]].add(lk.i)
    kept = {e: k for e, k in placed.items() if e not in moving_set}
    for exact in (True, False):
        seconds = deadline - time.perf_counter()
        if seconds <= 0.05:
            break
        model = SlotModel(facts, moving + left, busy=dict(busy), seated=dict(seated))
        for e in moving:
            model.once(e, exactly=exact)
        for e in left:
            model.once(e, exactly=exact)
        model.tables()
        if not exact:
            _keep_minimums(facts, model, kept, need)
            must = set(facts.must)  # a must-meet left out fails the agenda: it goes first
            weight = {
                e: 1_000 + round(facts.score(e) * 1_000) + (10**6 if e in must else 0)
                for e in moving + left
            }
            model.model.maximize(sum(weight[e] * model.placed(e) for e in moving + left))
        model.hint({e: placed[e] for e in moving})
        status, solver = model.solve(seconds if not exact else 0.5 * seconds)
        if status in FOUND:
            found = model.timetable(solver)
            return {**kept, **found}, [e for e in moving + left if e not in found]
    return placed, left


def _keep_minimums(
    facts: Facts, model: SlotModel, kept: dict[Edge, int], need: list[int] | None
) -> None:
    """Keep every party of ``model`` at ``need[v]`` meetings or more, counting ``kept``."""
    if need is None:
        return
    fixed = [0] * len(facts.ids)
    for e in kept:
        fixed[e[0]] += 1
        fixed[e[1]] += 1
    for v, group in model.loads().items():
        if need[v] > fixed[v]:
            model.model.add(sum(group) >= need[v] - fixed[v])
