"""What the solver returns: an agenda with its certificate, diagnostics, and repairs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matchmaker.messages import render
from matchmaker.scheduling.instance import Placement


@dataclass(frozen=True)
class Diagnostic:
    """Why an instance cannot be solved as asked, in words an organiser can act on."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        """Return the sentence in ``lang``."""
        return render(f"schedule.diag.{self.code}", lang, **self.params)

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return the JSON-ready diagnostic."""
        return {"code": self.code, "message": self.message(lang), **self.params}


@dataclass
class Agenda:
    """A solved instance: status, objective and its proven bound, the meetings."""

    status: str  # "optimal" | "feasible" | "infeasible"
    objective: float
    bound: float
    meetings: list[Placement]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fair_minimum: int | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Return ``(bound - objective) / |bound|`` (0 when optimal)."""
        if self.status == "infeasible":
            return float("nan")
        return max(0.0, (self.bound - self.objective) / max(abs(self.bound), 1e-9))


@dataclass
class Repair:
    """A repaired agenda and how it differs from the one before."""

    agenda: Agenda
    moved: list[tuple[Placement, Placement]] = field(default_factory=list)
    dropped: list[Placement] = field(default_factory=list)
    added: list[Placement] = field(default_factory=list)


def agenda_to_dict(agenda: Agenda, lang: str = "zh") -> dict[str, Any]:
    """Return the output JSON of ``matchmaker schedule``."""
    return {
        "status": agenda.status,
        "objective": round(agenda.objective, 6),
        "bound": round(agenda.bound, 6),
        "gap": None if agenda.status == "infeasible" else round(agenda.gap, 9),
        "fair_minimum": agenda.fair_minimum,
        "meetings": [
            {"institution": m.institution, "project": m.project, "slot": m.slot, "table": m.table}
            for m in agenda.meetings
        ],
        "diagnostics": [d.to_dict(lang) for d in agenda.diagnostics],
        "stats": agenda.stats,
    }
