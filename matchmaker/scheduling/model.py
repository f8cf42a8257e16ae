"""Facts derived from an instance once: party and slot indices, free slots, admissible pairs.

Parties become integer nodes (institutions ``0..n_inst-1``, then projects) so an institution
and a project may share an id; a set of slots is a Python ``int`` bit mask (bit k = slot k),
which keeps "slots both parties may use" one ``&`` away however many slots there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from matchmaker.scheduling.instance import Instance, Placement

Edge = tuple[int, int]  # (institution node, project node)


@dataclass(frozen=True)
class Lock:
    """A locked meeting in node and slot indices."""

    i: int
    p: int
    slot: int
    table: str | None


@dataclass
class Facts:
    """What diagnosis, pair selection, slot assignment and repair all need."""

    instance: Instance
    n_inst: int
    ids: list[str]  # node -> party id
    node_of: tuple[dict[str, int], dict[str, int]]  # (institution ids, project ids) -> node
    slot_ids: list[str]
    slot_at: dict[str, int]
    session_ids: list[str]
    session_of: list[int]  # slot -> session index
    low: list[int]  # node -> min_meetings
    high: list[int]  # node -> max_meetings
    avail: list[int]  # node -> mask of slots it is present
    free: list[int]  # node -> avail minus the slots of its locked meetings
    locks: list[Lock]
    locked_count: list[int]
    must: list[Edge]  # must-meet pairs that are not locked (valid or not: see diagnose)
    optional: dict[Edge, float]  # admissible pairs that are neither locked nor must-meet
    common: dict[Edge, int] = field(default_factory=dict)  # admissible pair -> shared free slots

    @property
    def nodes(self) -> range:
        """Return every node."""
        return range(len(self.ids))

    def side(self, v: int) -> str:
        """Return ``"institution"`` or ``"project"``."""
        return "institution" if v < self.n_inst else "project"

    def score(self, e: Edge) -> float:
        """Return the score of ``e`` (0 for an unscored locked pair)."""
        return float(self.instance.scores.get((self.ids[e[0]], self.ids[e[1]]), 0.0))

    def edge_of(self, pair: tuple[str, str]) -> Edge | None:
        """Return the nodes of an ``(institution, project)`` id pair (None if unknown)."""
        i, p = self.node_of[0].get(pair[0]), self.node_of[1].get(pair[1])
        return None if i is None or p is None else (i, p)

    def placement(self, e: Edge, slot: int, table: str | None = None) -> Placement:
        """Return the meeting of ``e`` in slot index ``slot``."""
        return Placement(self.ids[e[0]], self.ids[e[1]], self.slot_ids[slot], table)

    def valid_must(self) -> list[Edge]:
        """Return the must-meet pairs that can be placed (scored, allowed, a shared slot)."""
        return [e for e in self.must if e in self.common]

    def partners(self) -> list[int]:
        """Return, per node, how many admissible partners (optional or must-meet) it has."""
        count = [0] * len(self.ids)
        for i, p in self.common:
            count[i] += 1
            count[p] += 1
        return count

    def room(self) -> list[int]:
        """Return, per node, the most meetings it can have beyond its locked ones."""
        partners = self.partners()
        return [
            max(0, min(self.high[v] - self.locked_count[v], self.free[v].bit_count(), partners[v]))
            for v in self.nodes
        ]

    def slots_in(self, mask: int) -> list[int]:
        """Return the slot indices of ``mask``, in order."""
        out = []
        while mask:
            low = mask & -mask
            out.append(low.bit_length() - 1)
            mask ^= low
        return out


def derive(instance: Instance) -> Facts:
    """Return the derived facts of ``instance`` (ids it does not know are ignored)."""
    # slot k is the k-th to start, so "between first and last meeting" means in time
    ordered = sorted(instance.slots, key=lambda s: (s.start, s.id))
    slot_ids = [s.id for s in ordered]
    slot_at = {s: k for k, s in enumerate(slot_ids)}
    session_ids = list(dict.fromkeys(s.session for s in ordered))
    session_at = {s: k for k, s in enumerate(session_ids)}
    parties = (*instance.institutions, *instance.projects)
    n_inst = len(instance.institutions)
    node_of = (
        {p.id: v for v, p in enumerate(instance.institutions)},
        {p.id: n_inst + v for v, p in enumerate(instance.projects)},
    )
    everything = (1 << len(slot_ids)) - 1
    avail = [
        everything & ~sum(1 << slot_at[s] for s in p.unavailable if s in slot_at) for p in parties
    ]
    free = list(avail)
    locked_count = [0] * len(parties)
    locks, locked_pairs = [], set()
    for m in instance.locked:
        i, p, k = node_of[0].get(m.institution), node_of[1].get(m.project), slot_at.get(m.slot)
        if i is None or p is None or k is None:
            continue
        locks.append(Lock(i, p, k, m.table))
        locked_pairs.add((i, p))
        for v in (i, p):
            free[v] &= ~(1 << k)
            locked_count[v] += 1
    must: list[Edge] = []
    for pair in sorted(instance.must_meet):
        i, p = node_of[0].get(pair[0]), node_of[1].get(pair[1])
        if i is not None and p is not None and (i, p) not in locked_pairs:
            must.append((i, p))
    must_set = set(must)
    optional: dict[Edge, float] = {}
    common: dict[Edge, int] = {}
    for pair, score in instance.scores.items():
        i, p = node_of[0].get(pair[0]), node_of[1].get(pair[1])
        if i is None or p is None or pair in instance.forbidden or (i, p) in locked_pairs:
            continue
        shared = free[i] & free[p]
        if shared:
            common[(i, p)] = shared
            if (i, p) not in must_set:
                optional[(i, p)] = float(score)
    return Facts(
        instance=instance,
        n_inst=n_inst,
        ids=[p.id for p in parties],
        node_of=node_of,
        slot_ids=slot_ids,
        slot_at=slot_at,
        session_ids=session_ids,
        session_of=[session_at[s.session] for s in ordered],
        low=[p.min_meetings for p in parties],
        high=[p.max_meetings for p in parties],
        avail=avail,
        free=free,
        locks=locks,
        locked_count=locked_count,
        must=must,
        optional=optional,
        common=common,
    )


def idle_gaps(facts: Facts, meetings: list[Placement]) -> dict[str, int]:
    """Return the empty slots between a party's first and last meeting of a session, summed."""
    spans: dict[tuple[int, int], list[int]] = defaultdict(list)
    for m in meetings:
        e, k = facts.edge_of(m.pair), facts.slot_at.get(m.slot)
        if e is None or k is None:
            continue
        for v in e:
            spans[(v, facts.session_of[k])].append(k)
    out = {"institutions": 0, "projects": 0}
    for (v, _), ks in spans.items():
        out[facts.side(v) + "s"] += max(ks) - min(ks) + 1 - len(ks)
    return out
