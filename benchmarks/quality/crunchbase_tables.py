"""crunchbase2013 through the product's composite: blocks, fitted weights, the tables.

The composite (``CompositeSpace`` layout, one inner product, checked against the FAISS index
through ``ranking.shortlist.rank``): sector = a flat taxonomy of the category codes; region = the
33 commonest metro regions of the profile period + "other US", "(unlisted)" on the neutral
coordinate; stage = round type → ``Stage``; ticket = round size at 6.2 yuan per USD in the
composite's buckets; text = the default encoder on the company's only descriptive text, a "card"
of its category and city/metro/state names; needs unused. Investor side graded: √share of its
portfolio on each coordinate, and the normalised mean of its cards as the profile text. Its
portfolio entries have no description, so the product makes no views of them
(``portfolio.view_text``); the (ref) row "cards as views" shows what views of cards would do.
Weights: ``BlockWeightLearner`` on a validation period inside the training data (profiles before
2012-01-01, outcomes in 2012, 100 random passes per investor weighted to stand for the rest),
applied unchanged at both splits; each (ref) variant has its own fit.

Baselines (every one is a candidate for "best baseline"): the overlaps, TF-IDF and BM25 on the
portfolio's cards (quality/bm25.py: query terms 1 + log tf), and the untuned profile shares
(Σ of the investor's portfolio share of the candidate's category, region, round type and
amount bucket). Only variants of the method and the follow-on signal are (ref) rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from quality.common import weights_text
from quality.crunchbase import (
    UNLISTED,
    USD_TO_YUAN,
    Row,
    Split,
    baselines,
    card,
    make_split,
)
from quality.metrics import SEED, Table, evaluate, held_first, random_order

from matchmaker.domain import Stage
from matchmaker.embeddings import get_encoder, normalize_rows
from matchmaker.embeddings.composite import (
    BLOCKS,
    N_TICKET,
    STAGES,
    CompositeSpace,
    Weights,
    ticket_bucket,
)
from matchmaker.embeddings.index import VectorIndex
from matchmaker.embeddings.regions import DIM as REGION_SLOTS
from matchmaker.embeddings.taxonomy import SectorMapper, Taxonomy
from matchmaker.embeddings.views import PORTFOLIO_SHARE, InstitutionViews, build_views
from matchmaker.ranking.shortlist import rank
from matchmaker.ranking.weights import BlockWeightLearner

SPLITS = ("2013-01-01", "2013-07-01")
VALIDATION = ("2012-01-01", "2013-01-01")
ROUND_STAGE = {
    "angel": "angel", "crowdfunding": "seed", "series-a": "a", "series-b": "b_plus",
    "series-c+": "b_plus", "private-equity": "b_plus", "post-ipo": "b_plus",
}  # fmt: skip
METHOD = "matchmaker composite (fitted w; follow-ons first)"
CARD_VIEWS = f"composite + cards as views (s = {PORTFOLIO_SHARE}; its own fitted w)"
PROFILE = "profile shares (category+region+round+amount)"
EXTRA = (
    "follow-on (portfolio first)",
    "composite, default w",
    "composite w/o text block (fitted w)",
    CARD_VIEWS,
)


class CrunchbaseComposite:
    """Investors and companies as ``CompositeSpace`` blocks; ``texts`` maps a card to its unit
    vector (None leaves the text block empty, width 0)."""

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
        stage = ROUND_STAGE.get(row.round_type)
        return {
            "sector": self.mapper.taxonomy.match_label(row.category),
            "stage": STAGES.index(Stage(stage)) if stage else len(STAGES),
            "ticket": ticket_bucket(round(row.usd * USD_TO_YUAN)) if row.usd else N_TICKET,
            "region": REGION_SLOTS if row.region == UNLISTED
            else self.places.get(row.region, REGION_SLOTS - 1),
        }  # fmt: skip

    def blocks(self, rows_per_side: Sequence[Sequence[Row]], graded: bool) -> dict[str, np.ndarray]:
        """Return unscaled blocks: a single round's one-hots, or a portfolio's √shares; the text
        block is the card vector, or for a portfolio the normalised mean of its cards."""
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

    def views(self, split: Split, queries: Sequence[str], share: float) -> InstitutionViews:
        """Return the product's views of ``queries``: their cards, most recent first."""
        investors = self.vectors(self.blocks([split.profile[q] for q in queries], graded=True))
        entries = [np.array([self.texts[card(r)] for r in split.profile[q]]) for q in queries]
        return build_views(self.space, investors, entries, share=share)


