"""Ranking metrics per query, paired bootstrap intervals, and the printed tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SEED = 0
METRICS = {"ndcg": "nDCG@10", "r10": "R@10", "r50": "R@50", "mrr": "MRR"}


@dataclass
class Scored:
    """Per-query metrics of one method on one table, each (q,)."""

    ndcg: np.ndarray
    r10: np.ndarray
    r50: np.ndarray
    mrr: np.ndarray
    hits10: np.ndarray  # positives in the top 10 (counts, for small tables)
    hits50: np.ndarray


def evaluate(scores: np.ndarray, relevant: np.ndarray, tiebreak: np.ndarray) -> Scored:
    """Rank every row of ``scores`` (ties by ``tiebreak``, the same for every method).

    nDCG@10 has binary gains; R@k = hits in the top k / min(k, relevant), so a perfect ranking
    scores 1; MRR = 1 / rank of the first relevant candidate in the whole ranking.
    """
    order = np.lexsort((tiebreak, -np.asarray(scores, np.float64)), axis=1)
    hits = np.take_along_axis(relevant, order, axis=1)
    discounts = 1.0 / np.log2(np.arange(2, 12))
    n_rel = relevant.sum(axis=1)
    ideal = np.cumsum(discounts)[np.minimum(10, n_rel) - 1]
    return Scored(
        ndcg=hits[:, :10] @ discounts / ideal,
        r10=hits[:, :10].sum(axis=1) / np.minimum(10, n_rel),
        r50=hits[:, :50].sum(axis=1) / np.minimum(50, n_rel),
        mrr=1.0 / (np.argmax(hits, axis=1) + 1),
        hits10=hits[:, :10].sum(axis=1),
        hits50=hits[:, :50].sum(axis=1),
    )


def held_first(scores: np.ndarray, followed: np.ndarray) -> np.ndarray:
    """Return scores that rank each query's follow-ons (its portfolio companies) first, in their
    own order, then the rest: the product's shortlist rule (``ranking.shortlist.held_first``)."""
    s = np.asarray(scores, np.float64)
    low, high = s.min(axis=1, keepdims=True), s.max(axis=1, keepdims=True)
    return (s - low) / np.where(high > low, high - low, 1.0) + 2.0 * followed


def random_order(shape: tuple[int, ...]) -> np.ndarray:
    """Return the one tie-break order all methods share (seed 0)."""
    return np.random.default_rng(SEED).random(shape)


@dataclass
class Comparison:
    """The method against one other row on one metric, paired over queries."""

    other: str
    delta: float
    delta_ci: tuple[float, float]
    ratio: float
    ratio_ci: tuple[float, float]
    wins: int  # queries where the method scores higher
    ties: int
    losses: int


def compare(
    method: np.ndarray,
    other: np.ndarray,
    name: str,
    rounds: int,
    clusters: np.ndarray | None = None,
) -> Comparison:
    """Return Δ and the ratio of means with paired bootstrap 95 % intervals (same resamples).

    The bootstrap resamples queries; with ``clusters`` (one label per query) it resamples whole
    clusters instead — an investor that is a query in several time windows is drawn with all of
    its queries, so its correlated queries do not pass for independent evidence.
    """
    rng = np.random.default_rng(SEED)
    labels = np.arange(len(method)) if clusters is None else np.asarray(clusters)
    _, group = np.unique(labels, return_inverse=True)
    k = int(group.max()) + 1
    size = np.bincount(group, minlength=k)
    idx = rng.integers(0, k, (rounds, k))
    n = size[idx].sum(axis=1)
    m = np.bincount(group, weights=method, minlength=k)[idx].sum(axis=1) / n
    b = np.bincount(group, weights=other, minlength=k)[idx].sum(axis=1) / n
    ratio = m / np.where(b > 0, b, np.nan)
    lo, hi = np.nanpercentile(ratio, [2.5, 97.5])
    d_lo, d_hi = np.percentile(m - b, [2.5, 97.5])
    return Comparison(
        name,
        float(method.mean() - other.mean()),
        (float(d_lo), float(d_hi)),
        float(method.mean() / max(other.mean(), 1e-12)),
        (float(lo), float(hi)),
        int((method > other + 1e-12).sum()),
        int((np.abs(method - other) <= 1e-12).sum()),
        int((method < other - 1e-12).sum()),
    )


