"""How an organiser asks for an agenda: fair mode, time limit, meetings per party (min/max)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matchmaker.errors import InvalidInput, Problem
from matchmaker.messages import Ref

LIMIT_TOP = 50  # the most meetings per party anyone can ask for (no session has more slots)
# field → (smallest value, default when left blank)
LIMITS: dict[str, tuple[int, int | None]] = {
    "project_min": (0, 0),
    "project_max": (1, None),
    "institution_min": (0, 0),
    "institution_max": (1, None),
}


@dataclass(frozen=True)
class AgendaOptions:
    """How an organiser asks for an agenda to be built.

    A maximum is what the solver may give a party on top of nothing: a party that already
    holds more meetings (bookings, locked or held ones) keeps them all, its maximum is raised
    to what it holds (:func:`matchmaker.services.agendas.instance.raise_to_held`).
    """

    fair: bool = True
    time_limit: float = 10.0
    project_min: int = 0
    project_max: int | None = None  # None: 1.5 × the fair share of the room, at least 2
    institution_max: int | None = None  # None: every slot
    institution_min: int = 0

    def check(self) -> AgendaOptions:
        """Return these options, or raise ``InvalidInput`` naming each limit out of range."""
        problems = []
        for name, (low, _default) in LIMITS.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= LIMIT_TOP:
                problems.append(_bad(name, value))
        for side in ("project", "institution"):
            low, high = getattr(self, f"{side}_min"), getattr(self, f"{side}_max")
            if high is not None and low > high:
                problems.append(
                    Problem(
                        "agenda.limit_min_above_max",
                        column=f"{side}_min",
                        value=low,
                        params={"label": Ref(f"agenda.limit.{side}_min"), "high": high},
                    )
                )
        if problems:
            raise InvalidInput("agenda.bad_options", problems, count=len(problems))
        return self


def options_from_form(form: Mapping[str, Any], fair: bool) -> AgendaOptions:
    """Return the options typed into the grid's build form (blank: the default).

    Raises ``InvalidInput`` naming every field that is not a whole number in range.
    """
    values: dict[str, int | None] = {}
    problems = []
    for name, (low, default) in LIMITS.items():
        raw = str(form.get(name) or "").strip()
        if not raw:
            values[name] = default
            continue
        try:
            number = int(raw)
        except ValueError:
            problems.append(_bad(name, raw))
            continue
        if not low <= number <= LIMIT_TOP:
            problems.append(_bad(name, raw))
        values[name] = number
    if problems:
        raise InvalidInput("agenda.bad_options", problems, count=len(problems))
    return AgendaOptions(
        fair=fair,
        project_min=values["project_min"] or 0,
        project_max=values["project_max"],
        institution_min=values["institution_min"] or 0,
        institution_max=values["institution_max"],
    ).check()


def _bad(name: str, value: Any) -> Problem:
    low = LIMITS[name][0]
    params = {"label": Ref(f"agenda.limit.{name}"), "low": low, "high": LIMIT_TOP}
    return Problem("agenda.limit_out_of_range", column=name, value=value, params=params)
