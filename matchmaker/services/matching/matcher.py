"""Shortlists and recommendations from the database: profiles, cached text vectors, the index.

A ``Matcher`` lives as long as its process. It keeps one ``MatchState`` per event (composite
vectors, institution views, the two FAISS indexes, filter columns: ``match_state.py``) and
checks a version stamp read from the database on every call, so a registration written by any
process is ranked by the next call of every process, without a manual rebuild.
Text embeddings, the slow part, are cached in the ``text_vectors`` table per encoder and text
hash, so a rebuild re-encodes only what changed.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from matchmaker.db.models import Event, Institution, Project
from matchmaker.db.scope import lifted
from matchmaker.domain import Progress, Stage, Verdict
from matchmaker.embeddings import regions
from matchmaker.embeddings.composite import Weights
from matchmaker.ranking.reasons import FeedbackNeighbour, Reason, explain
from matchmaker.ranking.shortlist import (
    STAGES,
    allowed_places,
    allowed_projects,
    held_first,
    rank,
    rank_owners,
)
from matchmaker.services.matching.index_store import IndexStore
from matchmaker.services.matching.profiles import prune_text_vectors
from matchmaker.services.matching.state import (
    MatchState,
    build_state,
    event_stamp,
    event_weights,
)
from matchmaker.services.matching.verdicts import (
    record_verdict,
    verdict_shift,
    verdicts_and_met,
)

__all__ = [
    "Match",
    "MatchState",
    "Matcher",
    "ShortlistQuery",
    "event_weights",
    "record_verdict",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Match:
    """One shortlist item (frozen: a state may hand the same one to several requests)."""

    kind: str  # "project" or "institution": what the item is
    id: int
    code: str
    name: str
    score: float
    reasons: list[Reason]
    fits: dict[str, float] = field(default_factory=dict)
    verdict: str | None = None

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return the JSON-ready item (``project_id``/``institution_id`` = registration id)."""
        return {
            f"{self.kind}_id": self.code,
            "name": self.name,
            "score": round(self.score, 4),
            "reasons": [r.text(lang) for r in self.reasons if r.positive],
            "concerns": [r.text(lang) for r in self.reasons if not r.positive],
            "fits": {block: round(fit, 4) for block, fit in self.fits.items()},
            "verdict": self.verdict,
        }


@dataclass
class ShortlistQuery:
    """Filters and paging for a shortlist."""

    k: int = 20
    page: int = 1
    track: str | None = None
    stage: str | None = None
    session: str | None = None
    region: str | None = None
    min_ask: int | None = None
    max_ask: int | None = None
    type: str | None = None
    diversity: float = 0.0
    include_passed: bool = False


