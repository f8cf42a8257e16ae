"""Linking an event's rows to lasting identities: automatic only on an exact id, else proposed.

A row whose 统一社会信用代码 or lead person's 身份证号 equals that of one identity's row in a
sharing contest joins that identity at once (the ids are check-digit verified at import, so two
equal ids are one enterprise or one person). A row that only shares a phone, an e-mail or a
name with such a row gets a proposal, which an organiser confirms (the row joins the proposed
party) or rejects: names and contacts are never merged silently. So does a project whose
registration the duplicate detector (:mod:`matchmaker.ranking.duplicates`) finds repeated in a
sharing contest — renamed, reworded with the same figures, reordered or in Traditional
characters — with the detector's evidence kept on the proposal for the organiser to read. The
detector runs lexically here (no text vectors at import) and only across contests: this
contest's rows against the library's, never among themselves.

A row no other contest's row resembles is its own identity without any library row: a party
(``library_parties``) is made only when a second row joins it, so an import of 10,000 new
registrations writes nothing here (tests/test_import_scale.py holds imports to a fixed number
of statements).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    Event,
    Institution,
    LibraryLink,
    LibraryParty,
    LibraryProposal,
    Project,
    User,
)
from matchmaker.db.versioning import bump
from matchmaker.ranking.duplicates import DuplicatePair, Registration, find_duplicates
from matchmaker.services import audit
from matchmaker.services.library.sharing import shared_event_ids

Row = Project | Institution
Fields = Any  # a result row of ``_columns(model)``: id, code, name, name key, contacts, ids
# An identity seen in a sharing contest: ("party", party id) or, for a row with no party yet,
# ("row", its id); turned into a party only when a new row joins it or is proposed for it.
Identity = tuple[str, int]
# Exact identifiers: an equal value is the same enterprise or person (projects only: the
# institutions' sheets carry no such id).
EXACT = ("credit_code", "leader_id")


@dataclass
class LinkReport:
    """What one linking pass did: rows joined by how, proposals made."""

    linked: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # how -> rows
    proposed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {"linked": dict(self.linked), "proposed": self.proposed}


def link_event(db: Session, event: Event, actor: User | None = None) -> LinkReport:
    """Link every row of ``event`` that has no identity yet (projects, then institutions)."""
    report = LinkReport()
    for model in (Project, Institution):
        link_rows(db, event, model, actor, report)
    return report


def link_rows(
    db: Session,
    event: Event,
    model: type[Project] | type[Institution],
    actor: User | None = None,
    report: LinkReport | None = None,
) -> LinkReport:
    """Join each unlinked ``model`` row of ``event`` to the identity its exact id names, and
    propose the identities it shares a phone, an e-mail or a name with, or (projects) whose
    registration it repeats."""
    report = report if report is not None else LinkReport()
    known = _Known.of(db, model, event)
    if not known.exact and not known.likely:
        return report  # no sharing contest has such rows: nothing to compare with
    column = party_column(model)
    # plain rows, not ORM objects: the import that calls this must not load what it wrote
    rows = db.execute(
        select(*_columns(model))
        .where(
            model.event_id == event.id, model.id.not_in(select(column).where(column.is_not(None)))
        )
        .order_by(model.id)
    ).all()
    taken = set(db.scalars(parties_in(model, event.id)))
    # a pair proposed before (pending, confirmed or rejected) is never proposed again
    column_asked = (
        LibraryProposal.project_id if model is Project else LibraryProposal.institution_id
    )
    asked = {
        (row_id, party_id)
        for row_id, party_id in db.execute(
            select(column_asked, LibraryProposal.party_id).where(
                LibraryProposal.event_id == event.id, column_asked.is_not(None)
            )
        )
    }
    parties = _Parties(db, model)
    copies = _copies(db, event, rows) if model is Project else {}
    changed = False
    for row in rows:
        joined = None
        for key in EXACT if model is Project else ():
            match = {
                parties.resolve(i) for i in known.exact.get((key, getattr(row, key) or ""), ())
            }
            match -= taken
            if len(match) == 1:  # two identities with one id: the organiser decides (proposals)
                joined = next(iter(match))
                link = LibraryLink(party_id=joined, how=key, **{row_key(model): row.id})
                db.add(link)
                db.flush()
                after = {"row": row.code, "party": joined, "how": key}
                record_library(db, link, "link", actor, event, after)
                taken.add(joined)
                report.linked[key] += 1
                changed = True
                break
        if joined is not None:
            continue
        similar: dict[int, list[str]] = defaultdict(list)
        for key, identities in known.similar(row).items():
            for identity in identities:
                similar[parties.resolve(identity)].append(key)
        repeated: dict[int, DuplicatePair] = {}
        for identity, pair in copies.get(row.id, {}).items():
            party = parties.resolve(identity)
            if party not in repeated:  # a party's rows in several contests: its closest one
                repeated[party] = pair
                similar[party].append("duplicate")
        fresh = {p: w for p, w in similar.items() if p not in taken and (row.id, p) not in asked}
        made = _propose(db, event, model, row, fresh, actor, repeated)
        report.proposed += made
        changed = changed or made > 0
    if changed:
        bump(db, event.id)
    return report


def party_of(db: Session, row: Row) -> int | None:
    """Return the lasting identity ``row`` is linked to, if any."""
    column = party_column(type(row))
    found: int | None = db.scalar(select(LibraryLink.party_id).where(column == row.id))
    return found


# ---- matching keys -------------------------------------------------------------------------


@dataclass
class _Known:
    """The sharing contests' rows as identities, by exact id and by likely keys."""

    exact: dict[tuple[str, str], set[Identity]]
    likely: dict[tuple[str, str], set[Identity]]

    @classmethod
    def of(cls, db: Session, model: type[Project] | type[Institution], event: Event) -> _Known:
        shared = shared_event_ids(db) - {event.id}
        exact: dict[tuple[str, str], set[Identity]] = defaultdict(set)
        likely: dict[tuple[str, str], set[Identity]] = defaultdict(set)
        if not shared:
            return cls(exact, likely)
        query = (
            select(*_columns(model), LibraryLink.party_id)
            .outerjoin(LibraryLink, party_column(model) == model.id)
            .where(model.event_id.in_(shared))
        )
        for row in db.execute(query):
            identity = ("party", row.party_id) if row.party_id is not None else ("row", row.id)
            for name in EXACT if model is Project else ():
                if value := getattr(row, name, None):
                    exact[(name, value)].add(identity)
            for key in _likely_keys(row):
                likely[key].add(identity)
        return cls(exact, likely)

    def similar(self, row: Fields) -> dict[str, set[Identity]]:
        """Return what ``row`` shares (phone, email, name) → the identities it shares it with."""
        return {key[0]: self.likely[key] for key in _likely_keys(row) if key in self.likely}


