"""Cheap checks that name why an instance has no valid agenda, before any solver runs."""

from __future__ import annotations

from collections import Counter, defaultdict

from matchmaker.scheduling.model import Facts
from matchmaker.scheduling.result import Diagnostic


def diagnose(facts: Facts) -> list[Diagnostic]:
    """Return every blocking reason the cheap counting checks find (empty: none found).

    Each check is a necessary condition, so a reason found here is a real one; passing them
    all does not prove the instance feasible (:mod:`matchmaker.scheduling.explain` goes on).
    """
    return [*_locked(facts), *_must(facts), *_counts(facts), *_tables(facts)]


def _who(facts: Facts, v: int) -> dict[str, str]:
    return {"party": facts.ids[v], "side": facts.side(v)}


def _locked(facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    forbidden = facts.instance.forbidden
    per_slot: Counter[tuple[int, int]] = Counter()
    seats: dict[tuple[int, int], set[str]] = defaultdict(set)
    at_table: Counter[tuple[str, int]] = Counter()
    for lk in facts.locks:
        slot = facts.slot_ids[lk.slot]
        for v in (lk.i, lk.p):
            per_slot[(v, lk.slot)] += 1
            if not facts.avail[v] >> lk.slot & 1:
                out.append(Diagnostic("locked_unavailable", {**_who(facts, v), "slot": slot}))
        if (facts.ids[lk.i], facts.ids[lk.p]) in forbidden:
            out.append(
                Diagnostic(
                    "locked_forbidden", {"institution": facts.ids[lk.i], "project": facts.ids[lk.p]}
                )
            )
        if lk.table is not None:
            seats[(lk.i, facts.session_of[lk.slot])].add(lk.table)
            at_table[(lk.table, lk.slot)] += 1
    for (v, k), n in sorted(per_slot.items()):
        if n > 1:
            params = {**_who(facts, v), "slot": facts.slot_ids[k], "count": n}
            out.append(Diagnostic("locked_clash", params))
    for (i, s), tables in sorted(seats.items()):
        if len(tables) > 1:
            params = {
                "institution": facts.ids[i],
                "session": facts.session_ids[s],
                "tables": "/".join(sorted(tables)),
            }
            out.append(Diagnostic("locked_two_tables", params))
    for (table, k), n in sorted(at_table.items()):
        if n > 1:
            params = {"table": table, "slot": facts.slot_ids[k], "count": n}
            out.append(Diagnostic("locked_table_clash", params))
    return out


def _must(facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    instance = facts.instance
    for e in facts.must:
        if e in facts.common:
            continue
        pair = (facts.ids[e[0]], facts.ids[e[1]])
        if pair in instance.forbidden:
            code = "must_meet_forbidden"
        elif pair not in instance.scores:
            code = "must_meet_unscored"
        else:
            code = "must_meet_no_common_slot"
        out.append(Diagnostic(code, {"institution": pair[0], "project": pair[1]}))
    return out


def _counts(facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    fixed = list(facts.locked_count)
    for i, p in facts.must:
        fixed[i] += 1
        fixed[p] += 1
    partners = facts.partners()
    room = facts.room()
    short = []
    for v in facts.nodes:
        if fixed[v] > facts.high[v]:
            params = {**_who(facts, v), "count": fixed[v], "limit": facts.high[v]}
            out.append(Diagnostic("must_above_max", params))
        capacity = facts.locked_count[v] + room[v]
        if facts.low[v] > capacity:
            short.append((v, capacity))
    if short:
        scored = _scored_partners(facts)
        for v, capacity in short:
            if scored[v] == 0 and facts.locked_count[v] == 0:
                params = {**_who(facts, v), "need": facts.low[v]}
                out.append(Diagnostic("no_partner", params))
                continue
            params = {
                **_who(facts, v),
                "need": facts.low[v],
                "slots": facts.avail[v].bit_count(),
                "partners": partners[v] + facts.locked_count[v],
                "capacity": capacity,
            }
            out.append(Diagnostic("min_above_capacity", params))
    sides = (range(facts.n_inst), range(facts.n_inst, len(facts.ids)))
    for side, (own, other) in zip(("institutions", "projects"), (sides, sides[::-1]), strict=True):
        need = sum(facts.low[v] for v in own)
        capacity = sum(min(facts.high[v], facts.avail[v].bit_count()) for v in other)
        if need > capacity:
            excess = need - capacity
            params = {"parties": side, "need": need, "capacity": capacity, "excess": excess}
            out.append(Diagnostic("min_sum_above_capacity", params))
    return out


def _scored_partners(facts: Facts) -> list[int]:
    """Per node, the partners it has a score with and is not forbidden to meet."""
    count = [0] * len(facts.ids)
    forbidden = facts.instance.forbidden
    for pair in facts.instance.scores:
        e = facts.edge_of(pair)
        if e is not None and pair not in forbidden:
            count[e[0]] += 1
            count[e[1]] += 1
    return count


def _tables(facts: Facts) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    needing: dict[int, set[int]] = defaultdict(set)
    for lk in facts.locks:
        needing[facts.session_of[lk.slot]].add(lk.i)
    for s, session in enumerate(facts.session_ids):
        listed = facts.instance.tables.get(session)
        if listed is not None and len(needing[s]) > len(listed):
            params = {"session": session, "needed": len(needing[s]), "tables": len(listed)}
            out.append(Diagnostic("too_few_tables", params))
    return out
