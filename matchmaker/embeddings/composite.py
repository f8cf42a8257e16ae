"""Composite vectors: one inner product = the whole match score, block by block (ARCHITECTURE §4).

score(institution, project) = Σ_b w_b · fit_b, with fit_b = ⟨p_b, q_b⟩ ∈ [0, 1] for the blocks

    text    cosine of the text embeddings (project description; institution thesis + portfolio,
            and the nearest portfolio entry: see views.py, which turns one institution into one
            query vector per entry so that this block can hold a max)
    sector  taxonomy node vectors with decaying ancestors (储能 meets 新能源)
    stage   the project's stage one-hot against the institution's stages (neighbours half)
    ticket  the ask's log-scale bucket against the buckets the ticket range covers
    region  the project's division against the divisions the institution covers (regions.Places)
    needs   the share of the project's needs the institution's type offers

Each block is scaled by √w_b on both sides, so FAISS inner-product search over the concatenation
returns the exact top-k of the full score, and the per-block products are the reasons. Where one
side does not say (no stage, no ask, no region, no needs), a "neutral" coordinate makes the fit
0.5: neither a reason to rank up nor to hide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from matchmaker.domain import InstitutionType, Need, Stage
from matchmaker.embeddings import regions
from matchmaker.embeddings.portfolio import PortfolioItem, view_text
from matchmaker.embeddings.taxonomy import SectorMapper
from matchmaker.text import fold

BLOCKS = ("text", "sector", "stage", "ticket", "region", "needs")

# Log-scale ask/ticket buckets (yuan): <30万, 30–100万, 100–300万, 300–1000万, 1000–3000万,
# 3000万–1亿, 1–3亿, 3–10亿, ≥10亿.
TICKET_EDGES = (
    300_000,
    1_000_000,
    3_000_000,
    10_000_000,
    30_000_000,
    100_000_000,
    300_000_000,
    1_000_000_000,
)
N_TICKET = len(TICKET_EDGES) + 1
STAGES = list(Stage)
NEEDS = list(Need)
NEUTRAL = 0.5
# The weight of a focus sector the thesis does not talk about, beside one it does (a core).
EXTRA_FOCUS = 0.35

# What each kind of institution can offer a project besides its own judgement.
OFFERS: dict[InstitutionType, frozenset[Need]] = {
    InstitutionType.VC: frozenset({Need.FUNDING}),
    InstitutionType.ANGEL: frozenset({Need.FUNDING, Need.TRAINING}),
    InstitutionType.CORPORATE: frozenset({Need.FUNDING, Need.TECHNOLOGY, Need.MARKET}),
    InstitutionType.GOVERNMENT_FUND: frozenset({Need.FUNDING, Need.POLICY}),
    InstitutionType.BANK: frozenset({Need.FUNDING}),
    InstitutionType.INCUBATOR: frozenset(
        {Need.VENUE, Need.TRAINING, Need.POLICY, Need.TALENT, Need.MARKET}
    ),
}


def offers_of(q: InstitutionProfile) -> frozenset[Need]:
    """Return what ``q`` can offer a project: by the one of the six kinds its type is, or the
    one its event says it behaves like (``q.like``); a kind matching does not know offers
    nothing."""
    kind = q.like if q.like is not None else q.type
    try:
        return OFFERS.get(InstitutionType(kind), frozenset())
    except ValueError:
        return frozenset()


@dataclass(frozen=True)
class Weights:
    """Block weights; they need not sum to 1 but are normalised so that they do."""

    text: float = 0.35
    sector: float = 0.25
    stage: float = 0.12
    ticket: float = 0.10
    region: float = 0.10
    needs: float = 0.08

    def normalised(self) -> dict[str, float]:
        """Return the weights as a dict summing to 1 (all ≥ 0)."""
        raw = {b: max(0.0, float(getattr(self, b))) for b in BLOCKS}
        total = sum(raw.values())
        if total <= 0:
            raise ValueError("at least one block weight must be positive")
        return {b: v / total for b, v in raw.items()}


@dataclass(frozen=True)
class ProjectProfile:
    """What the matcher sees of a project: ids and plain values, no ORM."""

    id: int
    sectors: tuple[str, ...] = ()
    stage: str | None = None
    ask: int | None = None
    region: str = ""
    needs: tuple[str, ...] = ()
    text: str = ""
    name: str = ""  # only to recognise a follow-on of a portfolio company


@dataclass(frozen=True)
class InstitutionProfile:
    """What the matcher sees of an institution."""

    id: int
    type: str = InstitutionType.VC.value  # a key of its event's institution types
    sectors: tuple[str, ...] = ()
    portfolio_sectors: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    ticket_min: int | None = None
    ticket_max: int | None = None
    regions: tuple[str, ...] = ()
    text: str = ""
    portfolio: tuple[PortfolioItem, ...] = ()  # entry by entry: the views (embeddings/views.py)
    # which of the six kinds the type behaves like in matching ("" none of them); None: the
    # type is one of the six itself (a type the event added says what it is like)
    like: str | None = None
    thesis: str = ""  # the institution's own words (投资逻辑): which focus sectors are its core


def ticket_bucket(yuan: int) -> int:
    """Return the log-scale bucket of an amount."""
    for i, edge in enumerate(TICKET_EDGES):
        if yuan < edge:
            return i
    return len(TICKET_EDGES)


@dataclass
class CompositeSpace:
    """The block layout and both sides' encoders.

    Parameters
    ----------
    text_dim : int
        Width of the text embeddings given to the encode methods.
    weights : Weights
        Block weights (normalised to sum to 1).
    mapper : SectorMapper
        Maps sector labels to taxonomy nodes.
    places : regions.Places
        The region block's coordinates (``Places.of`` the institutions' regions; the default
        has provinces only, so a city or county target counts as its province).
    """

    text_dim: int
    weights: Weights = field(default_factory=Weights)
    mapper: SectorMapper = field(default_factory=SectorMapper)
    places: regions.Places = field(default_factory=regions.Places)

    def __post_init__(self) -> None:
        widths = {
            "text": self.text_dim,
            "sector": self.mapper.dim,
            "stage": len(STAGES) + 1,
            "ticket": N_TICKET + 1,
            "region": self.places.dim,
            "needs": len(NEEDS) + 1,
        }
        self.slices: dict[str, slice] = {}
        start = 0
        for block in BLOCKS:
            self.slices[block] = slice(start, start + widths[block])
            start += widths[block]
        self.dim = start
        self.w = self.weights.normalised()

    # ---- encoding -----------------------------------------------------------------------

    def encode_projects(
        self, profiles: Sequence[ProjectProfile], text_vectors: np.ndarray
    ) -> np.ndarray:
        """Return the (n, dim) float32 matrix of project vectors, each block scaled by √w.

        ``text_vectors`` is (n, text_dim), L2-normalised, row i for ``profiles[i]``.
        """
        text_vectors = self._check(text_vectors, len(profiles))
        out = np.zeros((len(profiles), self.dim), dtype=np.float32)
        out[:, self.slices["text"]] = text_vectors
        rest = slice(self.slices["text"].stop, self.dim)  # the blocks after the text, in a row
        # Projects repeat the same facts (a million registrations have far fewer distinct
        # sectors × stage × ask bucket × region × needs), so each distinct row of the other
        # blocks is made once; a project whose sectors map to nothing reads its text, so its
        # row is its own.
        made: dict[tuple[object, ...], np.ndarray] = {}
        for i, p in enumerate(profiles):
            key = (p.sectors, p.stage, ticket_bucket(p.ask) if p.ask else None, p.region, p.needs)
            row = made.get(key)
            if row is None:
                row = self._project_row(p)
                if len(made) >= 100_000:  # bounded, whatever the registrations hold
                    made.clear()
                if self.mapper.nodes_for(p.sectors):  # else it depends on the text
                    made[key] = row
            out[i, rest] = row
        return self._scale(out)

    def _project_row(self, p: ProjectProfile) -> np.ndarray:
        """Return the project's blocks after the text, unscaled, in block order."""
        nodes = [n for _label, n in self.mapper.nodes_for(p.sectors, p.text)]
        return np.concatenate(
            [
                self.mapper.vector(nodes),
                _one_hot_or_neutral(STAGES.index(Stage(p.stage)) if p.stage else None, len(STAGES)),
                _one_hot_or_neutral(ticket_bucket(p.ask) if p.ask else None, N_TICKET),
                self.places.project(p.region),
                _needs_vector(p.needs),
            ]
        )

    def encode_institutions(
        self, profiles: Sequence[InstitutionProfile], text_vectors: np.ndarray
    ) -> np.ndarray:
        """Return the (m, dim) float32 matrix of institution vectors, each block scaled by √w."""
        text_vectors = self._check(text_vectors, len(profiles))
        out = np.zeros((len(profiles), self.dim), dtype=np.float32)
        out[:, self.slices["text"]] = text_vectors
        for i, q in enumerate(profiles):
            out[i, self.slices["sector"]] = self.institution_sector_vector(q)
            out[i, self.slices["stage"]] = _stage_coverage(q.stages)
            out[i, self.slices["ticket"]] = _ticket_coverage(q.ticket_min, q.ticket_max)
            out[i, self.slices["region"]] = self.places.institution(q.regions, NEUTRAL)
            offers = offers_of(q)
            out[i, self.slices["needs"]] = np.array(
                [1.0 if n in offers else 0.0 for n in NEEDS] + [NEUTRAL], dtype=np.float32
            )
        return self._scale(out)

    def institution_sector_vector(
        self, q: InstitutionProfile, described_labels: bool = False
    ) -> np.ndarray:
        """Focus sectors count fully, the labels of portfolio entries half (they lead when focus
        is empty); see :func:`sector_labels` for which entries. ``described_labels=True`` counts
        every entry's labels, as before views existed (kept for measurement)."""
        focus_labels, held_labels = sector_labels(q, described_labels)
        found = self.mapper.nodes_for(focus_labels)
        focus = [n for _l, n in found]
        weights = self.focus_weights(found, q.thesis)
        held = [n for _l, n in self.mapper.nodes_for(held_labels)]
        if not focus and not held and q.text and not _described(q.portfolio):
            focus = [n for _l, n in self.mapper.nodes_for((), q.text)]
            weights = [1.0] * len(focus)
        nodes = focus + held
        return self.mapper.vector(nodes, weights + [0.5] * len(held))

    def focus_weights(self, found: Sequence[tuple[str, int]], thesis: str) -> list[float]:
        """Return each focus label's weight: its core (what the thesis talks about) 1, the rest
        ``EXTRA_FOCUS`` — when the thesis names some of the labels and not others.

        An institution often lists a narrow core (煤矿智能化) beside broad extras (人工智能、
        物联网、机器人) and writes its thesis about the core; an analyst weighs the core. A label
        counts as named when its text, or its taxonomy node (by name or alias), occurs in the
        thesis. With no thesis, or one that names all or none of them, every label counts 1.
        """
        if not thesis or len(found) < 2:
            return [1.0] * len(found)
        key = fold(thesis)
        in_thesis = set(self.mapper.taxonomy.find_in_text(thesis, limit=len(self.mapper.taxonomy)))
        named = [bool(fold(label)) and fold(label) in key or n in in_thesis for label, n in found]
        if all(named) or not any(named):
            return [1.0] * len(found)
        return [1.0 if hit else EXTRA_FOCUS for hit in named]

    def fits(self, project_vector: np.ndarray, institution_vector: np.ndarray) -> dict[str, float]:
        """Return fit_b ∈ [0, 1] per block for one pair (the reasons' raw material)."""
        out = {}
        for block, cut in self.slices.items():
            weight = self.w[block]
            dot = float(np.dot(project_vector[cut], institution_vector[cut]))
            out[block] = dot / weight if weight > 0 else 0.0
        return out

    def _scale(self, matrix: np.ndarray) -> np.ndarray:
        for block, cut in self.slices.items():
            matrix[:, cut] *= math.sqrt(self.w[block])
        return matrix

    def _check(self, vectors: np.ndarray, n: int) -> np.ndarray:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape != (n, self.text_dim):
            raise ValueError(f"text vectors must be ({n}, {self.text_dim}), got {vectors.shape}")
        return vectors


