"""The exception family: every failure the product reports to a user is one of these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from matchmaker.messages import render

SHOWN_CHARS = 80  # how much of a refused value a message repeats


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (row, column), what value, and why (a message code).

    ``row`` is the spreadsheet row as the user sees it (the header is row 1).
    """

    code: str
    row: int | None = None
    column: str | None = None
    value: Any = None
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        """Return the human sentence for this problem in ``lang``."""
        return render(
            self.code, lang, **{"value": self.shown_value(), "column": self.column, **self.params}
        )

    def shown_value(self) -> Any:
        """Return the value as shown to people: numbers as they are, long text cut short.

        A refused 100,000-character description is named by its start, not repeated whole.
        """
        if self.value is None or isinstance(self.value, int | float):
            return self.value
        text = str(self.value)
        return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return a JSON-ready description."""
        out: dict[str, Any] = {"code": self.code, "message": self.message(lang)}
        if self.row is not None:
            out["row"] = self.row
        if self.column is not None:
            out["column"] = self.column
        if self.value is not None:
            out["value"] = self.shown_value()
        return out

    def line(self, lang: str = "zh", named: bool = False) -> str:
        """Return a one-line rendering: ``第 3 行 [阶段] '天使2轮': …``.

        ``named``: a form field is shown by its name in ``lang`` (``[时段]``, not ``[slot]``)
        where one is known (``column.<field>`` messages), as a page's form calls it.
        """
        where = []
        if self.row is not None:
            where.append(render("where.row", lang, row=self.row))
        if self.column is not None:
            label = render(f"column.{self.column}", lang) if named else self.column
            where.append(f"[{self.column if label.startswith('column.') else label}]")
        if self.value not in (None, ""):
            where.append(repr(str(self.shown_value())))
        prefix = " ".join(where)
        return f"{prefix}: {self.message(lang)}" if prefix else self.message(lang)


class MatchmakerError(Exception):
    """Base of every error the product expects and explains.

    ``code`` names a message in :mod:`matchmaker.messages`; ``params`` fill it in.
    ``http_status`` is how the API reports it (mapped in one place, ``api.errors``).
    """

    http_status = 400
    default_code = "error.generic"

    def __init__(
        self,
        code: str | None = None,
        problems: Iterable[Problem] = (),
        /,
        **params: Any,
    ) -> None:
        self.code = code or self.default_code
        self.params = params
        self.problems = list(problems)
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """Return the headline in ``lang``."""
        return render(self.code, lang, **self.params)


class InvalidInput(MatchmakerError):
    """The input is malformed or breaks a rule; ``problems`` says where."""

    http_status = 422
    default_code = "error.invalid_input"


class TooLarge(InvalidInput):
    """An upload or a file is larger than the configured limit (``limit`` says how large)."""

    http_status = 413
    default_code = "error.too_large"


class ImportRejected(InvalidInput):
    """A file was refused as a whole; nothing was written."""

    default_code = "import.rejected"


class NotFound(MatchmakerError):
    """A record the caller named does not exist (or is not theirs to see)."""

    http_status = 404
    default_code = "error.not_found"


class Conflict(MatchmakerError):
    """The request clashes with the current state (duplicate, double booking, stale edit)."""

    http_status = 409
    default_code = "error.conflict"


class Gone(MatchmakerError):
    """What the request names existed but can no longer be used (a spent or expired link)."""

    http_status = 410
    default_code = "error.gone"


class Unavailable(MatchmakerError):
    """A service the request needs (the database, the job queue) cannot be reached now."""

    http_status = 503
    default_code = "error.unavailable"


class AuthenticationRequired(MatchmakerError):
    """No valid credentials were presented."""

    http_status = 401
    default_code = "auth.required"


class PermissionDenied(MatchmakerError):
    """Credentials are valid but the role may not do this."""

    http_status = 403
    default_code = "auth.forbidden"
