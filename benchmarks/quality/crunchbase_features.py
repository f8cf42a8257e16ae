"""crunchbase2013: named pair features for the learned reranker, known before each window's start.

For a window [start, end) (``crunchbase.make_split``): queries are the investors with ≥ 5 rows
before ``start`` and ≥ 1 in the window, candidates the companies with a round in it. Every
feature of a (query, candidate) pair uses rows dated before ``start`` only, plus the candidate's
static fields and its first round in the window (type and size: the same disclosure as every
other row of the tables). The company list's ``founded_at`` is a static field; its other rounds
(``rounds_us_oct2013.csv``) count only when dated before ``start``.

Groups of columns: the composite's per-block fits and its score; the untuned profile share of
each facet, over the whole portfolio and over its last two years; BM25 and TF-IDF on the cards;
the investor's history (portfolio size, days since its last round, rounds in the last 1/2/4
years, share of its rounds that were a company's first known round, its usual round size);
co-investor links (how many of the investor's past co-investors already hold the candidate);
the candidate's side (company age, rounds and investors before ``start``, round size, how busy
its category and metro were in the year before ``start``); and a few within-query ranks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from quality.common import read_csv
from quality.crunchbase import Row, Split, baselines
from quality.crunchbase_tables import CrunchbaseComposite, block_fits
from scipy import sparse

from matchmaker.embeddings.composite import BLOCKS, Weights

PROFILE_FACETS = ("category", "state", "region", "city", "round", "amount")


@dataclass(frozen=True)
class CompanyFacts:
    """Static facts of companies by name: founding date and the dates of listed rounds."""

    founded: dict[str, str]
    rounds: dict[str, list[str]]


def load_facts(data: Path) -> CompanyFacts:
    """Read founded_at (investments_enriched.csv) and round dates (rounds_us_oct2013.csv)."""
    folder = data / "crunchbase2013"
    founded = {
        r["company_name"]: r["founded_at"]
        for r in read_csv(folder / "investments_enriched.csv")
        if r["founded_at"]
    }
    rounds: dict[str, list[str]] = defaultdict(list)
    for r in read_csv(folder / "rounds_us_oct2013.csv"):
        if r["funded_at"]:
            rounds[r["company_name"]].append(r["funded_at"])
    return CompanyFacts(founded, dict(rounds))


def days(a: str, b: str) -> float:
    """Return the days from date ``a`` to date ``b`` (ISO strings)."""
    return float((date.fromisoformat(b[:10]) - date.fromisoformat(a[:10])).days)


def shifted(start: str, years: int) -> str:
    return f"{int(start[:4]) - years}{start[4:]}"


def window_rank(matrix: np.ndarray) -> np.ndarray:
    """Return each row's candidates ranked by ``matrix`` as a percentile in [0, 1], 1 best."""
    order = np.argsort(np.argsort(matrix, axis=1, kind="stable"), axis=1, kind="stable")
    return (order / max(1, matrix.shape[1] - 1)).astype(np.float32)


def pair_features(
    split: Split, start: str, weights: Weights, texts: dict[str, np.ndarray], facts: CompanyFacts
) -> dict[str, np.ndarray]:
    """Return every named (q, c) feature matrix of ``split`` (float32)."""
    q, c = split.relevant.shape
    out: dict[str, np.ndarray] = {}
    composite = CrunchbaseComposite(split.before, weights, texts)
    fits = block_fits(composite, split, share=0.0)
    w = weights.normalised()
    for b in BLOCKS:
        if b != "needs":
            out[f"fit {b}"] = fits[b]
    out["composite"] = sum(w[b] * fits[b] for b in BLOCKS)
    for feature in PROFILE_FACETS:
        counts, codes = split.histogram(feature)
        out[f"share {feature}"] = counts[:, codes] / counts.sum(axis=1, keepdims=True)
    out["profile shares"] = sum(
        out[f"share {f}"] for f in ("category", "region", "round", "amount")
    )
    recent = shifted(start, 2)
    for feature in ("category", "region"):
        counts, codes = _recent_histogram(split, feature, recent)
        total = counts.sum(axis=1, keepdims=True)
        out[f"recent share {feature}"] = counts[:, codes] / np.where(total > 0, total, 1)
    rivals = baselines(split)
    out["bm25"] = rivals["BM25 (portfolio cards joined)"]
    out["tfidf joined"] = rivals["TF-IDF word 1-2 (portfolio cards joined)"]
    out["tfidf nearest"] = rivals["TF-IDF word 1-2 (nearest portfolio card)"]
    for name in ("composite", "bm25", "profile shares"):
        out[f"rank {name}"] = window_rank(out[name])

    investor = _investor_history(split, start)
    for name, values in investor.items():
        out[name] = np.broadcast_to(values[:, None], (q, c))
    company = _company_side(split, start, facts)
    for name, values in company.items():
        out[name] = np.broadcast_to(values[None, :], (q, c))
    size = np.log10(np.array([r.usd or np.nan for r in split.companies]))
    out["ticket distance"] = np.abs(size[None, :] - investor["investor log round size"][:, None])
    out["co-investor links"] = _co_investor_links(split)
    out["followed"] = split.followed.astype(float)
    return {k: np.asarray(v, dtype=np.float32) for k, v in out.items()}


