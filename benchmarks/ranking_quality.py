"""Ranking quality on real investment records: the matchmaker composite beside honest baselines.

Reads ``--data`` (default ../shared/benchdata) at run time; nothing is copied into the repo.
Every number is computed in the same run. Ties in any ranking are broken by one fixed random
order (seed 0) shared by all methods, so no method profits from file order. Metrics per query:
nDCG@10 (binary gains) and R@50 = hits in the top 50 / min(50, relevant). Under each table:
method (*) − best baseline per metric, with a paired bootstrap 95 % interval over queries (2,000
resamples, seed 0), and the ratio of means with its interval. Rows marked (ref) are printed for
reference and are not counted as baselines (each is said below).

1  crunchbase2013, time split at 2013-01-01 and 2013-07-01.
   Queries: investors with ≥ 5 investments before the split and ≥ 1 after. Candidates: every
   company with a round after the split (new and known). Relevant: the companies the investor
   funded after the split. Used, as known at decision time: the company's category_code and
   country/state/metro region/city (static); of its *first* round after the split, the round type
   and size (``round_raised_amount_usd``, else ``amount_usd``; both are the round's total); the
   investor's own rows before the split. Not used (would leak): who else invested in any round
   after the split, any count over the test period, a candidate's later rounds. Companies missing
   from the US company list (mostly non-US) get "(unlisted)" as category and place, for every
   method alike. Popularity = investors before the split (0 for every new company).
   The composite (``CompositeSpace`` layout, one inner product, checked against the FAISS index):
   sector = a flat taxonomy of the category codes; region = the 33 commonest metro regions of
   the profile period + "other US", "(unlisted)" on the neutral coordinate; stage = round type →
   ``Stage``; ticket = round size at 6.2 yuan per USD (2013 average) in the composite's buckets;
   text = the default encoder on the company's only descriptive text, a "card" of its category and
   city/metro/state names (there are no descriptions); needs unused. Investor side graded: √share
   of its portfolio on each coordinate (fit_b = √share of the company's value), and the normalised
   mean of its portfolio's cards. Weights: ``BlockWeightLearner`` on a validation period inside the
   training data (profiles before 2012-01-01, outcomes in 2012, 100 random passes per investor
   weighted to stand for the rest), applied unchanged at both splits. (ref) rows: the composite
   with default weights or without the text block; the unweighted "profile histogram"; and
   "follow-on" (the investor's own portfolio companies first), an honest signal outside the
   composite that beats every content method on known companies. The second table keeps only
   new companies (no investor before the split), the matchmaking case: there nobody follows on.
2  Chinese semantic matching: smoothnlp investors (介绍 ≥ 20 chars, ≥ 3 portfolio companies) as
   queries against itjuzi companies, ≤ 40 per 行业 in a fixed sha1 order (a deterministic
   sub-sample: 硬件 and 企业服务 would otherwise be most of the pool). Relevant: the company's
   itjuzi industry is one of the investor's top sectors (≥ 10 % of its portfolio, at most 3)
   through SMOOTHNLP_TO_ITJUZI. "labels": the query is 介绍 + its 行业 names and the company its
   description + industry/sub-industry (the composite's sector block gets them, count-weighted on
   the investor side); "sector overlap (same label)" nearly restates the relevance rule. "no
   labels": 介绍 alone vs description alone; sectors only as the taxonomy infers them from text.
   Default weights (nothing to fit them on). Popularity = funding events of the company.
3  itjuzi_ai820 time split at 2018-01-01: investors with ≥ 5 investments before and ≥ 1 after; an
   investor is its portfolio before the split (description centroid, 行业 histogram, rounds).
   Weights fitted on profiles before 2017-01-01 and outcomes in 2017, adopted only if better on
   held-out investors. TF-IDF matches the candidate against the portfolio's descriptions.

Run: .venv/bin/python benchmarks/ranking_quality.py [--data DIR] [--only crunchbase|chinese|itjuzi]
[--quick]   (--quick: crunchbase at 2013-01-01 only and 500 bootstrap resamples)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from chinese_labels import SMOOTHNLP_TO_ITJUZI

from matchmaker.domain import Stage
from matchmaker.embeddings import Encoder, TfidfEncoder, get_encoder, normalize_rows
from matchmaker.embeddings.composite import (
    BLOCKS,
    N_TICKET,
    STAGES,
    CompositeSpace,
    InstitutionProfile,
    ProjectProfile,
    Weights,
    ticket_bucket,
)
from matchmaker.embeddings.index import VectorIndex
from matchmaker.embeddings.regions import DIM as REGION_SLOTS
from matchmaker.embeddings.taxonomy import SectorMapper, Taxonomy
from matchmaker.ranking.weights import BlockWeightLearner

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "benchdata"
SEED = 0
K, R = 10, 50
UNLISTED = "(unlisted)"
USD_TO_YUAN = 6.2
CB_SPLITS = ("2013-01-01", "2013-07-01")
CB_VALIDATION = ("2012-01-01", "2013-01-01")
CB_ROUND_STAGE = {
    "angel": "angel", "crowdfunding": "seed", "series-a": "a", "series-b": "b_plus",
    "series-c+": "b_plus", "private-equity": "b_plus", "post-ipo": "b_plus",
}  # fmt: skip
# IT桔子 round names (smoothnlp 轮次, itjuzi round) → Stage; others (战略, 并购 …) say nothing.
CN_ROUND_STAGE = {
    "种子轮": "seed", "天使轮": "angel", "Pre-A轮": "pre_a", "A轮": "a", "A+轮": "a",
    "Pre-B轮": "b_plus", "B轮": "b_plus", "B+轮": "b_plus", "C轮": "b_plus", "C+轮": "b_plus",
    "D轮": "b_plus", "D+轮": "b_plus", "E轮": "b_plus",
}  # fmt: skip


# ---- metrics -------------------------------------------------------------------------------


@dataclass
class Scored:
    """Per-query metrics of one method on one table."""

    ndcg: np.ndarray  # (q,)
    recall: np.ndarray  # (q,)


def evaluate(scores: np.ndarray, relevant: np.ndarray, tiebreak: np.ndarray) -> Scored:
    """Rank every row of ``scores`` (ties by ``tiebreak``); return nDCG@10 and R@50 per row."""
    order = np.lexsort((tiebreak, -np.asarray(scores, np.float64)), axis=1)[:, :R]
    hits = np.take_along_axis(relevant, order, axis=1)
    discounts = 1.0 / np.log2(np.arange(2, K + 2))
    n_rel = relevant.sum(axis=1)
    ideal = np.cumsum(discounts)[np.minimum(K, n_rel) - 1]
    return Scored(hits[:, :K] @ discounts / ideal, hits.sum(axis=1) / np.minimum(R, n_rel))


def bootstrap(method: np.ndarray, base: np.ndarray, rounds: int) -> tuple[float, ...]:
    """Return (Δ mean, Δ low, Δ high, ratio, ratio low, ratio high) over resampled queries."""
    rng = np.random.default_rng(SEED)
    idx = rng.integers(0, len(method), (rounds, len(method)))
    m, b = method[idx].mean(axis=1), base[idx].mean(axis=1)
    ratio = m / np.where(b > 0, b, np.nan)
    lo, hi = np.nanpercentile(ratio, [2.5, 97.5])
    return (
        method.mean() - base.mean(),
        *np.percentile(m - b, [2.5, 97.5]),
        method.mean() / max(base.mean(), 1e-12),
        lo,
        hi,
    )


@dataclass
class Table:
    """One evaluation: counts, methods' per-query metrics, which are baselines."""

    title: str
    counts: str
    results: dict[str, Scored]
    method: str
    baselines: list[str]  # the honest baselines the target is judged against
    extra: list[str]  # printed for reference, not counted as baselines (the docstring says why)

    def references(self) -> list[str]:
        """Return the (ref) rows that are baselines in spirit (not variants of the method)."""
        return [n for n in self.extra if not n.startswith(("composite", "text only"))]


