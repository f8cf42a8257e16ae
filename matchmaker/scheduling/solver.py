"""The solver: exact pair selection (min-cost flow), then slots; fair mode; certificate.

1. Cheap counting checks name obvious blockers. 2. A min-cost flow picks the best pair set; its
optimum is the proven bound (ARCHITECTURE §5). 3. Slot-by-slot matchings timetable exactly
those pairs (availability, no double booking, tables) in milliseconds, CP-SAT when they leave
a pair over; CP-SAT then spends a bounded share of the time on fewer idle gaps (a timetable
that places every pair already reaches the bound, so the polish only changes when meetings
happen). 4. If the pairs cannot all be timetabled, one CP-SAT model chooses pairs and slots
together, hinted with stage 2's pairs; its objective is compared with the flow's bound, so the
reported gap stays honest. Infeasible models are explained with CP-SAT assumptions.

Province- and nation-wide events choose tens of thousands of pairs: one Boolean per (pair,
slot) would cost gigabytes, so above ``MATCHING_ABOVE`` such options stage 3 fills the slots
by matchings instead (:mod:`matchmaker.scheduling.colouring`), repairs the few pairs left
with CP-SAT on their neighbourhood only, and skips the idle-gap polish and the joint model.
A pair even that cannot place is dropped, and the certificate against the flow's bound says
what it cost.
"""

from __future__ import annotations

import math
import time
from typing import Any

from matchmaker.domain import StageProgress
from matchmaker.scheduling.colouring import match_slots, repair_left
from matchmaker.scheduling.diagnose import diagnose
from matchmaker.scheduling.explain import explain
from matchmaker.scheduling.instance import Instance, Placement
from matchmaker.scheduling.model import Edge, Facts, derive, idle_gaps
from matchmaker.scheduling.pairs import Selection, fair_minimum, select_pairs
from matchmaker.scheduling.result import Diagnostic, SolvedAgenda, certified, infeasible
from matchmaker.scheduling.seating import seat
from matchmaker.scheduling.stages import joint, polish, timetable

# above this many (pair, usable slot) options the timetable is built by matchings, not CP-SAT:
# the real event has ~20,000, a 500 × 400 two-day event ~100,000, a province ~500,000
MATCHING_ABOVE = 250_000


