"""Learned block weights: fit the composite's w_b from outcomes (liked / passed), held-out checked.

The model is a *pairwise* logistic regression with non-negative coefficients:

    P(liked project ≻ passed project | same institution) = σ(Σ_b w_b · (fit_b⁺ − fit_b⁻))

Why pairwise: the score is only ever compared inside one institution's shortlist, so what must be
learned is which blocks put that institution's liked projects above its passed ones. A pointwise
model (outcome ~ fits) also has to explain why an active institution likes more projects than a
quiet one, which the fits cannot say and which biases the weights; differences within a group
cancel that and make the loss a smooth stand-in for the per-institution AUC.

Why non-negative: each block enters the vectors scaled by √w_b (``CompositeSpace``), so w_b < 0
cannot be encoded, and "a better sector fit lowers the score" is never a reason to show a user.
scikit-learn's ``LogisticRegression`` has no ``positive=`` option, so the constraint is met by an
active set: fit the active blocks, drop the most negative coefficient and refit; then re-admit an
inactive block whose loss gradient says it would help (KKT check), until neither happens.

Why a second step (``objective="ndcg"``, the default): a shortlist is judged by its top ten, and
the logistic loss, an AUC surrogate, can favour a block that sorts the middle of a long list (on
crunchbase it put 40 % on round size, which separates tiny from huge rounds but not the ten best
fits). The logistic solution is therefore refined by coordinate ascent on the training part's
nDCG@k (Metzler & Croft's linear ranker): scale one block's weight at a time, keep what helps.
When the passed pairs are a sample of a longer list, ``sample_weight`` says how many each stands
for, so ranks (and nDCG) are those of the whole list.

Whether to trust the fit is decided on data it did not see: the groups (or the latest pairs, by
time) are split, weights fitted on one part are scored against the defaults on the other, by
per-group nDCG@k and AUC, and ``better`` is True only when the held-out nDCG@k gain is positive.
Too little signal (positives, negatives or informative groups under the thresholds) gives a result
with ``fitted=False`` and the reason, and the default weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

import numpy as np
from numpy.typing import NDArray

from matchmaker.embeddings.composite import BLOCKS, Weights

Metric = float | int | bool | str


class LearnerParams(TypedDict, total=False):
    """The keyword arguments of :class:`BlockWeightLearner` (for :func:`fit_weights`)."""

    min_positives: int
    min_negatives: int
    min_groups: int
    holdout: float
    split: str
    default: Weights | None
    C: float
    max_pairs_per_group: int
    k: int
    objective: str
    refit: bool
    random_state: int


@dataclass(frozen=True)
class WeightFit:
    """What learning the weights gave: the weights to use and the evidence for them.

    ``weights`` are the fitted weights when ``fitted`` (normalised to sum to 1; blocks that never
    helped are 0), else the defaults. ``better`` says whether they beat the defaults held out;
    ``metrics`` holds the counts and the held-out scores of both.
    """

    weights: Weights
    fitted: bool
    reason: str
    metrics: dict[str, Metric] = field(default_factory=dict)
    better: bool = False
    default: Weights = field(default_factory=Weights)

    @property
    def recommended(self) -> Weights:
        """Return the fitted weights when they won held out, else the defaults."""
        return self.weights if self.fitted and self.better else self.default


class BlockWeightLearner:
    """Fit non-negative block weights from per-pair block fits and binary outcomes.

    Parameters
    ----------
    min_positives, min_negatives : int
        Fewer liked (or passed) pairs than this: not fitted.
    min_groups : int
        Fewer groups holding both a liked and a passed pair than this: not fitted.
    holdout : float
        Share of the groups (``split="group"``) or of the latest pairs (``split="time"``) held
        out to compare the fitted weights with ``default``.
    split : {"group", "time"}
        How the held-out part is chosen; ``"time"`` needs ``times`` in :meth:`fit`.
    default : Weights
        The weights the fit must beat.
    C : float
        Inverse L2 strength of the logistic regression (on differences of fits in [-1, 1]).
    max_pairs_per_group : int
        Cap on (liked, passed) pairs drawn from one group, so a huge group does not dominate.
    k : int
        Cut-off of the held-out nDCG.
    objective : {"ndcg", "auc"}
        ``"auc"``: the pairwise logistic fit alone (every liked/passed pair counts the same).
        ``"ndcg"``: that fit refined by coordinate ascent on the training part's nDCG@k, since
        a shortlist is judged by its top, where the logistic loss (an AUC surrogate) can prefer
        a block that sorts the middle of the list.
    refit : bool
        Refit on all pairs once evaluated (True), or return the weights fitted on the training
        part only, i.e. exactly the ones the metrics describe.
    random_state : int
        Seed of the group split, pair sampling and tie breaking (results are deterministic).

    Attributes
    ----------
    result_ : WeightFit
    coef_ : ndarray of float, shape (len(BLOCKS),)
        Raw non-negative coefficients (zeros when not fitted).
    """

    def __init__(
        self,
        min_positives: int = 30,
        min_negatives: int = 30,
        min_groups: int = 5,
        holdout: float = 0.3,
        split: str = "group",
        default: Weights | None = None,
        C: float = 1.0,
        max_pairs_per_group: int = 2000,
        k: int = 10,
        objective: str = "ndcg",
        refit: bool = True,
        random_state: int = 0,
    ) -> None:
        self.min_positives = min_positives
        self.min_negatives = min_negatives
        self.min_groups = min_groups
        self.holdout = holdout
        self.split = split
        self.default = default
        self.C = C
        self.max_pairs_per_group = max_pairs_per_group
        self.k = k
        self.objective = objective
        self.refit = refit
        self.random_state = random_state

    def fit(
        self,
        fits: np.ndarray,
        outcomes: np.ndarray,
        groups: np.ndarray,
        times: np.ndarray | None = None,
        sample_weight: np.ndarray | None = None,
    ) -> BlockWeightLearner:
        """Learn the weights; the result is in ``result_``.

        Parameters
        ----------
        fits : array of float, shape (n_pairs, len(BLOCKS))
            Per-block fits of each (institution, project) pair, columns in ``BLOCKS`` order.
        outcomes : array of {0, 1} or bool, shape (n_pairs,)
            1 = liked / meeting rated well / intent signed; 0 = passed or shown and ignored.
        groups : array, shape (n_pairs,)
            The institution of each pair (any hashable values; metrics are per group).
        times : array, shape (n_pairs,), optional
            Sortable times of the outcomes; needed for ``split="time"``.
        sample_weight : array of float > 0, shape (n_pairs,), optional
            How many pairs each one stands for: when the passed pairs are a random 1-in-r
            sample of an institution's list, give them r, so that ranks (for the ``"ndcg"``
            objective and the held-out nDCG) are those of the whole list. The thresholds count
            the pairs given, not their weights.

        Returns
        -------
        self
        """
        x, y, g, t, w = self._check(fits, outcomes, groups, times, sample_weight)
        default = self.default or Weights()
        counts: dict[str, Metric] = {
            "pairs": len(y),
            "positives": int(y.sum()),
            "negatives": int(len(y) - y.sum()),
            "groups": len(np.unique(g)),
            "informative_groups": _informative(y, g),
            "split": self.split,
            "k": self.k,
            "default": _weights_text(default),
        }
        self.coef_ = np.zeros(len(BLOCKS))
        why_not = self._lacking(counts)
        if why_not:
            self.result_ = WeightFit(default, False, why_not, counts, default=default)
            return self

        rng = np.random.default_rng(self.random_state)
        held = self._held_out(g, t, rng)
        train = ~held
        coef = self._fit_pairs(x[train], y[train], g[train], w[train], rng)
        counts.update(
            train_pairs=int(train.sum()),
            heldout_pairs=int(held.sum()),
            heldout_positives=int(y[held].sum()),
        )
        if coef is None:
            reason = "no block ranks liked above passed pairs in the training part"
            self.result_ = WeightFit(default, False, reason, counts, default=default)
            return self

        tiebreak = rng.random(len(y))
        default_vector = np.array([default.normalised()[b] for b in BLOCKS])
        fitted_vector = coef / coef.sum()
        scored = {
            name: _grouped_scores(
                x[held] @ vector, y[held], g[held], w[held], tiebreak[held], self.k
            )
            for name, vector in (("fitted", fitted_vector), ("default", default_vector))
        }
        counts["evaluated_groups"] = scored["fitted"][2]
        for name, (ndcg, auc, _n) in scored.items():
            counts[f"ndcg_{name}"] = ndcg
            counts[f"auc_{name}"] = auc
        gain = scored["fitted"][0] - scored["default"][0]
        counts["ndcg_gain"] = gain
        counts["auc_gain"] = scored["fitted"][1] - scored["default"][1]
        better = bool(scored["fitted"][2] > 0 and gain > 0)
        counts["better"] = better

        if self.refit:
            refitted = self._fit_pairs(x, y, g, w, np.random.default_rng(self.random_state))
            coef = refitted if refitted is not None else coef
        self.coef_ = coef
        weights = Weights(**dict(zip(BLOCKS, (float(c) for c in coef / coef.sum()), strict=True)))
        counts["weights"] = _weights_text(weights)
        if scored["fitted"][2] == 0:
            reason = "fitted, but no held-out group has both outcomes: not compared"
        elif better:
            reason = f"fitted; held-out nDCG@{self.k} {counts['ndcg_gain']:+.4f} vs the defaults"
        else:
            reason = (
                f"fitted, but not better held out (nDCG@{self.k} "
                f"{counts['ndcg_gain']:+.4f} vs the defaults): keep the defaults"
            )
        self.result_ = WeightFit(weights, True, reason, counts, better, default)
        return self

    # ---- steps ----------------------------------------------------------------------------

    def _check(
        self,
        fits: np.ndarray,
        outcomes: np.ndarray,
        groups: np.ndarray,
        times: np.ndarray | None,
        sample_weight: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        x = np.asarray(fits, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(BLOCKS):
            raise ValueError(
                f"fits must be (n_pairs, {len(BLOCKS)}) in BLOCKS order, got {x.shape}"
            )
        if not np.isfinite(x).all():
            raise ValueError("fits must be finite")
        n = x.shape[0]
        y = np.asarray(outcomes)
        if y.shape != (n,):
            raise ValueError(f"outcomes must be ({n},), got {y.shape}")
        if not np.isin(y, (0, 1)).all():
            raise ValueError("outcomes must be 0/1 (or bool)")
        g = np.asarray(groups)
        if g.shape != (n,):
            raise ValueError(f"groups must be ({n},), got {g.shape}")
        t = None if times is None else np.asarray(times)
        if t is not None and t.shape != (n,):
            raise ValueError(f"times must be ({n},), got {t.shape}")
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if w.shape != (n,) or not (np.isfinite(w).all() and (w > 0).all()):
            raise ValueError(f"sample_weight must be ({n},) positive finite numbers")
        if self.split not in ("group", "time"):
            raise ValueError(f"split must be 'group' or 'time', got {self.split!r}")
        if self.split == "time" and t is None:
            raise ValueError("split='time' needs times")
        if self.objective not in ("ndcg", "auc"):
            raise ValueError(f"objective must be 'ndcg' or 'auc', got {self.objective!r}")
        if not 0 < self.holdout < 1:
            raise ValueError(f"holdout must be in (0, 1), got {self.holdout}")
        return x, y.astype(np.int64), g, t, w

    def _lacking(self, counts: dict[str, Metric]) -> str:
        needs = (
            ("positives", self.min_positives, "liked pairs"),
            ("negatives", self.min_negatives, "passed pairs"),
            ("informative_groups", self.min_groups, "institutions with both outcomes"),
        )
        short = [
            f"{counts[key]} {what} (< {least})"
            for key, least, what in needs
            if int(counts[key]) < least
        ]
        return "too little signal: " + ", ".join(short) if short else ""

    def _held_out(
        self, g: np.ndarray, t: np.ndarray | None, rng: np.random.Generator
    ) -> np.ndarray:
        if self.split == "time":
            assert t is not None
            order = np.argsort(t, kind="stable")
            held = np.zeros(len(t), dtype=bool)
            held[order[int(math.floor(len(t) * (1 - self.holdout))) :]] = True
            return held
        names = np.unique(g)
        shuffled = names[rng.permutation(len(names))]
        n_held = min(len(names) - 1, max(1, round(len(names) * self.holdout)))
        return np.isin(g, shuffled[:n_held])

    def _fit_pairs(
        self, x: np.ndarray, y: np.ndarray, g: np.ndarray, w: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray | None:
        """Return non-negative coefficients from within-group differences, or None.

        With ``objective="ndcg"`` the logistic solution is then refined by coordinate ascent
        on the nDCG@k of these same (training) pairs.
        """
        liked, passed = _pairs(y, g, self.max_pairs_per_group, rng)
        if len(liked) == 0:
            return None
        diffs = x[liked] - x[passed]
        varying = np.flatnonzero(np.abs(diffs).max(axis=0) > 1e-12)
        coef = _nonnegative_logistic(diffs, w[liked] * w[passed], varying, self.C)
        if coef is None or self.objective == "auc":
            return coef
        return _coordinate_ascent(x, y, g, w, rng.random(len(y)), coef, varying, self.k)


# ---- helpers ------------------------------------------------------------------------------


def _informative(y: np.ndarray, g: np.ndarray) -> int:
    """Return how many groups hold both a positive and a negative pair."""
    _names, inverse = np.unique(g, return_inverse=True)
    pos = np.bincount(inverse, weights=y)
    total = np.bincount(inverse)
    return int(((pos > 0) & (pos < total)).sum())


def _pairs(
    y: np.ndarray, g: np.ndarray, cap: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return (liked rows, passed rows) of up to ``cap`` pairs drawn inside each group."""
    liked, passed = [], []
    _names, inverse = np.unique(g, return_inverse=True)
    for group in range(inverse.max() + 1 if len(inverse) else 0):
        rows = np.flatnonzero(inverse == group)
        pos, neg = rows[y[rows] == 1], rows[y[rows] == 0]
        if len(pos) == 0 or len(neg) == 0:
            continue
        if len(pos) * len(neg) <= cap:
            i, j = np.meshgrid(pos, neg, indexing="ij")
            i, j = i.ravel(), j.ravel()
        else:
            i, j = rng.choice(pos, cap), rng.choice(neg, cap)
        liked.append(i)
        passed.append(j)
    if not liked:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(liked), np.concatenate(passed)