Comparison = tuple[float, float, float, float, float, float, str]


def compare(table: Table, other: str, metric: str, rounds: int) -> Comparison:
    """Return Δ, its interval, the ratio and its interval of the method vs ``other``."""
    m, b = getattr(table.results[table.method], metric), getattr(table.results[other], metric)
    return (*bootstrap(m, b, rounds), other)  # type: ignore[return-value]


def print_table(table: Table, rounds: int) -> dict[str, list[Comparison]]:
    """Print the table and the method vs the best baseline per metric (and vs each reference)."""
    print(f"\n## {table.title}\n{table.counts}")
    width = max(len(name) for name in table.results) + 2
    print(f"{'method':<{width}} {'nDCG@10':>8} {'R@50':>8}")
    for name, s in table.results.items():
        tag = " *" if name == table.method else (" (ref)" if name in table.extra else "")
        print(f"{name:<{width}} {s.ndcg.mean():>8.4f} {s.recall.mean():>8.4f}{tag}")
    out: dict[str, list[Comparison]] = {}
    for metric, label in (("ndcg", "nDCG@10"), ("recall", "R@50")):
        if all((getattr(s, metric) == 1).all() for s in table.results.values()):
            print(f"{label}: 1 for every method (no more candidates than the cut-off)")
            continue
        best = max(table.baselines, key=lambda n: getattr(table.results[n], metric).mean())
        out[metric] = [compare(table, n, metric, rounds) for n in [best, *table.references()]]
        for i, (d, lo, hi, ratio, rlo, rhi, name) in enumerate(out[metric]):
            what = f"best baseline ({name})" if i == 0 else f"(ref) {name}"
            print(f"{label}: * − {what} = {d:+.4f} [95% {lo:+.4f}, {hi:+.4f}]; "
                  f"ratio {ratio:.2f}× [95% {rlo:.2f}, {rhi:.2f}]")  # fmt: skip
    return out


def random_order(shape: tuple[int, int]) -> np.ndarray:
    return np.random.default_rng(SEED).random(shape)


