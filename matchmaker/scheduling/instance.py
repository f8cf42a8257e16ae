"""A scheduling instance: slots, parties, scores and rules, read from JSON, problems named."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from matchmaker.domain import LOCAL_TZ
from matchmaker.errors import InvalidInput, Problem

Pair = tuple[str, str]  # (institution, project)


@dataclass(frozen=True)
class SlotSpec:
    """A time slot of one session."""

    id: str
    session: str
    start: datetime  # aware
    minutes: int


@dataclass(frozen=True)
class PartySpec:
    """An institution or a project: how many meetings it should have, and when it is away."""

    id: str
    min_meetings: int
    max_meetings: int
    unavailable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Placement:
    """One meeting: institution × project in a slot, at a table."""

    institution: str
    project: str
    slot: str
    table: str | None = None

    @property
    def pair(self) -> Pair:
        """Return ``(institution, project)``."""
        return (self.institution, self.project)


@dataclass(frozen=True)
class Instance:
    """Everything the solver and the validator need; ids only, no database."""

    slots: tuple[SlotSpec, ...]
    institutions: tuple[PartySpec, ...]
    projects: tuple[PartySpec, ...]
    scores: Mapping[Pair, float]
    must_meet: frozenset[Pair] = frozenset()
    forbidden: frozenset[Pair] = frozenset()
    locked: tuple[Placement, ...] = ()
    tables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def tables_of(self, session: str, needed: int) -> tuple[str, ...]:
        """Return the table ids of ``session`` (``1..needed`` when the session lists none)."""
        if session in self.tables:
            return self.tables[session]
        return tuple(str(n) for n in range(1, needed + 1))


def parse_instance(data: Mapping[str, Any]) -> Instance:
    """Return the instance described by ``data``; ``InvalidInput`` lists every problem found."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise InvalidInput("schedule.invalid", [Problem("schedule.not_object", column="$")])

    def bad(code: str, where: str, value: Any = None, **params: Any) -> None:
        problems.append(Problem(code, column=where, value=value, params=params))

    def items(key: str, required: bool = True) -> list[Any]:
        value = data.get(key, None)
        if value is None:
            if required:
                bad("schedule.missing", key)
            return []
        if not isinstance(value, list):
            bad("schedule.not_list", key, type(value).__name__)
            return []
        return value

    def integer(obj: Mapping[str, Any], key: str, where: str, default: int | None) -> int:
        value = obj.get(key, default)
        if value is None:
            bad("schedule.missing", f"{where}.{key}")
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            bad("schedule.not_count", f"{where}.{key}", value)
            return 0
        return value

    def text(obj: Mapping[str, Any], key: str, where: str) -> str:
        value = obj.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            bad("schedule.not_id", f"{where}.{key}", value)
            return ""
        return value.strip()

    slots: list[SlotSpec] = []
    for n, raw in enumerate(items("slots")):
        where = f"slots[{n}]"
        if not isinstance(raw, Mapping):
            bad("schedule.not_object", where, raw)
            continue
        start = _datetime(raw.get("start"))
        if start is None:
            bad("schedule.bad_time", f"{where}.start", raw.get("start"))
        minutes = integer(raw, "minutes", where, None)
        if raw.get("minutes") == 0:
            bad("schedule.not_count", f"{where}.minutes", raw.get("minutes"))
        slot = SlotSpec(
            text(raw, "id", where), text(raw, "session", where), start or _EPOCH, minutes
        )
        slots.append(slot)
    slot_ids = _unique([s.id for s in slots], "slots", bad)

    def parties(key: str) -> list[PartySpec]:
        out = []
        for n, raw in enumerate(items(key)):
            where = f"{key}[{n}]"
            if not isinstance(raw, Mapping):
                bad("schedule.not_object", where, raw)
                continue
            low = integer(raw, "min_meetings", where, 0)
            high = integer(raw, "max_meetings", where, len(slots))
            if low > high:
                bad("schedule.min_above_max", f"{where}.min_meetings", low, high=high)
            away = raw.get("unavailable", [])
            if not isinstance(away, list):
                bad("schedule.not_list", f"{where}.unavailable", type(away).__name__)
                away = []
            for k, slot in enumerate(away):
                if str(slot) not in slot_ids:
                    bad("schedule.unknown_slot", f"{where}.unavailable[{k}]", slot)
            out.append(PartySpec(text(raw, "id", where), low, high, frozenset(map(str, away))))
        _unique([p.id for p in out], key, bad)
        return out

    institutions, projects = parties("institutions"), parties("projects")
    i_ids, p_ids = {i.id for i in institutions}, {p.id for p in projects}

    def pair(raw: Any, where: str) -> Pair | None:
        if not isinstance(raw, Mapping):
            bad("schedule.not_object", where, raw)
            return None
        i, p = text(raw, "institution", where), text(raw, "project", where)
        if i and i not in i_ids:
            bad("schedule.unknown_party", f"{where}.institution", i)
        if p and p not in p_ids:
            bad("schedule.unknown_party", f"{where}.project", p)
        return (i, p) if i in i_ids and p in p_ids else None

    scores: dict[Pair, float] = {}
    for n, raw in enumerate(items("scores")):
        where = f"scores[{n}]"
        key = pair(raw, where)
        value = raw.get("score") if isinstance(raw, Mapping) else None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            bad("schedule.bad_score", f"{where}.score", value)
        elif key is not None:
            scores[key] = float(value)
    must = {k for n, r in enumerate(items("must_meet", False)) if (k := pair(r, f"must_meet[{n}]"))}
    banned = {
        k for n, r in enumerate(items("forbidden", False)) if (k := pair(r, f"forbidden[{n}]"))
    }
    for key in sorted(must & banned):
        bad("schedule.must_and_forbidden", "must_meet", f"{key[0]} × {key[1]}")
    locked = []
    for n, raw in enumerate(items("locked", False)):
        where = f"locked[{n}]"
        key = pair(raw, where)
        slot = str(raw.get("slot")) if isinstance(raw, Mapping) else ""
        if isinstance(raw, Mapping) and slot not in slot_ids:
            bad("schedule.unknown_slot", f"{where}.slot", raw.get("slot"))
        if key is not None and slot in slot_ids:
            table = raw.get("table")
            locked.append(Placement(key[0], key[1], slot, None if table is None else str(table)))
    tables: dict[str, tuple[str, ...]] = {}
    for n, raw in enumerate(items("tables", False)):
        where = f"tables[{n}]"
        if not isinstance(raw, Mapping):
            bad("schedule.not_object", where, raw)
            continue
        session = text(raw, "session", where)
        if "ids" in raw and isinstance(raw["ids"], list) and raw["ids"]:
            tables[session] = tuple(str(t) for t in raw["ids"])
        else:
            count = integer(raw, "count", where, None)
            tables[session] = tuple(str(k) for k in range(1, count + 1))
    if problems:
        raise InvalidInput("schedule.invalid", problems, count=len(problems))
    return Instance(
        slots=tuple(slots),
        institutions=tuple(institutions),
        projects=tuple(projects),
        scores=scores,
        must_meet=frozenset(must),
        forbidden=frozenset(banned),
        locked=tuple(locked),
        tables=tables,
    )


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """Return ``instance`` in the JSON format :func:`parse_instance` reads."""

    def party(p: PartySpec) -> dict[str, Any]:
        return {
            "id": p.id,
            "min_meetings": p.min_meetings,
            "max_meetings": p.max_meetings,
            "unavailable": sorted(p.unavailable),
        }

    return {
        "slots": [
            {"id": s.id, "session": s.session, "start": s.start.isoformat(), "minutes": s.minutes}
            for s in instance.slots
        ],
        "institutions": [party(i) for i in instance.institutions],
        "projects": [party(p) for p in instance.projects],
        "scores": [
            {"institution": i, "project": p, "score": s} for (i, p), s in instance.scores.items()
        ],
        "must_meet": [{"institution": i, "project": p} for i, p in sorted(instance.must_meet)],
        "forbidden": [{"institution": i, "project": p} for i, p in sorted(instance.forbidden)],
        "locked": [
            {"institution": m.institution, "project": m.project, "slot": m.slot}
            | ({"table": m.table} if m.table else {})
            for m in instance.locked
        ],
        "tables": [{"session": s, "ids": list(ids)} for s, ids in instance.tables.items()],
    }


_EPOCH = datetime(1970, 1, 1, tzinfo=LOCAL_TZ)


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


def _unique(ids: list[str], key: str, bad: Any) -> set[str]:
    seen: set[str] = set()
    for n, value in enumerate(ids):
        if value and value in seen:
            bad("schedule.duplicate_id", f"{key}[{n}].id", value)
        seen.add(value)
    return seen
