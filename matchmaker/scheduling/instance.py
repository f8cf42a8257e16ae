"""A scheduling instance: slots, parties, scores and rules, read from JSON, every problem named."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from matchmaker.errors import InvalidInput
from matchmaker.scheduling.fields import Reader

Pair = tuple[str, str]  # (institution, project)


@dataclass(frozen=True)
class SlotSpec:
    """A time slot of one session."""

    id: str
    session: str
    start: datetime  # timezone-aware
    minutes: int


@dataclass(frozen=True)
class PartySpec:
    """An institution or a project: how many meetings it should have, and when it is away."""

    id: str
    min_meetings: int
    max_meetings: int
    unavailable: frozenset[str] = frozenset()  # slot ids


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
    """Everything the solver and the validator need; ids only, no database.

    ``scores`` lists the pairs that may meet (an unlisted pair cannot); ``tables`` maps a
    session id to its table ids, and a session it does not list has tables ``"1"``, ``"2"``, …
    without limit.
    """

    slots: tuple[SlotSpec, ...]
    institutions: tuple[PartySpec, ...]
    projects: tuple[PartySpec, ...]
    scores: Mapping[Pair, float]
    must_meet: frozenset[Pair] = frozenset()
    forbidden: frozenset[Pair] = frozenset()
    locked: tuple[Placement, ...] = ()
    tables: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_TOP = ("slots", "institutions", "projects", "scores", "must_meet", "forbidden", "locked", "tables")
_PAIR = ("institution", "project")


def parse_instance(data: Mapping[str, Any]) -> Instance:
    """Return the instance described by ``data`` (the ``matchmaker schedule`` JSON format).

    Raises
    ------
    InvalidInput
        ``schedule.invalid`` with one :class:`~matchmaker.errors.Problem` per bad field, each
        naming its JSON path (``projects[3].max_meetings``) and the value found there.
    """
    r = Reader()
    top = r.obj(data, "$", _TOP)
    if top is None:
        raise InvalidInput("schedule.invalid", r.problems, count=len(r.problems))
    slots, slot_ids, session_of = _slots(r, top)
    institutions = _parties(r, top, "institutions", slot_ids, len(slot_ids))
    projects = _parties(r, top, "projects", slot_ids, len(slot_ids))
    known = ({p.id for p in institutions}, {p.id for p in projects})

    def pair(raw: Any, where: str, keys: tuple[str, ...] = _PAIR) -> Pair | None:
        obj = r.obj(raw, where, keys)
        if obj is None:
            return None
        found = []
        for key, ids in zip(_PAIR, known, strict=True):
            value = r.ident(obj, key, where)
            if value is not None and value not in ids:
                r.bad("schedule.unknown_party", f"{where}.{key}", value)
                value = None
            found.append(value)
        institution, project = found
        if institution is None or project is None:
            return None
        return institution, project

    def pairs(key: str) -> dict[Pair, int]:
        out: dict[Pair, int] = {}
        for n, raw in enumerate(r.items(top, key, "$", required=False)):
            got = pair(raw, f"{key}[{n}]")
            if got is not None and got in out:
                r.bad("schedule.duplicate_pair", f"{key}[{n}]", " × ".join(got))
            elif got is not None:
                out[got] = n
        return out

    scores: dict[Pair, float] = {}
    for n, raw in enumerate(r.items(top, "scores", "$", required=True)):
        where = f"scores[{n}]"
        got = pair(raw, where, (*_PAIR, "score"))
        value = r.number(raw, "score", where) if isinstance(raw, Mapping) else None
        if got is not None and got in scores:
            r.bad("schedule.duplicate_pair", where, " × ".join(got))
        elif got is not None and value is not None:
            scores[got] = value
    must, banned = pairs("must_meet"), pairs("forbidden")
    for key in sorted(must.keys() & banned.keys()):
        r.bad("schedule.must_and_forbidden", f"must_meet[{must[key]}]", " × ".join(key))
    tables = _tables(r, top, set(session_of.values()))
    locked: list[Placement] = []
    seen: set[Pair] = set()
    for n, raw in enumerate(r.items(top, "locked", "$", required=False)):
        where = f"locked[{n}]"
        got = pair(raw, where, (*_PAIR, "slot", "table"))
        if not isinstance(raw, Mapping):
            continue
        slot = r.ident(raw, "slot", where)
        if slot is not None and slot not in slot_ids:
            r.bad("schedule.unknown_slot", f"{where}.slot", slot)
            slot = None
        table = r.ident(raw, "table", where) if raw.get("table") is not None else None
        if table is not None and slot is not None:
            listed = tables.get(session_of[slot])
            if (listed is not None and table not in listed) or (
                listed is None and not (table.isdigit() and int(table) > 0)
            ):
                r.bad("schedule.unknown_table", f"{where}.table", table)
        if got is not None and got in seen:
            r.bad("schedule.duplicate_pair", where, " × ".join(got))
        elif got is not None and slot is not None:
            seen.add(got)
            locked.append(Placement(got[0], got[1], slot, table))
    if r.problems:
        raise InvalidInput("schedule.invalid", r.problems, count=len(r.problems))
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


def _slots(r: Reader, top: Mapping[str, Any]) -> tuple[list[SlotSpec], set[str], dict[str, str]]:
    slots: list[SlotSpec] = []
    ids: set[str] = set()
    session_of: dict[str, str] = {}
    for n, raw in enumerate(r.items(top, "slots", "$", required=True)):
        where = f"slots[{n}]"
        obj = r.obj(raw, where, ("id", "session", "start", "minutes"))
        if obj is None:
            continue
        slot_id, session = r.ident(obj, "id", where), r.ident(obj, "session", where)
        start, minutes = r.time(obj, "start", where), r.count(obj, "minutes", where, None, 1)
        if slot_id is not None and slot_id in ids:
            r.bad("schedule.duplicate_id", f"{where}.id", slot_id)
            continue
        if slot_id is not None:
            # a slot with a bad field is still known, so references to it are not also reported
            ids.add(slot_id)
            session_of[slot_id] = session or ""
        if (
            slot_id is not None
            and session is not None
            and start is not None
            and minutes is not None
        ):
            slots.append(SlotSpec(slot_id, session, start, minutes))
    return slots, ids, session_of


def _parties(
    r: Reader, top: Mapping[str, Any], key: str, slot_ids: set[str], slot_count: int
) -> list[PartySpec]:
    out: list[PartySpec] = []
    seen: set[str] = set()
    for n, raw in enumerate(r.items(top, key, "$", required=True)):
        where = f"{key}[{n}]"
        obj = r.obj(raw, where, ("id", "min_meetings", "max_meetings", "unavailable"))
        if obj is None:
            continue
        party = r.ident(obj, "id", where)
        low = r.count(obj, "min_meetings", where, 0)
        high = r.count(obj, "max_meetings", where, slot_count)
        if low is not None and high is not None and low > high:
            r.bad("schedule.min_above_max", f"{where}.min_meetings", low, high=high)
        away: set[str] = set()
        for k, value in enumerate(r.items(obj, "unavailable", where, required=False)):
            slot = r.ident_value(value, f"{where}.unavailable[{k}]")
            if slot is not None and slot not in slot_ids:
                r.bad("schedule.unknown_slot", f"{where}.unavailable[{k}]", slot)
            elif slot is not None:
                away.add(slot)
        if party is not None and party in seen:
            r.bad("schedule.duplicate_id", f"{where}.id", party)
            continue
        if party is not None:
            seen.add(party)
            out.append(PartySpec(party, low or 0, high or 0, frozenset(away)))
    return out


def _tables(r: Reader, top: Mapping[str, Any], sessions: set[str]) -> dict[str, tuple[str, ...]]:
    tables: dict[str, tuple[str, ...]] = {}
    for n, raw in enumerate(r.items(top, "tables", "$", required=False)):
        where = f"tables[{n}]"
        obj = r.obj(raw, where, ("session", "count", "ids"))
        if obj is None:
            continue
        session = r.ident(obj, "session", where)
        if session is not None and session not in sessions:
            r.bad("schedule.unknown_session", f"{where}.session", session)
        elif session is not None and session in tables:
            r.bad("schedule.duplicate_id", f"{where}.session", session)
        if "ids" in obj:
            ids = []
            for k, value in enumerate(r.items(obj, "ids", where, required=True)):
                table = r.ident_value(value, f"{where}.ids[{k}]")
                if table is not None and table in ids:
                    r.bad("schedule.duplicate_id", f"{where}.ids[{k}]", table)
                elif table is not None:
                    ids.append(table)
            count = r.count(obj, "count", where, len(ids))
            if count is not None and count != len(ids):
                r.bad("schedule.table_count_mismatch", f"{where}.count", count, count=count)
        else:
            count = r.count(obj, "count", where, None)
            ids = [str(k) for k in range(1, (count or 0) + 1)]
        if session is not None and session in sessions and session not in tables:
            tables[session] = tuple(ids)
    return tables


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
            | ({"table": m.table} if m.table is not None else {})
            for m in instance.locked
        ],
        "tables": [{"session": s, "ids": list(ids)} for s, ids in instance.tables.items()],
    }