class _Parties:
    """Turns identities into parties, making one for a sharing contest's row that has none."""

    def __init__(self, db: Session, model: type[Project] | type[Institution]) -> None:
        self.db, self.model = db, model
        self.made: dict[int, int] = {}

    def resolve(self, identity: Identity) -> int:
        kind, key = identity
        if kind == "party":
            return key
        if key not in self.made:
            row = cast(Row, self.db.get(self.model, key))
            party = LibraryParty(kind=_kind(self.model), name=row.name)
            self.db.add(party)
            self.db.flush()
            self.db.add(LibraryLink(party_id=party.id, how="new", **{row_key(self.model): key}))
            self.made[key] = party.id
        return int(self.made[key])


_COPY_COLUMNS = (
    Project.id,
    Project.code,
    Project.name,
    Project.description,
    Project.sectors,
    Project.contact_phone,
    Project.contact_email,
    Project.region,
    Project.funding_ask,
)


def _copies(
    db: Session, event: Event, rows: Iterable[Fields]
) -> dict[int, dict[Identity, DuplicatePair]]:
    """Return, for each of ``rows`` (this event's unlinked projects), the sharing contests'
    projects whose registration it repeats, as identities, closest first (the pair's evidence
    for the organiser). Contacts alone are not a copy here: they are proposals of their own."""
    wanted = {row.id for row in rows}
    shared = shared_event_ids(db) - {event.id}
    if not wanted or not shared:
        return {}
    mine = [
        r
        for r in db.execute(
            select(*_COPY_COLUMNS).where(Project.event_id == event.id).order_by(Project.id)
        )
        if r.id in wanted
    ]
    theirs = db.execute(
        select(*_COPY_COLUMNS, Event.code.label("event_code"), LibraryLink.party_id)
        .join(Event, Event.id == Project.event_id)
        .outerjoin(LibraryLink, LibraryLink.project_id == Project.id)
        .where(Project.event_id.in_(shared))
        .order_by(Project.id)
    ).all()
    if not mine or not theirs:
        return {}
    registrations = [Registration.of(r) for r in mine]
    row_of = {r.code: r.id for r in mine}
    identity_of: dict[str, Identity] = {}
    for r in theirs:
        # the evidence names registrations: the library's by their contest and code
        name = f"{r.event_code}/{r.code}"
        if name in row_of:
            name = f"{name}#{r.id}"
        identity_of[name] = ("party", r.party_id) if r.party_id is not None else ("row", r.id)
        registrations.append(Registration.of(r, id=name))
    found: dict[int, dict[Identity, DuplicatePair]] = defaultdict(dict)
    for pair in find_duplicates(registrations, across=len(mine)):
        if pair.kind == "same_contact":
            continue
        here, there = (pair.a, pair.b) if pair.a in row_of else (pair.b, pair.a)
        found[row_of[here]].setdefault(identity_of[there], pair)
    return found


