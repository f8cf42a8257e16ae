"""Which projects break the notices' eligibility rules: every project of an event walked once, in
order (stored projects first, then the incoming ones), each compared with those before it.

No database here: :mod:`eligibility` gathers the projects and the event's rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from matchmaker.errors import Problem
from matchmaker.identifiers import is_credit_code, is_id_number, mask_id, phone_key
from matchmaker.messages import Ref, render
from matchmaker.text import name_key
from matchmaker.vocabulary import MAKER, Vocabulary


class Mode(StrEnum):
    """What a rule does: nothing, refuse what breaks it, or let it through with a warning."""

    OFF = "off"
    REFUSE = "refuse"
    WARN = "warn"


@dataclass
class Findings:
    """What the rules found in the incoming rows: refusals and warnings (each a row problem)."""

    refused: list[Problem] = field(default_factory=list)
    warned: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    """One project as the rules see it: a sheet row (``row``), a project being created or edited
    (``incoming`` without a row), or a project already stored."""

    code: str
    name: str
    group: str | None  # a key of the event's groups
    credit_code: str | None
    leader_id: str | None
    phone: str
    row: int | None = None
    incoming: bool = False

    @property
    def person(self) -> str | None:
        """Return the key the person is known by: the id number, else the phone's digits."""
        if self.leader_id:
            return "id:" + self.leader_id
        key = phone_key(self.phone)
        return "phone:" + key if key else None


@dataclass(frozen=True)
class Who:
    """A party in a message: ``第 5 行``, ``本项目`` or ``已报名项目 T-P001「…」``."""

    entry: Entry

    def label(self, lang: str = "zh") -> str:
        """Return the party named in ``lang``."""
        if self.entry.row is not None:
            return render("where.row", lang, row=self.entry.row)
        if self.entry.incoming:
            return render("rules.this_project", lang)
        return render("rules.stored_project", lang, code=self.entry.code, name=self.entry.name)


@dataclass(frozen=True)
class Person:
    """A person in a message: the masked id number, else the masked phone."""

    key: str

    def label(self, lang: str = "zh") -> str:
        """Return the person named in ``lang``."""
        code = "rules.person_id" if self.key.startswith("id:") else "rules.person_phone"
        return render(code, lang, value=masked(self.key))


def masked(person: str) -> str:
    """Return a person key as shown: ``1101**********002X`` or ``138****0009``."""
    kind, value = person.split(":", 1)
    return (mask_id(value) or "") if kind == "id" else value[:3] + "****" + value[-4:]


def barred_keys(entries: Iterable[str]) -> set[str]:
    """Return what barred entries are compared by: codes and ids as stored, names by key."""
    return {e if is_credit_code(e) or is_id_number(e) else name_key(e) for e in entries}


class Scan:
    """One walk over an event's projects under its rules (``modes``: rule → mode, ``barred``:
    keys from :func:`barred_keys`, ``columns``: column key → header as written, ``groups``: the
    event's groups, which name a group in a message)."""

    def __init__(
        self,
        modes: dict[str, Mode],
        barred: set[str],
        columns: dict[str, str],
        groups: Vocabulary | None = None,
    ) -> None:
        self.modes, self.barred, self.columns = modes, barred, columns
        self.barred_names = {b for b in barred if not (is_credit_code(b) or is_id_number(b))}
        self.group_names = groups if groups is not None else Vocabulary()
        self.found = Findings()
        self.enterprises: dict[str, Entry] = {}
        self.people: dict[str, Entry] = {}
        self.groups: dict[str, dict[str, Entry]] = {}  # person → group key → first entry

    def run(self, entries: Iterable[Entry]) -> Findings:
        """Compare each entry with those before it; return what the incoming ones broke."""
        for entry in entries:
            self.enterprise(entry)
            self.person(entry)
            self.past_winner(entry)
        return self.found

    def report(self, rule: str, entry: Entry, column: str, value: Any, **params: Any) -> None:
        """File a problem on ``entry`` if it is incoming and ``rule`` is on."""
        mode = self.modes.get(rule, Mode.OFF)
        if mode is Mode.OFF or not entry.incoming:
            return
        problem = Problem(
            f"rules.{rule}",
            row=entry.row,
            column=self.columns.get(column, column),
            value=value,
            params={"this": Who(entry), **params},
        )
        (self.found.refused if mode is Mode.REFUSE else self.found.warned).append(problem)

    def enterprise(self, entry: Entry) -> None:
        """One project per enterprise; an enterprise's project not in the maker group (the group
        keyed ``maker``: an event without one never breaks this rule)."""
        code = entry.credit_code
        if not code:
            return
        first = self.enterprises.setdefault(code, entry)
        if first is not entry:
            self.report(
                "one_per_enterprise", entry, "credit_code", code, other=Who(first), key=code
            )
        if entry.group == MAKER:
            shown = self.group_names.label(entry.group)
            self.report("enterprise_not_maker", entry, "group", shown, key=code)

    def person(self, entry: Entry) -> None:
        """One project per person; one person in one group only (any two different groups)."""
        person = entry.person
        if not person:
            return
        column = "leader_id" if person.startswith("id:") else "contact_phone"
        first = self.people.setdefault(person, entry)
        if first is not entry:
            self.report(
                "one_per_person",
                entry,
                column,
                masked(person),
                other=Who(first),
                key=Person(person),
            )
        if entry.group is None:
            return
        entered = self.groups.setdefault(person, {})
        entered.setdefault(entry.group, entry)
        # the person's first project in another group: the rule is named "not both groups"
        # after the notices' two, and holds for any two of an event's own groups
        other_group, clash = next(
            ((g, e) for g, e in entered.items() if g != entry.group), (None, None)
        )
        if clash is not None and other_group is not None:
            self.report(
                "not_both_groups",
                entry,
                "group",
                self.group_names.label(entry.group),
                other=Who(clash),
                key=Person(person),
                group=self.group_names.named(entry.group),
                other_group=self.group_names.named(other_group),
            )

    def past_winner(self, entry: Entry) -> None:
        """Past winners barred: by credit code, lead person's id, or project name."""
        if not self.barred or not entry.incoming:  # a stored project was checked when it came
            return
        for what, key, shown in (
            ("credit_code", entry.credit_code, entry.credit_code),
            ("leader_id", entry.leader_id, mask_id(entry.leader_id)),
        ):
            if key and key in self.barred:
                self.report("barred", entry, what, shown, what=Ref(f"rules.what_{what}"), key=shown)
        # names are folded (Traditional → Simplified …) only when a name is barred: that costs
        if self.barred_names and entry.name and name_key(entry.name) in self.barred_names:
            what_ref = Ref("rules.what_name")
            self.report("barred", entry, "name", entry.name, what=what_ref, key=entry.name)
