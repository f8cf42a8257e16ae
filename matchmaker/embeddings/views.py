"""Institution views: one query vector per portfolio entry, so that the score can be a max.

The text fit of an institution q and a project p is

    fit_text = (1 − s)·cos(p, profile text of q) + s·max_j cos(p, portfolio entry j of q)

the profile (thesis, focus sectors, portfolio joined) for what q says it funds and the nearest
company it did fund — a near copy of one portfolio company is evidence that the average of a
broad portfolio hides. The max is not one inner product, but every term inside it is: view j is
q's composite vector with its text block replaced by √w_text·((1 − s)·profile + s·entry_j), so

    score(q, p) = max_j ⟨view_j, p⟩        (every other block is the same in each view).

The exact top-k of a max of inner products is the merge of each view's exact top-k: an item of
the true top-k is in the top-k of the view that attains its max (else k items beat it there, and
so overall). One batched FAISS search over the views therefore keeps ARCHITECTURE §4 — exact
top-k of the whole score (with an exact index) — and the per-block products of the winning view
are the reasons. An institution with no entry that makes a view (only entries with a
description do: ``portfolio.view_text`` says why) has one view: its composite vector.

``PORTFOLIO_SHARE`` s = 0.75 was chosen on the itjuzi validation period only (profiles before
2017-01-01, outcomes 2017-01..06), among 0, .25, .5, .75, 1, before the test split (2017-07-01)
was scored; ``benchmarks/ranking_quality.py`` prints that table (and the same choice under the
sector rule of ``composite.sector_labels``, adopted later on the same window: s = 1 then leads
by 0.02 nDCG@10 on 16 queries, less than one query's move, and s stays 0.75). ``MAX_VIEWS``
bounds the search cost: entries beyond it (after dropping empty and duplicate texts) still count
in the profile.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matchmaker.embeddings.composite import CompositeSpace

PORTFOLIO_SHARE = 0.75
MAX_VIEWS = 16


@dataclass
class InstitutionViews:
    """The views of m institutions, grouped by institution in row order.

    Attributes
    ----------
    vectors : ndarray of float32, shape (v, dim)
        Composite query vectors; rows ``start[i]:start[i + 1]`` belong to institution row i.
    owner : ndarray of int64, shape (v,)
        The institution row of each view.
    entry : ndarray of int64, shape (v,)
        The position of the view's entry in that institution's portfolio; -1 = no entry (the
        institution's own composite vector).
    start : ndarray of int64, shape (m + 1,)
    share : float
        s, the weight of the nearest entry within the text fit.
    """

    vectors: np.ndarray
    owner: np.ndarray
    entry: np.ndarray
    start: np.ndarray
    share: float = PORTFOLIO_SHARE

    def rows(self, institution_row: int) -> slice:
        """Return the slice of ``vectors`` holding one institution's views."""
        return slice(int(self.start[institution_row]), int(self.start[institution_row + 1]))

    def scores(self, projects: np.ndarray) -> np.ndarray:
        """Return (m, n) scores: for each institution the max over its views of ⟨view, p⟩."""
        projects = np.asarray(projects, dtype=np.float32)
        if len(self.start) == 1:
            return np.zeros((0, len(projects)), dtype=np.float32)
        per_view = self.vectors @ projects.T
        return np.maximum.reduceat(per_view, self.start[:-1], axis=0)

    def best(self, institution_row: int, project: np.ndarray) -> int:
        """Return the index (into ``vectors``) of the institution's view that scores ``project``
        highest (the first on ties)."""
        first = int(self.start[institution_row])
        cut = self.rows(institution_row)
        return first + int(np.argmax(self.vectors[cut] @ np.asarray(project, np.float32)))


def text_parts(
    space: CompositeSpace,
    institution: np.ndarray,
    project: np.ndarray,
    view: np.ndarray | None = None,
    share: float = PORTFOLIO_SHARE,
) -> tuple[float, float | None]:
    """Return (cosine to the profile text, cosine to the view's entry) for one pair.

    ``institution`` is the institution's own composite vector and ``view`` the winning view, or
    None when the institution has no entry (the second value is then None). The view's text
    block is √w·((1 − s)·profile + s·entry), so the entry's cosine is recovered from the two
    without keeping the entry vectors.
    """
    cut, weight = space.slices["text"], space.w["text"]
    if weight <= 0:
        return 0.0, None
    p = np.asarray(project, np.float32)[cut]
    profile = float(p @ np.asarray(institution, np.float32)[cut]) / weight
    if view is None or share <= 0:
        return profile, None
    mixed = float(p @ np.asarray(view, np.float32)[cut]) / weight
    return profile, (mixed - (1.0 - share) * profile) / share


def build_views(
    space: CompositeSpace,
    institution_vectors: np.ndarray,
    entry_vectors: Sequence[np.ndarray],
    share: float = PORTFOLIO_SHARE,
    max_views: int = MAX_VIEWS,
) -> InstitutionViews:
    """Return the views of each institution.

    Parameters
    ----------
    space : CompositeSpace
        The layout ``institution_vectors`` were encoded with.
    institution_vectors : ndarray of float32, shape (m, dim)
        ``space.encode_institutions`` output.
    entry_vectors : sequence of m arrays of float32, shape (j_i, text_dim)
        Unit text vectors of each institution's portfolio entries, in portfolio order. Zero rows
        (entries that make no view, see ``portfolio.view_text``) and repeats of an earlier row
        are skipped; at most ``max_views`` are kept.
    share : float
        s in [0, 1]: the weight of the nearest entry within the text fit.
    """
    base = np.asarray(institution_vectors, dtype=np.float32)
    if base.ndim != 2 or base.shape[1] != space.dim or len(entry_vectors) != len(base):
        raise ValueError(
            f"need (m, {space.dim}) vectors and m entry matrices, got {base.shape} and "
            f"{len(entry_vectors)}"
        )
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be in [0, 1], got {share}")
    cut = space.slices["text"]
    scale = math.sqrt(space.w["text"])
    blocks: list[np.ndarray] = []
    owner: list[int] = []
    entry: list[int] = []
    start = [0]
    for i, entries in enumerate(entry_vectors):
        keep = _distinct(np.asarray(entries, dtype=np.float32).reshape(-1, space.text_dim))
        keep = keep[:max_views] if share > 0 and scale > 0 else []
        if not keep:
            blocks.append(base[i : i + 1])
            entry.append(-1)
        else:
            chosen = np.asarray(entries, dtype=np.float32)[keep]
            views = np.repeat(base[i : i + 1], len(keep), axis=0)
            views[:, cut] = (1.0 - share) * base[i, cut] + share * scale * chosen
            blocks.append(views)
            entry += keep
        owner += [i] * (len(entry) - len(owner))
        start.append(len(entry))
    vectors = np.vstack(blocks) if blocks else np.zeros((0, space.dim), np.float32)
    return InstitutionViews(
        vectors.astype(np.float32),
        np.array(owner, dtype=np.int64),
        np.array(entry, dtype=np.int64),
        np.array(start, dtype=np.int64),
        share,
    )


def _distinct(rows: np.ndarray) -> list[int]:
    """Return the positions of the non-zero rows that do not repeat an earlier row."""
    seen: set[bytes] = set()
    out = []
    for j, row in enumerate(rows):
        key = row.tobytes()
        if key in seen or not row.any():
            continue
        seen.add(key)
        out.append(j)
    return out