def stable_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ---- 1. crunchbase2013 ---------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One investment (company, investor, round date) with what is known at the round."""

    company: str
    investor: str
    date: str
    category: str
    state: str
    region: str
    city: str
    round_type: str
    usd: float | None


def load_crunchbase(data: Path) -> list[Row]:
    """Read investments_enriched.csv; drop undated rows and (company, investor, date) twins."""
    out, seen = [], set()
    for r in read_csv(data / "crunchbase2013" / "investments_enriched.csv"):
        key = (r["company_name"], r["investor_name"], r["funded_when"])
        if not r["funded_when"] or key in seen:
            continue
        seen.add(key)
        usd = r["round_raised_amount_usd"] or r["amount_usd"]
        listed = bool(r["country_code"])
        out.append(
            Row(
                r["company_name"],
                r["investor_name"],
                r["funded_when"],
                r["category_code"] or UNLISTED,
                r["state_code"] or UNLISTED if listed else UNLISTED,
                r["region"] or UNLISTED if listed else UNLISTED,
                r["city"] or UNLISTED if listed else UNLISTED,
                r["funding_round_type"],
                float(usd) if usd else None,
            )
        )
    return out


def amount_bucket(row: Row) -> str:
    return str(ticket_bucket(round(row.usd * USD_TO_YUAN))) if row.usd else "?"


FEATURES: dict[str, Callable[[Row], str]] = {
    "category": lambda r: r.category,
    "state": lambda r: r.state,
    "region": lambda r: r.region,
    "city": lambda r: r.city,
    "round": lambda r: r.round_type or "?",
    "amount": amount_bucket,
}


@dataclass
class Split:
    """A time split: queries × candidates with relevance and what is known before it."""

    queries: list[str]
    companies: list[Row]  # each candidate's first round after the split
    relevant: np.ndarray  # (q, c) bool
    profile: dict[str, list[Row]]  # each query's rows before the split
    prior_investors: np.ndarray  # (c,) investors before the split
    followed: np.ndarray  # (q, c) bool: the company is already in the investor's portfolio
    before: list[Row]  # every row before the split

    def histogram(self, feature: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (q, v) counts of the feature over each profile and (c,) candidate codes."""
        get = FEATURES[feature]
        values = {
            v: i
            for i, v in enumerate(
                sorted({get(r) for r in self.before} | {get(c) for c in self.companies})
            )
        }
        counts = np.zeros((len(self.queries), len(values)))
        for qi, q in enumerate(self.queries):
            for r in self.profile[q]:
                counts[qi, values[get(r)]] += 1
        return counts, np.array([values[get(c)] for c in self.companies])


def make_split(rows: list[Row], start: str, end: str = "9999") -> Split:
    before = [r for r in rows if r.date < start]
    after = sorted((r for r in rows if start <= r.date < end), key=lambda r: (r.date, r.company))
    n_before = Counter(r.investor for r in before)
    later: dict[str, set[str]] = defaultdict(set)
    for r in after:
        later[r.investor].add(r.company)
    queries = sorted(q for q in later if n_before[q] >= 5)
    first: dict[str, Row] = {}
    for r in after:
        first.setdefault(r.company, r)
    names = sorted(first)
    column = {c: i for i, c in enumerate(names)}
    profile: dict[str, list[Row]] = defaultdict(list)
    investors_of: dict[str, set[str]] = defaultdict(set)
    for r in before:
        profile[r.investor].append(r)
        investors_of[r.company].add(r.investor)
    relevant = np.zeros((len(queries), len(names)), dtype=bool)
    followed = np.zeros_like(relevant)
    for qi, q in enumerate(queries):
        relevant[qi, [column[c] for c in later[q]]] = True
        held = [column[r.company] for r in profile[q] if r.company in column]
        followed[qi, held] = True
    prior = np.array([len(investors_of[c]) for c in names], dtype=float)
    return Split(queries, [first[c] for c in names], relevant, profile, prior, followed, before)


def card(row: Row) -> str:
    """Return the company's only descriptive text: category and place names (no descriptions)."""
    category = "unlisted" if row.category == UNLISTED else row.category.replace("_", " ")
    if row.region == UNLISTED:
        return f"{category} company outside the US company list"
    return f"{category} company in {row.city}, {row.region}, {row.state}"