def evidence_of(pair: DuplicatePair) -> dict[str, Any]:
    """Return what a proposal keeps of a detector's pair (JSON: figures as lists)."""
    return {
        "kind": pair.kind,
        "similarity": round(pair.similarity, 3),
        "evidence": [
            {
                "code": e.code,
                "params": {k: list(v) if isinstance(v, tuple) else v for k, v in e.params.items()},
            }
            for e in pair.evidence
        ],
    }


def _likely_keys(row: Fields) -> Iterable[tuple[str, str]]:
    phone = re.sub(r"\D", "", row.contact_phone or "")
    if len(phone) >= 7:  # a short number says too little to suggest anything
        yield ("phone", phone)
    if email := (row.contact_email or "").strip().casefold():
        yield ("email", email)
    if row.name_key:
        yield ("name", row.name_key)


def _propose(
    db: Session,
    event: Event,
    model: type[Project] | type[Institution],
    row: Fields,
    similar: dict[int, list[str]],
    actor: User | None,
    repeated: dict[int, DuplicatePair],
) -> int:
    made = 0
    for party_id, reasons in sorted(similar.items()):
        pair = repeated.get(party_id)
        proposal = LibraryProposal(
            event_id=event.id,
            party_id=party_id,
            reasons=",".join(reasons),
            status="pending",
            evidence=evidence_of(pair) if pair is not None else None,
            **{row_key(model): row.id},
        )
        db.add(proposal)
        db.flush()
        after: dict[str, Any] = {"row": row.code, "party": party_id, "reasons": reasons}
        if pair is not None:
            after["similarity"] = round(pair.similarity, 3)
        record_library(db, proposal, "propose", actor, event, after)
        made += 1
    return made


# ---- small helpers -------------------------------------------------------------------------


def _columns(model: type[Project] | type[Institution]) -> list[Any]:
    """Return the columns linking reads of a row (its ids for projects)."""
    shared = [
        model.id,
        model.code,
        model.name,
        model.name_key,
        model.contact_phone,
        model.contact_email,
    ]
    return [*shared, Project.credit_code, Project.leader_id] if model is Project else shared


def _kind(model: type[Project] | type[Institution]) -> str:
    return "project" if model is Project else "institution"


def row_key(model: type[Project] | type[Institution]) -> str:
    return "project_id" if model is Project else "institution_id"


def party_column(model: type[Any]) -> Any:
    return LibraryLink.project_id if model is Project else LibraryLink.institution_id


def parties_in(model: type[Project] | type[Institution], event_id: int) -> Any:
    """Return a query of the parties that already have a ``model`` row in the event."""
    return (
        select(LibraryLink.party_id)
        .join(model, party_column(model) == model.id)
        .where(model.event_id == event_id)
    )


def record_library(
    db: Session,
    entity: Any,
    action: str,
    actor: User | None,
    event: Event,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> None:
    entry = audit.record(db, entity, action, actor, before, after)
    entry.event_id = event.id  # an institution's link names no event by itself
