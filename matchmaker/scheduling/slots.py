"""CP-SAT models of meetings in slots, shared by slot assignment, the joint model and repair.

One Boolean per (pair, slot both parties have free); no party twice in a slot is built in.
What the variants add is a method: a pair at most / exactly once, table counts per session,
idle gaps as an objective, a complete hint from a timetable.

Tables: an institution sits at one table for a whole session, so a session with listed tables
can seat at most that many institutions. That is stricter than "no two institutions at one
table in one slot" (the validator's rule) and is what happens in the room.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import partial

from ortools.sat.python import cp_model

from matchmaker.scheduling.model import Edge, Facts

SCALE = 10_000  # CP-SAT needs integer weights: scores to 1e-4

Expr = cp_model.LinearExprT  # a linear expression over the model's variables (or a constant)
Derive = Callable[[set[tuple[int, int]]], int]  # busy (node, slot)s of a timetable → a value


class SlotModel:
    """A CP-SAT model with one Boolean per (pair, usable slot).

    ``busy`` (node → slot mask) marks slots taken by meetings outside the model (beyond the
    locked ones, which ``facts.free`` already excludes); ``seated`` maps a session index to
    the institutions that already hold a table there; ``only`` (pair → slot mask) restricts
    some pairs further (repair: a meeting that may stay or go, but not move).
    """

    def __init__(
        self,
        facts: Facts,
        edges: Iterable[Edge],
        busy: dict[int, int] | None = None,
        seated: dict[int, set[int]] | None = None,
        only: dict[Edge, int] | None = None,
    ) -> None:
        self.facts = facts
        self.model = cp_model.CpModel()
        self.busy = busy or {}
        self.seated = seated if seated is not None else _locked_seats(facts)
        self.y: dict[Edge, list[tuple[int, cp_model.IntVar]]] = {}
        self.table_limited = False  # a table count cut some institution out of a session
        # auxiliary variables and how to compute them from a timetable's busy (node, slot)s,
        # so a hint is complete and CP-SAT starts from it instead of repairing it
        self._derived: list[tuple[cp_model.IntVar, Derive]] = []
        # (node, slot) -> the variables of its possible meetings there
        self.at: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
        for e in edges:
            mask = facts.common.get(e, 0) & ~self.busy.get(e[0], 0) & ~self.busy.get(e[1], 0)
            mask &= (only or {}).get(e, mask)
            options = [(k, self.model.new_bool_var("")) for k in facts.slots_in(mask)]
            self.y[e] = options
            for k, var in options:
                self.at[(e[0], k)].append(var)
                self.at[(e[1], k)].append(var)
        for group in self.at.values():
            if len(group) > 1:
                self.model.add_at_most_one(group)

    def placed(self, e: Edge) -> Expr:
        """Return the 0/1 expression "pair ``e`` meets"."""
        return sum(var for _, var in self.y[e])

    def once(self, e: Edge, exactly: bool) -> None:
        """Let ``e`` meet at most once, or exactly once."""
        options = [var for _, var in self.y[e]]
        if exactly:
            self.model.add_exactly_one(options)
        elif len(options) > 1:
            self.model.add_at_most_one(options)

    def loads(self) -> dict[int, list[cp_model.IntVar]]:
        """Return per node the variables of its meetings in the model."""
        out: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (v, _), group in self.at.items():
            out[v] += group
        return out

    def load(self, group: list[cp_model.IntVar]) -> Expr:
        """Return the sum of ``group`` as a model expression (a constant 0 when empty)."""
        return sum(group) if group else self.model.new_constant(0)

    def tables(self, enforce: dict[int, cp_model.IntVar] | None = None) -> None:
        """Per session with listed tables, seat at most that many institutions."""
        facts = self.facts
        per_session: dict[int, dict[int, list[cp_model.IntVar]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for (v, k), group in self.at.items():
            if v < facts.n_inst:
                per_session[facts.session_of[k]][v] += group
        for s, per_institution in per_session.items():
            listed = facts.instance.tables.get(facts.session_ids[s])
            seated = self.seated.get(s, set())
            newcomers = [i for i in per_institution if i not in seated]
            if listed is None or len(seated) + len(newcomers) <= len(listed):
                continue
            flags: list[cp_model.IntVar] = []
            in_session = [k for k in range(len(facts.slot_ids)) if facts.session_of[k] == s]
            for i in newcomers:
                flag = self.model.new_bool_var("")
                for var in per_institution[i]:
                    self.model.add_implication(var, flag)
                flags.append(flag)
                self._derived.append((flag, partial(_any_busy, [(i, k) for k in in_session])))
            self.table_limited = True
            limit = self.model.add(sum(flags) <= max(len(listed) - len(seated), 0))
            if enforce is not None:
                limit.only_enforce_if(enforce.setdefault(s, self.model.new_bool_var("")))

    def idle_gaps(self, fixed: dict[int, int] | None = None) -> Expr:
        """Return an expression counting idle slots between meetings, per party and session.

        ``fixed`` (node → slot mask) are meetings outside the model that count as busy. For a
        party-session with possible meetings, ``first``/``last`` bracket them and
        ``gap = last - first + active - count`` is ≥ 0 (0 exactly when the meetings are
        consecutive), so the objective's trivial bound 0 is also its proof of optimality.
        """
        facts, model = self.facts, self.model
        fixed = fixed or {}
        busy: dict[tuple[int, int], dict[int, cp_model.IntVar | int]] = defaultdict(dict)
        for (v, k), group in self.at.items():
            if len(group) == 1:
                meets = group[0]
            else:
                meets = model.new_bool_var("")
                model.add(sum(group) == meets)
                self._derived.append((meets, partial(_any_busy, [(v, k)])))
            busy[(v, facts.session_of[k])][k] = meets
        for v, mask in fixed.items():
            for k in facts.slots_in(mask):
                busy[(v, facts.session_of[k])][k] = 1
        terms: list[cp_model.IntVar] = []
        for (v, _), slots in busy.items():
            if len(slots) < 2:
                continue
            first_k, last_k = min(slots), max(slots)
            first = model.new_int_var(first_k, last_k, "")
            last = model.new_int_var(first_k, last_k, "")
            active = model.new_bool_var("")
            model.add(first <= last)
            for k, flag in slots.items():
                if isinstance(flag, int):
                    model.add(first <= k)
                    model.add(last >= k)
                    model.add(active == 1)
                else:
                    model.add(first <= k).only_enforce_if(flag)
                    model.add(last >= k).only_enforce_if(flag)
                    model.add_implication(flag, active)
            gap = model.new_int_var(0, last_k - first_k + 1, "")
            model.add(gap == last - first + active - sum(slots.values()))
            terms.append(gap)
            for n, var in enumerate((first, last, active, gap)):
                self._derived.append((var, partial(_span_part, v, slots, n)))
        return sum(terms)

    def hint(self, placed: dict[Edge, int]) -> None:
        """Hint a (partial) timetable: each listed pair in its slot, everything else off.

        Written straight into the proto: ``add_hint`` per variable costs seconds at 10⁵ vars.
        """
        self.model.proto.clear_solution_hint()  # what ``clear_hints`` does (it is unannotated)
        busy: set[tuple[int, int]] = set()
        index: list[int] = []
        value: list[int] = []
        for e, options in self.y.items():
            for k, var in options:
                on = placed.get(e) == k
                index.append(var.index)
                value.append(int(on))
                if on:
                    busy.update(((e[0], k), (e[1], k)))
        for var, derive in self._derived:
            index.append(var.index)
            value.append(int(derive(busy)))
        hint = self.model.proto.solution_hint
        hint.vars.extend(index)
        hint.values.extend(value)

    def solve(
        self,
        seconds: float,
        on_solution: Callable[[], None] | None = None,
        presolve: bool = True,
        interleave: bool = False,
    ) -> tuple[cp_model.CpSolverStatus, cp_model.CpSolver]:
        """Solve within ``seconds``; return ``(status, solver)``.

        Reproducible: the same model gives the same answer whenever the search ends before
        the time limit. One worker by default; ``interleave`` runs two workers in CP-SAT's
        deterministic interleaved mode (the machines have two cores), only for models whose
        hint is a complete solution: CP-SAT 9.15 aborts the process in that mode on some
        infeasible hinted models. Without ``presolve`` a first timetable comes several times
        sooner on large models (presolve costs more than the search there), but
        infeasibility is proven later.
        """
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(seconds, 0.05)
        solver.parameters.cp_model_presolve = presolve
        solver.parameters.num_workers = 2 if interleave else 1
        solver.parameters.interleave_search = interleave
        callback = _Callback(on_solution) if on_solution else None
        status = solver.solve(self.model, callback)
        return status, solver

    def timetable(self, solver: cp_model.CpSolver) -> dict[Edge, int]:
        """Return the slot of each pair that meets in the solver's solution."""
        return {
            e: k for e, options in self.y.items() for k, var in options if solver.boolean_value(var)
        }


