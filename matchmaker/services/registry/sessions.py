"""A session's layout: its day, hours, breaks, slot length and tables, checked and laid out.

Slots run back to back from the start to the end and never overlap a break (the first after a
break starts when it ends). Tables are labelled (``A1``, ``B2`` …; a bare count gives ``1号桌`` …).
Every check names the field and the value it refuses, all problems at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from matchmaker.db.models import MatchmakingSession
from matchmaker.domain import LOCAL_TZ, SessionKind
from matchmaker.errors import InvalidInput, Problem

MAX_TABLES = 500
SLOT_MINUTES = (5, 240)
LABEL_CHARS = 50
# The fields a session has, as the API, the CLI and the pages name them.
FIELDS = (
    "code",
    "name",
    "name_en",
    "kind",
    "date",
    "start",
    "end",
    "slot_minutes",
    "tables",
    "table_labels",
    "breaks",
    "venue",
)

_CLOCK = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*$")
_RANGE = re.compile(r"^\s*(\d{1,2}[:：]\d{2})\s*(?:-|－|—|–|~|～|至|到)\s*(\d{1,2}[:：]\d{2})\s*$")
_LIST = re.compile(r"[,，、;；|｜\n]+")


def default_label(number: int) -> str:
    """Return the label of table ``number`` when the organiser gave only a count."""
    return f"{number}号桌"


def hhmm(moment: time | datetime) -> str:
    """Return a time (an aware datetime: in Asia/Shanghai) as ``HH:MM``."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(LOCAL_TZ).time()
    return moment.strftime("%H:%M")