def _nonnegative_logistic(
    diffs: np.ndarray, weight: np.ndarray, varying: np.ndarray, C: float
) -> np.ndarray | None:
    """Return w ≥ 0 minimising the weighted logistic loss of σ(w·d) over pair differences.

    Active set: fit the active blocks, drop the most negative and refit; re-admit an inactive
    block whose loss gradient is negative (KKT), until neither happens.
    """
    from sklearn.linear_model import LogisticRegression  # imported here: light module import

    data = np.vstack([diffs, -diffs])
    target = np.r_[np.ones(len(diffs)), np.zeros(len(diffs))]
    sample_weight = np.r_[weight, weight]
    active = list(varying)
    coef = np.zeros(diffs.shape[1])
    for _ in range(4 * diffs.shape[1]):
        coef[:] = 0.0
        if active:
            model = LogisticRegression(C=C, fit_intercept=False, max_iter=1000)
            model.fit(data[:, active], target, sample_weight=sample_weight)
            coef[active] = model.coef_[0]
        negative = [b for b in active if coef[b] < 0]
        if negative:
            active.remove(min(negative, key=lambda b: coef[b]))
            continue
        residual = sample_weight * (1 / (1 + np.exp(-(data @ coef))) - target)
        gradient = data.T @ residual / sample_weight.sum()
        helpful = [b for b in varying if b not in active and gradient[b] < -1e-6]
        if not helpful:
            break
        active.append(min(helpful, key=lambda b: gradient[b]))
    coef = np.clip(coef, 0.0, None)
    return coef if coef.sum() > 0 else None