class CrunchbaseComposite:
    """Investors and companies as ``CompositeSpace`` blocks (see the module docstring).

    ``texts`` maps a card (see :func:`card`) to its unit text vector; None leaves the text block
    empty (width 0).
    """

    def __init__(
        self, before: list[Row], weights: Weights, texts: dict[str, np.ndarray] | None = None
    ) -> None:
        codes = sorted({r.category for r in before} | {UNLISTED})
        self.mapper = SectorMapper(Taxonomy(tuple((c, c, c, "", ()) for c in codes)))
        self.texts = texts
        dim = len(next(iter(texts.values()))) if texts else 0
        self.space = CompositeSpace(text_dim=dim, weights=weights, mapper=self.mapper)
        metros = Counter(r.region for r in before if r.region != UNLISTED)
        self.places = {m: i for i, (m, _n) in enumerate(metros.most_common(REGION_SLOTS - 1))}

    def coordinates(self, row: Row) -> dict[str, int | None]:
        """Return the coordinate a round occupies in each one-hot block (None = none)."""
        stage = CB_ROUND_STAGE.get(row.round_type)
        return {
            "sector": self.mapper.taxonomy.match_label(row.category),
            "stage": STAGES.index(Stage(stage)) if stage else len(STAGES),
            "ticket": ticket_bucket(round(row.usd * USD_TO_YUAN)) if row.usd else N_TICKET,
            "region": REGION_SLOTS if row.region == UNLISTED
            else self.places.get(row.region, REGION_SLOTS - 1),
        }  # fmt: skip

    def blocks(self, rows_per_side: Sequence[Sequence[Row]], graded: bool) -> dict[str, np.ndarray]:
        """Return unscaled blocks: a single round's one-hots, or a portfolio's √shares.

        The text block is the card vector, or for a portfolio the normalised mean of its cards.
        """
        out = {}
        for block, cut in self.space.slices.items():
            matrix = np.zeros((len(rows_per_side), cut.stop - cut.start), dtype=np.float32)
            for i, rows in enumerate(rows_per_side):
                if block == "text" and self.texts:
                    matrix[i] = np.mean([self.texts[card(r)] for r in rows], axis=0)
                elif block in ("sector", "stage", "ticket", "region"):
                    for row in rows:
                        coordinate = self.coordinates(row)[block]
                        if coordinate is not None:
                            matrix[i, coordinate] += 1.0
                    if graded and matrix[i].sum() > 0:
                        matrix[i] = np.sqrt(matrix[i] / matrix[i].sum())
            out[block] = normalize_rows(matrix) if block == "text" else matrix
        return out

    def vectors(self, blocks: dict[str, np.ndarray]) -> np.ndarray:
        """Return the (n, dim) matrix, each block scaled by √w (P @ Q.T = Σ w_b fit_b)."""
        return np.hstack([blocks[b] * np.sqrt(self.space.w[b]) for b in BLOCKS]).astype(np.float32)


def block_fits(composite: CrunchbaseComposite, split: Split) -> dict[str, np.ndarray]:
    """Return fit_b (q, c) per block for every query × candidate."""
    investors = composite.blocks([split.profile[q] for q in split.queries], graded=True)
    companies = composite.blocks([[c] for c in split.companies], graded=False)
    return {b: investors[b] @ companies[b].T for b in BLOCKS}


def fit_crunchbase_weights(
    rows: list[Row], texts: dict[str, np.ndarray] | None, negatives: int = 100
) -> tuple[Weights, str]:
    """Fit the weights on the validation period; return them and a printable account.

    Pairs: every (investor, company it funded in 2012) as liked, and ``negatives`` companies
    drawn at random from the rest of the 2012 candidates as passed, each standing for
    (candidates − liked) / ``negatives`` of them (``sample_weight``), so that the learner's
    ranks and nDCG are those of the full candidate list.
    """
    split = make_split(rows, *CB_VALIDATION)
    fits = block_fits(CrunchbaseComposite(split.before, Weights(), texts), split)
    rng = np.random.default_rng(SEED)
    q, c, y, weight = [], [], [], []
    for qi in range(len(split.queries)):
        liked = np.flatnonzero(split.relevant[qi])
        others = np.flatnonzero(~split.relevant[qi])
        passed = rng.choice(others, negatives, replace=False)
        q += [qi] * (len(liked) + negatives)
        c += [*liked, *passed]
        y += [1] * len(liked) + [0] * negatives
        weight += [1.0] * len(liked) + [len(others) / negatives] * negatives
    x = np.stack([fits[b][q, c] for b in BLOCKS], axis=1)
    result = BlockWeightLearner(random_state=SEED).fit(x, y, np.array(q), sample_weight=weight)
    m = result.result_.metrics
    text = (
        f"  {len(split.queries)} investors, {m['positives']} liked / {m['negatives']} sampled "
        f"passes (each standing for ~{np.mean(weight[-negatives:]):.0f}); held out (30% of "
        f"investors): nDCG@10 {m.get('ndcg_fitted', float('nan')):.4f} fitted vs "
        f"{m.get('ndcg_default', float('nan')):.4f} default, AUC "
        f"{m.get('auc_fitted', float('nan')):.4f} vs {m.get('auc_default', float('nan')):.4f}"
        f"\n  {result.result_.reason}\n  used: {_weights_text(result.result_.recommended)}"
    )
    return result.result_.recommended, text


def _weights_text(weights: Weights) -> str:
    return " ".join(f"{b}={v:.3f}" for b, v in weights.normalised().items() if v > 0)


def card_vectors(rows: list[Row], encoder_name: str | None) -> dict[str, np.ndarray]:
    """Embed every distinct card once (a card's vector depends on nothing but its text)."""
    cards = sorted({card(r) for r in rows})
    return dict(zip(cards, get_encoder(encoder_name).encode(cards), strict=True))


CB_METHOD = "matchmaker composite (fitted w)"
CB_EXTRA = (
    "profile histogram (Σ shares)",
    "follow-on (portfolio first)",
    "composite, default w",
    "composite w/o text block (fitted w)",
    "composite + follow-on first",
)


