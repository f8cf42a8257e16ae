"""Repair on the day: re-plan around a change with locked meetings kept and the fewest moved.

Only the parties the change touches may move: meetings that are still valid stay where they are
unless moving one of them makes room; freed capacity is offered to pairs involving a touched
party. The model is small (a few parties × slots), so it answers in well under a second.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ortools.sat.python import cp_model

from matchmaker.scheduling.instance import Instance, Pair, Placement
from matchmaker.scheduling.model import derive, diagnose
from matchmaker.scheduling.result import Agenda, Diagnostic, Repair
from matchmaker.scheduling.solver import SCALE, _stats, seat

KEEP = 1_000 * SCALE  # staying put and being kept outweigh any score gained


def repair(instance: Instance, previous: Sequence[Placement], *, time_limit: float = 2.0) -> Repair:
    """Return the repaired agenda and which previous meetings moved, were dropped or added."""
    started = time.perf_counter()
    facts = derive(instance)
    problems = diagnose(instance, facts)
    if problems:
        return Repair(Agenda("infeasible", 0.0, 0.0, [], problems))
    parties = facts.parties
    locked = {m.pair for m in instance.locked}
    valid, displaced = [], []
    for m in previous:
        if m.pair in locked:
            continue
        ok = (
            m.pair in facts.pairs
            and m.slot not in parties[m.institution].unavailable
            and m.slot not in parties[m.project].unavailable
        )
        (valid if ok else displaced).append(m)
    touched = {party for m in displaced for party in m.pair}
    missing_must = instance.must_meet - locked - {m.pair for m in valid}
    touched |= {party for pair in missing_must for party in pair}
    # over a party's (new) maximum: it must shed meetings, so it is touched too
    load: dict[str, int] = defaultdict(int)
    for m in (*valid, *instance.locked):
        load[m.institution] += 1
        load[m.project] += 1
    touched |= {pid for pid, n in load.items() if n > parties[pid].max_meetings}
    fixed = [m for m in valid if not (set(m.pair) & touched)]
    movable = [m for m in valid if set(m.pair) & touched]
    busy = {(party, m.slot) for m in (*fixed, *instance.locked) for party in m.pair}
    fixed_load: dict[str, int] = defaultdict(int)
    for m in (*fixed, *instance.locked):
        fixed_load[m.institution] += 1
        fixed_load[m.project] += 1
    had = {m.pair: m for m in previous}
    candidates: set[Pair] = {m.pair for m in movable} | missing_must
    candidates |= {
        pair for pair in facts.pairs if set(pair) & touched and pair not in {m.pair for m in fixed}
    }
    candidates = {c for c in candidates if c in facts.pairs}
    model = cp_model.CpModel()
    v: dict[tuple[Pair, str], Any] = {}
    per_slot: dict[tuple[str, str], list[Any]] = defaultdict(list)
    per_party: dict[str, list[Any]] = defaultdict(list)
    objective = []
    for pair in sorted(candidates):
        options = []
        for slot in facts.common[pair]:
            if (pair[0], slot) in busy or (pair[1], slot) in busy:
                continue
            var = model.NewBoolVar("")
            v[(pair, slot)] = var
            options.append(var)
            per_slot[(pair[0], slot)].append(var)
            per_slot[(pair[1], slot)].append(var)
            score = round(facts.pairs[pair] * SCALE)
            before = had.get(pair)
            bonus = (KEEP if before is not None and before in movable else 0) + (
                KEEP if before is not None and before.slot == slot else 0
            )
            objective.append((score + bonus) * var)
        if not options:
            if pair in missing_must:
                return Repair(
                    Agenda(
                        "infeasible",
                        0.0,
                        0.0,
                        [],
                        [
                            Diagnostic(
                                "must_meet_impossible", {"institution": pair[0], "project": pair[1]}
                            )
                        ],
                    )
                )
            continue
        (model.AddExactlyOne if pair in instance.must_meet else model.AddAtMostOne)(options)
        per_party[pair[0]] += options
        per_party[pair[1]] += options
    for group in per_slot.values():
        if len(group) > 1:
            model.AddAtMostOne(group)
    for pid, vars_ in per_party.items():
        model.Add(sum(vars_) <= max(0, parties[pid].max_meetings - fixed_load[pid]))
    model.Maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.2, time_limit - (time.perf_counter() - started))
    solver.parameters.num_workers = 2
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Repair(Agenda("infeasible", 0.0, 0.0, [], [Diagnostic("no_timetable")]))
    chosen = [Placement(p[0], p[1], slot) for (p, slot), var in v.items() if solver.Value(var)]
    tables = {(facts.session_of[m.slot], m.institution): m.table for m in previous if m.table}
    placed = [
        Placement(
            m.institution, m.project, m.slot, tables.get((facts.session_of[m.slot], m.institution))
        )
        for m in (*fixed, *chosen)
    ] + list(instance.locked)
    meetings = seat(instance, facts, placed)
    now = {m.pair: m for m in meetings}
    moved = [(m, now[m.pair]) for m in previous if m.pair in now and now[m.pair].slot != m.slot]
    dropped = [m for m in previous if m.pair not in now]
    added = [m for m in meetings if m.pair not in had]
    objective_value = sum(instance.scores.get(m.pair, 0.0) for m in meetings)
    agenda = Agenda(
        "optimal" if status == cp_model.OPTIMAL else "feasible",
        objective_value,
        objective_value,  # a repair optimises stability first: its bound is its own
        meetings,
        stats=_stats(
            started,
            {"moved": len(moved), "dropped": len(dropped), "added": len(added)},
            meetings,
            instance,
        ),
    )
    return Repair(agenda, moved, dropped, added)
