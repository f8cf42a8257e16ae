"""Projects column by column: what the matcher keeps of a library of a million registrations.

A ``ProjectProfile`` per project, with its strings, and dicts from id to row, code and name
held ~1.5 KB of Python objects per project (1.5 GB at 1,000,000), took minutes to build and
made every full garbage collection walk them. Here each fact is one numpy array (strings as
one UTF-8 buffer with offsets, repeated values as codes into a short list), read straight from
the database rows without ORM objects; a profile is made again, on demand, for the few rows a
shortlist explains.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, cast, overload

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import MatchmakingSession, Project, session_projects
from matchmaker.domain import Stage
from matchmaker.embeddings import regions
from matchmaker.embeddings.composite import ProjectProfile
from matchmaker.embeddings.portfolio import project_text
from matchmaker.ranking.shortlist import STAGES, ProjectColumns

STRINGS = ("code", "name", "text", "sectors", "needs")
CODES = ("track", "stage", "region")
READ_CHUNK = 50_000  # database rows per fetch while a table is read
SEPARATOR = "\x1f"  # joins a project's sectors or needs (a unit separator: never typed)


class Strings(Sequence[str]):
    """Many strings in one UTF-8 buffer: ``buffer[offsets[i]:offsets[i + 1]]`` is string i."""

    def __init__(self, values: Iterable[str]) -> None:
        encoded = [value.encode("utf-8") for value in values]
        self.offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=self.offsets[1:])
        self.buffer = np.frombuffer(b"".join(encoded), dtype=np.uint8)

    @classmethod
    def of(cls, buffer: np.ndarray, offsets: np.ndarray) -> Strings:
        """Return the strings :meth:`arrays` gave."""
        self = cls(())
        self.buffer, self.offsets = buffer, offsets
        return self

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {f"{name}.buffer": self.buffer, f"{name}.offsets": self.offsets}

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        start, end = self.offsets[i], self.offsets[i + 1]
        return self.buffer[start:end].tobytes().decode("utf-8")

    @property
    def nbytes(self) -> int:
        return int(self.buffer.nbytes + self.offsets.nbytes)


class Codes:
    """Repeated values (regions, stages, tracks) as small integer codes into ``values``."""

    def __init__(self, items: Iterable[str | None]) -> None:
        seen: dict[str | None, int] = {}
        self.codes = np.fromiter(
            (seen.setdefault(item, len(seen)) for item in items), dtype=np.int32
        )
        self.values: list[str | None] = list(seen)

    @classmethod
    def of(cls, codes: np.ndarray, values: Strings, missing: np.ndarray) -> Codes:
        """Return the codes :meth:`arrays` gave."""
        self = cls(())
        self.codes = codes
        self.values = [None if gone else v for v, gone in zip(values, missing, strict=True)]
        return self

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        values = Strings(v or "" for v in self.values)
        missing = np.array([v is None for v in self.values], dtype=bool)
        return {f"{name}.codes": self.codes, f"{name}.missing": missing, **values.arrays(name)}

    def __getitem__(self, row: int) -> str | None:
        return self.values[int(self.codes[row])]

    def where(self, value: str) -> np.ndarray:
        """Return the (n,) mask of the rows whose value is ``value``."""
        code = self.values.index(value) if value in self.values else -1
        return np.asarray(self.codes == code)


class RowOf(Mapping[int, int]):
    """Project id → row, by binary search in the ascending ids (no dict of a million ints)."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids

    def _find(self, key: object) -> int:
        if not isinstance(key, int | np.integer):
            return -1
        at = int(np.searchsorted(self.ids, key))
        return at if at < len(self.ids) and self.ids[at] == key else -1

    def __getitem__(self, key: int) -> int:
        row = self._find(key)
        if row < 0:
            raise KeyError(key)
        return row

    def __contains__(self, key: object) -> bool:
        return self._find(key) >= 0

    def __iter__(self) -> Iterator[int]:
        return (int(i) for i in self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class ProjectTable(Sequence[ProjectProfile]):
    """One event's projects in id order: a sequence of profiles made on demand, and columns.

    Attributes
    ----------
    ids : ndarray of int64, shape (n,)
        Ascending project ids; row i is ``ids[i]``.
    row : RowOf
        id → row.
    sessions : dict of str to ndarray of int64
        Session code → the rows of the projects that take part in it.
    """

    def __init__(self, rows: Iterable[Sequence[Any]], sessions: Iterable[tuple[int, str]]) -> None:
        """``rows``: (id, code, name, track, sectors, stage, ask, region, needs, description)
        in ascending id order; ``sessions``: (project id, session code) pairs."""
        ids: list[int] = []
        code, name, text, sectors, needs, asks = [], [], [], [], [], []
        track, stage, region = [], [], []
        for pid, c, nm, tr, sec, st, ask, reg, nd, description in rows:
            ids.append(pid)
            code.append(c)
            name.append(nm)
            sec = tuple(sec or ())
            text.append(project_text(nm, sec, description or ""))
            sectors.append(SEPARATOR.join(sec))
            needs.append(SEPARATOR.join(nd or ()))
            asks.append(-1 if ask is None else ask)
            track.append(str(tr))
            stage.append(Stage(st).value if st else None)
            region.append(reg or "")
        self.ids = np.array(ids, dtype=np.int64)
        if len(self.ids) > 1 and not (np.diff(self.ids) > 0).all():
            raise ValueError("project rows must come in ascending id order")
        self.row = RowOf(self.ids)
        self.code, self.name, self.text = Strings(code), Strings(name), Strings(text)
        self.sectors, self.needs = Strings(sectors), Strings(needs)
        self.ask = np.array(asks, dtype=np.int64)
        self.track, self.stage, self.region = Codes(track), Codes(stage), Codes(region)
        self._join(sessions)

    def arrays(self) -> dict[str, np.ndarray]:
        """Return the table as named arrays (``IndexStore`` keeps them with the set it was built
        for, so a fresh process reads no project row); sessions are not in them."""
        out = {"ids": self.ids, "ask": self.ask}
        for name in STRINGS:
            out.update(getattr(self, name).arrays(name))
        for name in CODES:
            out.update(getattr(self, name).arrays(name))
        return out

    @classmethod
    def of(
        cls, arrays: Mapping[str, np.ndarray], sessions: Iterable[tuple[int, str]]
    ) -> ProjectTable:
        """Return the table :meth:`arrays` gave, with the sessions as they are now."""
        self = cls((), ())
        self.ids, self.ask = arrays["ids"], arrays["ask"]
        self.row = RowOf(self.ids)
        for name in STRINGS:
            setattr(self, name, Strings.of(arrays[f"{name}.buffer"], arrays[f"{name}.offsets"]))
        for name in CODES:
            values = Strings.of(arrays[f"{name}.buffer"], arrays[f"{name}.offsets"])
            setattr(
                self, name, Codes.of(arrays[f"{name}.codes"], values, arrays[f"{name}.missing"])
            )
        self._join(sessions)
        return self

    def _join(self, sessions: Iterable[tuple[int, str]]) -> None:
        members: dict[str, list[int]] = {}
        for pid, session in sessions:
            row = self.row._find(pid)
            if row >= 0:
                members.setdefault(session, []).append(row)
        self.sessions = {s: np.array(sorted(r), dtype=np.int64) for s, r in members.items()}

    @classmethod
    def read(
        cls, db: Session, event_id: int, arrays: Mapping[str, np.ndarray] | None = None
    ) -> ProjectTable:
        """Read the event's projects (plain rows, ``READ_CHUNK`` at a time) and their sessions;
        with ``arrays`` (:meth:`arrays` of the same rows), the sessions only."""
        columns = (
            Project.id,
            Project.code,
            Project.name,
            Project.track,
            Project.sectors,
            Project.stage,
            Project.funding_ask,
            Project.region,
            Project.needs,
            Project.description,
        )
        member = (
            select(session_projects.c.project_id, MatchmakingSession.code)
            .join(MatchmakingSession, MatchmakingSession.id == session_projects.c.session_id)
            .where(MatchmakingSession.event_id == event_id)
        )
        sessions = cast(list[tuple[int, str]], db.execute(member).all())
        if arrays is not None:
            return cls.of(arrays, sessions)
        query = select(*columns).where(Project.event_id == event_id).order_by(Project.id)
        return cls(db.execute(query.execution_options(yield_per=READ_CHUNK)), sessions)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, i: int) -> ProjectProfile: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[ProjectProfile]: ...
    def __getitem__(self, i: int | slice) -> ProjectProfile | Sequence[ProjectProfile]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i = int(i) % len(self)
        ask = int(self.ask[i])
        return ProjectProfile(
            id=int(self.ids[i]),
            sectors=_split(self.sectors[i]),
            stage=self.stage[i],
            ask=None if ask < 0 else ask,
            region=self.region[i] or "",
            needs=_split(self.needs[i]),
            text=self.text[i],
            name=self.name[i],
        )

    def columns(self) -> ProjectColumns:
        """Return the filter columns (``ProjectColumns``), each region located once."""
        located = [regions.place_of(r or "") for r in self.region.values]
        places = np.array(sorted({p for p in located if p is not None}), dtype=np.int64)
        at = {int(code): i for i, code in enumerate(places)}
        place_row = np.array([-1 if p is None else at[p] for p in located], dtype=np.int64)
        stage_row = np.array(
            [-1 if s is None else STAGES.index(Stage(s)) for s in self.stage.values], dtype=np.int64
        )
        return ProjectColumns(
            ids=self.ids,
            place=place_row[self.region.codes] if len(self) else np.zeros(0, np.int64),
            places=places,
            stage=stage_row[self.stage.codes] if len(self) else np.zeros(0, np.int64),
            ask=self.ask,
        )

    def in_session(self, session: str) -> np.ndarray:
        """Return the (n,) mask of the projects that take part in ``session``."""
        mask = np.zeros(len(self), dtype=bool)
        mask[self.sessions.get(session, np.zeros(0, np.int64))] = True
        return mask


class Labels(Mapping[tuple[str, int], str]):
    """(kind, id) → a project's code or name from the table, an institution's from a dict."""

    def __init__(
        self, projects: ProjectTable, strings: Strings, institutions: dict[int, str]
    ) -> None:
        self.projects, self.strings, self.institutions = projects, strings, institutions

    def __getitem__(self, key: tuple[str, int]) -> str:
        kind, item = key
        if kind == "institution":
            return self.institutions[item]
        if kind == "project":
            return self.strings[self.projects.row[item]]
        raise KeyError(key)

    def __iter__(self) -> Iterator[tuple[str, int]]:
        yield from (("project", int(i)) for i in self.projects.ids)
        yield from (("institution", i) for i in self.institutions)

    def __len__(self) -> int:
        return len(self.projects) + len(self.institutions)


def _split(joined: str) -> tuple[str, ...]:
    return tuple(joined.split(SEPARATOR)) if joined else ()