def sector_labels(
    q: InstitutionProfile, described_labels: bool = False
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (declared focus labels, portfolio labels) that make an institution's sector block.

    A portfolio entry with a description speaks through its text view (views.py), and that text
    holds its labels too (``PortfolioItem.text``); counting them again here counted the portfolio
    twice, and its labels are coarse: on the itjuzi validation window (profiles before
    2017-01-01, outcomes 2017-01..06, 16 queries) the sector block alone ranked new companies
    below random (nDCG@10 0.056 vs 0.078), and leaving the described entries' labels out of it
    raised the product's nDCG@10 from 0.19 to 0.41 (new companies; all candidates 0.31 to 0.37),
    before the test windows were scored (benchmarks/ranking_quality.py prints that table). So
    only entries without a description (and ``portfolio_sectors`` given without entries) add
    their labels; an institution with no declared focus whose portfolio is all described has an
    empty sector block: its fit is 0 for every project, so it ranks on the other blocks.
    """
    if described_labels or not _described(q.portfolio):
        return q.sectors, q.portfolio_sectors
    held = tuple(s for item in q.portfolio if not view_text(item) for s in item.sectors)
    return q.sectors, held


def _described(portfolio: Sequence[PortfolioItem]) -> bool:
    return any(view_text(item) for item in portfolio)


def _one_hot_or_neutral(index: int | None, width: int) -> np.ndarray:
    out = np.zeros(width + 1, dtype=np.float32)
    out[width if index is None else index] = 1.0
    return out


def _stage_coverage(stages: Sequence[str]) -> np.ndarray:
    out = np.zeros(len(STAGES) + 1, dtype=np.float32)
    if not stages:
        out[:] = NEUTRAL
        return out
    for stage in stages:
        i = STAGES.index(Stage(stage))
        out[i] = 1.0
        for j in (i - 1, i + 1):
            if 0 <= j < len(STAGES):
                out[j] = max(out[j], 0.5)
    out[-1] = NEUTRAL
    return out


def _ticket_coverage(low: int | None, high: int | None) -> np.ndarray:
    out = np.zeros(N_TICKET + 1, dtype=np.float32)
    if low is None and high is None:
        out[:] = NEUTRAL
        return out
    first = ticket_bucket(low) if low else 0
    last = ticket_bucket(high) if high else N_TICKET - 1
    out[first : last + 1] = 1.0
    for j in (first - 1, last + 1):
        if 0 <= j < N_TICKET:
            out[j] = 0.5
    out[-1] = NEUTRAL
    return out


def _needs_vector(needs: Sequence[str]) -> np.ndarray:
    out = np.zeros(len(NEEDS) + 1, dtype=np.float32)
    known = [NEEDS.index(Need(n)) for n in needs if n in {m.value for m in NEEDS}]
    if not known:
        out[-1] = 1.0
        return out
    for i in known:
        out[i] = 1.0 / len(known)
    return out
