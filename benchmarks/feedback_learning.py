"""Learning within the event, simulated: does an investor's like/pass improve its next page?

The product moves an institution's query by its verdicts (``matchmaker/ranking/feedback.py``:
every view + β·mean(liked) − γ·mean(passed), on the text and sector blocks). Here investors with
held-out judgements use it. Per investor (a query), through the product's own vectors:

  page 1   the top 10 of the product's score (ties by one fixed random order, seed 0). The
           investor likes the relevant ones (the companies it funded in the window) and passes
           the rest.
  page 2   the next 10 among the candidates not yet seen, ranked with the update and, in the
           same run, without it (the baseline: ranks 11–20 of the product as shipped).
  page 3   after a second round of likes and passes on page 2 (the verdicts add up), the next 10.

Scored: nDCG@10 of page 2 (binary gains; the ideal is min(10, relevant left after page 1),
the same for every method since page 1 is), positives found on page 2 (hits), page 3's nDCG@10
against that same ideal (so a method that found everything on page 2 scores 0 there: read it
with the pages 2–3 hits, the number an investor sees). Queries: investors with a relevant
candidate left after page 1. Intervals: paired bootstrap over queries (2,000 resamples, seed 0,
``quality/metrics.compare``).

Data and the choice. The validation pools hold only outcomes before their test split:
itjuzi_ai820 (``quality/itjuzi.window``: investors profiled from what they held before each
window, candidates the companies with a round in it) over the validation window (profiles <
2017-01-01, outcomes 2017-01..06) and every earlier calendar half-year — the validation window
alone leaves 7 and 24 queries with 2 and 5 positives on page 2, too few to choose anything —
and crunchbase2013's 2012 (the product's composite with the weights fitted on that year:
``quality/crunchbase_tables``). β and γ are chosen there by page-2 nDCG@10 relative to no
update, averaged over the four pools (itjuzi and crunchbase, new companies and all candidates),
ties to the smaller β + γ, among the product's blocks (text and sector: ``feedback.py`` says
why not every block, which is measured beside it, as is the other variant: the shifted own
vector as one extra view instead of shifting every view). The tests, where nothing is chosen:
itjuzi split 2017-07-01 and crunchbase2013 split 2013-01-01, each new companies and all
candidates. Pooled itjuzi windows repeat investors; their intervals still resample queries, so
they are narrower than they should be (the choice uses the means only).

Run: /work/main/.venv/bin/python benchmarks/feedback_learning.py [--data DIR] [--rounds N]
[--no-crunchbase] [--validation]   (about 5 minutes with 2 busy cores; without crunchbase
under a minute)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from quality import itjuzi
from quality.common import DEFAULT_DATA, weighted
from quality.metrics import compare, random_order

from matchmaker.embeddings import Encoder, get_encoder
from matchmaker.embeddings.composite import BLOCKS, CompositeSpace, Weights
from matchmaker.ranking import feedback
from matchmaker.ranking.feedback import QueryFeedback

PAGE = 10
BETAS = (0.0, 0.25, 0.5, 1.0)
GAMMAS = (0.0, 0.1, 0.25, 0.5)
BLOCK_SETS: dict[str, tuple[str, ...]] = {"text+sector": ("text", "sector"), "all": BLOCKS}
VARIANTS = ("every view", "extra view")
DISCOUNTS = 1.0 / np.log2(np.arange(2, PAGE + 2))
SCORED = {
    "ndcg2": "p2 nDCG@10",
    "hits2": "p2 hits",
    "ndcg3": "p3 nDCG@10",
    "hits3": "p3 hits",
    "hits23": "p2+3 hits",
}


@dataclass(frozen=True)
class Config:
    """One way of using the verdicts."""

    variant: str  # "every view": d added to each view; "extra view": own vector + d as a view
    blocks: str  # a key of BLOCK_SETS
    beta: float
    gamma: float

    @property
    def label(self) -> str:
        return f"{self.variant}, {self.blocks}, β={self.beta:g} γ={self.gamma:g}"


VALIDATION_CB = ("2012-01-01", "2013-01-01")  # quality/crunchbase_tables.VALIDATION
TEST_CB = "2013-01-01"
PRODUCT = Config("every view", "text+sector", feedback.BETA, feedback.GAMMA)


@dataclass
class Case:
    """Queries × candidates with the product's scores and vectors."""

    title: str
    space: CompositeSpace
    base: np.ndarray  # (q, c) the product's score (best view)
    projects: np.ndarray  # (c, dim)
    own: np.ndarray  # (q, dim) each investor's own vector
    relevant: np.ndarray  # (q, c) bool
    tiebreak: np.ndarray = field(init=False)
    own_scores: np.ndarray = field(init=False)  # (q, c) ⟨own vector, p⟩: the extra view's base
    _grams: dict[str, np.ndarray] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.tiebreak = random_order(self.relevant.shape)
        unseen = np.zeros(self.relevant.shape[1], dtype=bool)
        first = np.array([_top(self.base[i], self.tiebreak[i], unseen) for i in range(len(self))])
        left = self.relevant.sum(axis=1) - np.take_along_axis(self.relevant, first, 1).sum(axis=1)
        keep = left > 0  # somebody with nothing left to find has no second page to judge
        self.base, self.own, self.relevant = self.base[keep], self.own[keep], self.relevant[keep]
        self.tiebreak = self.tiebreak[keep]
        self.own_scores = self.own @ self.projects.T
        check(self)

    def __len__(self) -> int:
        return len(self.base)

    def gram(self, blocks: str) -> np.ndarray:
        """Return (c, c) ⟨p_i, p_j⟩ over the blocks of ``BLOCK_SETS[blocks]``."""
        if blocks not in self._grams:
            mask = np.zeros(self.space.dim, dtype=np.float32)
            for block in BLOCK_SETS[blocks]:
                mask[self.space.slices[block]] = 1.0
            self._grams[blocks] = (self.projects * mask) @ self.projects.T
        return self._grams[blocks]

    def counts(self) -> str:
        return (
            f"queries {len(self)} (with a positive left after page 1), candidates "
            f"{self.relevant.shape[1]}, positives {int(self.relevant.sum())}"
        )


