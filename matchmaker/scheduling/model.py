"""Facts derived from an instance once: free slots, admissible pairs, capacities, diagnostics."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from matchmaker.scheduling.instance import Instance, Pair, PartySpec
from matchmaker.scheduling.result import Diagnostic


@dataclass
class Facts:
    """What pair selection and slot assignment both need."""

    slot_order: dict[str, int]
    session_of: dict[str, str]
    free: dict[str, set[str]]  # party -> slots it may still use (away and locked removed)
    pairs: dict[Pair, float]  # admissible pairs (locked ones excluded) -> score
    common: dict[Pair, list[str]]  # admissible pair -> slots both may use
    locked_load: dict[str, int]
    capacity: dict[str, int]  # party -> most further meetings it can have
    parties: dict[str, PartySpec]


def derive(instance: Instance) -> Facts:
    """Return the derived facts of ``instance``."""
    slot_order = {s.id: k for k, s in enumerate(instance.slots)}
    parties = {p.id: p for p in (*instance.institutions, *instance.projects)}
    free = {pid: set(slot_order) - set(p.unavailable) for pid, p in parties.items()}
    locked_load: dict[str, int] = defaultdict(int)
    locked_pairs = set()
    for m in instance.locked:
        for party in (m.institution, m.project):
            free[party].discard(m.slot)
            locked_load[party] += 1
        locked_pairs.add(m.pair)
    candidates = dict(instance.scores)
    for pair in instance.must_meet:
        candidates.setdefault(pair, 0.0)
    pairs, common = {}, {}
    for pair, score in candidates.items():
        if pair in instance.forbidden or pair in locked_pairs:
            continue
        both = sorted(free[pair[0]] & free[pair[1]], key=slot_order.__getitem__)
        if both:
            pairs[pair] = score
            common[pair] = both
    degree: dict[str, int] = defaultdict(int)
    for i, p in pairs:
        degree[i] += 1
        degree[p] += 1
    capacity = {
        pid: max(0, min(spec.max_meetings - locked_load[pid], len(free[pid]), degree[pid]))
        for pid, spec in parties.items()
    }
    return Facts(
        slot_order=slot_order,
        session_of={s.id: s.session for s in instance.slots},
        free=free,
        pairs=pairs,
        common=common,
        locked_load=dict(locked_load),
        capacity=capacity,
        parties=parties,
    )


def diagnose(instance: Instance, facts: Facts) -> list[Diagnostic]:
    """Return the reasons, found by cheap checks, why no agenda can satisfy ``instance``."""
    out: list[Diagnostic] = []
    locked_pairs = {m.pair for m in instance.locked}
    taken: dict[tuple[str, str], int] = defaultdict(int)
    for m in instance.locked:
        for party in (m.institution, m.project):
            taken[(party, m.slot)] += 1
            if m.slot in facts.parties[party].unavailable:
                out.append(Diagnostic("locked_unavailable", {"party": party, "slot": m.slot}))
        if m.pair in instance.forbidden:
            out.append(
                Diagnostic("locked_forbidden", {"institution": m.institution, "project": m.project})
            )
    for (party, slot), n in sorted(taken.items()):
        if n > 1:
            out.append(Diagnostic("locked_clash", {"party": party, "slot": slot, "count": n}))
    for i, p in sorted(instance.must_meet - locked_pairs):
        if (i, p) not in facts.pairs:
            out.append(Diagnostic("must_meet_impossible", {"institution": i, "project": p}))
    must_load: dict[str, int] = defaultdict(int)
    for i, p in instance.must_meet | locked_pairs:
        must_load[i] += 1
        must_load[p] += 1
    for pid, spec in facts.parties.items():
        if must_load[pid] > spec.max_meetings:
            out.append(
                Diagnostic(
                    "must_above_max",
                    {"party": pid, "count": must_load[pid], "limit": spec.max_meetings},
                )
            )
        need = spec.min_meetings - facts.locked_load.get(pid, 0)
        if need > 0 and facts.capacity[pid] < need:
            degree = sum(1 for pair in facts.pairs if pid in pair)
            code = "no_partner" if degree == 0 else "min_above_capacity"
            out.append(
                Diagnostic(
                    code,
                    {
                        "party": pid,
                        "need": spec.min_meetings,
                        "capacity": facts.capacity[pid] + facts.locked_load.get(pid, 0),
                    },
                )
            )
    for side in (instance.institutions, instance.projects):
        other = instance.projects if side is instance.institutions else instance.institutions
        need = sum(p.min_meetings for p in side)
        room = sum(
            min(p.max_meetings, len(facts.free[p.id]) + facts.locked_load.get(p.id, 0))
            for p in other
        )
        if need > room:
            out.append(Diagnostic("min_sum_above_capacity", {"need": need, "capacity": room}))
    return out
