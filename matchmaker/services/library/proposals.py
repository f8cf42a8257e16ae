"""Link proposals: an organiser confirms (the row joins the proposed party) or rejects them."""

from __future__ import annotations

from collections.abc import Iterable
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
from matchmaker.messages import Ref, render
from matchmaker.ranking.duplicates import Evidence
from matchmaker.services.library.links import (
    Row,
    parties_in,
    party_column,
    record_library,
    row_key,
)
from matchmaker.services.library.sharing import shared_event_ids


def proposals(
    db: Session, event: Event, status: str | None = "pending", lang: str = "zh"
) -> list[dict[str, Any]]:
    """Return the event's link proposals, each with the row and the party's rows elsewhere; a
    proposal made on a repeated registration has ``duplicate``: the detector's kind, similarity and
    evidence, written in ``lang``."""
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
                "duplicate": _duplicate(proposal.evidence, lang),
            }
        )
    return out


def confirm_proposal(
    db: Session, event: Event, proposal_id: int, actor: User | None = None
) -> LibraryLink:
    """Move the proposal's row to the proposed party (its own identity goes if left empty)."""
    proposal = _pending(db, event, proposal_id)
    model = Project if proposal.project_id is not None else Institution
    if proposal.party_id in set(db.scalars(parties_in(model, event.id))):
        raise Conflict("library.party_here", party=proposal.party.name)
    row = _row_of(db, proposal)
    link = db.scalar(select(LibraryLink).where(party_column(model) == row.id))
    if link is None:  # a proposal is made for a linked row; its link went with an edit
        link = LibraryLink(how="confirmed", **{row_key(model): row.id})
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
    record_library(db, link, "confirm", actor, event, after, before)
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
    record_library(db, proposal, "reject", actor, event, after)
    return proposal


def _proposal_column(model: type[Any]) -> Any:
    return LibraryProposal.project_id if model is Project else LibraryProposal.institution_id


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
            .join(LibraryLink, party_column(model) == model.id)
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


def _duplicate(kept: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """Render a proposal's kept detector evidence (``links.evidence_of``) in ``lang``."""
    if not kept:
        return None
    sentences = [
        Evidence(
            e["code"],
            {k: tuple(v) if isinstance(v, list) else v for k, v in e["params"].items()},
        ).text(lang)
        for e in kept.get("evidence", [])
    ]
    return {
        "kind": kept["kind"],
        "kind_label": render(f"duplicates.kind.{kept['kind']}", lang),
        "similarity": kept["similarity"],
        "evidence": sentences,
    }