def block_fits(
    composite: CrunchbaseComposite, split: Split, share: float = PORTFOLIO_SHARE
) -> dict[str, np.ndarray]:
    """Return fit_b (q, c) per block for every query × candidate, the text block as the product
    scores it: (1 − s)·cos(profile) + s·(nearest view's card), computed card by card."""
    investors = composite.blocks([split.profile[q] for q in split.queries], graded=True)
    companies = composite.blocks([[c] for c in split.companies], graded=False)
    fits = {b: investors[b] @ companies[b].T for b in BLOCKS}
    if not composite.texts or share == 0:
        return fits
    views = composite.views(split, split.queries, share)
    cards = sorted(composite.texts)
    row = {c: i for i, c in enumerate(cards)}
    matrix = np.stack([composite.texts[c] for c in cards])
    similar = matrix @ matrix[[row[card(c)] for c in split.companies]].T  # (cards, c)
    nearest = np.empty_like(fits["text"])
    for i, q in enumerate(split.queries):
        chosen = views.entry[views.rows(i)]
        nearest[i] = similar[[row[card(split.profile[q][j])] for j in chosen]].max(axis=0)
    fits["text"] = (1 - share) * fits["text"] + share * nearest
    return fits


def fit_weights(
    rows: list[Row], texts: dict[str, np.ndarray] | None, share: float, negatives: int = 100
) -> tuple[Weights, str]:
    """Fit the weights on the validation period; return them and a printable account.

    Pairs: every (investor, company it funded in 2012) as liked, and ``negatives`` companies
    drawn at random from the rest as passed, each standing for (candidates − liked) /
    ``negatives`` of them (``sample_weight``), so ranks and nDCG are those of the full list.
    """
    split = make_split(rows, *VALIDATION)
    fits = block_fits(CrunchbaseComposite(split.before, Weights(), texts), split, share)
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
        f"passes; held out (30% of investors): nDCG@10 "
        f"{m.get('ndcg_fitted', float('nan')):.4f} fitted vs "
        f"{m.get('ndcg_default', float('nan')):.4f} default; {result.result_.reason}; "
        f"used: {weights_text(result.result_.recommended)}"
    )
    return result.result_.recommended, text


def card_vectors(rows: list[Row], encoder_name: str | None) -> dict[str, np.ndarray]:
    """Embed every distinct card once (a card's vector depends on nothing but its text)."""
    cards = sorted({card(r) for r in rows})
    return dict(zip(cards, get_encoder(encoder_name).encode(cards), strict=True))