@dataclass
class Table:
    """One evaluation: counts, every row's per-query metrics, which rows are baselines.

    ``extra`` rows are printed for reference, not counted as baselines: variants of the method
    (names starting "composite") and honest signals outside content matching (e.g. follow-on).
    """

    title: str
    counts: str
    results: dict[str, Scored]
    method: str
    baselines: list[str]
    extra: list[str] = field(default_factory=list)
    queries: int = 0
    clusters: np.ndarray | None = None  # per query, for a cluster bootstrap (see compare)
    # rows (among ``extra``) that stand against the best baseline as the method does: a
    # candidate for the default, e.g. the learned reranker
    contenders: list[str] = field(default_factory=list)

    def references(self) -> list[str]:
        """Return the (ref) rows that are baselines in spirit (not variants of the method)."""
        return [
            n
            for n in self.extra
            if not n.startswith(("composite", "text only")) and n not in self.contenders
        ]

    def best(self, metric: str) -> str:
        """Return the baseline with the highest mean on ``metric``."""
        return max(self.baselines, key=lambda n: getattr(self.results[n], metric).mean())


Summary = dict[str, list[Comparison]]


def print_table(table: Table, rounds: int) -> Summary:
    """Print the table, then per metric the method vs the best baseline (and each reference)."""
    print(f"\n## {table.title}\n{table.counts}")
    width = max(len(name) for name in table.results) + 2
    header = "".join(f"{label:>9}" for label in METRICS.values())
    print(f"{'method':<{width}}{header}  hits@10 hits@50")
    for name, s in table.results.items():
        tag = " *" if name == table.method else (" (ref)" if name in table.extra else "")
        tag = " (contender)" if name in table.contenders else tag
        values = "".join(f"{getattr(s, m).mean():>9.4f}" for m in METRICS)
        print(f"{name:<{width}}{values}{s.hits10.sum():>9}{s.hits50.sum():>8}{tag}")
    out: Summary = {}
    for metric, label in METRICS.items():
        if all((getattr(s, metric) == 1).all() for s in table.results.values()):
            print(f"{label}: 1 for every row (no more candidates than the cut-off)")
            continue
        mine = getattr(table.results[table.method], metric)
        others = [table.best(metric), *table.references()]
        out[metric] = [
            compare(mine, getattr(table.results[n], metric), n, rounds, table.clusters)
            for n in others
        ]
        for i, c in enumerate(out[metric]):
            what = f"best baseline ({c.other})" if i == 0 else f"(ref) {c.other}"
            print(
                f"{label}: * − {what} = {c.delta:+.4f} [95% {c.delta_ci[0]:+.4f}, "
                f"{c.delta_ci[1]:+.4f}]; ratio {c.ratio:.2f}× [95% {c.ratio_ci[0]:.2f}, "
                f"{c.ratio_ci[1]:.2f}]; queries * better/tie/worse {c.wins}/{c.ties}/{c.losses}"
            )
    return out


def print_contenders(table: Table, rounds: int) -> list[tuple[str, Summary]]:
    """Print each contender against the best baseline, per metric, as the method's lines are;
    return one summary entry per contender."""
    entries = []
    for name in table.contenders:
        out: Summary = {}
        for metric, label in METRICS.items():
            if all((getattr(s, metric) == 1).all() for s in table.results.values()):
                continue
            best = table.best(metric)
            mine, theirs = table.results[name], table.results[best]
            c = compare(
                getattr(mine, metric), getattr(theirs, metric), best, rounds, table.clusters
            )
            out[metric] = [c]
            print(
                f"{label}: {name} − best baseline ({best}) = {c.delta:+.4f} [95% "
                f"{c.delta_ci[0]:+.4f}, {c.delta_ci[1]:+.4f}]; ratio {c.ratio:.2f}× [95% "
                f"{c.ratio_ci[0]:.2f}, {c.ratio_ci[1]:.2f}]; queries better/tie/worse "
                f"{c.wins}/{c.ties}/{c.losses}"
            )
        entries.append((f"{table.title} — {name}", out))
    return entries


def print_summary(summary: list[tuple[str, Summary]]) -> None:
    """Print one line per table and metric: the ratio to the best baseline and its interval."""
    print("\n## summary: * / best baseline, ratio of means [paired 95% bootstrap interval], Δ")
    for title, out in summary:
        parts = []
        for metric, (best, *refs) in out.items():
            more = "".join(f"; {r.ratio:.2f}× vs (ref) {r.other}" for r in refs)
            parts.append(
                f"{METRICS[metric]} {best.ratio:.2f}× [{best.ratio_ci[0]:.2f}, "
                f"{best.ratio_ci[1]:.2f}], Δ {best.delta:+.4f} [{best.delta_ci[0]:+.4f}, "
                f"{best.delta_ci[1]:+.4f}] vs {best.other} (queries {best.wins}/{best.ties}/"
                f"{best.losses}){more}"
            )
        print(f"- {title}:\n    " + "\n    ".join(parts))