@dataclass
class Matcher:
    """Process-wide matcher: one encoder, cached per-event states."""

    encoder: Any = None  # an embeddings Encoder; made by encoder_factory on first use
    # () -> Encoder: the composition root passes the configured one; None: the default encoder.
    encoder_factory: Any = None
    weights: Weights = field(default_factory=Weights)
    index_dir: Path | None = None  # where built indexes are kept for other processes and restarts
    states: dict[int, MatchState] = field(default_factory=dict)
    # One build at a time per process: threads of one worker share the states and the files.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _encoder(self) -> Any:
        if self.encoder is None:
            from matchmaker.embeddings.registry import get_encoder

            self.encoder = (self.encoder_factory or get_encoder)()
        return self.encoder

    def encoder_name(self) -> str:
        """Return the name of the encoder that ranks (loading it on first use)."""
        name: str = self._encoder().name
        return name

    # ---- state ----------------------------------------------------------------------------

    def stamp(self, db: Session, event_id: int) -> tuple[Any, ...]:
        """Return the database stamp the event's state (and its index set) is built from."""
        return event_stamp(db, event_id, self._encoder().name, self.weights)

    def state(self, db: Session, event: Event, progress: Progress | None = None) -> MatchState:
        """Return the event's state, rebuilt when the database stamp has moved."""
        stamp = self.stamp(db, event.id)
        current = self.states.get(event.id)
        if current is not None and current.stamp == stamp:
            return current
        with self._lock:
            current = self.states.get(event.id)  # another thread may have built it meanwhile
            if current is not None and current.stamp == stamp:
                return current
            gc.unfreeze()  # what the last freeze kept becomes collectable again
            started = time.perf_counter()
            with lifted(db):  # one state for every user: not limited by who asked first
                state = build_state(db, event, stamp, self._encoder(), self.index_dir, progress)
            # Operators (and the tests) see from the log when a request paid for a load.
            took = time.perf_counter() - started
            log.info("event %s: matching state loaded in %.1f s", event.id, took)
            self.states[event.id] = state
            # The state is long-lived: keep the collector from walking its 100k-profile heap on
            # every full collection (those walks were the p99 of a shortlist at 100k projects).
            gc.collect()
            gc.freeze()
            return state

    def rebuild(self, db: Session, event: Event, progress: Progress | None = None) -> MatchState:
        """Rebuild the event's state from scratch (re-encoding texts whose hash changed), and drop
        cached vectors whose registration or portfolio entry is gone."""
        prune_text_vectors(db)
        self.states.pop(event.id, None)
        if self.index_dir is not None:
            IndexStore(self.index_dir).clear(event.id)
        return self.state(db, event, progress)

    # ---- queries --------------------------------------------------------------------------

    def shortlist(
        self, db: Session, event: Event, institution: Institution, query: ShortlistQuery
    ) -> tuple[list[Match], int]:
        """Return one page of projects for ``institution``, best first, and the candidate count."""
        state = self.state(db, event)
        row = state.institution_row[institution.id]
        given, met = verdicts_and_met(db, institution.id)
        # The page follows from the state, the query, the verdicts and the meetings alone: worked
        # out once for each of them while the state lasts (a verdict or a meeting is a new key).
        key = ("shortlist", row, astuple(query), frozenset(given.items()), met)
        items, total = state.remembered(
            key, lambda: self._shortlist(state, institution.id, row, query, given, met)
        )
        return list(items), total

    def _shortlist(
        self,
        state: MatchState,
        institution_id: int,
        row: int,
        query: ShortlistQuery,
        given: dict[int, str],
        met: frozenset[int],
    ) -> tuple[tuple[Match, ...], int]:
        profile = state.institutions[row]
        mask = allowed_projects(state.columns, profile, state.hard[institution_id])
        mask &= _project_filters(state, query)
        places = _places(
            state, allowed_places(state.columns, profile, state.hard[institution_id]), query
        )
        nudge = verdict_shift(state, given)
        excluded = set(met)
        if not query.include_passed:
            excluded |= {p for p, v in given.items() if v == Verdict.PASS.value}
        if excluded:
            mask &= ~np.isin(state.columns.ids, np.fromiter(excluded, dtype=np.int64))
        # follow-ons (its own portfolio companies) come first; the index ranks the rest
        held_rows = [state.project_row[p] for p in state.follow_ons.get(institution_id, ())]
        held_rows = [r for r in held_rows if mask[r]]
        mask[held_rows] = False
        # no selector at all when nothing is filtered out: the index scans without a bitmap; else
        # the mask itself, row for row (the index holds the projects in ``columns.ids`` order)
        allowed = None if mask.all() else mask
        text = state.space.slices["text"]
        vectors = _Rows(state.project_vectors, state.project_row, text) if query.diversity else None
        offset = (query.page - 1) * query.k
        views = state.institution_views(row)
        if nudge is not None:
            views = nudge.apply(views)

        def rest(k: int, skip: int) -> list[tuple[int, float]]:
            if allowed is not None and not allowed.any():
                return []
            return rank(
                state.project_index, views, k, skip, None, query.diversity, vectors, allowed, places
            )

        held = [
            (int(state.columns.ids[r]), float((views @ state.project_vectors[r]).max()))
            for r in held_rows
        ]
        hits = held_first(held, offset, query.k, rest)
        items = tuple(
            _match(
                state,
                "project",
                pid,
                state.project_row[pid],
                row,
                score,
                given.get(pid),
                None
                if nudge is None
                else nudge.neighbour(pid, state.project_vectors[state.project_row[pid]]),
            )
            for pid, score in hits
        )
        return items, int(mask.sum()) + len(held)

    def recommend(
        self, db: Session, event: Event, project: Project, query: ShortlistQuery
    ) -> tuple[list[Match], int]:
        """Return one page of institutions for ``project``, best first, and the candidate count."""
        state = self.state(db, event)
        row = state.project_row[project.id]
        # Nothing but the state decides them (no verdicts or meetings, as a shortlist has): the
        # same project's page is worked out once per state, not on every ask.
        key = ("recommend", row, query.type, query.page, query.k)
        items, total = state.remembered(key, lambda: self._recommend(state, row, query))
        return list(items), total

    def _recommend(
        self, state: MatchState, row: int, query: ShortlistQuery
    ) -> tuple[tuple[Match, ...], int]:
        allowed_ids = [
            q.id for q in state.admitting(row) if query.type is None or q.type == query.type
        ]
        views = state.views
        q_rows = np.array([state.institution_row[q] for q in allowed_ids], dtype=np.int64)
        allowed_views = np.flatnonzero(np.isin(views.owner, q_rows))
        offset = (query.page - 1) * query.k
        hits = rank_owners(
            state.institution_index,
            state.project_vectors[row],
            views.owner,
            query.k,
            offset,
            None if len(allowed_views) == len(views.owner) else allowed_views,
        )
        items = tuple(
            _match(state, "institution", state.institutions[q_row].id, row, q_row, score)
            for q_row, score in hits
        )
        return items, len(allowed_ids)


