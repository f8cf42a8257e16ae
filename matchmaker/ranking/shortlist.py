"""Shortlists: hard filters, exclusions, exact top-k through the index, optional diversity."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matchmaker.domain import Stage
from matchmaker.embeddings import regions
from matchmaker.embeddings.composite import InstitutionProfile, ProjectProfile
from matchmaker.embeddings.index import VectorIndex

STAGES = list(Stage)


@dataclass(frozen=True)
class HardFilters:
    """Which preferences an institution treats as hard limits rather than as score."""

    region: bool = True  # only when it names regions; 全国 never filters
    stage: bool = False
    ticket: bool = False


@dataclass
class ProjectColumns:
    """Projects' filterable facts as arrays aligned with their ids (built once per index)."""

    ids: np.ndarray  # (n,) int64
    place: np.ndarray  # (n,) int: row of ``places``, -1 unknown
    places: np.ndarray  # (u,) int64: the distinct divisions (adcodes) projects name
    stage: np.ndarray  # (n,) int, -1 unknown
    ask: np.ndarray  # (n,) int64 yuan, -1 unknown
    _admitted: dict[tuple[frozenset[int], float, bool], np.ndarray] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def of(cls, profiles: Sequence[ProjectProfile]) -> ProjectColumns:
        """Extract the columns from profiles."""
        named = [regions.place_of(p.region) for p in profiles]
        places = np.array(sorted({v for v in named if v is not None}), dtype=np.int64)
        row = {int(code): i for i, code in enumerate(places)}
        return cls(
            ids=np.array([p.id for p in profiles], dtype=np.int64),
            place=np.array([-1 if v is None else row[v] for v in named], dtype=np.int64),
            places=places,
            stage=np.array(
                [STAGES.index(Stage(p.stage)) if p.stage else -1 for p in profiles], dtype=np.int64
            ),
            ask=np.array([p.ask if p.ask is not None else -1 for p in profiles], dtype=np.int64),
        )

    @property
    def groups(self) -> np.ndarray:
        """Return each project's place as a group of the project index (``VectorIndex.build``):
        its row of ``places``, or ``len(places)`` when it names none."""
        return np.where(self.place >= 0, self.place, len(self.places))

    def region_places(self, covered: frozenset[int], at_least: float, unknown: bool) -> np.ndarray:
        """Return, per group (``groups``), whether its region fits ``covered`` at least this much
        (``unknown``: whether a project that names no region passes)."""
        key = (covered, at_least, unknown)
        ok = self._admitted.get(key)
        if ok is None:  # per distinct place, once per target set (a shortlist reads it again)
            ok = np.append(regions.admits(self.places, covered, at_least), unknown)
            if len(self._admitted) >= 4096:  # typed region filters must not grow it forever
                self._admitted.clear()
            self._admitted[key] = ok
        return np.asarray(ok, dtype=bool)

    def region_mask(self, covered: frozenset[int], at_least: float, unknown: bool) -> np.ndarray:
        """Return the projects whose region fits ``covered`` at least this much (``unknown``:
        whether a project that names no region passes)."""
        # row -1 reads the appended ``unknown``
        return np.asarray(self.region_places(covered, at_least, unknown)[self.place], dtype=bool)


def allowed_places(
    columns: ProjectColumns, institution: InstitutionProfile, hard: HardFilters
) -> np.ndarray | None:
    """Return the groups (``ProjectColumns.groups``) the institution's hard region filter
    admits, or None when it has none: ``allowed_projects`` keeps no project outside them."""
    if hard.region and institution.regions and not regions.is_nationwide(institution.regions):
        return columns.region_places(regions.targets(institution.regions), 1.0, unknown=True)
    return None


def allowed_projects(
    columns: ProjectColumns, institution: InstitutionProfile, hard: HardFilters
) -> np.ndarray:
    """Return a boolean mask over ``columns.ids``: the projects the institution's limits admit.

    Unknown facts pass (a project that does not say its region is not hidden for it). A
    region must lie inside a target: 山西 or 太原市 is hidden from a 阳曲县 incubator, as
    another city's project is (it is only scored half, as maybe there, when regions are soft).
    """
    mask = np.ones(len(columns.ids), dtype=bool)
    places = allowed_places(columns, institution, hard)
    if places is not None:
        mask &= places[columns.place]  # row -1 reads the last: projects that name no region
    if hard.stage and institution.stages:
        wanted = np.zeros(len(STAGES), dtype=bool)
        wanted[[STAGES.index(Stage(s)) for s in institution.stages]] = True
        known = columns.stage >= 0
        mask &= ~known | wanted[np.where(known, columns.stage, 0)]
    if hard.ticket and (institution.ticket_min is not None or institution.ticket_max is not None):
        known = columns.ask >= 0
        low = institution.ticket_min or 0
        high = (
            institution.ticket_max if institution.ticket_max is not None else np.iinfo(np.int64).max
        )
        mask &= ~known | ((columns.ask >= low) & (columns.ask <= high))
    return mask


