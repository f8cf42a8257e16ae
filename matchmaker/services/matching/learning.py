"""Learn an event's block weights from its own outcomes, and use them only when they win.

Outcomes, per (institution, project) pair: a like (1) or pass (0) on the shortlist; a meeting
rated 4–5 (1) or 1–2 (0) — the mean of the sides' latest ratings recorded after it (a meeting
with none recorded falls back to ``Meeting.rating``, e.g. an imported one); an intent that
reached signing or beyond (1) or was dropped (0). The strongest signal wins when a pair has
several (signed intent > meeting rating > like/pass).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.db.models import (
    Event,
    Feedback,
    Institution,
    Intent,
    MatchmakingSession,
    MatchWeights,
    Meeting,
    MeetingMark,
)
from matchmaker.domain import IntentStatus, Verdict
from matchmaker.embeddings.composite import BLOCKS
from matchmaker.ranking.weights import BlockWeightLearner, WeightFit
from matchmaker.services.matching.matcher import Matcher

_SIGNED = {IntentStatus.SIGNED, IntentStatus.DUE_DILIGENCE, IntentStatus.INVESTED}


@dataclass
class Learned:
    """The fit, the outcome counts behind it, and whether the event now uses the weights."""

    fit: WeightFit
    outcomes: int
    applied: bool

    @property
    def fitted(self) -> bool:
        """Return whether weights were fitted at all (enough outcomes of both kinds)."""
        return self.fit.fitted

    @property
    def better(self) -> bool:
        """Return whether the fitted weights beat the defaults on held-out institutions."""
        return self.fit.better

    @property
    def reason(self) -> str:
        """Return why the weights were (not) fitted or kept."""
        return self.fit.reason

    @property
    def weights(self) -> dict[str, float]:
        """Return the fitted block weights, normalised."""
        return self.fit.weights.normalised()

    @property
    def default(self) -> dict[str, float]:
        """Return the default block weights, normalised."""
        return self.fit.default.normalised()

    @property
    def metrics(self) -> dict[str, Any]:
        """Return the held-out metrics; NaN (no held-out group to score) is None ("unknown")."""
        return {
            k: None if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in self.fit.metrics.items()
        }

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready report (the CLI's; the API's schema dumps the properties)."""
        keys = ("fitted", "better", "applied", "reason", "outcomes", "weights", "default")
        return {key: getattr(self, key) for key in (*keys, "metrics")}


def outcomes(db: Session, event: Event) -> dict[tuple[int, int], int]:
    """Return (institution id, project id) → 1/0 from the event's recorded outcomes."""
    labels: dict[tuple[int, int], tuple[int, int]] = {}  # pair -> (strength, label)

    def note(pair: tuple[int, int], strength: int, label: int) -> None:
        if pair not in labels or labels[pair][0] <= strength:
            labels[pair] = (strength, label)

    feedback = (
        select(Feedback)
        .join(Institution, Institution.id == Feedback.institution_id)
        .where(Institution.event_id == event.id)
    )
    for given in db.scalars(feedback):
        note((given.institution_id, given.project_id), 1, int(given.verdict == Verdict.LIKE))
    for pair, rating in meeting_ratings(db, event).items():
        if rating >= 4 or rating <= 2:
            note(pair, 2, int(rating >= 4))
    for intent in db.scalars(select(Intent).where(Intent.event_id == event.id)):
        if intent.status in _SIGNED or intent.status == IntentStatus.DROPPED:
            note((intent.institution_id, intent.project_id), 3, int(intent.status in _SIGNED))
    return {pair: label for pair, (_strength, label) in labels.items()}


def meeting_ratings(db: Session, event: Event) -> dict[tuple[int, int], float]:
    """Return (institution id, project id) → the pair's meeting rating: per meeting the mean of
    each side's latest recorded rating, else ``Meeting.rating``; the pair's latest meeting."""
    latest: dict[int, dict[str, int]] = {}
    marks = (
        select(MeetingMark)
        .join(Meeting, Meeting.id == MeetingMark.meeting_id)
        .join(MatchmakingSession, MatchmakingSession.id == Meeting.session_id)
        .where(MatchmakingSession.event_id == event.id, MeetingMark.rating.is_not(None))
        .order_by(MeetingMark.id)
    )
    for mark in db.scalars(marks):
        latest.setdefault(mark.meeting_id, {})[mark.side] = mark.rating  # type: ignore[assignment]
    meetings = (
        select(Meeting)
        .join(MatchmakingSession)
        .where(MatchmakingSession.event_id == event.id)
        .where(Meeting.rating.is_not(None) | Meeting.id.in_(list(latest)))
        .order_by(Meeting.id)
    )
    out: dict[tuple[int, int], float] = {}
    for meeting in db.scalars(meetings):
        sides = latest.get(meeting.id)
        rating = sum(sides.values()) / len(sides) if sides else meeting.rating
        if rating is not None:
            out[(meeting.institution_id, meeting.project_id)] = float(rating)
    return out


def learn_weights(
    db: Session, event: Event, matcher: Matcher, apply: bool = True, **params: Any
) -> Learned:
    """Fit block weights on the event's outcomes; store them only if they beat the defaults."""
    state = matcher.state(db, event)
    pairs = [
        (q, p, y)
        for (q, p), y in outcomes(db, event).items()
        if q in state.institution_row and p in state.project_row
    ]
    per_pair = [state.fits(state.project_row[p], state.institution_row[q]) for q, p, _y in pairs]
    fits = np.array([[f[b] for b in BLOCKS] for f in per_pair], dtype=np.float64).reshape(
        len(pairs), len(BLOCKS)
    )
    labels = np.array([y for _q, _p, y in pairs], dtype=np.int64)
    groups = np.array([q for q, _p, _y in pairs], dtype=np.int64)
    fit = BlockWeightLearner(default=matcher.weights, **params).fit(fits, labels, groups).result_
    applied = bool(apply and fit.fitted and fit.better)
    if applied:
        row = db.scalar(select(MatchWeights).where(MatchWeights.event_id == event.id))
        if row is None:
            row = MatchWeights(event_id=event.id, weights={}, metrics={})
            db.add(row)
        row.weights = fit.weights.normalised()
        row.metrics = {k: v for k, v in fit.metrics.items()}
        db.flush()
    return Learned(fit, len(pairs), applied)