class _Rows(Mapping[int, np.ndarray]):
    """Read-only id → text-block view of the project matrix (MMR reads only the hits)."""

    def __init__(self, matrix: np.ndarray, row: Mapping[int, int], cut: slice) -> None:
        self.matrix, self.row, self.cut = matrix, row, cut

    def __getitem__(self, key: int) -> np.ndarray:
        return self.matrix[self.row[key], self.cut]

    def __iter__(self) -> Iterator[int]:
        return iter(self.row)

    def __len__(self) -> int:
        return len(self.row)


def _match(
    state: MatchState,
    kind: str,
    item_id: int,
    p_row: int,
    q_row: int,
    score: float,
    verdict: str | None = None,
    feedback: FeedbackNeighbour | None = None,
) -> Match:
    """Return one item with its reasons and the per-block fits of the view that scored it.

    The view is the best one without the institution's verdicts: their shift is the same for
    every view (``ranking/feedback.py``), so it wins with them too, and ``score`` (which holds
    the shift) is Σ w·fits plus ``feedback.term``.
    """
    view = state.best_view(p_row, q_row)
    p_vector, q_vector = state.project_vectors[p_row], state.views.vectors[view]
    fits = state.space.fits(p_vector, q_vector)
    neighbour = state.neighbour(p_row, q_row, view)
    reasons = explain(
        state.space,
        state.projects[p_row],
        state.institutions[q_row],
        p_vector,
        q_vector,
        fits,
        neighbour,
        feedback,
    )
    return Match(
        kind,
        item_id,
        state.codes[(kind, item_id)],
        state.names[(kind, item_id)],
        score,
        reasons,
        fits,
        verdict,
    )


def _places(
    state: MatchState, places: np.ndarray | None, query: ShortlistQuery
) -> np.ndarray | None:
    """Return the places (``ProjectColumns.groups``) that hold every project the filters keep,
    or None for all: the institution's hard region filter's, narrowed by the query's region."""
    if query.region:
        asked = state.columns.region_places(regions.targets([query.region]), 1.0, unknown=False)
        return asked if places is None else places & asked
    return places


def _project_filters(state: MatchState, query: ShortlistQuery) -> np.ndarray:
    columns = state.columns
    mask = np.ones(len(columns.ids), dtype=bool)
    if query.track:
        mask &= state.projects.track.where(query.track)
    if query.stage:
        mask &= columns.stage == STAGES.index(Stage(query.stage))
    if query.min_ask is not None:
        mask &= columns.ask >= query.min_ask
    if query.max_ask is not None:
        mask &= (columns.ask >= 0) & (columns.ask <= query.max_ask)
    if query.session:
        mask &= state.projects.in_session(query.session)
    if query.region:
        mask &= columns.region_mask(regions.targets([query.region]), 1.0, unknown=False)
    return mask