def crunchbase_tables(
    rows: list[Row], start: str, weights: dict[str, Weights], texts: dict[str, np.ndarray]
) -> list[Table]:
    split = make_split(rows, start)
    tiebreak = random_order(split.relevant.shape)
    scores: dict[str, np.ndarray] = {"random": np.zeros(split.relevant.shape)}
    scores["popularity (investors before split)"] = np.broadcast_to(
        split.prior_investors, split.relevant.shape
    )
    overlap, share = {}, {}
    for feature in FEATURES:
        counts, codes = split.histogram(feature)
        overlap[feature] = (counts[:, codes] > 0).astype(float)
        share[feature] = counts[:, codes] / counts.sum(axis=1, keepdims=True)
    for feature in ("category", "state", "region", "city", "round"):
        scores[f"{feature} overlap"] = overlap[feature]
    for place in ("state", "region", "city"):
        scores[f"category+{place} overlap"] = overlap["category"] + overlap[place]
    listed = list(scores)
    scores[CB_EXTRA[0]] = sum(share[f] for f in ("category", "region", "round", "amount"))
    scores[CB_EXTRA[1]] = split.followed.astype(float)

    composite = CrunchbaseComposite(split.before, weights["text"], texts)
    fits = block_fits(composite, split)
    for name, w in (
        (CB_METHOD, weights["text"]),
        (CB_EXTRA[2], Weights()),
        (CB_EXTRA[3], weights["no text"]),
    ):
        scores[name] = sum(w.normalised()[b] * fits[b] for b in BLOCKS)
    scores[CB_EXTRA[4]] = scores[CB_METHOD] + 10.0 * split.followed
    check_index(composite, split, scores[CB_METHOD])

    tables = []
    new = split.prior_investors == 0
    for name, keep in (("all candidates", np.ones_like(new)), ("new companies only", new)):
        rel = split.relevant[:, keep]
        q = rel.any(axis=1)
        extra = list(CB_EXTRA)
        if name == "new companies only":  # nobody can follow on into a new company
            extra = [n for n in extra if "follow-on" not in n]
        results = {
            n: evaluate(s[q][:, keep], rel[q], tiebreak[q][:, keep])
            for n, s in scores.items()
            if n in listed or n in extra or n == CB_METHOD
        }
        counts = (
            f"queries {int(q.sum())}, candidates {int(keep.sum())}, relevant pairs "
            f"{int(rel.sum())} ({int((rel & split.followed[:, keep]).sum())} follow-ons), "
            f"pairs scored {int(q.sum()) * int(keep.sum()):,}"
        )
        tables.append(
            Table(
                f"crunchbase2013 split {start}, {name}", counts, results, CB_METHOD, listed, extra
            )
        )
    return tables


def check_index(composite: CrunchbaseComposite, split: Split, dense: np.ndarray) -> None:
    """The FAISS index over the composite vectors returns the same top-10 scores as P @ Q.T."""
    projects = composite.vectors(composite.blocks([[c] for c in split.companies], graded=False))
    investors = composite.vectors(
        composite.blocks([split.profile[q] for q in split.queries[:50]], graded=True)
    )
    index = VectorIndex().build(projects, np.arange(len(projects)))
    _ids, got = index.search(investors, K)
    want = -np.sort(-dense[:50], axis=1)[:, :K]
    assert np.allclose(got, want, atol=1e-4), "index scores differ from the dense composite"


# ---- 2. Chinese semantic matching ---------------------------------------------------------


def histogram_text(text: str) -> list[tuple[str, int]]:
    """Parse "企业服务36家 文娱内容游戏9家" (or "A轮56家、B轮47家") into (name, count)."""
    return [(name.strip("、 "), int(n)) for name, n in re.findall(r"([^\d、\s]+?)(\d+)家", text)]


def stage_names(counts: list[tuple[str, int]], least: float = 0.2) -> tuple[str, ...]:
    """Return the stages holding at least ``least`` of a round histogram."""
    staged = [(CN_ROUND_STAGE[n], c) for n, c in counts if n in CN_ROUND_STAGE]
    total = sum(c for _, c in staged)
    per: Counter[str] = Counter()
    for s, c in staged:
        per[s] += c
    return tuple(s for s, c in per.items() if total and c / total >= least)


@dataclass
class Company:
    cid: str
    name: str
    industry: str
    sub_industry: str
    description: str
    stage: str | None  # of its latest round
    events: int


def load_itjuzi(data: Path) -> tuple[list[Company], list[dict[str, str]], list[dict[str, str]]]:
    events = read_csv(data / "itjuzi_ai820" / "funding_events.csv")
    latest: dict[str, tuple[str, str]] = {}
    n_events = Counter(e["company_id"] for e in events)
    for e in events:
        if e["date"] >= latest.get(e["company_id"], ("", ""))[0]:
            latest[e["company_id"]] = (e["date"], e["round"])
    companies = [
        Company(
            c["company_id"],
            c["name"],
            c["industry"],
            c["sub_industry"],
            c["description"].strip(),
            CN_ROUND_STAGE.get(latest.get(c["company_id"], ("", ""))[1]),
            n_events[c["company_id"]],
        )
        for c in read_csv(data / "itjuzi_ai820" / "companies.csv")
    ]
    return companies, events, read_csv(data / "itjuzi_ai820" / "investments.csv")