@dataclass(frozen=True)
class SessionSpec:
    """What it takes to lay out a session: a day, hours in Asia/Shanghai, slot length, tables
    (a count, or ``table_labels`` naming each), breaks as ``HH:MM-HH:MM``."""

    code: str
    name: str
    kind: SessionKind
    day: date
    start: time
    end: time
    slot_minutes: int
    tables: int
    venue: str = ""
    name_en: str = ""
    table_labels: tuple[str, ...] = ()
    breaks: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionSpec:
        """Build from the fields as written (``demo/data/event.json``, a form, the CLI); typed
        values (a ``date``, a ``time``, an int) pass as they are. InvalidInput names every bad
        field and its value."""
        problems: list[Problem] = []
        unknown = sorted(set(data) - set(FIELDS))
        for key in unknown:
            problems.append(Problem("session.unknown_field", column=key, value=data[key]))

        def get(key: str, convert: Any, code: str = "error.invalid_input") -> Any:
            raw = data.get(key)
            try:
                if raw is None or raw == "":
                    raise ValueError(key)
                return convert(raw)
            except (ValueError, TypeError):
                problems.append(Problem(code, column=key, value=raw))
                return None

        spec = dict(
            code=get("code", str),
            name=get("name", str),
            kind=get("kind", SessionKind.parse, "session.bad_kind"),
            day=get("date", _day, "session.bad_date"),
            start=get("start", _clock, "session.bad_time"),
            end=get("end", _clock, "session.bad_time"),
            slot_minutes=get("slot_minutes", _whole, "session.bad_slot_minutes"),
        )
        labels = _labels(data.get("table_labels"), problems)
        count: int | None = len(labels)
        raw_tables = data.get("tables")
        if isinstance(raw_tables, list | tuple) or (
            isinstance(raw_tables, str)
            and raw_tables.strip()
            and not re.fullmatch(r"[-+]?\d+", raw_tables.strip())
        ):
            listed = _labels(raw_tables, problems, "tables")
            if labels and listed != labels:
                problems.append(
                    Problem(
                        "session.labels_mismatch",
                        column="table_labels",
                        value=",".join(labels),
                        params={"labels": len(labels), "tables": len(listed)},
                    )
                )
            labels = labels or listed
            count = len(labels)
        elif raw_tables not in (None, ""):
            count = get("tables", _whole, "session.bad_tables")
            if count is not None and not 0 <= count <= MAX_TABLES:
                problems.append(Problem("session.bad_tables", column="tables", value=raw_tables))
            elif labels and count != len(labels):
                problems.append(
                    Problem(
                        "session.labels_mismatch",
                        column="table_labels",
                        value=",".join(labels),
                        params={"labels": len(labels), "tables": count},
                    )
                )
        elif not labels:
            count = get("tables", _whole, "session.bad_tables")
        breaks = _break_texts(data.get("breaks"))
        low, high = SLOT_MINUTES
        if spec["slot_minutes"] is not None and not low <= spec["slot_minutes"] <= high:
            problems.append(
                Problem(
                    "session.bad_slot_minutes", column="slot_minutes", value=spec["slot_minutes"]
                )
            )
        start, end = spec["start"], spec["end"]
        if start is not None and end is not None and end <= start:
            problems.append(
                Problem(
                    "session.end_before_start",
                    column="end",
                    value=hhmm(end),
                    params={"start": hhmm(start)},
                )
            )
        for text in breaks:
            found = _RANGE.match(text)
            try:
                ok = found is not None and _clock(found.group(2)) > _clock(found.group(1))
            except ValueError:
                ok = False
            if not ok:
                problems.append(Problem("session.bad_break", column="breaks", value=text))
        if problems:
            raise InvalidInput("error.invalid_input", problems)
        built = cls(
            **spec,
            tables=int(count or 0),
            venue=str(data.get("venue") or ""),
            name_en=str(data.get("name_en") or ""),
            table_labels=tuple(labels),
            breaks=tuple(breaks),
        )
        built.layout()  # the hours, breaks and tables checked together
        return built

    def labels(self) -> list[str]:
        """Return each table's label, in order."""
        return list(self.table_labels) or [default_label(n) for n in range(1, self.tables + 1)]

    def starts_at(self) -> datetime:
        """Return the start as an aware datetime."""
        return datetime.combine(self.day, self.start, LOCAL_TZ)

    def ends_at(self) -> datetime:
        """Return the end as an aware datetime."""
        return datetime.combine(self.day, self.end, LOCAL_TZ)

    def layout(self) -> list[tuple[datetime, datetime]]:
        """Return the slots (start, end), or InvalidInput naming every field that makes the
        hours, breaks, slot length or tables impossible."""
        problems: list[Problem] = []
        if self.end <= self.start:
            problems.append(
                Problem(
                    "session.end_before_start",
                    column="end",
                    value=hhmm(self.end),
                    params={"start": hhmm(self.start)},
                )
            )
        low, high = SLOT_MINUTES
        if not low <= self.slot_minutes <= high:
            problems.append(
                Problem("session.bad_slot_minutes", column="slot_minutes", value=self.slot_minutes)
            )
        if not 0 <= self.tables <= MAX_TABLES:
            problems.append(Problem("session.bad_tables", column="tables", value=self.tables))
        pauses = self._pauses(problems)
        if problems:
            raise InvalidInput("error.invalid_input", problems)
        slots = lay_out(self.starts_at(), self.ends_at(), self.slot_minutes, pauses)
        if not slots:
            problem = Problem(
                "session.no_slots",
                column="slot_minutes",
                value=self.slot_minutes,
                params={"start": hhmm(self.start), "end": hhmm(self.end)},
            )
            raise InvalidInput("error.invalid_input", [problem])
        return slots

    def _pauses(self, problems: list[Problem]) -> list[tuple[datetime, datetime]]:
        out: list[tuple[datetime, datetime, str]] = []
        for text in self.breaks:
            found = _RANGE.match(text)
            try:
                parsed = (_clock(found.group(1)), _clock(found.group(2))) if found else None
            except ValueError:
                parsed = None
            if parsed is None or parsed[1] <= parsed[0]:
                problems.append(Problem("session.bad_break", column="breaks", value=text))
                continue
            begin, end = parsed
            if begin < self.start or end > self.end:
                problems.append(
                    Problem(
                        "session.break_outside",
                        column="breaks",
                        value=text,
                        params={"start": hhmm(self.start), "end": hhmm(self.end)},
                    )
                )
                continue
            at = (
                datetime.combine(self.day, begin, LOCAL_TZ),
                datetime.combine(self.day, end, LOCAL_TZ),
            )
            for other_begin, other_end, other in out:
                if at[0] < other_end and other_begin < at[1]:
                    problems.append(
                        Problem(
                            "session.breaks_overlap",
                            column="breaks",
                            value=text,
                            params={"other": other},
                        )
                    )
                    break
            else:
                out.append((*at, text))
        return sorted((begin, end) for begin, end, _text in out)

    def break_texts(self) -> list[str]:
        """Return the breaks as stored: ``HH:MM-HH:MM``, in order."""
        return sorted(
            f"{hhmm(_clock(m.group(1)))}-{hhmm(_clock(m.group(2)))}"
            for m in (_RANGE.match(text) for text in self.breaks)
            if m is not None
        )


