"""Field types of the ledger's schemas: amounts in, labels and amounts as text out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError, fields, missing, utils

from matchmaker.api.i18n import lang
from matchmaker.api.schemas.common import PageMeta
from matchmaker.domain import MAX_YUAN, Labelled, format_yuan, parse_amount
from matchmaker.errors import InvalidInput, Problem


def event_field() -> fields.String:
    """``event``: the event a ledger request means (a party's own when left out)."""
    return fields.String(
        metadata={
            "description": "event code; investors and entrants are answered for their own "
            "event (naming another is 404); organisers and staff name one when there are several"
        }
    )


class Amount(fields.Field[int | None]):
    """Integer yuan; also accepts ``"500万"``, ``"1.2亿"``, ``"3,000,000元"`` (bare: yuan)."""

    unit = 1  # what a bare number counts

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, float) and not value.is_integer():
            raise ValidationError("Not whole yuan: money is integer yuan (元)")
        try:
            return parse_amount(value, default_unit=self.unit)  # refuses over MAX_YUAN, naming it
        except InvalidInput as exc:
            raise self.refused(exc, attr) from None

    def refused(self, exc: InvalidInput, attr: str) -> ValidationError:
        """Return the error for an amount ``parse_amount`` refused."""
        return ValidationError(exc.message(lang()))

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return value


AMOUNT_DOC = {
    "description": "integer yuan, or text with a unit: 500万, 1.2亿",
    "anyOf": [{"type": "integer", "minimum": 0, "maximum": MAX_YUAN}, {"type": "string"}],
    "nullable": True,
}


class _ShownFrom(fields.String):
    """Text shown for the value of another attribute ``of`` (a separate field: not loaded)."""

    def __init__(self, of: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.of = of

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return utils.get_value(obj, self.of)


class Label(_ShownFrom):
    """The label of the vocabulary code in ``of``, in the request's language ("" for none)."""

    def __init__(self, vocab: type[Labelled], of: str, **kwargs: Any) -> None:
        super().__init__(of, **kwargs)
        self.vocab = vocab

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str:
        return self.vocab(value).label(lang()) if value else ""


class YuanText(_ShownFrom):
    """The integer yuan in ``of`` as people write it (``500万元``), in the request's language."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str:
        return format_yuan(value, lang())


class Computed(fields.String):
    """Text computed from the whole object (documented as the string it is)."""

    def __init__(self, compute: Callable[[Any], str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.compute = compute

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return self.compute(obj)


class PageCounts(fields.Nested):
    """A page's ``meta``, read off the page itself (total, page, page_size, pages)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(PageMeta, **kwargs)

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return obj


class ProblemOut(fields.Dict):
    """A problem as JSON in the request's language: code, message, and row, column, value."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> dict[str, Any]:
        problem: Problem = value
        return problem.to_dict(lang())
