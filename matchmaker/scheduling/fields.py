"""A JSON reader that keeps going after a bad field, so every problem is reported at once."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from matchmaker.domain import LOCAL_TZ
from matchmaker.errors import Problem


class Reader:
    """Typed getters for one JSON document; each failure is recorded as a :class:`Problem`.

    ``where`` arguments are JSON paths such as ``projects[3]``; a problem's column is the path
    of the offending field (``projects[3].max_meetings``), its value the value found there.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, code: str, where: str, value: Any = None, **params: Any) -> None:
        """Record one problem."""
        self.problems.append(Problem(code, column=where, value=value, params=params))

    def obj(self, raw: Any, where: str, keys: Collection[str]) -> Mapping[str, Any] | None:
        """Return ``raw`` if it is an object; report it otherwise, and report unknown keys."""
        if not isinstance(raw, Mapping):
            self.bad("schedule.not_object", where, _short(raw))
            return None
        for key in raw:
            if key not in keys:
                self.bad("schedule.unknown_key", f"{where}.{key}" if where != "$" else str(key))
        return raw

    def items(self, obj: Mapping[str, Any], key: str, where: str, required: bool) -> list[Any]:
        """Return the list at ``obj[key]`` (``[]`` when absent and optional, or malformed)."""
        path = _join(where, key)
        value = obj.get(key)
        if value is None:
            if required:
                self.bad("schedule.missing", path)
            return []
        if not isinstance(value, list):
            self.bad("schedule.not_list", path, type(value).__name__)
            return []
        return value

    def count(
        self, obj: Mapping[str, Any], key: str, where: str, default: int | None, least: int = 0
    ) -> int | None:
        """Return the whole number at ``obj[key]`` (≥ ``least``), ``default`` when absent."""
        path = _join(where, key)
        value = obj.get(key)
        if value is None:
            if default is None:
                self.bad("schedule.missing", path)
            return default
        # JSON has one number type: 3.0 is accepted as 3, 2.5 and true are not counts.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            self.bad("schedule.not_positive" if least > 0 else "schedule.not_count", path, value)
            return None
        return value

    def ident(self, obj: Mapping[str, Any], key: str, where: str) -> str | None:
        """Return the id at ``obj[key]`` as a string (integers are accepted and converted)."""
        return self.ident_value(obj.get(key), _join(where, key))

    def ident_value(self, value: Any, path: str) -> str | None:
        """Return ``value`` as an id, or report it at ``path``."""
        if value is None:
            self.bad("schedule.missing", path)
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.bad("schedule.not_id", path, _short(value))
            return None
        return value.strip()

    def number(self, obj: Mapping[str, Any], key: str, where: str) -> float | None:
        """Return the finite number at ``obj[key]`` (NaN, ±inf, strings and booleans refused)."""
        path = _join(where, key)
        value = obj.get(key)
        if value is None:
            self.bad("schedule.missing", path)
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad("schedule.bad_score", path, _short(value))
            return None
        if not math.isfinite(value):
            self.bad("schedule.bad_score", path, str(value))
            return None
        return float(value)

    def time(self, obj: Mapping[str, Any], key: str, where: str) -> datetime | None:
        """Return the ISO 8601 time at ``obj[key]``; a naive time is Asia/Shanghai."""
        path = _join(where, key)
        value = obj.get(key)
        if value is None:
            self.bad("schedule.missing", path)
            return None
        parsed = None
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                parsed = None
        if parsed is None:
            self.bad("schedule.bad_time", path, _short(value))
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


def _join(where: str, key: str) -> str:
    return key if where == "$" else f"{where}.{key}"


def _short(value: Any) -> Any:
    """Keep reported values readable: a whole nested object is summarised by its type."""
    if isinstance(value, Mapping | list):
        return type(value).__name__
    return value
