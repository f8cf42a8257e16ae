"""An institution's outcomes in past contests, carried into its next shortlist.

What an institution liked, rated well or signed at an earlier contest that shares with the
library is the best evidence of what it funds: each such project becomes one more view of the
institution (``embeddings/views.py``), like a described portfolio entry, so a new project close
to one it liked before scores by that closeness. Only positives carry: a pass or a dropped
intent removes the project (the latest word on a pair wins, intents over ratings over verdicts,
as in ``services/matching/learning.outcomes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from matchmaker.db.models import (
    Event,
    Feedback,
    Institution,
    Intent,
    LibraryLink,
    MatchmakingSession,
    Meeting,
    MeetingMark,
    Project,
)
from matchmaker.domain import IntentStatus, Verdict
from matchmaker.embeddings.portfolio import project_text
from matchmaker.services.library.sharing import shared_event_ids

# At most this many past projects per institution (strongest outcomes first): with the
# portfolio's views they stay within MAX_VIEWS (views.py), which bounds the search cost.
MAX_PAST = 8
GOOD_RATING = 4
_SIGNED = (IntentStatus.SIGNED, IntentStatus.DUE_DILIGENCE, IntentStatus.INVESTED)


@dataclass(frozen=True)
class PastProject:
    """A project a linked institution liked, rated ≥ 4 or signed with at an earlier contest.

    ``id`` is the past project's own id: it keys the project's cached text vector, so the
    carried view costs no encoding when that contest was ranked on this database.
    """

    id: int
    name: str
    event: str
    text: str
    strength: int  # 3 signed intent, 2 good meeting rating, 1 liked on the shortlist


def past_outcomes(
    db: Session, event: Event, institution_ids: Sequence[int]
) -> dict[int, list[PastProject]]:
    """Return institution id → its lasting party's positive past outcomes, strongest first.

    Past means another contest that shares with the library and is not later than ``event``
    (its year); the institution must be linked (services/library/links.py).
    """
    shared = shared_event_ids(db) - {event.id}
    if not shared or not institution_ids:
        return {}
    here, there = aliased(LibraryLink), aliased(LibraryLink)
    siblings = db.execute(
        select(here.institution_id, there.institution_id)
        .join(there, there.party_id == here.party_id)
        .join(Institution, Institution.id == there.institution_id)
        .join(Event, Event.id == Institution.event_id)
        .where(
            here.institution_id.in_(list(institution_ids)),
            Event.id.in_(shared),
            Event.year <= event.year,
        )
    ).all()
    if not siblings:
        return {}
    past_of = {past: now for now, past in siblings if now is not None and past is not None}
    labels = _labels(db, list(past_of))
    projects = {
        p.id: (p, code)
        for p, code in db.execute(
            select(Project, Event.code)
            .join(Event, Event.id == Project.event_id)
            .where(Project.id.in_({pid for _q, pid in labels}))
        )
    }
    out: dict[int, list[PastProject]] = {}
    for (past_q, pid), (strength, good) in labels.items():
        if not good or pid not in projects:
            continue
        p, code = projects[pid]
        text = project_text(p.name, p.sectors or (), p.description)
        out.setdefault(past_of[past_q], []).append(PastProject(p.id, p.name, code, text, strength))
    return {
        q: sorted(items, key=lambda x: (-x.strength, x.id))[:MAX_PAST] for q, items in out.items()
    }


def _labels(db: Session, institution_ids: list[int]) -> dict[tuple[int, int], tuple[int, bool]]:
    """Return (institution, project) → (strength, positive) of the strongest recorded word."""
    labels: dict[tuple[int, int], tuple[int, bool]] = {}

    def note(pair: tuple[int, int], strength: int, good: bool) -> None:
        if pair not in labels or labels[pair][0] <= strength:
            labels[pair] = (strength, good)

    for q, p, verdict in db.execute(
        select(Feedback.institution_id, Feedback.project_id, Feedback.verdict).where(
            Feedback.institution_id.in_(institution_ids)
        )
    ):
        note((q, p), 1, verdict == Verdict.LIKE)
    rated = (
        select(Meeting.institution_id, Meeting.project_id, Meeting.rating, MeetingMark.rating)
        .join(MatchmakingSession, MatchmakingSession.id == Meeting.session_id)
        .outerjoin(  # the investor's own rating: what it thought of the project
            MeetingMark,
            (MeetingMark.meeting_id == Meeting.id)
            & (MeetingMark.side == "investor")
            & MeetingMark.rating.is_not(None),
        )
        .where(Meeting.institution_id.in_(institution_ids))
        .order_by(Meeting.id, MeetingMark.id)
    )
    for q, p, rating, marked in db.execute(rated):
        value = marked if marked is not None else rating
        if value is not None and (value >= GOOD_RATING or value <= 2):
            note((q, p), 2, value >= GOOD_RATING)
    for q, p, status in db.execute(
        select(Intent.institution_id, Intent.project_id, Intent.status).where(
            Intent.institution_id.in_(institution_ids)
        )
    ):
        if status in _SIGNED or status == IntentStatus.DROPPED:
            note((q, p), 3, status in _SIGNED)
    return labels