def composite_fits(
    space: CompositeSpace,
    institutions: list[InstitutionProfile],
    projects: list[ProjectProfile],
    inst_text: np.ndarray,
    proj_text: np.ndarray,
    graded_sectors: list[list[tuple[str, float]]] | None,
) -> dict[str, np.ndarray]:
    """Return fit_b (q, c) per block through the product encoders.

    ``graded_sectors`` replaces the institution's sector block by its count-weighted labels
    (a portfolio histogram) instead of the product's equal-weight portfolio labels.
    """
    q = space.encode_institutions(institutions, inst_text)
    p = space.encode_projects(projects, proj_text)
    cut, scale = space.slices["sector"], np.sqrt(space.w["sector"])
    for i, labels in enumerate(graded_sectors or []):
        nodes = [(space.mapper.taxonomy.match_label(name), w) for name, w in labels]
        nodes = [(n, w) for n, w in nodes if n is not None]
        if nodes:
            q[i, cut] = scale * space.mapper.vector([n for n, _ in nodes], [w for _, w in nodes])
    return {b: q[:, c] @ p[:, c].T / space.w[b] for b, c in space.slices.items()}


def weighted(fits: dict[str, np.ndarray], weights: Weights) -> np.ndarray:
    """Return Σ w_b fit_b."""
    w = weights.normalised()
    return sum(w[b] * fits[b] for b in BLOCKS)


def chinese_tables(data: Path, encoder_name: str | None) -> list[Table]:
    companies, _events, _inv = load_itjuzi(data)
    pool, per = [], Counter()
    for c in sorted((c for c in companies if c.description), key=lambda c: stable_key(c.cid)):
        if per[c.industry] < 40:
            per[c.industry] += 1
            pool.append(c)
    investors = []
    for row in sorted(
        read_csv(data / "smoothnlp_cn" / "investors.csv"), key=lambda r: stable_key(r["org_id"])
    ):
        intro, sectors = row["介绍"].strip(), histogram_text(row["行业"])
        total = sum(n for _, n in sectors)
        if len(intro) < 20 or "暂无" in intro or total < 3:
            continue
        top = [
            SMOOTHNLP_TO_ITJUZI[s]
            for s, n in sorted(sectors, key=lambda x: -x[1])
            if s in SMOOTHNLP_TO_ITJUZI and n / total >= 0.1
        ][:3]
        if top:
            investors.append((row, intro, sectors, set(top)))
    relevant = np.array([[c.industry in top for c in pool] for *_r, top in investors])
    keep = relevant.any(axis=1)
    investors = [inv for inv, k in zip(investors, keep, strict=True) if k]
    relevant = relevant[keep]
    tiebreak = random_order(relevant.shape)
    encoder = get_encoder(encoder_name)
    space = CompositeSpace(encoder.dim)
    popularity = np.broadcast_to(np.array([c.events for c in pool], float), relevant.shape)
    tables = []
    for labelled in (True, False):
        queries = [
            intro + ("\n关注领域：" + "、".join(s for s, _ in sectors) if labelled else "")
            for _row, intro, sectors, _top in investors
        ]
        docs = [
            c.description + (f"\n行业：{c.industry}·{c.sub_industry}" if labelled else "")
            for c in pool
        ]
        q_vec, d_vec = encoder.encode(queries), encoder.encode(docs)
        tfidf = TfidfEncoder().fit(docs + queries)
        scores = {
            "random": np.zeros(relevant.shape),
            "popularity (funding events)": popularity,
            "TF-IDF char 1-3": tfidf.encode(queries) @ tfidf.encode(docs).T,
        }
        if labelled:
            names = [{s for s, _ in sectors} for _r, _i, sectors, _t in investors]
            scores["sector overlap (taxonomy nodes)"] = node_overlap(space, names, pool)
            scores["sector overlap (same label)"] = np.array(
                [[bool({c.industry, c.sub_industry} & n) for c in pool] for n in names], float
            )
        scores[f"text only ({encoder.name})"] = q_vec @ d_vec.T
        institutions = [
            InstitutionProfile(
                i,
                portfolio_sectors=tuple(s for s, _ in sectors) if labelled else (),
                stages=stage_names(histogram_text(row["轮次"])),
                text=intro,
            )
            for i, (row, intro, sectors, _t) in enumerate(investors)
        ]
        projects = [
            ProjectProfile(
                i,
                sectors=(c.industry, c.sub_industry) if labelled else (),
                stage=c.stage,
                text=c.description,
            )
            for i, c in enumerate(pool)
        ]
        graded = [[(s, float(n)) for s, n in inv[2]] for inv in investors] if labelled else None
        method = "composite (text+sector+stage)"
        fits = composite_fits(space, institutions, projects, q_vec, d_vec, graded)
        scores[method] = weighted(fits, Weights())
        results = {n: evaluate(s, relevant, tiebreak) for n, s in scores.items()}
        baselines = [n for n in scores if n not in (method, f"text only ({encoder.name})")]
        counts = (
            f"queries {len(investors)}, candidates {len(pool)} (≤ 40 per 行业 of "
            f"{len([c for c in companies if c.description])}: deterministic sub-sample), "
            f"relevant pairs {int(relevant.sum())}"
        )
        title = (
            "Chinese semantic, labels on both sides"
            if labelled
            else ("Chinese semantic, sector labels removed (free text only)")
        )
        tables.append(Table(title, counts, results, method, baselines, []))
    return tables


