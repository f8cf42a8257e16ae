"""Properties of the scheduling core on random small instances: every answer validates."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.scheduling import Instance, SolvedAgenda, parse_instance, repair, solve, validate

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    """Draw a small instance: 1–2 sessions, tables, availability, vetoes, must-meets, locks."""
    sessions = draw(st.integers(1, 2))
    per_session = draw(st.integers(1, 3))
    slots = [
        {"id": f"{s}-{k}", "session": f"S{s}", "start": f"2026-12-{8 + s:02d}T{9 + k:02d}:00"}
        for s in range(sessions)
        for k in range(per_session)
    ]
    for slot in slots:
        slot["minutes"] = 20
    slot_ids = [s["id"] for s in slots]
    institutions = [f"I{n}" for n in range(draw(st.integers(1, 3)))]
    projects = [f"P{n}" for n in range(draw(st.integers(1, 4)))]

    def party(pid: str) -> dict[str, Any]:
        high = draw(st.integers(0, len(slot_ids)))
        return {
            "id": pid,
            "min_meetings": draw(st.integers(0, min(high, 2))),
            "max_meetings": high,
            "unavailable": draw(st.lists(st.sampled_from(slot_ids), unique=True, max_size=2)),
        }

    pairs = [(i, p) for i in institutions for p in projects]
    scored = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=1))
    scores = [
        {"institution": i, "project": p, "score": draw(st.floats(-0.5, 1, allow_nan=False))}
        for i, p in scored
    ]
    forbidden = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=2))
    must = [pair for pair in draw(st.lists(st.sampled_from(scored), unique=True, max_size=2))]
    must = [pair for pair in must if pair not in forbidden]
    tables: dict[str, list[str]] = {}
    for s in range(sessions):
        count = draw(st.sampled_from([None, 1, 2]))
        if count is not None:
            tables[f"S{s}"] = [str(n) for n in range(1, count + 1)]
    locked = []
    if draw(st.booleans()):
        i, p = draw(st.sampled_from(scored))
        slot = draw(st.sampled_from(slot_ids))
        locked.append({"institution": i, "project": p, "slot": slot})
        if draw(st.booleans()):
            session = "S" + slot.split("-")[0]
            locked[0]["table"] = draw(st.sampled_from(tables.get(session, ["1", "3"])))
    return parse_instance(
        {
            "slots": slots,
            "institutions": [party(i) for i in institutions],
            "projects": [party(p) for p in projects],
            "scores": scores,
            "must_meet": [{"institution": i, "project": p} for i, p in must],
            "forbidden": [{"institution": i, "project": p} for i, p in forbidden],
            "locked": locked,
            "tables": [{"session": k, "ids": v} for k, v in tables.items()],
        }
    )


def check(instance: Instance, agenda: SolvedAgenda) -> None:
    """An answer is either a valid agenda with an honest certificate or a reasoned refusal."""
    assert agenda.status in ("optimal", "feasible", "infeasible")
    if agenda.status == "infeasible":
        assert agenda.meetings == [] and agenda.diagnostics and math.isnan(agenda.gap)
        return
    assert validate(instance, agenda.meetings) == []
    assert all(m.table is not None for m in agenda.meetings)
    total = sum(instance.scores.get(m.pair, 0.0) for m in agenda.meetings)
    assert math.isclose(agenda.objective, total, abs_tol=1e-9)
    assert agenda.bound >= agenda.objective - 1e-9 and agenda.gap >= 0
    if agenda.status == "optimal":
        assert agenda.gap == 0 and agenda.bound - agenda.objective <= 1e-6 * max(1, agenda.bound)


@SETTINGS
@given(instances(), st.booleans())
def test_every_solved_agenda_validates(instance: Instance, fair: bool) -> None:
    agenda = solve(instance, time_limit=5, fair=fair)
    check(instance, agenda)
    if fair and agenda.status != "infeasible":
        assert agenda.fair_minimum is not None and agenda.stats["price_of_fairness"] >= 0


@SETTINGS
@given(instances(), st.data())
def test_every_repaired_agenda_validates(instance: Instance, data: st.DataObject) -> None:
    before = solve(instance, time_limit=5)
    if not before.meetings:
        return
    victim = data.draw(st.sampled_from(before.meetings))
    change = data.draw(st.sampled_from(["cancel", "late", "withdraw"]))
    if change == "cancel":
        changed = replace(instance, forbidden=instance.forbidden | {victim.pair})
    elif change == "late":
        projects = tuple(
            replace(p, unavailable=p.unavailable | {victim.slot}) if p.id == victim.project else p
            for p in instance.projects
        )
        changed = replace(instance, projects=projects)
    else:
        institutions = tuple(
            replace(i, max_meetings=0, min_meetings=0) if i.id == victim.institution else i
            for i in instance.institutions
        )
        changed = replace(instance, institutions=institutions)
    fixed = repair(changed, before.meetings, time_limit=5)
    check(changed, fixed.agenda)
    if fixed.agenda.status == "infeasible":
        return
    now = set(fixed.agenda.meetings)
    if change == "cancel":
        assert victim.pair not in {m.pair for m in now}
    elif change == "late":
        assert not any(m.project == victim.project and m.slot == victim.slot for m in now)
    else:
        assert not any(m.institution == victim.institution for m in now)
    # what the repair does not report as moved or dropped is exactly where it was
    changed_pairs = {a.pair for a, _ in fixed.moved} | {m.pair for m in fixed.dropped}
    assert all(m in now for m in before.meetings if m.pair not in changed_pairs)
    assert {m.pair for m in fixed.added}.isdisjoint({m.pair for m in before.meetings})
    assert len(now) == len(before.meetings) - len(fixed.dropped) + len(fixed.added)
