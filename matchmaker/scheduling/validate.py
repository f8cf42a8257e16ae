"""The validator: checks an agenda against its instance, sharing no code with the solver.

It reads only the instance dataclasses, so a bug in the solver's own bookkeeping (masks, node
numbers, seating) cannot hide here. Every rule is checked on the plain ids.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from matchmaker.messages import render
from matchmaker.scheduling.instance import Instance, Placement


@dataclass(frozen=True)
class Violation:
    """One broken rule, with the meeting that breaks it when there is one."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    placement: Placement | None = None

    def message(self, lang: str = "zh") -> str:
        """Return the sentence in ``lang``."""
        return render(f"schedule.violation.{self.code}", lang, **self.params)


def validate(instance: Instance, meetings: Sequence[Placement]) -> list[Violation]:
    """Return every rule ``meetings`` break in ``instance`` (empty: the agenda is valid).

    Checked: unknown slots, parties and tables; forbidden and unscored pairs (a locked pair
    needs no score); a pair meeting twice; a party twice in a slot or in a slot it is away;
    maximum and minimum meetings; missing must-meets; locked meetings missing, moved or at
    another table; an institution at two tables in a session; two institutions at one table
    in one slot.
    """
    out: list[Violation] = []

    def add(code: str, m: Placement | None = None, **params: Any) -> None:
        out.append(Violation(code, params, m))

    _each_meeting(instance, meetings, add)
    for (i, p), n in Counter(m.pair for m in meetings).items():
        if n > 1:
            add("pair_twice", None, institution=i, project=p, count=n)
    for attr, specs in (("institution", instance.institutions), ("project", instance.projects)):
        for (party, slot), n in Counter((getattr(m, attr), m.slot) for m in meetings).items():
            if n > 1:
                add("double_booked", None, party=party, slot=slot, count=n)
        load = Counter(getattr(m, attr) for m in meetings)
        for spec in specs:
            if load[spec.id] > spec.max_meetings:
                add(
                    "above_maximum",
                    None,
                    party=spec.id,
                    count=load[spec.id],
                    limit=spec.max_meetings,
                )
            if load[spec.id] < spec.min_meetings:
                add(
                    "below_minimum",
                    None,
                    party=spec.id,
                    count=load[spec.id],
                    limit=spec.min_meetings,
                )
    present = {m.pair for m in meetings}
    for i, p in sorted(instance.must_meet - present):
        add("must_meet_missing", None, institution=i, project=p)
    where = {(m.institution, m.project, m.slot): m for m in meetings}
    for lk in instance.locked:
        found = where.get((lk.institution, lk.project, lk.slot))
        params = {"institution": lk.institution, "project": lk.project}
        if found is None:
            add("locked_moved", lk, **params, slot=lk.slot)
        elif lk.table is not None and found.table != lk.table:
            add("locked_table", found, **params, table=lk.table)
    _tables(instance, meetings, add)
    return out


def _each_meeting(
    instance: Instance, meetings: Sequence[Placement], add: Callable[..., None]
) -> None:
    slots = {s.id for s in instance.slots}
    institutions = {p.id: p for p in instance.institutions}
    projects = {p.id: p for p in instance.projects}
    locked = {lk.pair for lk in instance.locked}
    for m in meetings:
        if m.slot not in slots:
            add("unknown_slot", m, slot=m.slot)
        for party, specs in ((m.institution, institutions), (m.project, projects)):
            spec = specs.get(party)
            if spec is None:
                add("unknown_party", m, party=party)
            elif m.slot in spec.unavailable:
                add("unavailable", m, party=party, slot=m.slot)
        if m.pair in instance.forbidden:
            add("forbidden", m, institution=m.institution, project=m.project)
        elif m.pair not in instance.scores and m.pair not in locked:
            add("unscored", m, institution=m.institution, project=m.project)


def _tables(instance: Instance, meetings: Sequence[Placement], add: Callable[..., None]) -> None:
    session_of = {s.id: s.session for s in instance.slots}
    seats: dict[tuple[str, str], set[str]] = defaultdict(set)
    used: Counter[tuple[str, str]] = Counter()
    for m in meetings:
        if m.table is None or m.slot not in session_of:
            continue
        session = session_of[m.slot]
        seats[(session, m.institution)].add(m.table)
        used[(m.slot, m.table)] += 1
        listed = instance.tables.get(session)
        # a session without a table list has tables "1", "2", … without limit
        known = m.table in listed if listed is not None else m.table.isdigit() and int(m.table) > 0
        if not known:
            add("unknown_table", m, table=m.table, session=session)
    for (session, institution), tables in seats.items():
        if len(tables) > 1:
            add(
                "two_tables",
                None,
                party=institution,
                session=session,
                tables="/".join(sorted(tables)),
            )
    for (slot, table), n in used.items():
        if n > 1:
            add("table_shared", None, table=table, slot=slot, count=n)
