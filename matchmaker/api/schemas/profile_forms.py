"""The profile pages' forms: a project's and an institution's own profile, and an event's locks.

Read as the ledger's forms are (``schemas/ledger/forms.py``): amounts without a unit are 万元,
each problem is worded as the page words it, beside its field. A field the form leaves out is
left as it is (a locked field is shown, not posted); a box of checkboxes posts an empty value
first, so unticking them all empties the list.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, ClassVar

from marshmallow import ValidationError, fields, missing, pre_load, validate

from matchmaker.api.i18n import lang
from matchmaker.api.schemas.ledger.forms import (
    FormAmount,
    FormChoice,
    FormDay,
    PageForm,
    Stripped,
    refused,
)
from matchmaker.domain import (
    LOCAL_TZ,
    Labelled,
    Need,
    Stage,
    parse_portfolio,
    split_multi,
)
from matchmaker.errors import InvalidInput, Problem


class _ListForm(PageForm):
    """A form whose ``LISTS`` fields post several values (checkboxes)."""

    LISTS: ClassVar[tuple[str, ...]] = ()

    @pre_load
    def _blanks(self, data: Any, **_kwargs: Any) -> dict[str, Any]:  # PageForm's, and lists
        out = {key: data.get(key) for key in data}
        for key in self.LISTS:
            if key in data:
                values = data.getlist(key) if hasattr(data, "getlist") else data[key]
                out[key] = [v for v in (values if isinstance(values, list) else [values]) if v]
        return out


class Labels(fields.Field[list[str]]):
    """Free labels typed in one box, separated by 、 ， , ; or new lines."""

    def __init__(self, max_items: int = 20, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_items = max_items

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[str]:
        labels = split_multi(value or "")
        if len(labels) > self.max_items:
            raise refused("profile.too_many", attr, len(labels))
        too_long = [label for label in labels if len(label) > 100]
        if too_long:
            raise refused("import.too_long", attr, too_long[0]) from None
        return labels


class Choices(fields.Field[list[Any]]):
    """Members of a vocabulary ticked in a box of checkboxes (codes)."""

    def __init__(self, vocab: type[Labelled], problem: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vocab, self.problem = vocab, problem

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        values = value if isinstance(value, list) else [value]
        try:
            return list(dict.fromkeys(self.vocab.parse(v) for v in values if v))
        except ValueError:
            choices = "、".join(m.label(lang()) for m in self.vocab)
            raise ValidationError(_message(self.problem, attr, choices)) from None


def _message(code: str, field: str, choices: str) -> str:
    return Problem(code, column=field, params={"choices": choices}).message(lang())


class OptionalChoice(FormChoice):
    """A vocabulary member, or none when left blank."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not value:
            return None
        return super()._deserialize(value, attr, data, **kwargs)


class Portfolio(fields.Field[list[dict[str, Any]]]):
    """Past investments, one a line: ``公司A（储能，A轮）``."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            entries = parse_portfolio(value or "")
        except InvalidInput as exc:
            raise ValidationError([p.line(lang(), named=True) for p in exc.problems]) from None
        if len(entries) > 100:
            raise refused("profile.too_many", attr, len(entries))
        return [dict(entry) for entry in entries]


class Email(Stripped):
    """An e-mail address, or none."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text:
            return text
        try:
            validate.And(validate.Length(max=200), validate.Email())(text)
        except ValidationError:
            raise refused("import.bad_email", attr, text) from None
        return text


class Text(Stripped):
    """Text of at most ``limit`` characters (``required``: not blank either)."""

    def __init__(self, limit: int, required: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit, self.needed = limit, required

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if self.needed and not text:
            raise refused("import.required", attr)
        if len(text) > self.limit:
            problem = Problem("import.too_long", column=attr, params={"limit": self.limit})
            raise ValidationError(problem.message(lang()))
        return text


class _Contacts(_ListForm):
    contact_name = Text(100)
    contact_phone = Text(50)
    contact_email = Email()


class ProjectForm(_Contacts):
    """A project's profile as its team (or an organiser) edits it on its page."""

    LISTS = ("needs",)

    name = Text(200, required=True)
    track = Text(100)  # the event's own tracks: the service checks and names them
    group = Text(100)  # the event's own groups, blank for none: the service checks them
    sectors = Labels()
    stage = OptionalChoice(Stage, "import.bad_stage")
    funding_ask = FormAmount()
    region = Text(200)
    needs = Choices(Need, "import.bad_need")
    description = Text(5000)


class InstitutionForm(_Contacts):
    """An institution's profile as its staff (or an organiser) edits it on its page."""

    LISTS = ("stages",)

    name = Text(200, required=True)
    type = Text(100)  # the event's own institution types: the service checks and names them
    focus_sectors = Labels()
    stages = Choices(Stage, "import.bad_stage")
    ticket_min = FormAmount()
    ticket_max = FormAmount()
    regions = Labels()
    thesis = Text(5000)
    portfolio = Portfolio()


class LocksForm(_ListForm):
    """An event's locks: the fields locked now, and the registration deadline (a day, to its
    end in Beijing time; blank: none)."""

    LISTS = ("locked_fields",)

    locked_fields = fields.List(fields.String(), load_default=list)
    deadline = FormDay(load_default=None)


def deadline_of(day: Any) -> datetime | None:
    """Return the end of ``day`` in Beijing time (aware), or None."""
    if day is None or day is missing:
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ)


class SignupForm(InstitutionForm):
    """An investor's application on the event's public page (对接服务报名): the institution's
    profile form without its portfolio (added once approved). The service says what is missing."""

    class Meta(InstitutionForm.Meta):
        exclude = ("portfolio",)
