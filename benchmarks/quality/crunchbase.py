"""crunchbase2013: investment rows, time splits, company cards and the simple baselines.

Queries: investors with ≥ 5 investments before the split and ≥ 1 after. Candidates: every
company with a round after the split (the second table keeps only new companies: no investor
before the split). Positives: the companies the investor funded after the split. A candidate is
described only by its static fields (category, place) and its *first* round after the split
(round type, round size); never by who else invested after the split or by its later rounds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from quality.bm25 import bm25
from quality.common import read_csv
from sklearn.feature_extraction.text import TfidfVectorizer

from matchmaker.embeddings.composite import ticket_bucket

UNLISTED = "(unlisted)"
USD_TO_YUAN = 6.2  # the 2013 average


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
    """Read investments_enriched.csv; drop undated rows and (company, investor, date) twins.

    Companies missing from the US company list (mostly non-US) get "(unlisted)" as category and
    place, for every method alike.
    """
    out, seen = [], set()
    for r in read_csv(data / "crunchbase2013" / "investments_enriched.csv"):
        key = (r["company_name"], r["investor_name"], r["funded_when"])
        if not r["funded_when"] or key in seen:
            continue
        seen.add(key)
        usd = r["round_raised_amount_usd"] or r["amount_usd"]  # both are the round's total
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
    profile: dict[str, list[Row]]  # each query's rows before the split, most recent first
    prior_investors: np.ndarray  # (c,) investors before the split
    followed: np.ndarray  # (q, c) bool: the company is already in the investor's portfolio
    before: list[Row]  # every row before the split

    def histogram(self, feature: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (q, v) counts of the feature over each profile and (c,) candidate codes."""
        get = FEATURES[feature]
        names = sorted({get(r) for r in self.before} | {get(c) for c in self.companies})
        values = {v: i for i, v in enumerate(names)}
        counts = np.zeros((len(self.queries), len(values)))
        for qi, q in enumerate(self.queries):
            for r in self.profile[q]:
                counts[qi, values[get(r)]] += 1
        return counts, np.array([values[get(c)] for c in self.companies])


def make_split(rows: list[Row], start: str, end: str = "9999") -> Split:
    """Profiles before ``start``, outcomes in [start, end)."""
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
    for r in sorted(before, key=lambda r: (r.date, r.company), reverse=True):
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


def baselines(split: Split) -> dict[str, np.ndarray]:
    """Return the simple baselines' (q, c) scores: popularity, overlaps, TF-IDF and BM25 on cards.

    Popularity = investors before the split (0 for every new company). TF-IDF: word uni- and
    bigrams of the cards (English), the portfolio's cards joined (with repeats) or its nearest.
    """
    scores: dict[str, np.ndarray] = {"random": np.zeros(split.relevant.shape)}
    scores["popularity (investors before split)"] = np.broadcast_to(
        split.prior_investors, split.relevant.shape
    )
    overlap = {}
    for feature in FEATURES:
        counts, codes = split.histogram(feature)
        overlap[feature] = (counts[:, codes] > 0).astype(float)
    for feature in ("category", "state", "region", "city", "round"):
        scores[f"{feature} overlap"] = overlap[feature]
    for place in ("state", "region", "city"):
        scores[f"category+{place} overlap"] = overlap["category"] + overlap[place]
    cards = sorted({card(r) for r in split.before} | {card(c) for c in split.companies})
    row = {c: i for i, c in enumerate(cards)}
    vectorizer = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
    matrix = vectorizer.fit_transform(cards)
    docs = matrix[[row[card(c)] for c in split.companies]]
    joined = [" \n ".join(card(r) for r in split.profile[q]) for q in split.queries]
    scores["TF-IDF word 1-2 (portfolio cards joined)"] = (
        vectorizer.transform(joined) @ docs.T
    ).toarray()
    scores["BM25 (portfolio cards joined)"] = bm25(
        joined, [card(c) for c in split.companies], chinese=False
    )
    similar = (matrix @ docs.T).toarray()  # (cards, c)
    held = [sorted({row[card(r)] for r in split.profile[q]}) for q in split.queries]
    scores["TF-IDF word 1-2 (nearest portfolio card)"] = np.vstack(
        [similar[h].max(axis=0) for h in held]
    )
    return scores
