"""Shortlists and recommendations from the database: profiles, cached text vectors, the index.

A ``Matcher`` lives as long as its process. It keeps one ``MatchState`` per event (composite
vectors, the two FAISS indexes, filter columns) and checks a stamp read from the database on
every call — counts and last-update times of the event's registrations — so a registration
written by any process is ranked by the next call of every process, without a manual rebuild.
Text embeddings, the slow part, are cached in the ``text_vectors`` table per encoder and text
hash, so a rebuild re-encodes only what changed.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker.db.models import (
    Event,
    Feedback,
    Institution,
    MatchWeights,
    Meeting,
    Project,
)
from matchmaker.domain import MeetingStatus, Role, Stage, Verdict
from matchmaker.embeddings import regions
from matchmaker.embeddings.composite import (
    BLOCKS,
    CompositeSpace,
    InstitutionProfile,
    ProjectProfile,
    Weights,
)
from matchmaker.embeddings.index import VectorIndex
from matchmaker.errors import PermissionDenied
from matchmaker.ranking.reasons import Reason, explain
from matchmaker.ranking.shortlist import (
    STAGES,
    HardFilters,
    ProjectColumns,
    allowed_projects,
    rank,
)
from matchmaker.services.index_store import IndexStore
from matchmaker.services.profiles import (
    cached_text_vectors,
    institution_profile,
    project_profile,
)

Progress = Callable[[int, int], None]


@dataclass
class MatchState:
    """Everything a shortlist needs for one event, built from one database stamp."""

    stamp: tuple[Any, ...]
    space: CompositeSpace
    projects: list[ProjectProfile]
    institutions: list[InstitutionProfile]
    project_vectors: np.ndarray
    institution_vectors: np.ndarray
    project_row: dict[int, int]
    institution_row: dict[int, int]
    project_index: VectorIndex
    institution_index: VectorIndex
    columns: ProjectColumns
    hard: dict[int, HardFilters]
    codes: dict[tuple[str, int], str]
    names: dict[tuple[str, int], str]
    tracks: np.ndarray
    sessions: dict[int, set[str]]


@dataclass
class Match:
    """One shortlist item."""

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

    encoder: Any = None  # an embeddings Encoder; resolved on first use
    weights: Weights = field(default_factory=Weights)
    index_dir: Path | None = None  # where built indexes are kept for other processes and restarts
    states: dict[int, MatchState] = field(default_factory=dict)
    # One build at a time per process: threads of one worker share the states and the files.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _encoder(self) -> Any:
        if self.encoder is None:
            from matchmaker.embeddings.encoders import get_encoder

            self.encoder = get_encoder()
        return self.encoder

    # ---- state ----------------------------------------------------------------------------

    def state(self, db: Session, event: Event, progress: Progress | None = None) -> MatchState:
        """Return the event's state, rebuilt when the database stamp has moved."""
        weights = event_weights(db, event.id, self.weights)
        stamp = _stamp(db, event.id, self._encoder().name, weights)
        current = self.states.get(event.id)
        if current is not None and current.stamp == stamp:
            return current
        with self._lock:
            current = self.states.get(event.id)  # another thread may have built it meanwhile
            if current is not None and current.stamp == stamp:
                return current
            gc.unfreeze()  # what the last freeze kept becomes collectable again
            state = self._build(db, event, stamp, progress)
            self.states[event.id] = state
            # The state is long-lived: keep the collector from walking its 100k-profile heap on
            # every full collection (those walks were the p99 of a shortlist at 100k projects).
            gc.collect()
            gc.freeze()
            return state

    def rebuild(self, db: Session, event: Event, progress: Progress | None = None) -> MatchState:
        """Rebuild the event's state from scratch (re-encoding texts whose hash changed)."""
        self.states.pop(event.id, None)
        if self.index_dir is not None:
            IndexStore(self.index_dir).clear(event.id)
        return self.state(db, event, progress)

    def _build(
        self, db: Session, event: Event, stamp: tuple[Any, ...], progress: Progress | None
    ) -> MatchState:
        projects = db.scalars(
            select(Project)
            .where(Project.event_id == event.id)
            .options(selectinload(Project.sessions))
            .order_by(Project.id)
        ).all()
        institutions = db.scalars(
            select(Institution)
            .where(Institution.event_id == event.id)
            .options(selectinload(Institution.portfolio))
            .order_by(Institution.id)
        ).all()
        p_profiles = [project_profile(p) for p in projects]
        q_profiles = [institution_profile(i) for i in institutions]
        encoder = self._encoder()
        space = CompositeSpace(text_dim=encoder.dim, weights=stamp[2])
        p_ids = np.array([p.id for p in p_profiles], dtype=np.int64)
        q_ids = np.array([q.id for q in q_profiles], dtype=np.int64)
        store = IndexStore(self.index_dir) if self.index_dir is not None else None
        built = store.load(event.id, stamp, p_ids, q_ids) if store else None
        if built is None:
            p_text = cached_text_vectors(db, encoder, "project", p_profiles, progress)
            q_text = cached_text_vectors(db, encoder, "institution", q_profiles, progress)
            p_vectors = space.encode_projects(p_profiles, p_text)
            q_vectors = space.encode_institutions(q_profiles, q_text)
            built = (
                p_vectors,
                q_vectors,
                VectorIndex().build(p_vectors, p_ids),
                VectorIndex().build(q_vectors, q_ids),
            )
            if store:
                store.save(event.id, stamp, p_ids, q_ids, built)
        p_vectors, q_vectors, p_index, q_index = built
        return MatchState(
            stamp=stamp,
            space=space,
            projects=p_profiles,
            institutions=q_profiles,
            project_vectors=p_vectors,
            institution_vectors=q_vectors,
            project_row={p.id: i for i, p in enumerate(p_profiles)},
            institution_row={q.id: i for i, q in enumerate(q_profiles)},
            project_index=p_index,
            institution_index=q_index,
            columns=ProjectColumns.of(p_profiles),
            hard={
                i.id: HardFilters(i.hard_region, i.hard_stage, i.hard_ticket) for i in institutions
            },
            codes={
                **{("project", p.id): p.code for p in projects},
                **{("institution", i.id): i.code for i in institutions},
            },
            names={
                **{("project", p.id): p.name for p in projects},
                **{("institution", i.id): i.name for i in institutions},
            },
            tracks=np.array([p.track.value for p in projects], dtype=object),
            sessions={p.id: {s.code for s in p.sessions} for p in projects},
        )

    # ---- queries --------------------------------------------------------------------------

    def shortlist(
        self, db: Session, event: Event, institution: Institution, query: ShortlistQuery
    ) -> tuple[list[Match], int]:
        """Return one page of projects for ``institution``, best first, and the candidate count."""
        state = self.state(db, event)
        row = state.institution_row[institution.id]
        profile = state.institutions[row]
        mask = allowed_projects(state.columns, profile, state.hard[institution.id])
        mask &= _project_filters(state, query)
        verdicts = _verdicts(db, institution_id=institution.id)
        excluded = set(_met(db, institution_id=institution.id))
        if not query.include_passed:
            excluded |= {p for p, v in verdicts.items() if v == Verdict.PASS.value}
        if excluded:
            mask &= ~np.isin(state.columns.ids, np.fromiter(excluded, dtype=np.int64))
        # no selector at all when nothing is filtered out: the index scans without a bitmap
        allowed = None if mask.all() else state.columns.ids[mask]
        text = state.space.slices["text"]
        vectors = _Rows(state.project_vectors, state.project_row, text) if query.diversity else None
        offset = (query.page - 1) * query.k
        hits = rank(
            state.project_index,
            state.institution_vectors[row],
            query.k,
            offset,
            allowed,
            query.diversity,
            vectors,
        )
        items = [
            _match(state, "project", pid, state.project_row[pid], row, score, verdicts.get(pid))
            for pid, score in hits
        ]
        return items, int(mask.sum())

    def recommend(
        self, db: Session, event: Event, project: Project, query: ShortlistQuery
    ) -> tuple[list[Match], int]:
        """Return one page of institutions for ``project``, best first, and the candidate count."""
        state = self.state(db, event)
        row = state.project_row[project.id]
        single = ProjectColumns.of([state.projects[row]])
        allowed_ids = [
            q.id
            for q in state.institutions
            if allowed_projects(single, q, state.hard[q.id])[0]
            and (query.type is None or q.type == query.type)
        ]
        allowed = np.array(allowed_ids, dtype=np.int64)
        offset = (query.page - 1) * query.k
        hits = rank(state.institution_index, state.project_vectors[row], query.k, offset, allowed)
        items = [
            _match(state, "institution", qid, row, state.institution_row[qid], score)
            for qid, score in hits
        ]
        return items, len(allowed)


