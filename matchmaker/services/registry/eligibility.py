"""The contest notices' eligibility rules, switched on per event and checked on every import and
every project created or edited.

中国创翼 and 创客中国 notices say: one project per enterprise (统一社会信用代码) or per person (the
lead person's 身份证号, else the contact phone); a person may not enter both groups (of an event
with groups of its own: one person, one group); a project with a credit code is an enterprise's
and may not enter 创客组 (the group keyed ``maker``); past winners are barred. Each
rule is off, refuses (the import is refused whole, the edit answered 422) or warns (the import
goes through with a warning naming both rows). A sheet row is compared with the other rows and
with the projects already in the event (a row with the code of a stored project replaces it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Project, User
from matchmaker.errors import InvalidInput, Problem
from matchmaker.identifiers import is_credit_code, is_id_number, normalise
from matchmaker.services.audit import record
from matchmaker.services.registry.clashes import Entry, Findings, Mode, Scan, barred_keys
from matchmaker.services.registry.vocabulary import groups_of
from matchmaker.tabular.read import read_sheet

RULES = (
    "one_per_enterprise",
    "one_per_person",
    "not_both_groups",
    "enterprise_not_maker",
    "barred",
)
BARRED_LIMIT = 10_000  # entries in a barred list
_CELLS = re.compile(r"[,，\t;；\n\r]+")
_HEADERS = {"名称", "项目名称", "企业名称", "统一社会信用代码", "身份证号", "name", "credit_code"}
_LOOKS_LIKE_CODE = re.compile(r"^[0-9A-Z]{15,20}$")  # no project is named so: a mistyped code


@dataclass(frozen=True)
class Rules:
    """An event's switches (rule → mode; absent rules are off) and its barred past winners."""

    switches: dict[str, Mode] = field(default_factory=dict)
    barred: tuple[str, ...] = ()

    def mode(self, rule: str) -> Mode:
        """Return the mode of ``rule``."""
        return self.switches.get(rule, Mode.OFF)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready form: every rule with its mode, and the barred entries."""
        return {
            "rules": {rule: self.mode(rule).value for rule in RULES},
            "barred": list(self.barred),
        }


def rules_of(event: Event) -> Rules:
    """Return the rules the organiser set for ``event`` (every rule off by default)."""
    stored = event.rules or {}
    switches = {
        rule: Mode(mode) for rule, mode in (stored.get("switches") or {}).items() if rule in RULES
    }
    return Rules(
        {k: v for k, v in switches.items() if v is not Mode.OFF}, tuple(stored.get("barred") or ())
    )


def set_rules(db: Session, event: Event, actor: User | None = None, **switches: str) -> Rules:
    """Switch rules of ``event`` (``one_per_enterprise="refuse"``, ``barred="off"`` …); rules not
    named keep their mode. Audited. InvalidInput names an unknown rule or mode."""
    problems = [
        Problem("rules.unknown_rule", value=r, params={"choices": ", ".join(RULES)})
        for r in switches
        if r not in RULES
    ]
    modes = ", ".join(m.value for m in Mode)
    problems += [
        Problem("rules.unknown_mode", column=r, value=m, params={"choices": modes})
        for r, m in switches.items()
        if r in RULES and m not in set(Mode)
    ]
    if problems:
        raise InvalidInput(None, problems)
    before = rules_of(event)
    wanted = {**before.switches, **{r: Mode(m) for r, m in switches.items()}}
    return _store(
        db,
        event,
        Rules({r: m for r, m in wanted.items() if m is not Mode.OFF}, before.barred),
        before,
        actor,
    )


def set_barred(
    db: Session, event: Event, entries: Iterable[str], actor: User | None = None
) -> Rules:
    """Replace the barred list of ``event`` with ``entries`` (credit codes, id numbers or project
    names; codes and ids are checked). Audited. InvalidInput names a mistyped code."""
    kept: list[str] = []
    problems: list[Problem] = []
    for raw in entries:
        entry = raw.strip()
        if not entry:
            continue
        folded = normalise(entry)
        if is_credit_code(folded) or is_id_number(folded):
            entry = folded
        elif _LOOKS_LIKE_CODE.match(folded):
            problems.append(Problem("rules.barred_bad_code", value=entry))
            continue
        elif len(entry) > 200:
            problems.append(Problem("import.too_long", value=entry, params={"limit": 200}))
            continue
        if entry not in kept:
            kept.append(entry)
    if len(kept) > BARRED_LIMIT:
        problems.append(Problem("import.too_many", params={"limit": BARRED_LIMIT}))
    if problems:
        raise InvalidInput(None, problems)
    before = rules_of(event)
    return _store(db, event, Rules(before.switches, tuple(kept)), before, actor)


def parse_barred(text: str) -> list[str]:
    """Return the entries of a pasted or uploaded barred list: one per line or cell (CSV, tabs,
    semicolons), a header cell such as 名称 or 统一社会信用代码 left out."""
    cells = [c.strip().strip('"') for c in _CELLS.split(text.lstrip("\ufeff"))]
    return [c for c in cells if c and c.lower() not in _HEADERS]


def update_rules(
    db: Session,
    event: Event,
    actor: User | None,
    switches: dict[str, str],
    barred_text: str | None = None,
    barred_file: tuple[str, bytes] | None = None,
    barred: list[str] | None = None,
) -> Rules:
    """Apply an organiser's change: the switches, and the barred list from an uploaded file
    (name, bytes) when one is given, else the ``barred`` entries, else the pasted text, when
    given (none given: the list is kept). All or nothing."""
    if barred_file is not None:
        set_barred(db, event, barred_from_file(barred_file[1], barred_file[0]), actor)
    elif barred is not None:
        set_barred(db, event, barred, actor)
    elif barred_text is not None:
        set_barred(db, event, parse_barred(barred_text), actor)
    return set_rules(db, event, actor, **switches)


def barred_from_file(data: bytes, filename: str) -> list[str]:
    """Return the entries of an uploaded barred list (CSV, TXT or XLSX: every cell, the first
    row's too, a header cell left out). ImportRejected says why a file cannot be read."""
    sheet = read_sheet(data, filename)
    cells = [*sheet.headers, *(cell for _number, row in sheet.rows for cell in row)]
    return parse_barred("\n".join(str(c) for c in cells if c is not None and str(c).strip()))


def _store(db: Session, event: Event, rules: Rules, before: Rules, actor: User | None) -> Rules:
    event.rules = {
        "switches": {r: m.value for r, m in rules.switches.items()},
        "barred": list(rules.barred),
    }
    db.flush()
    if rules != before:
        entry = record(db, event, "rules", actor, before.to_dict(), rules.to_dict())
        entry.event_id = event.id
    return rules


_FIELDS = ("code", "name", "group", "credit_code", "leader_id", "contact_phone")


def check(
    db: Session,
    event: Event,
    incoming: Sequence[dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> Findings:
    """Check ``incoming`` records (parsed sheet rows with ``_row``, or one project being created
    or edited, without) against each other and the event's stored projects.

    A record with the code of a stored project stands in for it; fields it lacks keep the stored
    values. Only what involves an incoming record is reported, on that record, naming the other
    party; ``headers`` (column key → header as written) names the column.
    """
    rules = rules_of(event)
    if not rules.switches or not incoming:
        return Findings()
    stored = _stored(db, event)
    codes = {r["code"] for r in incoming}
    entries = [e for code, e in stored.items() if code not in codes]
    for record_ in incoming:
        old = stored.get(record_["code"])
        values = {k: record_[k] if k in record_ else getattr(old, _attr(k), None) for k in _FIELDS}
        entries.append(
            Entry(
                code=record_["code"],
                name=values["name"] or "",
                group=values["group"] or None,
                credit_code=values["credit_code"],
                leader_id=values["leader_id"],
                phone=values["contact_phone"] or "",
                row=record_.get("_row"),
                incoming=True,
            )
        )
    scan = Scan(rules.switches, barred_keys(rules.barred), headers or {}, groups_of(event))
    return scan.run(entries)


def ensure_eligible(db: Session, event: Event, record_: dict[str, Any]) -> None:
    """Refuse (InvalidInput, 422) a project being created or edited that breaks a rule switched
    to refuse, naming the project it clashes with; warnings do not stop an edit."""
    found = check(db, event, [{k: v for k, v in record_.items() if k != "_row"}])
    if found.refused:
        raise InvalidInput("rules.refused", found.refused, count=len(found.refused))


def _attr(key: str) -> str:
    return "phone" if key == "contact_phone" else key


def _stored(db: Session, event: Event) -> dict[str, Entry]:
    """Return the event's projects by code, oldest first (read as plain rows: an event may hold
    200,000, and the ORM's row handling would be most of the check's time)."""
    table = Project.__table__.c
    query = select(*(table[k] for k in _FIELDS))
    query = query.where(table.event_id == event.id).order_by(table.id)
    return {
        row.code: Entry(
            code=row.code,
            name=row.name,
            group=row.group,
            credit_code=row.credit_code,
            leader_id=row.leader_id,
            phone=row.contact_phone or "",
        )
        for row in db.execute(query.execution_options(autoflush=False))
    }
