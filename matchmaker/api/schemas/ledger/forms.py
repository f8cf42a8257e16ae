"""The ledger pages' forms, read as the pages always have: amounts without a unit are 万元, and
each problem is worded as the page words it, beside its field (the API's schemas word theirs
for programs, in marshmallow's terms)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, missing, pre_load

from matchmaker.api.i18n import lang
from matchmaker.api.schemas.ledger.field_types import Amount
from matchmaker.domain import (
    YUAN_PER_WAN,
    CooperationKind,
    DropReason,
    DueDiligenceStatus,
    IntentStatus,
    Labelled,
    LandingKind,
    TaskKind,
)
from matchmaker.errors import InvalidInput, Problem
from matchmaker.services.ledger.intent_files import PLAUSIBLE_MAX


def refused(code: str, field: str, value: Any = None) -> ValidationError:
    """Return a page form's error for ``field``, worded as the page words that problem."""
    return ValidationError(Problem(code, column=field, value=value).message(lang()))


class PageForm(Schema):
    """A page's form, posted as text; a field named in ``BLANK`` that the form leaves out reads
    as empty, as the pages have always read it."""

    BLANK: ClassVar[tuple[str, ...]] = ()  # the fields read as "" when the form leaves them out

    class Meta:
        unknown = EXCLUDE  # the CSRF token, the version, the event chosen

    @pre_load
    def _blanks(self, data: Any, **_kwargs: Any) -> dict[str, Any]:
        return {**dict.fromkeys(self.BLANK, ""), **{key: data.get(key) for key in data}}


class Stripped(fields.String):
    """Text without the spaces around it."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return str(super()._deserialize(value or "", attr, data, **kwargs)).strip()


class FormDay(fields.Field[date | None]):
    """A date written 2026-12-08 (blank: none)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date | None:
        raw = (value or "").strip()
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            raise refused("import.bad_date", attr, raw) from None


class FormChoice(fields.Field[Labelled]):
    """A vocabulary member chosen on a form (code or label); ``problem`` names a bad one.

    With ``blank_unchanged`` a blank choice changes nothing; else it is refused as bad.
    """

    def __init__(
        self, vocab: type[Labelled], problem: str, blank_unchanged: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.vocab, self.problem, self.blank_unchanged = vocab, problem, blank_unchanged

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not value and self.blank_unchanged:
            return missing
        try:
            return self.vocab.parse(value or "")
        except ValueError:
            raise refused(self.problem, attr) from None


class FormAmount(Amount):
    """An amount on a page: a bare number is 万元, and more than 100亿 is taken for a slip."""

    unit = YUAN_PER_WAN

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int | None:
        yuan = super()._deserialize(value, attr, data, **kwargs)
        if (yuan or 0) > PLAUSIBLE_MAX:
            raise refused("intent.implausible_amount", attr, value)
        return yuan

    def refused(self, exc: InvalidInput, attr: str) -> ValidationError:
        return ValidationError([replace(p, column=attr).message(lang()) for p in exc.problems])


class DropReasonChoice(fields.Field[str]):
    """A drop reason (code or label) as its code; blank for none."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not value:
            return ""
        try:
            return DropReason.parse(value).value
        except ValueError:
            raise refused("import.bad_drop_reason", attr, value) from None


class IntentForm(PageForm):
    """The intent form of the ledger and intent pages."""

    BLANK = ("status", "amount", "invested_amount", "signed_at", "invested_at", "drop_reason")

    status = FormChoice(IntentStatus, "import.bad_intent_status")
    amount = FormAmount()
    invested_amount = FormAmount()
    signed_at = FormDay()
    invested_at = FormDay()
    drop_reason = DropReasonChoice()
    invested_amount_pending = fields.Boolean(load_default=False)  # a checkbox: 金额待定
    signatories = Stripped(load_default="")
    note = Stripped(load_default="")
    session = fields.String()  # a code; "" for none; left out: unchanged
    reason = Stripped(load_default="")


class NewIntentForm(IntentForm):
    """The ledger's form for a new intent: the pair by registration ids."""

    project = fields.String(load_default=None)
    institution = fields.String(load_default=None)


class TaskForm(PageForm):
    """The due-diligence task form of the board and task pages."""

    BLANK = ("due_date", "next_follow_up")

    owner = Stripped(load_default="")
    due_date = FormDay()
    next_follow_up = FormDay()
    status = FormChoice(DueDiligenceStatus, "field.invalid_choice", blank_unchanged=True)
    outcome = Stripped(load_default="")


class NewTaskForm(TaskForm):
    """The board's form for a new task: the pair by registration ids (a service task may leave
    the institution blank and name its counterpart)."""

    project = fields.String(load_default=None)
    institution = fields.String(load_default=None)
    kind = FormChoice(TaskKind, "field.invalid_choice", blank_unchanged=True)
    counterpart = Stripped(load_default="")


class OptionalChoice(FormChoice):
    """A vocabulary member, or None when the form leaves it blank."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not value:
            return None
        return super()._deserialize(value, attr, data, **kwargs)


class LandingForm(PageForm):
    """The landings page's form for a new landing (a bare value is 万元, as on every page)."""

    BLANK = ("landed_on", "value")

    project = fields.String(load_default=None)
    institution = fields.String(load_default=None)
    kind = FormChoice(LandingKind, "landing.kind_required")
    cooperation = OptionalChoice(CooperationKind, "field.invalid_choice")
    place = Stripped(load_default="")
    counterpart = Stripped(load_default="")
    landed_on = FormDay()
    value = FormAmount()
    value_pending = fields.Boolean(load_default=False)
    note = Stripped(load_default="")


class FixValueForm(PageForm):
    """The landings page's form that fixes a value that was 待定."""

    value = FormAmount(required=True)
