"""One event's matching state: profiles, composite vectors, institution views, indexes, filters.

Built from one database stamp (``event_stamp``) and kept by the ``Matcher`` until the stamp
moves. Projects are indexed by id; institutions are indexed by their views (one per portfolio
entry, ``embeddings/views.py``, and one per project a linked institution favoured at an earlier
contest that shares with the library, ``services/library/carryover.py``) under view rows, so
both directions rank by the same score: an institution's best view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matchmaker.db.models import Event, Institution, MatchWeights, Project
from matchmaker.domain import Progress
from matchmaker.embeddings import regions
from matchmaker.embeddings.composite import (
    BLOCKS,
    CompositeSpace,
    InstitutionProfile,
    Weights,
)
from matchmaker.embeddings.index import VectorIndex
from matchmaker.embeddings.portfolio import follow_ons, view_text
from matchmaker.embeddings.views import InstitutionViews, build_views, text_parts
from matchmaker.ranking.reasons import Neighbour
from matchmaker.ranking.shortlist import HardFilters, ProjectColumns, allowed_projects
from matchmaker.services.library.carryover import PastProject, past_outcomes
from matchmaker.services.matching.index_store import IndexStore
from matchmaker.services.matching.profiles import (
    cached_text_vectors,
    institution_profile,
)
from matchmaker.services.matching.table import Labels, ProjectTable
from matchmaker.vocabulary import EventVocabulary

# Part of the stamp: a set persisted by an older layout is never loaded (2: the institution
# index holds rows, not ids; 3: described portfolio entries' labels left the sector block,
# composite.sector_labels, so stored institution vectors changed; 4: the region block has city
# and county coordinates, regions.Places; 5: focus sectors the thesis names weigh more,
# composite.CompositeSpace.focus_weights; 6: the project vectors are a .npy of their own,
# memory-mapped on load, and a large event's index is HNSW over 8-bit codes; 7: a large event's
# index is an IVF over 8-bit codes, whose recall holds at 1,000,000 projects where HNSW's fell;
# 8: its lists each hold one place, VectorIndex.use_groups).
STATE_FORMAT = 8


T = TypeVar("T")
_MISSING = object()
MEMO_SIZE = 4096  # answers a state keeps (``MatchState.remembered``)


@dataclass
class MatchState:
    """Everything a shortlist needs for one event, built from one database stamp."""

    stamp: tuple[Any, ...]
    space: CompositeSpace
    projects: ProjectTable  # a sequence of profiles, made on demand, and the projects' columns
    institutions: list[InstitutionProfile]
    project_vectors: np.ndarray  # (n, dim); memory-mapped, read-only, when loaded from a set
    institution_vectors: np.ndarray  # (m, dim): each institution's own vector (no entry)
    project_row: Mapping[int, int]
    institution_row: dict[int, int]
    project_index: VectorIndex  # ids: project ids
    views: InstitutionViews
    institution_index: VectorIndex  # over ``views.vectors``, ids: view rows
    columns: ProjectColumns
    hard: dict[int, HardFilters]
    codes: Mapping[tuple[str, int], str]
    names: Mapping[tuple[str, int], str]
    # institution id → ids of the projects that are its portfolio companies (follow-ons)
    follow_ons: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # institution row → names of the past contests' projects whose views come first among its
    # entries (services/library/carryover.py)
    past_names: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # answers worked out from this state alone, kept with it (``remembered``)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def remembered(self, key: Any, make: Callable[[], T]) -> T:
        """Return ``make()``, worked out once for ``key`` while this state lasts.

        For answers that follow from the state alone (which institutions admit a project, a
        project's recommendations): a state is rebuilt, and so forgets them, when the event's
        stamp moves, in each worker by itself. Two threads may both work an answer out: the
        same answer. Kept to a few thousand, as typed filters could grow it without end.
        """
        found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found = make()
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = found
        return cast(T, found)

    def admitting(self, p_row: int) -> tuple[InstitutionProfile, ...]:
        """Return the institutions whose hard limits (region, stage, ticket) admit the project."""

        def work_out() -> tuple[InstitutionProfile, ...]:
            single = ProjectColumns.of([self.projects[p_row]])
            return tuple(
                q for q in self.institutions if allowed_projects(single, q, self.hard[q.id])[0]
            )

        return self.remembered(("admitting", p_row), work_out)

    def institution_views(self, q_row: int) -> np.ndarray:
        """Return the (v, dim) query vectors of one institution."""
        return self.views.vectors[self.views.rows(q_row)]

    def best_view(self, p_row: int, q_row: int) -> int:
        """Return the view row that scores the pair."""
        return self.views.best(q_row, self.project_vectors[p_row])

    def fits(self, p_row: int, q_row: int) -> dict[str, float]:
        """Return the pair's per-block fits (of its winning view): the reasons' raw material."""
        view = self.views.vectors[self.best_view(p_row, q_row)]
        return self.space.fits(self.project_vectors[p_row], view)

    def neighbour(self, p_row: int, q_row: int, view_row: int) -> Neighbour | None:
        """Return the text fit's two parts when the winning view is a portfolio entry."""
        entry = int(self.views.entry[view_row])
        if entry < 0:
            return None
        profile, near = text_parts(
            self.space,
            self.institution_vectors[q_row],
            self.project_vectors[p_row],
            self.views.vectors[view_row],
            self.views.share,
        )
        past = self.past_names.get(q_row, ())
        if entry < len(past):
            return Neighbour(past[entry], profile, near or 0.0, self.views.share, past=True)
        company = self.institutions[q_row].portfolio[entry - len(past)].company
        return Neighbour(company, profile, near or 0.0, self.views.share)

    def score_matrix(self, q_rows: Sequence[int], p_rows: Sequence[int]) -> np.ndarray:
        """Return (len(q_rows), len(p_rows)) scores, each an institution's best view."""
        p = self.project_vectors[list(p_rows)]
        out = np.empty((len(q_rows), len(p)), dtype=np.float32)
        for i, q in enumerate(q_rows):
            out[i] = (self.institution_views(q) @ p.T).max(axis=0)
        return out


def stamp_of(version: int | None, encoder: str, weights: Weights) -> tuple[Any, ...]:
    """Return the stamp of a state built at registrations ``version``."""
    return (version, encoder, weights, STATE_FORMAT)


def stamp_fields(stamp: tuple[Any, ...]) -> dict[str, Any]:
    """Return ``stamp`` as JSON-ready fields (a backup keeps them beside the index set)."""
    version, encoder, weights, state_format = stamp
    return {
        "registrations_version": version,
        "encoder": encoder,
        "weights": asdict(weights),
        "state_format": state_format,
    }


def stamp_from(fields: dict[str, Any], version: int | None = None) -> tuple[Any, ...] | None:
    """Return the stamp :func:`stamp_fields` described, at ``version`` if given; None when it
    was made by another state layout (its index set would never be loaded)."""
    if fields["state_format"] != STATE_FORMAT:
        return None
    weights = Weights(**{b: float(fields["weights"][b]) for b in BLOCKS})
    return stamp_of(
        fields["registrations_version"] if version is None else version, fields["encoder"], weights
    )


def event_weights(db: Session, event_id: int, default: Weights) -> Weights:
    """Return the event's learned weights (``matchmaker weights fit``), else ``default``."""
    stored = db.scalar(select(MatchWeights.weights).where(MatchWeights.event_id == event_id))
    return Weights(**{b: float(stored[b]) for b in BLOCKS}) if stored else default


def event_stamp(db: Session, event_id: int, encoder: str, default: Weights) -> tuple[Any, ...]:
    """Return what a state is built from: registrations version, encoder, weights (the event's
    :func:`event_weights`, ``default`` when none were fitted), layout.

    One query: every shortlist and recommendation asks it, to know its state is current.
    """
    found = db.execute(
        select(Event.registrations_version, MatchWeights.weights)
        .outerjoin(MatchWeights, MatchWeights.event_id == Event.id)
        .where(Event.id == event_id)
    ).one_or_none()
    version = found[0] if found is not None else None
    stored = found[1] if found is not None else None
    weights = Weights(**{b: float(stored[b]) for b in BLOCKS}) if stored else default
    return stamp_of(version, encoder, weights)


def build_state(
    db: Session,
    event: Event,
    stamp: tuple[Any, ...],
    encoder: Any,
    index_dir: Path | None,
    progress: Progress | None = None,
) -> MatchState:
    """Build the event's state: load the persisted set for ``stamp`` or encode and index."""
    institutions = db.scalars(
        select(Institution)
        .where(Institution.event_id == event.id)
        .options(selectinload(Institution.portfolio))
        .order_by(Institution.id)
    ).all()
    vocabulary = EventVocabulary.from_dict(event.vocabulary)  # what its own types are like
    q_profiles = [institution_profile(i, vocabulary) for i in institutions]
    places = regions.Places.of(q.regions for q in q_profiles)
    space = CompositeSpace(text_dim=encoder.dim, weights=stamp[2], places=places)
    p_ids = np.array(
        db.scalars(
            select(Project.id).where(Project.event_id == event.id).order_by(Project.id)
        ).all(),
        dtype=np.int64,
    )
    q_ids = np.array([q.id for q in q_profiles], dtype=np.int64)
    store = IndexStore(index_dir) if index_dir is not None else None
    built = store.load(event.id, stamp, p_ids, q_ids) if store else None
    # a loaded set holds the projects' columns too: a fresh process reads no project row
    saved = store.table(event.id, stamp) if store and built else None
    table = ProjectTable.read(db, event.id, saved)
    columns = table.columns()
    if built is None:
        # the rows just read, in case one was added since the ids were (the index's rows and the
        # table's must be the same: a shortlist's filter mask is passed to the index row for row)
        p_ids = table.ids
        p_text = cached_text_vectors(db, encoder, "project", table, progress)
        q_text = cached_text_vectors(db, encoder, "institution", q_profiles, progress)
        p_vectors = space.encode_projects(table, p_text)
        del p_text
        q_vectors = space.encode_institutions(q_profiles, q_text)
        built = (
            p_vectors,
            q_vectors,
            VectorIndex().build(p_vectors, p_ids, columns.groups),
            VectorIndex().build(q_vectors, np.arange(len(q_vectors))),
        )
        if store:
            store.save(event.id, stamp, p_ids, q_ids, built, table.arrays())
    else:  # a loaded index does not know which list holds which place
        built[2].use_groups(columns.groups)
    p_vectors, q_vectors, p_index, q_index = built
    entries = _entry_vectors(db, encoder, q_profiles, progress)
    past = past_outcomes(db, event, [q.id for q in q_profiles])
    if past:
        entries = _with_past(db, encoder, q_profiles, entries, past, progress)
    views = build_views(space, q_vectors, entries)
    if (views.entry >= 0).any():  # else each view is its institution's own row: same index
        q_index = VectorIndex().build(views.vectors, np.arange(len(views.vectors)))
    return MatchState(
        stamp=stamp,
        space=space,
        projects=table,
        institutions=q_profiles,
        project_vectors=p_vectors,
        institution_vectors=q_vectors,
        project_row=table.row,
        institution_row={q.id: i for i, q in enumerate(q_profiles)},
        project_index=p_index,
        views=views,
        institution_index=q_index,
        columns=columns,
        hard={i.id: HardFilters(i.hard_region, i.hard_stage, i.hard_ticket) for i in institutions},
        codes=Labels(table, table.code, {i.id: i.code for i in institutions}),
        names=Labels(table, table.name, {i.id: i.name for i in institutions}),
        follow_ons=follow_ons(
            zip(table.ids.tolist(), table.name, strict=True),
            [(q.id, q.portfolio) for q in q_profiles],
        ),
        past_names={
            row: tuple(item.name for item in past[q.id])
            for row, q in enumerate(q_profiles)
            if q.id in past
        },
    )


@dataclass(frozen=True)
class _EntryText:
    """What the text-vector cache needs of an entry: its id and the text of its view."""

    id: int
    text: str


def _entry_vectors(
    db: Session, encoder: Any, profiles: Sequence[InstitutionProfile], progress: Progress | None
) -> list[np.ndarray]:
    """Return each institution's (j, text_dim) entry vectors: zero for entries that make no view
    (``view_text``), the rest from the text-vector cache like every other text."""
    items = [_EntryText(item.id, view_text(item)) for q in profiles for item in q.portfolio]
    viewed = [i for i, item in enumerate(items) if item.text]
    flat = np.zeros((len(items), encoder.dim), dtype=np.float32)
    if viewed:
        flat[viewed] = cached_text_vectors(
            db, encoder, "portfolio", [items[i] for i in viewed], progress
        )
    out, start = [], 0
    for q in profiles:
        out.append(flat[start : start + len(q.portfolio)])
        start += len(q.portfolio)
    return out


def _with_past(
    db: Session,
    encoder: Any,
    profiles: Sequence[InstitutionProfile],
    entries: list[np.ndarray],
    past: dict[int, list[PastProject]],
    progress: Progress | None,
) -> list[np.ndarray]:
    """Return each institution's entry vectors with its past outcomes' text vectors first (the
    cache of the past projects' own vectors, kind ``project``), so they are never cut by
    ``MAX_VIEWS`` and ``MatchState.neighbour`` finds them at the front."""
    items = list({item.id: item for q in profiles for item in past.get(q.id, ())}.values())
    vectors = dict(
        zip(
            [item.id for item in items],
            cached_text_vectors(db, encoder, "project", items, progress),
            strict=True,
        )
    )
    out = []
    for q, own in zip(profiles, entries, strict=True):
        carried = [vectors[item.id] for item in past.get(q.id, ())]
        out.append(np.vstack([np.asarray(carried, np.float32), own]) if carried else own)
    return out