def node_overlap(space: CompositeSpace, names: list[set[str]], pool: list[Company]) -> np.ndarray:
    def nodes(labels: Sequence[str]) -> set[int]:
        return {n for _l, n in space.mapper.nodes_for(labels)}

    company_nodes = [nodes((c.industry, c.sub_industry)) for c in pool]
    return np.array([[bool(nodes(sorted(n)) & c) for c in company_nodes] for n in names], float)


# ---- 3. itjuzi time split ------------------------------------------------------------------


@dataclass
class ItjuziSplit:
    """Queries × candidates of one itjuzi time window, with block fits and baseline scores."""

    relevant: np.ndarray  # (q, c) bool
    followed: np.ndarray  # (q, c) bool: already in the investor's portfolio
    new: np.ndarray  # (c,) bool: no funding event before the split
    fits: dict[str, np.ndarray]
    baselines: dict[str, np.ndarray]
    text_only: np.ndarray


def itjuzi_split(data: Path, encoder: Encoder, start: str, end: str = "9999") -> ItjuziSplit:
    companies, events, investments = load_itjuzi(data)
    by_id = {c.cid: c for c in companies}
    dated = [r for r in investments if r["date"][:1].isdigit()]
    before = [r for r in dated if r["date"] < start]
    n_before = Counter(r["investor"] for r in before)
    later: dict[str, set[str]] = defaultdict(set)
    for r in dated:
        if start <= r["date"] < end:
            later[r["investor"]].add(r["company_id"])
    queries = sorted(q for q in later if n_before[q] >= 5)
    first: dict[str, dict[str, str]] = {}
    for e in sorted(events, key=lambda e: e["date"]):
        if start <= e["date"] < end and e["date"][:1].isdigit():
            first.setdefault(e["company_id"], e)
    cands = sorted(first, key=int)
    col = {c: i for i, c in enumerate(cands)}
    profile: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in before:
        profile[r["investor"]].append(r)
    relevant = np.zeros((len(queries), len(cands)), dtype=bool)
    for qi, q in enumerate(queries):
        relevant[qi, [col[c] for c in later[q]]] = True
    held = [sorted({r["company_id"] for r in profile[q]}) for q in queries]
    followed = np.array([[c in set(h) for c in cands] for h in held])
    prior_events = Counter(e["company_id"] for e in events if e["date"] < start)

    descriptions = {c.cid: c.description for c in companies}
    cand_text = encoder.encode([descriptions[c] for c in cands])
    row_of = {c: i for i, c in enumerate(sorted({c for h in held for c in h}))}
    port_vec = encoder.encode([descriptions[c] for c in row_of])
    centroids = normalize_rows(np.vstack([port_vec[[row_of[c] for c in h]].mean(0) for h in held]))
    industries = [Counter(by_id[r["company_id"]].industry for r in profile[q]) for q in queries]
    institutions = [
        InstitutionProfile(i, portfolio_sectors=tuple(industries[i]),
                           stages=stage_names([(r["round"], 1) for r in profile[q]]))
        for i, q in enumerate(queries)
    ]  # fmt: skip
    projects = [
        ProjectProfile(i, sectors=(by_id[c].industry, by_id[c].sub_industry),
                       stage=CN_ROUND_STAGE.get(first[c]["round"]))
        for i, c in enumerate(cands)
    ]  # fmt: skip
    graded = [[(s, float(n)) for s, n in ind.items()] for ind in industries]
    space = CompositeSpace(encoder.dim)
    fits = composite_fits(space, institutions, projects, centroids, cand_text, graded)
    docs = [descriptions[c] for c in cands]
    portfolios = ["\n".join(descriptions[c] for c in h) for h in held]
    tfidf = TfidfEncoder().fit(docs + portfolios)
    shape = relevant.shape
    baselines = {
        "random": np.zeros(shape),
        "popularity (events before split)": np.broadcast_to(
            np.array([prior_events[c] for c in cands], float), shape
        ),
        "sector overlap (portfolio 行业)": np.array(
            [[by_id[c].industry in ind for c in cands] for ind in industries], float
        ),
        "TF-IDF char 1-3 (portfolio texts)": tfidf.encode(portfolios) @ tfidf.encode(docs).T,
    }
    new = np.array([prior_events[c] == 0 for c in cands])
    return ItjuziSplit(relevant, followed, new, fits, baselines, centroids @ cand_text.T)


ITJUZI_VALIDATION = ("2017-01-01", "2018-01-01")


