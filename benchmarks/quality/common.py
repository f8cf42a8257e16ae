"""What the quality benchmarks share: data readers, IT桔子 round names, the product's block fits."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matchmaker.embeddings.composite import BLOCKS, CompositeSpace, Weights
from matchmaker.embeddings.views import InstitutionViews

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "benchdata"

# IT桔子 round names (smoothnlp 轮次, itjuzi round) → Stage; others (战略, 并购 …) say nothing.
CN_ROUND_STAGE = {
    "种子轮": "seed", "天使轮": "angel", "Pre-A轮": "pre_a", "A轮": "a", "A+轮": "a",
    "Pre-B轮": "b_plus", "B轮": "b_plus", "B+轮": "b_plus", "C轮": "b_plus", "C+轮": "b_plus",
    "D轮": "b_plus", "D+轮": "b_plus", "E轮": "b_plus",
}  # fmt: skip


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def stable_key(text: str) -> str:
    """Return a fixed pseudo-random sort key (deterministic sub-samples)."""
    return hashlib.sha1(text.encode()).hexdigest()


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
    """An itjuzi company: static fields of the 2018-12 export."""

    cid: str
    name: str
    industry: str
    sub_industry: str
    location: str
    description: str
    events: int

    @property
    def province(self) -> str:
        return self.location.split("-")[0]


def load_itjuzi(data: Path) -> tuple[list[Company], list[dict[str, str]], list[dict[str, str]]]:
    """Return companies, funding events and (event, investor) rows."""
    events = read_csv(data / "itjuzi_ai820" / "funding_events.csv")
    n_events = Counter(e["company_id"] for e in events)
    companies = [
        Company(
            c["company_id"],
            c["name"],
            c["industry"],
            c["sub_industry"],
            c["location"],
            c["description"].strip(),
            n_events[c["company_id"]],
        )
        for c in read_csv(data / "itjuzi_ai820" / "companies.csv")
    ]
    return companies, events, read_csv(data / "itjuzi_ai820" / "investments.csv")


def product_fits(
    space: CompositeSpace, institutions: np.ndarray, views: InstitutionViews, projects: np.ndarray
) -> dict[str, np.ndarray]:
    """Return fit_b (q, c) per block as the product scores pairs: the text block of the winning
    view (views differ only there, so the view that wins the score wins the text block)."""
    out = {}
    for block, cut in space.slices.items():
        if block == "text":
            per_view = views.vectors[:, cut] @ projects[:, cut].T
            best = np.maximum.reduceat(per_view, views.start[:-1], axis=0)
            out[block] = best / space.w[block]
        else:
            out[block] = institutions[:, cut] @ projects[:, cut].T / space.w[block]
    return out


def weighted(fits: dict[str, np.ndarray], weights: Weights) -> np.ndarray:
    """Return Σ w_b fit_b."""
    w = weights.normalised()
    return sum(w[b] * fits[b] for b in BLOCKS)


def weights_text(weights: Weights) -> str:
    return " ".join(f"{b}={v:.3f}" for b, v in weights.normalised().items() if v > 0)