def _any_busy(keys: list[tuple[int, int]], busy: set[tuple[int, int]]) -> bool:
    """Return whether a timetable's busy (node, slot)s include one of ``keys``."""
    return any(key in busy for key in keys)


def _span_part(
    v: int, slots: dict[int, cp_model.IntVar | int], n: int, busy: set[tuple[int, int]]
) -> int:
    """Return item ``n`` of :func:`_span` (a derived variable's value under a timetable)."""
    return _span(v, slots, busy)[n]


def _span(
    v: int, slots: dict[int, cp_model.IntVar | int], busy: set[tuple[int, int]]
) -> tuple[int, int, int, int]:
    """Return (first, last, active, gap) of one party-session under a timetable."""
    on = [k for k, flag in slots.items() if isinstance(flag, int) or (v, k) in busy]
    if not on:
        return min(slots), min(slots), 0, 0
    return min(on), max(on), 1, max(on) - min(on) + 1 - len(on)


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, call: Callable[[], None]) -> None:
        super().__init__()
        self._call = call

    def on_solution_callback(self) -> None:
        self._call()


def _locked_seats(facts: Facts) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for lk in facts.locks:
        out[facts.session_of[lk.slot]].add(lk.i)
    return out


def greedy(
    facts: Facts, edges: Iterable[Edge], busy: dict[int, int] | None = None
) -> dict[Edge, int]:
    """Return a quick partial timetable (each pair in the earliest slot both have free).

    Pairs with the fewest options go first. Only a hint for CP-SAT: it ignores tables.
    """
    taken = dict(busy or {})
    out: dict[Edge, int] = {}
    for e in sorted(edges, key=lambda e: (facts.common.get(e, 0).bit_count(), e)):
        mask = facts.common.get(e, 0) & ~taken.get(e[0], 0) & ~taken.get(e[1], 0)
        if mask:
            k = (mask & -mask).bit_length() - 1
            out[e] = k
            taken[e[0]] = taken.get(e[0], 0) | 1 << k
            taken[e[1]] = taken.get(e[1], 0) | 1 << k
    return out
