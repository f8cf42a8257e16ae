"""Linking an event's rows to lasting identities: automatic only on an exact id, else proposed.

A row whose 统一社会信用代码 or lead person's 身份证号 equals that of one lasting party's row in a
sharing contest joins that party at once (the ids are check-digit verified at import, so two
equal ids are one enterprise or one person). A row that only shares a phone, an e-mail or a
name with such a row gets an identity of its own and a proposal, which an organiser confirms
(the row moves to the proposed party) or rejects: names and contacts are never merged silently.
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
# Exact identifiers: an equal value is the same enterprise or person (projects only: the
# institutions' sheets carry no such id).
EXACT = ("credit_code", "leader_id")


@dataclass
class LinkReport:
    """What one linking pass did, per kind of row."""

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
    """Give each unlinked ``model`` row of ``event`` its identity and propose likely ones."""
    report = report if report is not None else LinkReport()
    column = _party_column(model)
    linked = select(column).where(column.is_not(None))
    rows: list[Row] = list(
        db.scalars(
            select(model)
            .where(model.event_id == event.id, model.id.not_in(linked))
            .order_by(model.id)
        )
    )
    if not rows:
        return report
    known = _Known.of(db, model, event)
    taken = set(db.scalars(_parties_in(model, event.id)))
    found: dict[int, tuple[str, int]] = {}  # row id -> (how, party) for exact id matches
    for row in rows:
        for key in EXACT if model is Project else ():
            match = known.exact.get((key, getattr(row, key, None) or ""), set()) - taken
            if len(match) == 1:  # two parties with one id: the organiser decides (proposals)
                found[row.id] = (key, next(iter(match)))
                taken.add(found[row.id][1])
                break
    # one statement per kind of write, whatever the number of rows (an import may be 10,000)
    fresh = {r.id: LibraryParty(kind=_kind(model), name=r.name) for r in rows if r.id not in found}
    db.add_all(fresh.values())
    db.flush()
    links = [
        LibraryLink(
            party_id=found[r.id][1] if r.id in found else fresh[r.id].id,
            how=found[r.id][0] if r.id in found else "new",
            **{_row_key(model): r.id},
        )
        for r in rows
    ]
    db.add_all(links)
    db.flush()
    for row, link in zip(rows, links, strict=True):
        report.linked[link.how] += 1
        if link.how != "new":  # an automatic join is named on the trail one by one
            after = {"row": row.code, "party": link.party_id, "how": link.how}
            _audit(db, link, "link", actor, event, after)
    taken |= {p.id for p in fresh.values()}
    for row in rows:
        if row.id in fresh:
            similar = {p: why for p, why in known.similar(row).items() if p not in taken}
            report.proposed += _propose(db, event, model, row, similar, actor)
    if fresh:
        summary = {"kind": _kind(model), "new": len(fresh), "proposed": report.proposed}
        _audit(db, event, "library_new", actor, event, summary)
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
    """Lasting parties of the sharing contests' rows, by exact id and by likely keys."""

    exact: dict[tuple[str, str], set[int]]
    likely: dict[tuple[str, str], set[int]]

    @classmethod
    def of(cls, db: Session, model: type[Project] | type[Institution], event: Event) -> _Known:
        shared = shared_event_ids(db) - {event.id}
        exact: dict[tuple[str, str], set[int]] = defaultdict(set)
        likely: dict[tuple[str, str], set[int]] = defaultdict(set)
        column = _party_column(model)
        query: Any = (
            select(model, LibraryLink.party_id)
            .join(LibraryLink, column == model.id)
            .where(model.event_id.in_(shared))
        )
        for row, party_id in cast(Iterable[tuple[Row, int]], db.execute(query)):
            for name in EXACT if model is Project else ():
                if value := getattr(row, name, None):
                    exact[(name, value)].add(party_id)
            for key in _likely_keys(row):
                likely[key].add(party_id)
        return cls(exact, likely)

    def similar(self, row: Row) -> dict[int, list[str]]:
        """Return party id → what it shares with ``row`` (phone, email, name)."""
        out: dict[int, list[str]] = defaultdict(list)
        for key in _likely_keys(row):
            for party_id in self.likely.get(key, ()):
                out[party_id].append(key[0])
        return out


def _likely_keys(row: Row) -> Iterable[tuple[str, str]]:
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
    row: Row,
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