def tables(
    rows: list[Row],
    start: str,
    weights: dict[str, Weights],
    texts: dict[str, np.ndarray],
    reranked: tuple[str, np.ndarray] | None = None,
) -> list[Table]:
    """Return the split's two tables: all candidates, and new companies only.

    ``reranked``: a contender row's name and its (q, c) scores of this split's pairs (the
    learned reranker, quality/crunchbase_rerank.py); follow-ons first, as for the method.
    """
    split = make_split(rows, start)
    tiebreak = random_order(split.relevant.shape)
    scores = baselines(split)
    listed = list(scores)
    share = {}
    for feature in ("category", "region", "round", "amount"):
        counts, codes = split.histogram(feature)
        share[feature] = counts[:, codes] / counts.sum(axis=1, keepdims=True)
    scores[PROFILE] = sum(share.values())
    listed.append(PROFILE)
    scores[EXTRA[0]] = split.followed.astype(float)
    composite = CrunchbaseComposite(split.before, weights["text"], texts)
    fits = block_fits(composite, split, share=0.0)  # the product: cards make no views
    plan = ((METHOD, weights["text"]), (EXTRA[1], Weights()), (EXTRA[2], weights["no text"]))
    for name, w in plan:
        scores[name] = sum(w.normalised()[b] * fits[b] for b in BLOCKS)
    viewed = block_fits(composite, split, share=PORTFOLIO_SHARE)
    scores[CARD_VIEWS] = sum(weights["card views"].normalised()[b] * viewed[b] for b in BLOCKS)
    check_index(composite, split, scores[METHOD])
    # the product's shortlist shows an investor's own portfolio companies first; so may the
    # baselines (only the all-candidates table has follow-ons)
    scores[METHOD] = held_first(scores[METHOD], split.followed)
    contenders = []
    if reranked is not None:
        contenders.append(reranked[0])
        scores[reranked[0]] = held_first(reranked[1], split.followed)
    ruled = []
    text_rivals = ("BM25 (portfolio cards joined)", "TF-IDF word 1-2 (portfolio cards joined)")
    for name in (*text_rivals, PROFILE):
        ruled.append(f"follow-ons first, then {name}")
        scores[ruled[-1]] = held_first(scores[name], split.followed)

    out = []
    new = split.prior_investors == 0
    for name, keep in (("all candidates", np.ones_like(new)), ("new companies only", new)):
        rel = split.relevant[:, keep]
        q = rel.any(axis=1)
        extra = [n for n in EXTRA if name == "all candidates" or "follow-on" not in n]
        extra += contenders
        rivals = listed + (ruled if name == "all candidates" else [])
        results = {
            n: evaluate(s[q][:, keep], rel[q], tiebreak[q][:, keep])
            for n, s in scores.items()
            if n in rivals or n in extra or n == METHOD
        }
        counts = (
            f"queries {int(q.sum())}, candidates {int(keep.sum())}, positives {int(rel.sum())} "
            f"({int((rel & split.followed[:, keep]).sum())} follow-ons), "
            f"pairs scored {int(q.sum()) * int(keep.sum()):,}\n"
            "disclosed: a candidate's round type and size are those of its first round after "
            "the split, the round the positives joined; size carries outcome information (a "
            "bigger round has more investors) and is used alike by the composite's ticket block "
            "and the profile-shares baseline"
        )
        title = f"crunchbase2013 split {start}, {name}"
        out.append(Table(title, counts, results, METHOD, rivals, extra, contenders=contenders))
    return out


def check_index(composite: CrunchbaseComposite, split: Split, dense: np.ndarray) -> None:
    """The product's search (FAISS over the projects, ``rank`` over an investor's views: here
    one each) returns the same top-10 scores as the dense composite, for the first 50 investors."""
    projects = composite.vectors(composite.blocks([[c] for c in split.companies], graded=False))
    views = composite.views(split, split.queries[:50], share=0.0)
    index = VectorIndex(hnsw_threshold=len(projects)).build(projects, np.arange(len(projects)))
    for i in range(min(50, len(split.queries))):
        got = [score for _id, score in rank(index, views.vectors[views.rows(i)], 10)]
        want = -np.sort(-dense[i])[:10]
        assert np.allclose(got, want, atol=1e-4), "index scores differ from the dense composite"


def print_validation(
    rows: list[Row], texts: dict[str, np.ndarray], weights: dict[str, Weights]
) -> None:
    """Print the validation period's tables for the product (no views of cards) and for cards as
    views: the evidence behind ``portfolio.view_text``."""
    split = make_split(rows, *VALIDATION)
    composite = CrunchbaseComposite(split.before, Weights(), texts)
    tiebreak = random_order(split.relevant.shape)
    new = split.prior_investors == 0
    for name, share, w in (
        ("product", 0.0, weights["text"]),
        ("cards as views", PORTFOLIO_SHARE, weights["card views"]),
    ):
        fits = block_fits(composite, split, share)
        score = sum(w.normalised()[b] * fits[b] for b in BLOCKS)
        cells = []
        for kind, keep in (("all candidates", np.ones_like(new)), ("new companies", new)):
            rel = split.relevant[:, keep]
            q = rel.any(axis=1)
            r = evaluate(score[q][:, keep], rel[q], tiebreak[q][:, keep])
            ndcg, mrr = r.ndcg.mean(), r.mrr.mean()
            cells.append(f"{kind} (queries {int(q.sum())}) nDCG@10 {ndcg:.4f} MRR {mrr:.4f}")
        print(f"  validation, {name}: " + "; ".join(cells))
