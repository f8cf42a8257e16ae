"""Name a small set of requirements that block every agenda, with CP-SAT assumptions.

Each requirement an organiser can change (a party's minimum or maximum, a must-meet pair, a
session's table count) is switched on by an assumption literal. When the model is infeasible
``SufficientAssumptionsForInfeasibility`` returns a subset that is already infeasible; a
deletion pass then drops members while time allows, so the set shown is small (minimal when
the pass finishes). The degree-only model (no slots) is tried first: it is small and explains
most conflicts; the slot model follows when the degrees alone are fine.
"""

from __future__ import annotations

import time
from typing import Literal

from ortools.sat.python import cp_model

from matchmaker.scheduling.model import Edge, Facts
from matchmaker.scheduling.result import Diagnostic
from matchmaker.scheduling.slots import SlotModel

# what an organiser can change: a node's minimum or maximum, a must-meet pair, a session's tables
Requirement = (
    tuple[Literal["min", "max"], int] | tuple[Literal["must"], Edge] | tuple[Literal["tables"], int]
)


def explain(facts: Facts, deadline: float, lows: list[int] | None = None) -> list[Diagnostic]:
    """Return diagnostics naming a blocking set of requirements (empty if none was proven)."""
    for with_slots in (False, True):
        if time.perf_counter() >= deadline:
            break
        core = _core(facts, lows, with_slots, deadline)
        if core:
            return _describe(facts, core, lows)
    return []


def _core(
    facts: Facts, lows: list[int] | None, with_slots: bool, deadline: float
) -> list[Requirement]:
    edges = list(facts.common)
    must = set(facts.must)
    if with_slots:
        slots = SlotModel(facts, edges)
        for e in edges:
            slots.once(e, exactly=False)
        model = slots.model
        placed = {e: slots.placed(e) for e in edges}
        loads = {v: slots.load(group) for v, group in slots.loads().items()}
    else:
        model = cp_model.CpModel()
        x = {e: model.new_bool_var("") for e in edges}
        placed = dict(x)
        incident: dict[int, list[cp_model.IntVar]] = {}
        for (i, p), var in x.items():
            incident.setdefault(i, []).append(var)
            incident.setdefault(p, []).append(var)
        loads = {v: sum(group) for v, group in incident.items()}
    switch: dict[int, Requirement] = {}

    def requirement(req: Requirement) -> cp_model.IntVar:
        literal = model.new_bool_var("")
        switch[literal.index] = req
        return literal

    for e in must & set(edges):
        model.add(placed[e] == 1).only_enforce_if(requirement(("must", e)))
    for v in facts.nodes:
        load = loads[v] if v in loads else model.new_constant(0)
        if not with_slots:  # the slot model knows free slots by construction
            model.add(load <= facts.free[v].bit_count())
        need = max(facts.low[v], lows[v] if lows else 0) - facts.locked_count[v]
        if need > 0:
            model.add(load >= need).only_enforce_if(requirement(("min", v)))
        limit = facts.high[v] - facts.locked_count[v]
        if limit < facts.free[v].bit_count():
            model.add(load <= limit).only_enforce_if(requirement(("max", v)))
    if with_slots:
        tables: dict[int, cp_model.IntVar] = {}
        slots.tables(tables)
        for s, literal in tables.items():
            switch[literal.index] = ("tables", s)
    core = list(switch)
    model.add_assumptions([model.get_bool_var_from_proto_index(k) for k in core])
    status, found = _solve(model, deadline)
    if status != cp_model.INFEASIBLE:
        return []
    core = found
    for k in list(core):  # deletion pass: drop what the conflict does not need
        if time.perf_counter() >= deadline or len(core) == 1:
            break
        if k not in core:
            continue
        trial = [c for c in core if c != k]
        model.clear_assumptions()
        model.add_assumptions([model.get_bool_var_from_proto_index(c) for c in trial])
        status, smaller = _solve(model, deadline)
        if status == cp_model.INFEASIBLE:
            core = [c for c in trial if c in set(smaller)] or trial
    return [switch[k] for k in core]


def _solve(model: cp_model.CpModel, deadline: float) -> tuple[cp_model.CpSolverStatus, list[int]]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), 0.05)
    solver.parameters.num_workers = 1  # the core is only reported by the single-thread search
    status = solver.solve(model)
    if status != cp_model.INFEASIBLE:
        return status, []
    return status, list(solver.sufficient_assumptions_for_infeasibility())


def _describe(facts: Facts, core: list[Requirement], lows: list[int] | None) -> list[Diagnostic]:
    out = [Diagnostic("conflict", {"count": len(core)})]
    for req in sorted(core, key=lambda r: (r[0], str(r[1]))):
        match req:
            case ("must", (i, p)):
                params = {"institution": facts.ids[i], "project": facts.ids[p]}
                out.append(Diagnostic("need_must", params))
            case ("tables", s):
                session = facts.session_ids[s]
                count = len(facts.instance.tables.get(session, ()))
                out.append(Diagnostic("need_tables", {"session": session, "tables": count}))
            case ("min", v):
                need = max(facts.low[v], lows[v] if lows else 0)
                out.append(Diagnostic("need_min", {**_who(facts, v), "need": need}))
            case ("max", v):
                out.append(Diagnostic("need_max", {**_who(facts, v), "limit": facts.high[v]}))
    return out


def _who(facts: Facts, v: int) -> dict[str, str]:
    return {"party": facts.ids[v], "side": facts.side(v)}
