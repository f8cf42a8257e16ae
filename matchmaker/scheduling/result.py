"""What the solver returns: an agenda with its certificate, diagnostics, and repairs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from matchmaker.errors import InvalidInput
from matchmaker.messages import Ref, render
from matchmaker.scheduling.fields import Reader
from matchmaker.scheduling.instance import Placement

OPTIMAL_TOLERANCE = 1e-6  # relative: objective this close to the bound counts as optimal


@dataclass(frozen=True)
class Diagnostic:
    """Why an instance cannot be solved as asked, in words an organiser can act on.

    A ``side`` parameter (``"project"`` / ``"institution"``) names the kind of party, so the
    message reads "项目 P017：…" / "Project P017: …".
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        """Return the sentence in ``lang``."""
        extra = {}
        if "side" in self.params:
            side = self.params["side"]
            other = "institution" if side == "project" else "project"
            extra = {
                "kind": Ref(f"schedule.party.{side}"),
                "other": Ref(f"schedule.partner.{other}"),
            }
        return render(f"schedule.diag.{self.code}", lang, **self.params, **extra)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return the JSON-ready diagnostic: ``code``, ``message`` and the parameters."""
        return {"code": self.code, "message": self.message(lang), **self.params}


@dataclass
class SolvedAgenda:
    """A solved instance: status, objective and its proven bound, the meetings.

    ``objective`` is the sum of the scores of all meetings (locked and must-meet included);
    ``bound`` is a proven upper bound on the objective of any valid agenda, so
    ``gap = (bound - objective) / max(|bound|, 1e-9)`` says how far from optimal it can be.
    ``gap`` is NaN when there is no agenda.
    """

    status: str  # "optimal" | "feasible" | "infeasible"
    objective: float
    bound: float
    gap: float
    meetings: list[Placement]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fair_minimum: int | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def certified(
    objective: float,
    bound: float,
    meetings: list[Placement],
    *,
    fair_minimum: int | None = None,
    stats: dict[str, Any] | None = None,
) -> SolvedAgenda:
    """Return a found agenda whose status and gap follow from ``objective`` and ``bound``.

    "optimal" is earned only by an objective equal to the proven bound: to 1e-6 relative, or
    1e-6 absolute for bounds below 1 (the flow's rounding allowance is far smaller).
    """
    bound = max(bound, objective)  # rounding in the bound must never show a negative gap
    gap = (bound - objective) / max(abs(bound), 1e-9)
    optimal = bound - objective <= OPTIMAL_TOLERANCE * max(abs(bound), 1.0)
    status = "optimal" if optimal else "feasible"
    return SolvedAgenda(
        status,
        objective,
        bound,
        0.0 if status == "optimal" else gap,
        meetings,
        [],
        fair_minimum,
        stats or {},
    )


def infeasible(diagnostics: list[Diagnostic], stats: dict[str, Any] | None = None) -> SolvedAgenda:
    """Return the agenda of an instance with no valid agenda: no meetings, reasons given.

    Objective and bound are 0 (there is nothing to bound) and the gap is NaN.
    """
    return SolvedAgenda("infeasible", 0.0, 0.0, math.nan, [], diagnostics, None, stats or {})


@dataclass
class Repair:
    """A repaired agenda and how it differs from the one before.

    ``moved`` pairs each previous meeting with where it is now (another slot or table).
    """

    agenda: SolvedAgenda
    moved: list[tuple[Placement, Placement]] = field(default_factory=list)
    dropped: list[Placement] = field(default_factory=list)
    added: list[Placement] = field(default_factory=list)


def agenda_to_dict(agenda: SolvedAgenda, lang: str = "zh") -> dict[str, Any]:
    """Return the output JSON of ``matchmaker schedule`` (``gap`` is null when infeasible)."""
    return {
        "status": agenda.status,
        "objective": round(agenda.objective, 6),
        "bound": round(agenda.bound, 6),
        "gap": None if math.isnan(agenda.gap) else round(agenda.gap, 9),
        "meetings": [placement_to_dict(m) for m in agenda.meetings],
        "diagnostics": [d.to_dict(lang) for d in agenda.diagnostics],
        "fair_minimum": agenda.fair_minimum,
        "stats": agenda.stats,
    }


def placement_to_dict(m: Placement) -> dict[str, Any]:
    """Return one meeting as ``{institution, project, slot, table}``."""
    return {"institution": m.institution, "project": m.project, "slot": m.slot, "table": m.table}


def parse_meetings(data: Any) -> list[Placement]:
    """Return the meetings of an agenda JSON (``{"meetings": [...]}`` or the bare list).

    Raises
    ------
    InvalidInput
        ``schedule.invalid``, one problem per bad field (``meetings[3].slot``).
    """
    r = Reader()
    rows = data
    if isinstance(data, dict):
        rows = r.items(data, "meetings", "$", required=True)
    elif not isinstance(data, list):
        r.bad("schedule.not_object", "$", type(data).__name__)
        rows = []
    out = []
    for n, raw in enumerate(rows):
        where = f"meetings[{n}]"
        obj = r.obj(raw, where, ("institution", "project", "slot", "table"))
        if obj is None:
            continue
        keys = ("institution", "project", "slot")
        institution, project, slot = [r.ident(obj, key, where) for key in keys]
        table = r.ident(obj, "table", where) if obj.get("table") is not None else None
        if institution is not None and project is not None and slot is not None:
            out.append(Placement(institution, project, slot, table))
    if r.problems:
        raise InvalidInput("schedule.invalid", r.problems, count=len(r.problems))
    return out
