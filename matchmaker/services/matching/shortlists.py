"""Shortlists and recommendations as the edges show them: one page of matches and its event."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Institution, Project
from matchmaker.services.matching.matcher import Match, Matcher, ShortlistQuery
from matchmaker.vocabulary import EventVocabulary


@dataclass(frozen=True)
class Matches:
    """One page of a shortlist (projects) or of recommendations (institutions)."""

    event: Event
    items: list[Match]
    total: int  # candidates after the filters, over every page
    page: int
    page_size: int
    encoder: str  # the name of the encoder that ranked them

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, -(-self.total // self.page_size))


def shortlist_of(
    db: Session, matcher: Matcher, institution: Institution, query: ShortlistQuery
) -> Matches:
    """Return one page of the projects that fit ``institution`` best, with their reasons.

    Who may ask is the caller's check (``registry.parties.institution_for``). Text vectors
    encoded on the way are cached in the caller's transaction: commit to keep them.
    """
    event = db.get_one(Event, institution.event_id)
    if query.track:  # a key, label or alias of the event's own tracks (InvalidInput names them)
        tracks = EventVocabulary.from_dict(event.vocabulary).tracks
        query = replace(query, track=tracks.check(query.track))
    items, total = matcher.shortlist(db, event, institution, query)
    return Matches(event, items, total, query.page, query.k, matcher.encoder_name())


def recommendations_of(
    db: Session, matcher: Matcher, project: Project, query: ShortlistQuery
) -> Matches:
    """Return one page of the institutions that fit ``project`` best, as :func:`shortlist_of`
    does (who may ask: ``registry.parties.project_for``)."""
    event = db.get_one(Event, project.event_id)
    if query.type:  # a key, label or alias of the event's own types (InvalidInput names them)
        types = EventVocabulary.from_dict(event.vocabulary).institution_types
        query = replace(query, type=types.check(query.type, "type", "import.bad_institution_type"))
    items, total = matcher.recommend(db, event, project, query)
    return Matches(event, items, total, query.page, query.k, matcher.encoder_name())