class _Rows(Mapping[int, np.ndarray]):
    """Read-only id → text-block view of the project matrix (MMR reads only the hits)."""

    def __init__(self, matrix: np.ndarray, row: dict[int, int], cut: slice) -> None:
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
) -> Match:
    """Return one item with its reasons and per-block fits."""
    p_vector, q_vector = state.project_vectors[p_row], state.institution_vectors[q_row]
    fits = state.space.fits(p_vector, q_vector)
    reasons = explain(
        state.space, state.projects[p_row], state.institutions[q_row], p_vector, q_vector, fits
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


def _stamp(db: Session, event_id: int, encoder: str, weights: Weights) -> tuple[Any, ...]:
    version = db.scalar(select(Event.registrations_version).where(Event.id == event_id))
    return (version, encoder, weights)


def _project_filters(state: MatchState, query: ShortlistQuery) -> np.ndarray:
    columns = state.columns
    mask = np.ones(len(columns.ids), dtype=bool)
    if query.track:
        mask &= state.tracks == query.track
    if query.stage:
        mask &= columns.stage == STAGES.index(Stage(query.stage))
    if query.min_ask is not None:
        mask &= columns.ask >= query.min_ask
    if query.max_ask is not None:
        mask &= (columns.ask >= 0) & (columns.ask <= query.max_ask)
    if query.session:
        mask &= np.array([query.session in state.sessions[int(i)] for i in columns.ids], dtype=bool)
    if query.region:
        wanted = regions.coverage([query.region]).astype(bool)
        mask &= (columns.province >= 0) & wanted[
            np.where(columns.province >= 0, columns.province, 0)
        ]
    return mask


def _verdicts(db: Session, institution_id: int) -> dict[int, str]:
    rows = db.execute(
        select(Feedback.project_id, Feedback.verdict).where(
            Feedback.institution_id == institution_id
        )
    )
    return {pid: verdict.value for pid, verdict in rows}


def _met(db: Session, institution_id: int) -> list[int]:
    return list(
        db.scalars(
            select(Meeting.project_id).where(
                Meeting.institution_id == institution_id, Meeting.status == MeetingStatus.HELD
            )
        )
    )


def record_verdict(
    db: Session, institution: Institution, project: Project, verdict: Verdict, user_id: int | None
) -> Feedback:
    """Record (or change) an investor's like/pass on a project."""
    row = db.scalar(
        select(Feedback).where(
            Feedback.institution_id == institution.id, Feedback.project_id == project.id
        )
    )
    if row is None:
        row = Feedback(
            institution_id=institution.id, project_id=project.id, verdict=verdict, user_id=user_id
        )
        db.add(row)
    else:
        row.verdict, row.user_id = verdict, user_id
    db.flush()
    return row


def ensure_may_view_shortlist(
    role: Role, user_institution: int | None, institution_id: int
) -> None:
    """Investors see only their own institution's shortlist; organisers and staff see all."""
    if role in (Role.ORGANISER, Role.STAFF):
        return
    if role is Role.INVESTOR and user_institution == institution_id:
        return
    raise PermissionDenied()


def ensure_may_view_recommendations(role: Role, user_project: int | None, project_id: int) -> None:
    """Entrants see only their own project's recommendations; organisers and staff see all."""
    if role in (Role.ORGANISER, Role.STAFF):
        return
    if role is Role.ENTRANT and user_project == project_id:
        return
    raise PermissionDenied()


def event_weights(db: Session, event_id: int, default: Weights) -> Weights:
    """Return the event's learned weights (``matchmaker weights fit``), else ``default``."""
    stored = db.scalar(select(MatchWeights.weights).where(MatchWeights.event_id == event_id))
    return Weights(**{b: float(stored[b]) for b in BLOCKS}) if stored else default
