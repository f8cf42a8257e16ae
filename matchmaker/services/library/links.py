"""Linking an event's rows to lasting identities: automatic only on an exact id, else proposed.

A row whose 统一社会信用代码 or lead person's 身份证号 equals that of one identity's row in a
sharing contest joins that identity at once (the ids are check-digit verified at import, so two
equal ids are one enterprise or one person). A row that only shares a phone, an e-mail or a
name with such a row gets a proposal, which an organiser confirms (the row joins the proposed
party) or rejects: names and contacts are never merged silently.

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
from matchmaker.db.types import utcnow
from matchmaker.db.versioning import bump
from matchmaker.errors import Conflict, NotFound
from matchmaker.messages import Ref
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
    propose the identities it shares a phone, an e-mail or a name with."""
    report = report if report is not None else LinkReport()
    known = _Known.of(db, model, event)
    if not known.exact and not known.likely:
        return report  # no sharing contest has such rows: nothing to compare with
    column = _party_column(model)
    # plain rows, not ORM objects: the import that calls this must not load what it wrote
    rows = db.execute(
        select(*_columns(model))
        .where(
            model.event_id == event.id, model.id.not_in(select(column).where(column.is_not(None)))
        )
        .order_by(model.id)
    ).all()
    taken = set(db.scalars(_parties_in(model, event.id)))
    parties = _Parties(db, model)
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
                link = LibraryLink(party_id=joined, how=key, **{_row_key(model): row.id})
                db.add(link)
                db.flush()
                after = {"row": row.code, "party": joined, "how": key}
                _audit(db, link, "link", actor, event, after)
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
        made = _propose(
            db, event, model, row, {p: w for p, w in similar.items() if p not in taken}, actor
        )
        report.proposed += made
        changed = changed or made > 0
    if changed:
        bump(db, event.id)
    return report


def proposals(db: Session, event: Event, status: str | None = "pending") -> list[dict[str, Any]]:
    """Return the event's link proposals, each with the row and the party's rows elsewhere."""
    query = select(LibraryProposal).where(LibraryProposal.event_id == event.id)
    if status is not None:
        query = query.where(LibraryProposal.status == status)
    out = []
    for proposal in db.scalars(query.order_by(LibraryProposal.id)):
        row = _row_of(db, proposal)
        out.append(
            {
                "id": proposal.id,
                "kind": proposal.party.kind,
                "code": row.code,
                "name": row.name,
                "party_id": proposal.party_id,
                "party_name": proposal.party.name,
                "reasons": proposal.reasons.split(","),
                "status": proposal.status,
                "elsewhere": _elsewhere(db, proposal.party_id, event.id),
            }
        )
    return out


def confirm_proposal(
    db: Session, event: Event, proposal_id: int, actor: User | None = None
) -> LibraryLink:
    """Move the proposal's row to the proposed party (its own identity goes if left empty)."""
    proposal = _pending(db, event, proposal_id)
    model = Project if proposal.project_id is not None else Institution
    if proposal.party_id in set(db.scalars(_parties_in(model, event.id))):
        raise Conflict("library.party_here", party=proposal.party.name)
    row = _row_of(db, proposal)
    link = db.scalar(select(LibraryLink).where(_party_column(model) == row.id))
    if link is None:  # a proposal is made for a linked row; its link went with an edit
        link = LibraryLink(how="confirmed", **{_row_key(model): row.id})
        db.add(link)
    before = {"party": link.party_id, "how": link.how}
    old_party = link.party_id
    link.party_id, link.how = proposal.party_id, "confirmed"
    _decide(proposal, "confirmed", actor)
    # the row is one identity: its other open proposals are answered with this one
    for other in db.scalars(
        select(LibraryProposal).where(
            _proposal_column(model) == row.id,
            LibraryProposal.status == "pending",
            LibraryProposal.id != proposal.id,
        )
    ):
        _decide(other, "rejected", actor)
    db.flush()
    if old_party is not None and old_party != proposal.party_id:
        left = db.scalar(select(LibraryLink.id).where(LibraryLink.party_id == old_party).limit(1))
        if left is None:
            db.delete(db.get(LibraryParty, old_party))
    after = {"row": row.code, "party": proposal.party_id, "how": "confirmed"}
    _audit(db, link, "confirm", actor, event, after, before)
    bump(db, event.id)
    return link