class Clock:
    """The time budget of one call: deadline, per-phase seconds, throttled progress reports."""

    def __init__(self, limit: float, progress: StageProgress | None = None) -> None:
        self.start = time.perf_counter()
        self.limit = max(limit, 0.0)
        self.deadline = self.start + self.limit
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self._phase, self._since, self._told = "", self.start, 0.0

    def phase(self, name: str, fraction: float) -> None:
        """Start phase ``name`` (closing the previous one) and report it."""
        self._close()
        self._phase = name
        if self.progress is not None:
            self.progress(name, fraction)

    def tick(self) -> None:
        """Report progress within a long solve (at most twice a second)."""
        now = time.perf_counter()
        if self.progress is not None and now - self._told >= 0.5:
            self._told = now
            self.progress(self._phase, min(0.99, (now - self.start) / max(self.limit, 1e-9)))

    def left(self) -> float:
        """Return the seconds left before the deadline (≥ 0)."""
        return max(self.deadline - time.perf_counter(), 0.0)

    def stats(self) -> dict[str, Any]:
        """Return ``{"seconds": total, "phase_seconds": {...}}``."""
        self._close()
        return {
            "seconds": round(time.perf_counter() - self.start, 3),
            "phase_seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }

    def _close(self) -> None:
        now = time.perf_counter()
        if self._phase:
            self.seconds[self._phase] = self.seconds.get(self._phase, 0.0) + now - self._since
        self._since = now


def solve(
    instance: Instance,
    *,
    time_limit: float = 10.0,
    fair: bool = False,
    progress: StageProgress | None = None,
    matching_above: int = MATCHING_ABOVE,
) -> SolvedAgenda:
    """Return the best agenda for ``instance`` within ``time_limit`` seconds, with its bound.

    Parameters
    ----------
    fair
        First raise every project's minimum to the largest m every project can reach
        (min(m, its own capacity)), then maximise the score; ``fair_minimum`` reports m and
        ``stats["price_of_fairness"]`` what it cost.
    progress
        Called as ``progress(phase, fraction)`` at each phase and during long solves.
    matching_above
        Timetables with more (pair, usable slot) options than this are built by matchings
        (see the module docstring).
    """
    clock = Clock(time_limit, progress)
    clock.phase("prepare", 0.0)
    facts = derive(instance)
    problems = diagnose(facts)
    if problems:
        return infeasible(problems, clock.stats())
    clock.phase("pairs", 0.05)
    plain = select_pairs(facts)
    if plain is None:
        clock.phase("explain", 0.9)
        reasons = explain(facts, clock.deadline) or [Diagnostic("no_pairing")]
        return infeasible(reasons, clock.stats())
    minimum, lows, selection = None, None, plain
    degree_minimum = None
    if fair:
        clock.phase("fair", 0.1)
        minimum, lows, _ = fair_minimum(facts, clock.start + 0.3 * clock.limit)
        selection = select_pairs(facts, lows) or plain  # feasible: the search proved it
        degree_minimum = minimum
    while True:
        # while a lower fair minimum remains to try, the joint model gets a share of the time
        share = 0.3 if minimum else 1.0
        options = sum(facts.common[e].bit_count() for e in selection.edges)
        by_matching = options > matching_above
        if by_matching:
            placed, bound, failure = _match(facts, selection, lows, clock)
        else:
            placed, bound, failure = _place(facts, selection, lows, clock, share)
        if placed is not None or not minimum or failure == "timeout" or clock.left() < 0.1:
            break
        # the fair minimum passed the degree test but no timetable was found for it: one less
        minimum -= 1
        lows = [min(low, minimum) for low in lows or []]
        selection = select_pairs(facts, lows) or plain
    if placed is None:
        if failure in ("timeout", "joint"):
            reasons = [Diagnostic("timeout", {"seconds": round(clock.limit, 1)})]
        else:
            clock.phase("explain", 0.9)
            reasons = explain(facts, clock.deadline, lows) or [Diagnostic("no_timetable")]
        return infeasible(reasons, clock.stats())
    clock.phase("seating", 0.95)
    meetings = assemble(facts, placed)
    objective = sum(facts.instance.scores.get(m.pair, 0.0) for m in meetings)
    stats = {**clock.stats(), **summary(facts, meetings), "pair_bound": round(plain.bound, 6)}
    stats["timetable"] = "matchings" if by_matching else "cp-sat"
    if fair:
        # against the unconstrained pair optimum, which stage 2 reaches when it timetables
        stats["price_of_fairness"] = round(max(plain.value - objective, 0.0), 6)
        if minimum != degree_minimum:  # the degree test allowed more than any timetable found
            stats["fair_minimum_by_degrees"] = degree_minimum
    if progress is not None:
        progress("done", 1.0)
    return certified(objective, bound, meetings, fair_minimum=minimum, stats=stats)


def _place(
    facts: Facts, selection: Selection, lows: list[int] | None, clock: Clock, share: float
) -> tuple[dict[Edge, int] | None, float, str]:
    """Timetable the selection (or choose jointly); return ``(timetable, bound, failure)``.

    ``failure`` is "" on success, "infeasible" when proven impossible, "timeout" when the
    first timetable ran out of time, "joint" when the joint model (given ``share`` of the
    time left) found nothing in its time.
    Slot-by-slot matchings (milliseconds) usually place every pair; CP-SAT then only
    polishes. Otherwise the first CP-SAT timetable may use all the time left (it stops at its
    first solution); the search for fewer idle gaps gets a quarter of the limit; a little is
    kept for seating.
    """
    reserve = 0.05 + 0.03 * clock.limit
    search = max(0.5, 0.25 * clock.limit)
    clock.phase("slots", 0.3)
    quick, left = match_slots(facts, selection.edges)
    if not left:
        clock.phase("idle gaps", 0.6)
        return (
            polish(facts, quick, clock.deadline - reserve, search, clock.tick),
            selection.bound,
            "",
        )
    slots, placed, impossible = timetable(facts, selection.edges, clock.deadline - reserve)
    if placed is not None:
        clock.phase("idle gaps", 0.6)
        placed = polish(facts, placed, clock.deadline - reserve, search, clock.tick, slots)
        return placed, selection.bound, ""
    if not impossible:
        return None, selection.bound, "timeout"
    clock.phase("joint", 0.5)
    until = time.perf_counter() + share * (clock.left() - reserve)
    found = joint(facts, lows, until, selection.edges, clock.tick)
    if found.placed is None:
        return None, selection.bound, "infeasible" if found.infeasible else "joint"
    clock.phase("idle gaps", 0.8)
    placed = polish(facts, found.placed, clock.deadline - reserve, search, clock.tick)
    bound = min(selection.bound, found.bound if found.bound is not None else math.inf)
    return placed, bound, ""


def _match(
    facts: Facts, selection: Selection, lows: list[int] | None, clock: Clock
) -> tuple[dict[Edge, int] | None, float, str]:
    """Timetable the selection by matchings; return ``(timetable, bound, failure)`` as _place.

    Pairs neither the matchings nor the local repair place are dropped when no must-meet and
    no party's minimum needs them ("joint" failure otherwise: the caller lowers a fair
    minimum or reports the time out).
    """
    reserve = 0.05 + 0.03 * clock.limit
    clock.phase("slots", 0.3)
    placed, left = match_slots(facts, selection.edges)
    if not left:
        return placed, selection.bound, ""
    clock.phase("repair", 0.6)
    # every party keeps its minimum (fair mode: the raised one) when a pair must be dropped
    need = [max(facts.low[v], lows[v] if lows else 0) - facts.locked_count[v] for v in facts.nodes]
    placed, left = repair_left(facts, placed, left, clock.deadline - reserve, need)
    count = [0] * len(facts.ids)
    for e in placed:
        count[e[0]] += 1
        count[e[1]] += 1
    must = set(facts.must)
    if any(e in must for e in left) or any(c < n for c, n in zip(count, need, strict=True)):
        return None, selection.bound, "joint"
    return placed, selection.bound, ""


def assemble(
    facts: Facts, placed: dict[Edge, int], prefer: dict[tuple[str, str], str] | None = None
) -> list[Placement]:
    """Return the meetings of ``placed`` plus the locked ones, each at its table."""
    meetings = [
        facts.placement(e, k) for e, k in sorted(placed.items(), key=lambda x: (x[1], x[0]))
    ]
    meetings += [facts.placement((lk.i, lk.p), lk.slot, lk.table) for lk in facts.locks]
    return seat(facts, meetings, prefer)


def summary(facts: Facts, meetings: list[Placement]) -> dict[str, Any]:
    """Return the agenda's counts: meetings, per-party minimum and maximum, idle gaps."""
    count = [0] * len(facts.ids)
    for m in meetings:
        e = facts.edge_of(m.pair)
        if e is not None:
            count[e[0]] += 1
            count[e[1]] += 1
    inst, proj = count[: facts.n_inst], count[facts.n_inst :]
    return {
        "meetings": len(meetings),
        "meetings_per_project": {"min": min(proj, default=0), "max": max(proj, default=0)},
        "meetings_per_institution": {"min": min(inst, default=0), "max": max(inst, default=0)},
        "idle_gaps": idle_gaps(facts, meetings),
    }