def _ranks_in_groups(
    scores: np.ndarray, g: np.ndarray, w: np.ndarray, tiebreak: np.ndarray | None = None
) -> np.ndarray:
    """Return each row's 1-based rank inside its group, best first, counting rows by weight."""
    _names, inverse = np.unique(g, return_inverse=True)
    keys = (-scores, inverse) if tiebreak is None else (tiebreak, -scores, inverse)
    order = np.lexsort(keys)
    ahead = np.cumsum(w[order]) - w[order]  # weight of the rows before, over all groups
    starts = np.r_[0, np.flatnonzero(np.diff(inverse[order])) + 1]
    sizes = np.diff(np.r_[starts, len(order)])
    ranks = np.empty(len(scores))
    ranks[order] = ahead - np.repeat(ahead[starts], sizes) + 1
    return ranks


def _ndcg_per_group(
    scores: np.ndarray, y: np.ndarray, g: np.ndarray, w: np.ndarray, tiebreak: np.ndarray, k: int
) -> np.ndarray:
    """Return nDCG@k of each group holding both outcomes (ranks count rows by weight)."""
    names, inverse = np.unique(g, return_inverse=True)
    ranks = _ranks_in_groups(scores, g, w, tiebreak)
    gain = np.where((y == 1) & (ranks <= k), 1.0 / np.log2(1.0 + ranks), 0.0)
    dcg = np.bincount(inverse, weights=gain, minlength=len(names))
    positives = np.bincount(inverse, weights=y, minlength=len(names)).astype(int)
    sizes = np.bincount(inverse, minlength=len(names))
    ideal = np.r_[0.0, np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))][np.minimum(k, positives)]
    both = (positives > 0) & (positives < sizes)
    per_group: NDArray[np.float64] = dcg[both] / ideal[both]
    return per_group


