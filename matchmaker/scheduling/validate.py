"""The validator: checks an agenda against its instance, sharing no code with the solver."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
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
    """Return every rule ``meetings`` break in ``instance`` (empty: the agenda is valid)."""
    out: list[Violation] = []
    slots = {s.id: s for s in instance.slots}
    inst = {p.id: p for p in instance.institutions}
    proj = {p.id: p for p in instance.projects}

    def add(code: str, m: Placement | None = None, **params: Any) -> None:
        out.append(Violation(code, params, m))

    for m in meetings:
        if m.slot not in slots:
            add("unknown_slot", m, slot=m.slot)
        if m.institution not in inst:
            add("unknown_party", m, party=m.institution)
        if m.project not in proj:
            add("unknown_party", m, party=m.project)
        key = (m.institution, m.project)
        if key in instance.forbidden:
            add("forbidden", m, institution=m.institution, project=m.project)
        elif key not in instance.scores and key not in instance.must_meet:
            if not any(
                lk.institution == m.institution and lk.project == m.project
                for lk in instance.locked
            ):
                add("unscored", m, institution=m.institution, project=m.project)
        for party, specs in ((m.institution, inst), (m.project, proj)):
            spec = specs.get(party)
            if spec is not None and m.slot in spec.unavailable:
                add("unavailable", m, party=party, slot=m.slot)
    for (i, p), n in Counter((m.institution, m.project) for m in meetings).items():
        if n > 1:
            add("pair_twice", None, institution=i, project=p, count=n)
    for attr in ("institution", "project"):
        for (party, slot), n in Counter((getattr(m, attr), m.slot) for m in meetings).items():
            if n > 1:
                add("double_booked", None, party=party, slot=slot, count=n)
    for specs, attr in ((inst, "institution"), (proj, "project")):
        load = Counter(getattr(m, attr) for m in meetings)
        for party, spec in specs.items():
            if load[party] > spec.max_meetings:
                add("above_maximum", None, party=party, count=load[party], limit=spec.max_meetings)
            if load[party] < spec.min_meetings:
                add("below_minimum", None, party=party, count=load[party], limit=spec.min_meetings)
    present = {(m.institution, m.project) for m in meetings}
    for i, p in sorted(instance.must_meet - present):
        add("must_meet_missing", None, institution=i, project=p)
    placed = {(m.institution, m.project, m.slot) for m in meetings}
    for lk in instance.locked:
        if (lk.institution, lk.project, lk.slot) not in placed:
            add("locked_moved", lk, institution=lk.institution, project=lk.project, slot=lk.slot)
    _tables(instance, meetings, slots, add)
    return out


def _tables(instance: Instance, meetings: Sequence[Placement], slots: dict, add: Any) -> None:
    seats: dict[tuple[str, str], set[str]] = defaultdict(set)
    used: Counter[tuple[str, str]] = Counter()
    for m in meetings:
        if m.table is None or m.slot not in slots:
            continue
        session = slots[m.slot].session
        seats[(session, m.institution)].add(m.table)
        used[(m.slot, m.table)] += 1
        listed = instance.tables.get(session)
        if listed is not None and m.table not in listed:
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