def rank(
    index: VectorIndex,
    query: np.ndarray,
    k: int,
    offset: int = 0,
    allowed: np.ndarray | None = None,
    diversity: float = 0.0,
    vectors: Mapping[int, np.ndarray] | None = None,
    mask: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Return ``(id, score)`` for ranks ``offset … offset+k-1``.

    ``allowed`` (ids) or ``mask`` (a boolean over the index's rows) limit the candidates
    (``VectorIndex.search``); ``groups`` says which places hold the rows ``mask`` keeps.

    ``query`` is one vector (dim,) or an institution's views (v, dim) (``embeddings/views.py``):
    an item's score is then its best inner product over the views, and the merge of each view's
    top ``offset+k`` is the exact top of that max (with an exact index).

    With ``diversity`` λ > 0, maximal marginal relevance re-ranks a pool of three times the
    needed depth: each pick maximises (1 − λ)·score − λ·(max cosine to the picks so far), where
    cosines use ``vectors[id]`` (e.g. the normalised text block), so ten near-copies do not fill
    the top ten.
    """
    depth = offset + k
    if depth <= 0:
        return []
    pool = depth * 3 if diversity > 0 else depth
    ids, scores = index.search(query, pool, allowed, mask, groups)
    best: dict[int, float] = {}
    for row_ids, row_scores in zip(ids, scores, strict=True):
        for i, s in zip(row_ids.tolist(), row_scores.tolist(), strict=True):
            if i >= 0 and s > best.get(i, -np.inf):
                best[i] = s
    hits = sorted(best.items(), key=lambda hit: -hit[1])[:pool]  # stable: FAISS order on ties
    if diversity > 0 and vectors is not None and hits:
        hits = _mmr(hits, vectors, diversity, depth)
    return hits[offset:depth]


def held_first(
    held: Sequence[tuple[int, float]],
    offset: int,
    k: int,
    rest: Callable[[int, int], list[tuple[int, float]]],
) -> list[tuple[int, float]]:
    """Return ranks ``offset … offset+k-1`` of a shortlist whose follow-ons come first.

    ``held`` are the institution's own portfolio companies among the candidates, with their
    scores; ``rest(k, offset)`` ranks every other candidate. A portfolio company that enters the
    contest is the likeliest deal of all (on crunchbase2013 a third of the investments after a
    split are follow-ons, and ranking them first leads BM25 with the same rule:
    benchmarks/ranking_quality.py), so the shortlist shows them first, best score first, with
    the reason that says so; scores stay the composite's.
    """
    first = sorted(held, key=lambda hit: -hit[1])
    head = first[offset : offset + k]
    wanted = k - len(head)
    if wanted <= 0:
        return head
    return head + rest(wanted, max(0, offset - len(first)))


def rank_owners(
    index: VectorIndex,
    query: np.ndarray,
    owner: np.ndarray,
    k: int,
    offset: int = 0,
    allowed: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Return ``(owner, score)`` for ranks ``offset … offset+k-1`` of owners of indexed views.

    The index holds views under ids 0…v-1 and ``owner[id]`` says whose each is; an owner scores
    its best view. The search widens until ``offset+k`` distinct owners are found (or every
    allowed view is), so the result is exact with an exact index.
    """
    depth = offset + k
    pool = index.size if allowed is None else len(allowed)
    if depth <= 0 or pool == 0:
        return []
    want = min(pool, depth)
    while True:
        ids, scores = index.search(query, want, allowed)
        best: dict[int, float] = {}
        for i, s in zip(ids[0].tolist(), scores[0].tolist(), strict=True):
            if i >= 0:
                best.setdefault(int(owner[i]), s)  # hits come best first: the first is the max
        if len(best) >= depth or want >= pool:
            return list(best.items())[offset:depth]
        want = min(pool, 2 * want)


def _mmr(
    hits: list[tuple[int, float]], vectors: Mapping[int, np.ndarray], lam: float, depth: int
) -> list[tuple[int, float]]:
    matrix = np.stack([vectors[i] for i, _s in hits])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms > 0, norms, 1.0)
    similarity = matrix @ matrix.T
    scores = np.array([s for _i, s in hits])
    chosen: list[int] = []
    closest = np.full(len(hits), -np.inf)
    remaining = np.ones(len(hits), dtype=bool)
    while len(chosen) < min(depth, len(hits)):
        penalty = np.where(np.isfinite(closest), closest, 0.0)
        value = np.where(remaining, (1 - lam) * scores - lam * penalty, -np.inf)
        pick = int(np.argmax(value))
        chosen.append(pick)
        remaining[pick] = False
        closest = np.maximum(closest, similarity[pick])
    return [hits[i] for i in chosen]