def _coordinate_ascent(
    x: np.ndarray,
    y: np.ndarray,
    g: np.ndarray,
    w: np.ndarray,
    tiebreak: np.ndarray,
    coef: np.ndarray,
    varying: np.ndarray,
    k: int,
    passes: int = 3,
) -> np.ndarray:
    """Scale one block's weight at a time while the mean nDCG@k rises (Metzler & Croft, 2007)."""

    def value(c: np.ndarray) -> float:
        return float(_ndcg_per_group(x @ c, y, g, w, tiebreak, k).mean())

    best, best_value = coef.copy(), value(coef)
    for _ in range(passes):
        improved = False
        for block in varying:
            base = best[block] if best[block] > 0 else best.sum() / max(1, (best > 0).sum())
            for factor in (0.0, 0.25, 0.5, 0.8, 1.25, 2.0, 4.0):
                trial = best.copy()
                trial[block] = base * factor
                if trial.sum() <= 0:
                    continue
                v = value(trial)
                if v > best_value + 1e-9:
                    best, best_value, improved = trial, v, True
        if not improved:
            break
    return best


def _grouped_scores(
    scores: np.ndarray, y: np.ndarray, g: np.ndarray, w: np.ndarray, tiebreak: np.ndarray, k: int
) -> tuple[float, float, int]:
    """Return mean nDCG@k and mean AUC over groups with both outcomes, and their count.

    Ranks count rows by weight; ties are broken by ``tiebreak`` (random, shared by every
    scoring), never by input order.
    """
    from sklearn.metrics import roc_auc_score

    ndcgs = _ndcg_per_group(scores, y, g, w, tiebreak, k)
    if len(ndcgs) == 0:
        return float("nan"), float("nan"), 0
    aucs = []
    for name in np.unique(g):
        rows = np.flatnonzero(g == name)
        if 0 < y[rows].sum() < len(rows):
            aucs.append(float(roc_auc_score(y[rows], scores[rows], sample_weight=w[rows])))
    return float(ndcgs.mean()), float(np.mean(aucs)), len(ndcgs)


def _weights_text(weights: Weights) -> str:
    return " ".join(f"{b}={v:.4f}" for b, v in weights.normalised().items())


def fit_weights(
    fits: np.ndarray,
    outcomes: np.ndarray,
    groups: np.ndarray,
    times: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
    **params: Unpack[LearnerParams],
) -> WeightFit:
    """Fit a :class:`BlockWeightLearner` with ``params`` and return its result."""
    learner = BlockWeightLearner(**params)
    return learner.fit(fits, outcomes, groups, times, sample_weight).result_