def _recent_histogram(split: Split, feature: str, since: str) -> tuple[np.ndarray, np.ndarray]:
    """Like ``Split.histogram`` over each profile's rows dated on or after ``since``."""
    from quality.crunchbase import FEATURES

    get = FEATURES[feature]
    names = sorted({get(r) for r in split.before} | {get(x) for x in split.companies})
    values = {v: i for i, v in enumerate(names)}
    counts = np.zeros((len(split.queries), len(values)))
    for qi, query in enumerate(split.queries):
        for r in split.profile[query]:
            if r.date >= since:
                counts[qi, values[get(r)]] += 1
    return counts, np.array([values[get(x)] for x in split.companies])


def _investor_history(split: Split, start: str) -> dict[str, np.ndarray]:
    first_date: dict[str, str] = {}
    for r in split.before:
        if r.company not in first_date or r.date < first_date[r.company]:
            first_date[r.company] = r.date
    out: dict[str, list[float]] = defaultdict(list)
    for query in split.queries:
        rows: list[Row] = split.profile[query]
        out["investor rounds (log)"].append(np.log1p(len(rows)))
        out["investor days since last"].append(days(rows[0].date, start))
        for years in (1, 2, 4):
            since = shifted(start, years)
            out[f"investor rounds last {years}y"].append(sum(r.date >= since for r in rows))
        out["investor first-round share"].append(
            np.mean([r.date == first_date[r.company] for r in rows])
        )
        sizes = [np.log10(r.usd) for r in rows if r.usd]
        out["investor log round size"].append(float(np.median(sizes)) if sizes else np.nan)
    return {k: np.array(v, dtype=float) for k, v in out.items()}


def _company_side(split: Split, start: str, facts: CompanyFacts) -> dict[str, np.ndarray]:
    dated = defaultdict(set)
    for r in split.before:
        dated[r.company].add(r.date)
    year_ago = shifted(start, 1)
    category = Counter(r.category for r in split.before if r.date >= year_ago)
    metro = Counter(r.region for r in split.before if r.date >= year_ago)
    total = max(1, sum(category.values()))
    out: dict[str, list[float]] = defaultdict(list)
    for row in split.companies:
        founded = facts.founded.get(row.company)
        out["company age (days)"].append(days(founded, start) if founded else np.nan)
        listed = {d for d in facts.rounds.get(row.company, []) if d < start}
        out["company rounds before"].append(len(listed | dated[row.company]))
        out["company log round size"].append(np.log10(row.usd) if row.usd else np.nan)
        out["category activity last year"].append(category[row.category] / total)
        out["metro activity last year"].append(metro[row.region] / total)
    values = {k: np.array(v, dtype=float) for k, v in out.items()}
    values["company investors before"] = split.prior_investors.astype(float)
    return values


def _co_investor_links(split: Split) -> np.ndarray:
    """Return (q, c): how many investors that shared a company with the query before the split
    already invested in the candidate before it (0 for every new company)."""
    investors = sorted({r.investor for r in split.before})
    companies = sorted({r.company for r in split.before})
    iid = {n: i for i, n in enumerate(investors)}
    cid = {n: i for i, n in enumerate(companies)}
    held = sparse.csr_matrix(
        (
            np.ones(len(split.before)),
            ([iid[r.investor] for r in split.before], [cid[r.company] for r in split.before]),
        ),
        shape=(len(investors), len(companies)),
    )
    held.data[:] = 1.0
    held.sum_duplicates()
    held.data[:] = 1.0
    rows = held[[iid[q] for q in split.queries]]
    partners = (rows @ held.T).tocsr()
    partners.data[:] = 1.0
    for i, q in enumerate(split.queries):  # an investor is not its own co-investor
        partners[i, iid[q]] = 0.0
    partners.eliminate_zeros()
    columns = [cid.get(x.company, -1) for x in split.companies]
    present = np.array([j >= 0 for j in columns])
    out = np.zeros((len(split.queries), len(split.companies)))
    if present.any():
        picked = held[:, [j for j in columns if j >= 0]]
        out[:, present] = (partners @ picked).toarray()
    return out