def itjuzi_tables(data: Path, encoder_name: str | None, start: str = "2018-01-01") -> list[Table]:
    encoder = get_encoder(encoder_name)
    val = itjuzi_split(data, encoder, *ITJUZI_VALIDATION)
    q, c = np.nonzero(np.ones_like(val.relevant))
    x = np.stack([val.fits[b][q, c] for b in BLOCKS], axis=1)
    fit = BlockWeightLearner(random_state=SEED).fit(x, val.relevant[q, c], q).result_
    m = fit.metrics
    print(f"\n# itjuzi_ai820: weights fitted on profiles < {ITJUZI_VALIDATION[0]}, outcomes "
          f"until {ITJUZI_VALIDATION[1]} ({val.relevant.shape[0]} investors, {m['positives']} "
          f"liked / {m['negatives']} passed, all candidates):\n  {fit.reason}\n"
          f"  used: {_weights_text(fit.recommended)}")  # fmt: skip

    split = itjuzi_split(data, encoder, start)
    method = f"composite ({'fitted' if fit.better else 'default'} w)"
    scores = dict(split.baselines)
    scores[f"text only ({encoder.name})"] = split.text_only
    scores[method] = weighted(split.fits, fit.recommended)
    if fit.better:
        scores["composite, default w"] = weighted(split.fits, Weights())
    as_fitted = "composite, w as fitted (rejected held out)"
    if fit.fitted and not fit.better:  # what the learner found, shown though it was not adopted
        scores[as_fitted] = weighted(split.fits, fit.weights)
    scores["follow-on (portfolio first)"] = split.followed.astype(float)
    tiebreak = random_order(split.relevant.shape)
    tables = []
    for name, keep in (("all candidates", np.ones_like(split.new)), ("new companies", split.new)):
        rel = split.relevant[:, keep]
        rows = rel.any(axis=1)
        extra = ["composite, default w", as_fitted, f"text only ({encoder.name})"]
        if name == "all candidates":
            extra.append("follow-on (portfolio first)")
        results = {
            n: evaluate(s[rows][:, keep], rel[rows], tiebreak[rows][:, keep])
            for n, s in scores.items()
            if n in split.baselines or n in extra or n == method
        }
        counts = (
            f"queries {int(rows.sum())}, candidates {int(keep.sum())} (companies with a round "
            f"after {start}), relevant pairs {int(rel.sum())} "
            f"({int((rel & split.followed[:, keep]).sum())} follow-ons)"
        )
        tables.append(Table(f"itjuzi_ai820 time split {start}, {name}", counts, results, method,
                            list(split.baselines), extra))  # fmt: skip
    return tables


# ---- main ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", choices=("crunchbase", "chinese", "itjuzi"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--encoder", default=None, help="text encoder (default: the product's)")
    args = parser.parse_args(argv)
    rounds = 500 if args.quick else 2000
    started = time.perf_counter()
    print(
        f"# ranking quality — {time.strftime('%Y-%m-%d')}; data {args.data}; seed {SEED}; "
        f"bootstrap {rounds}"
    )
    summary: list[tuple[str, dict[str, list[Comparison]]]] = []

    def run(tables: list[Table]) -> None:
        for table in tables:
            summary.append((table.title, print_table(table, rounds)))

    if args.only in (None, "crunchbase"):
        rows = load_crunchbase(args.data)
        texts = card_vectors(rows, args.encoder)
        print(
            f"\n# crunchbase2013: {len(rows):,} dated investment rows (duplicates dropped), "
            f"{len(texts):,} distinct cards embedded [{time.perf_counter() - started:.0f} s]"
        )
        weights = {}
        for name, vectors in (("text", texts), ("no text", None)):
            weights[name], account = fit_crunchbase_weights(rows, vectors)
            print(
                f"weights ({name}) fitted on the validation period (profiles < "
                f"{CB_VALIDATION[0]}, outcomes until {CB_VALIDATION[1]}):\n{account}"
            )
        for start in CB_SPLITS[:1] if args.quick else CB_SPLITS:
            run(crunchbase_tables(rows, start, weights, texts))
        print(f"[crunchbase done at {time.perf_counter() - started:.0f} s]")
    if args.only in (None, "chinese"):
        run(chinese_tables(args.data, args.encoder))
    if args.only in (None, "itjuzi"):
        run(itjuzi_tables(args.data, args.encoder))

    print("\n## summary: * / best baseline, ratio of means [95% bootstrap interval]; then vs (ref)")
    for title, out in summary:
        parts = []
        for metric, comparisons in out.items():
            label = "nDCG@10" if metric == "ndcg" else "R@50"
            (*_d, ratio, lo, hi, best), *refs = comparisons
            more = "".join(f"; {r[3]:.2f}× vs (ref) {r[6]}" for r in refs)
            parts.append(f"{label} {ratio:.2f}× [{lo:.2f}, {hi:.2f}] vs {best}{more}")
        print(f"- {title}:\n    " + "\n    ".join(parts))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    command = " ".join([".venv/bin/python benchmarks/ranking_quality.py", *sys.argv[1:]])
    print(f"reproduce: {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