def _top(score: np.ndarray, tiebreak: np.ndarray, seen: np.ndarray, k: int = PAGE) -> np.ndarray:
    """Return the best ``k`` candidates not ``seen`` (a bool mask), ties by ``tiebreak``.

    Ties: ``tiebreak`` ∈ [0, 1) scaled below the gap between distinct float32 scores of the
    order of 1 (≥ 6e-8), so it orders equal scores only; a partition keeps this O(c).
    """
    key = np.where(seen, np.inf, -np.asarray(score, np.float64) + 1e-9 * tiebreak)
    k = min(k, int((~seen).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    best = np.argpartition(key, k - 1)[:k]
    return best[np.argsort(key[best], kind="stable")]


def _rescore(case: Case, i: int, config: Config | None, liked: list[int], passed: list[int]):
    """Return query i's scores after its verdicts (the product's score without a config).

    ⟨d, p⟩ = β·mean ⟨l, p⟩ − γ·mean ⟨x, p⟩ is read from the candidates' Gram matrix over the
    config's blocks (``check`` compares it with the product's ``QueryFeedback``).
    """
    if config is None or not (liked or passed):
        return case.base[i]
    gram = case.gram(config.blocks)
    term = np.zeros(len(gram), dtype=np.float32)
    if liked:
        term += np.float32(config.beta) * gram[liked].mean(axis=0)
    if passed:
        term -= np.float32(config.gamma) * gram[passed].mean(axis=0)
    if config.variant == "every view":
        return case.base[i] + term
    return np.maximum(case.base[i], case.own_scores[i] + term)


def check(case: Case) -> None:
    """The simulation's scores are the product's: every shifted view of ``QueryFeedback`` (and
    the shifted own vector as the extra view) score the candidates as ``_rescore`` does."""
    rng = np.random.default_rng(0)
    for config in (PRODUCT, Config("extra view", "all", 0.5, 0.25)):
        for i in range(min(3, len(case))):
            picked = [int(x) for x in rng.choice(case.relevant.shape[1], 5, replace=False)]
            liked, passed = picked[:2], picked[2:]
            nudge = QueryFeedback.of(
                case.space,
                case.projects[liked],
                case.projects[passed],
                config.beta,
                config.gamma,
                BLOCK_SETS[config.blocks],
            )
            if config.variant == "every view":
                want = case.base[i] + case.projects @ nudge.shift
            else:
                extra = nudge.apply(case.own[i : i + 1])[0]
                want = np.maximum(case.base[i], case.projects @ extra)
            got = _rescore(case, i, config, liked, passed)
            assert np.allclose(got, want, atol=1e-4), "the simulation differs from the product"


def simulate(case: Case, config: Config | None) -> dict[str, np.ndarray]:
    """Return per-query page-2 and page-3 metrics (see the module docstring)."""
    out = {key: np.zeros(len(case)) for key in SCORED}
    for i in range(len(case)):
        rel, tie = case.relevant[i], case.tiebreak[i]
        seen = np.zeros(len(rel), dtype=bool)
        liked: list[int] = []
        passed: list[int] = []
        gains = []
        for _page in range(3):
            shown = _top(_rescore(case, i, config, liked, passed), tie, seen)
            seen[shown] = True
            liked += [int(p) for p in shown if rel[p]]
            passed += [int(p) for p in shown if not rel[p]]
            gains.append(rel[shown].astype(float))
        left = int(rel.sum() - gains[0].sum())
        ideal = DISCOUNTS[: min(PAGE, left)].sum()
        out["ndcg2"][i] = gains[1] @ DISCOUNTS[: len(gains[1])] / ideal
        out["ndcg3"][i] = gains[2] @ DISCOUNTS[: len(gains[2])] / ideal
        out["hits2"][i], out["hits3"][i] = gains[1].sum(), gains[2].sum()
        out["hits23"][i] = gains[1].sum() + gains[2].sum()
    return out


# ---- data ----------------------------------------------------------------------------------


def itjuzi_cases(window: itjuzi.Window, label: str) -> list[Case]:
    """Return the window's two cases: new companies, all candidates."""
    assert window.space is not None and window.projects is not None
    assert window.institutions is not None
    base = weighted(window.fits, Weights())
    out = []
    for kind, keep in (("new companies", window.new), ("all candidates", np.ones_like(window.new))):
        rows = window.relevant[:, keep].any(axis=1)
        out.append(
            Case(
                f"{label}, {kind}",
                window.space,
                base[rows][:, keep],
                window.projects[keep],
                window.institutions[rows],
                window.relevant[rows][:, keep],
            )
        )
    return out


class Crunchbase:
    """crunchbase2013 as the product's composite scores it (``quality/crunchbase_tables``): the
    weights fitted on its validation period (2012 outcomes), one view per investor (its cards
    make no views)."""

    def __init__(self, data: Path) -> None:
        from quality import crunchbase_tables as cbt
        from quality.crunchbase import load_crunchbase

        self.rows = load_crunchbase(data)
        self.texts = cbt.card_vectors(self.rows, None)
        self.weights, _account = cbt.fit_weights(self.rows, self.texts, share=0.0)

    def pools(self, start: str, end: str, label: str) -> list[Pool]:
        """Return the split's pools: new companies, all candidates."""
        from quality import crunchbase_tables as cbt
        from quality.crunchbase import make_split

        split = make_split(self.rows, start, end)
        composite = cbt.CrunchbaseComposite(split.before, self.weights, self.texts)
        projects = composite.vectors(composite.blocks([[c] for c in split.companies], False))
        investors = composite.vectors(
            composite.blocks([split.profile[q] for q in split.queries], graded=True)
        )
        out = []
        new = split.prior_investors == 0
        for kind, keep in (("new companies", new), ("all candidates", np.ones_like(new))):
            relevant = split.relevant[:, keep]
            rows = relevant.any(axis=1)
            case = Case(
                f"crunchbase2013 {label}, {kind}",
                composite.space,
                (investors @ projects[keep].T)[rows],
                projects[keep],
                investors[rows],
                relevant[rows],
            )
            out.append(Pool(case.title, [case]))
        return out


# ---- choice and tables ---------------------------------------------------------------------


@dataclass
class Pool:
    """Cases scored together: their queries' metrics are concatenated (one mean, one interval)."""

    title: str
    cases: list[Case]
    _memo: dict[Config | None, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)

    def counts(self) -> str:
        queries = sum(len(c) for c in self.cases)
        positives = sum(int(c.relevant.sum()) for c in self.cases)
        candidates = sum(c.relevant.shape[1] for c in self.cases)
        parts = f" over {len(self.cases)} windows" if len(self.cases) > 1 else ""
        return (
            f"queries {queries} (with a positive left after page 1), candidates {candidates}"
            f"{parts}, positives {positives}"
        )

    def simulate(self, config: Config | None) -> dict[str, np.ndarray]:
        if config not in self._memo:
            parts = [simulate(case, config) for case in self.cases]
            self._memo[config] = {k: np.concatenate([p[k] for p in parts]) for k in SCORED}
        return self._memo[config]


def grid() -> list[Config]:
    """Every config tried: the shift of every view on a β × γ grid, and the extra view (fewer
    passes: a pass can only lower the one extra view)."""
    out = [
        Config("every view", b, beta, gamma)
        for b in BLOCK_SETS
        for beta in BETAS
        for gamma in GAMMAS
        if beta or gamma
    ]
    out += [
        Config("extra view", b, beta, gamma)
        for b in BLOCK_SETS
        for beta in BETAS[1:]
        for gamma in (0.0, 0.25)
    ]
    return out


def choose(pools: Sequence[Pool]) -> tuple[Config, dict[Config, float]]:
    """Return the config with the best page-2 nDCG@10 relative to no update (each pool's mean
    over its queries divided by the baseline's, then the mean over pools: the data sets' levels
    differ fourfold), ties to the smaller β + γ, and every config's value.

    The choice is among the product's blocks (``feedback.BLOCKS``: text and sector); the other
    block set is measured beside it (``feedback.py`` says why the product does not use it).
    """
    base = [p.simulate(None)["ndcg2"].mean() for p in pools]
    value = {
        c: float(
            np.mean([p.simulate(c)["ndcg2"].mean() / b for p, b in zip(pools, base, strict=True)])
        )
        for c in grid()
    }
    usable = [c for c in value if BLOCK_SETS[c.blocks] == tuple(feedback.BLOCKS)]
    best = max(usable, key=lambda c: (round(value[c], 6), -(c.beta + c.gamma)))
    return best, value


def print_grid(value: dict[Config, float], best: Config) -> None:
    print(f"page-2 nDCG@10 / no update's, mean over pools; rows β, columns γ; chosen: {best.label}")
    for variant in VARIANTS:
        for blocks in BLOCK_SETS:
            print(
                f"  {variant}, {blocks}:" + "".join(f"{'γ=' + format(g, 'g'):>9}" for g in GAMMAS)
            )
            for beta in BETAS:
                cells = [value.get(Config(variant, blocks, beta, g)) for g in GAMMAS]
                text = [
                    f"{v:>9.3f}" if v is not None else f"{'1' if not beta + g else '':>9}"
                    for v, g in zip(cells, GAMMAS, strict=True)
                ]
                print(f"    β={beta:<5g}" + "".join(text))


def print_pool(pool: Pool, configs: Sequence[Config], rounds: int) -> None:
    """Print the baseline and each config on one pool, then each config − baseline."""
    print(f"\n## {pool.title}\n{pool.counts()}")
    name = "no update (baseline: the product as shipped)"
    rows = {name: pool.simulate(None)}
    rows.update({c.label: pool.simulate(c) for c in configs})
    width = max(len(n) for n in rows) + 2
    print(f"{'method':<{width}}" + "".join(f"{label:>12}" for label in SCORED.values()))
    for label, result in rows.items():
        cells = [
            f"{int(result[k].sum()):>12d}" if k.startswith("hits") else f"{result[k].mean():>12.4f}"
            for k in SCORED
        ]
        print(f"{label:<{width}}" + "".join(cells))
    baseline = rows[name]
    for config in configs:
        mine = rows[config.label]
        print(f"{config.label} − baseline:")
        for key in ("ndcg2", "hits2", "ndcg3", "hits23"):
            c = compare(mine[key], baseline[key], "baseline", rounds)
            print(
                f"  {SCORED[key]:<11} Δ per query {c.delta:+.4f} [95% {c.delta_ci[0]:+.4f}, "
                f"{c.delta_ci[1]:+.4f}]; ratio {c.ratio:.2f}× [{c.ratio_ci[0]:.2f}, "
                f"{c.ratio_ci[1]:.2f}]; queries better/tie/worse {c.wins}/{c.ties}/{c.losses}"
            )


def validation_pools(data: Path, encoder: Encoder) -> list[Pool]:
    """Return the validation window and every earlier calendar half-year, as two pools (new
    companies; all candidates): every outcome in them precedes the test split."""
    windows = [(s, e) for s, e in itjuzi.half_years(2013, 2016)] + [itjuzi.VALIDATION]
    new, every = [], []
    for start, end in windows:
        a, b = itjuzi_cases(itjuzi.window(data, encoder, start, end), start)
        new += [a] if len(a) else []
        every += [b] if len(b) else []
    span = f"itjuzi_ai820 validation, outcomes {windows[0][0][:7]}..{windows[-1][1][:7]}"
    return [Pool(f"{span}, new companies", new), Pool(f"{span}, all candidates", every)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rounds", type=int, default=2000, help="bootstrap resamples")
    parser.add_argument("--no-crunchbase", action="store_true")
    parser.add_argument("--validation", action="store_true", help="the choice only, no test")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    encoder = get_encoder(None)
    val = validation_pools(args.data, encoder)
    crunchbase = None if args.no_crunchbase else Crunchbase(args.data)
    if crunchbase is not None:
        val += crunchbase.pools(*VALIDATION_CB, f"validation {VALIDATION_CB[0][:7]}..")
    print("# the choice, on the validation pools (every outcome before its test split)")
    for pool in val:
        print(f"  {pool.title}: {pool.counts()}")
    best, value = choose(val)
    print_grid(value, best)
    if best != PRODUCT:
        print(f"NOTE: the product ships {PRODUCT.label}, not the choice here")
    configs = [best, *_alternatives(value, best)]
    for pool in val:
        print_pool(pool, configs, args.rounds)
    if args.validation:
        return
    print("\n# the tests: nothing chosen here")
    test = itjuzi.window(args.data, encoder, itjuzi.SPLIT)
    for case in itjuzi_cases(test, f"itjuzi_ai820 test split {itjuzi.SPLIT}"):
        print_pool(Pool(case.title, [case]), configs, args.rounds)
    if crunchbase is not None:
        for pool in crunchbase.pools(TEST_CB, "9999", f"test split {TEST_CB}"):
            print_pool(pool, configs, args.rounds)
    print(f"\n({time.perf_counter() - started:.0f} s)")


def _alternatives(value: dict[Config, float], best: Config) -> list[Config]:
    """Return the best config of each other variant and block set on the validation pools
    (chosen there too, not on the test): what else was possible."""
    out = []
    for variant in VARIANTS:
        for blocks in BLOCK_SETS:
            if (variant, blocks) == (best.variant, best.blocks):
                continue
            mine = [c for c in value if (c.variant, c.blocks) == (variant, blocks)]
            out.append(max(mine, key=lambda c: (round(value[c], 6), -(c.beta + c.gamma))))
    return out


if __name__ == "__main__":
    main()