def lay_out(
    starts: datetime, ends: datetime, minutes: int, pauses: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """Return back-to-back slots of ``minutes`` from ``starts`` to ``ends``, none overlapping
    a pause (the first after a pause starts when it ends)."""
    step = timedelta(minutes=minutes)
    slots, at = [], starts
    while at + step <= ends:
        clash = next((end for begin, end in pauses if at < end and begin < at + step), None)
        if clash is not None:
            at = clash
            continue
        slots.append((at, at + step))
        at += step
    return slots


def spec_of(session: MatchmakingSession) -> dict[str, Any]:
    """Return ``session`` as the fields :meth:`SessionSpec.from_dict` reads (local times)."""
    return {
        "code": session.code,
        "name": session.name,
        "name_en": session.name_en,
        "kind": session.kind.value,
        "date": session.starts_at.astimezone(LOCAL_TZ).date().isoformat(),
        "start": hhmm(session.starts_at),
        "end": hhmm(session.ends_at),
        "slot_minutes": session.slot_minutes,
        "tables": [t.label or default_label(t.number) for t in session.tables],
        "breaks": list(session.breaks or []),
        "venue": session.venue,
    }


def _day(raw: Any) -> date:
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    else:
        day = date.fromisoformat(str(raw).strip())
    if not 1980 <= day.year <= 2100:  # further out, time-zone arithmetic overflows
        raise ValueError(raw)
    return day


def _clock(raw: Any) -> time:
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0, tzinfo=None)
    found = _CLOCK.match(str(raw))
    if found is None:
        raise ValueError(raw)
    return time(int(found.group(1)), int(found.group(2)))  # ValueError past 23:59


def _whole(raw: Any) -> int:
    if isinstance(raw, bool):
        raise TypeError(raw)
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    if not re.fullmatch(r"[-+]?\d+", text):
        raise ValueError(raw)
    return int(text)


def _labels(raw: Any, problems: list[Problem], column: str = "table_labels") -> list[str]:
    """Return table labels from a list or a comma-separated text; duplicates and overlong
    labels are problems naming the label."""
    if raw is None or raw == "":
        return []
    parts = [str(p) for p in raw] if isinstance(raw, list | tuple) else _LIST.split(str(raw))
    labels, seen = [], set()
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if part in seen:
            problems.append(Problem("session.duplicate_table", column=column, value=part))
        elif len(part) > LABEL_CHARS or any(not c.isprintable() for c in part):
            problems.append(Problem("session.bad_table_label", column=column, value=part))
        seen.add(part)
        labels.append(part)
    if len(labels) > MAX_TABLES:
        problems.append(Problem("session.bad_tables", column=column, value=len(labels)))
    return labels


def _break_texts(raw: Any) -> list[str]:
    if raw is None or raw == "":
        return []
    parts = [str(p) for p in raw] if isinstance(raw, list | tuple) else _LIST.split(str(raw))
    return [p.strip() for p in parts if p.strip()]