def reject_proposal(
    db: Session, event: Event, proposal_id: int, actor: User | None = None
) -> LibraryProposal:
    """Mark a proposal rejected: the row keeps its own identity."""
    proposal = _pending(db, event, proposal_id)
    _decide(proposal, "rejected", actor)
    db.flush()
    after = {"proposal": proposal.id, "party": proposal.party_id, "status": "rejected"}
    _audit(db, proposal, "reject", actor, event, after)
    return proposal


def party_of(db: Session, row: Row) -> int | None:
    """Return the lasting identity ``row`` is linked to, if any."""
    column = _party_column(type(row))
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
            .outerjoin(LibraryLink, _party_column(model) == model.id)
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
            self.db.add(LibraryLink(party_id=party.id, how="new", **{_row_key(self.model): key}))
            self.made[key] = party.id
        return int(self.made[key])


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
) -> int:
    made = 0
    for party_id, reasons in sorted(similar.items()):
        proposal = LibraryProposal(
            event_id=event.id,
            party_id=party_id,
            reasons=",".join(reasons),
            status="pending",
            **{_row_key(model): row.id},
        )
        db.add(proposal)
        db.flush()
        after = {"row": row.code, "party": party_id, "reasons": reasons}
        _audit(db, proposal, "propose", actor, event, after)
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


def _row_key(model: type[Project] | type[Institution]) -> str:
    return "project_id" if model is Project else "institution_id"


def _party_column(model: type[Any]) -> Any:
    return LibraryLink.project_id if model is Project else LibraryLink.institution_id


def _proposal_column(model: type[Any]) -> Any:
    return LibraryProposal.project_id if model is Project else LibraryProposal.institution_id


def _parties_in(model: type[Project] | type[Institution], event_id: int) -> Any:
    """Return a query of the parties that already have a ``model`` row in the event."""
    return (
        select(LibraryLink.party_id)
        .join(model, _party_column(model) == model.id)
        .where(model.event_id == event_id)
    )


def _row_of(db: Session, proposal: LibraryProposal) -> Row:
    row: Row | None = (
        db.get(Project, proposal.project_id)
        if proposal.project_id is not None
        else db.get(Institution, proposal.institution_id)
    )
    assert row is not None  # the foreign key cascades: a proposal never outlives its row
    return row


def _elsewhere(db: Session, party_id: int, event_id: int) -> list[dict[str, Any]]:
    """Return the party's rows in the other sharing contests (what the organiser compares)."""
    shared = shared_event_ids(db) - {event_id}
    out = []
    for model in (Project, Institution):
        query = (
            select(model, Event)
            .join(LibraryLink, _party_column(model) == model.id)
            .join(Event, Event.id == model.event_id)
            .where(LibraryLink.party_id == party_id, model.event_id.in_(shared))
            .order_by(Event.year, Event.code)
        )
        for row, other in cast(Iterable[tuple[Row, Event]], db.execute(query)):
            out.append(
                {
                    "event": other.code,
                    "year": other.year,
                    "code": row.code,
                    "name": row.name,
                    "contact_phone": row.contact_phone,
                    "contact_email": row.contact_email,
                }
            )
    return out


def _pending(db: Session, event: Event, proposal_id: int) -> LibraryProposal:
    proposal = db.get(LibraryProposal, proposal_id)
    if proposal is None or proposal.event_id != event.id:
        raise NotFound(what=Ref("what.library_proposal"), key=proposal_id)
    if proposal.status != "pending":
        raise Conflict("library.decided", id=proposal_id, status=proposal.status)
    return proposal


def _decide(proposal: LibraryProposal, status: str, actor: User | None) -> None:
    proposal.status = status
    proposal.decided_by = actor.id if actor is not None else None
    proposal.decided_at = utcnow()


def _audit(
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
