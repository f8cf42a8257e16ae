"""A learned second-stage reranker: gradient-boosted trees over named per-pair features.

The first stage (the composite's one inner product, ``ranking.shortlist``) finds and orders the
candidates; the reranker reorders them with what an inner product cannot say: interactions
between the blocks' fits, and history features of either side (how active an investor has
been lately, how often it comes in at a company's first round, what a candidate's round looks
like). Each (query, candidate) pair is one row of named feature columns; which columns exist is
the caller's business (the crunchbase benchmark gives its own, an event would give its own), so
the model keeps the names and checks them again when it scores.

The model is scikit-learn's ``HistGradientBoostingClassifier`` (pointwise: P(liked | features)),
averaged over a few bagged fits with different seeds; boosted trees need no feature scaling and
take missing values. When the passed pairs are a sample of a longer list, ``sample_weight`` says
how many each stands for, as in ``ranking.weights``.

Whether to trust the fit is decided on data it did not see, as ``BlockWeightLearner`` does: a
share of the queries is held out, a model fitted on the rest is compared with the default
ranking (the ``base`` column, the composite score) by per-query nDCG@k, and only a positive gain
lets :meth:`Reranker.score` return the model's scores; otherwise it returns the base column
unchanged, so a useless model never replaces the default. Too little signal gives
``fitted=False`` with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from matchmaker.ranking.weights import Metric, _informative, _ndcg_per_group

Columns = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class RerankFit:
    """What fitting the reranker gave: whether to use it, why, and the held-out evidence."""

    fitted: bool
    reason: str
    metrics: dict[str, Metric] = field(default_factory=dict)
    better: bool = False

    @property
    def used(self) -> bool:
        """Return True when :meth:`Reranker.score` returns the model's scores."""
        return self.fitted and self.better


class Reranker:
    """Rerank (query, candidate) pairs from named feature columns, held-out checked.

    Parameters
    ----------
    base : str
        The column holding the default ranking's score (the composite): what the model must
        beat held out, and what :meth:`score` returns when it does not.
    features : sequence of str, optional
        The columns the model reads (default: every column given to :meth:`fit`, ``base``
        included, in sorted order).
    bags : int
        Fits averaged, each with its own seed (``random_state + i``) and row subsample.
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization
        Passed to ``HistGradientBoostingClassifier``.
    subsample : float
        Share of the training queries each bag sees (1.0: all of them, bags then differ only
        by seed).
    holdout : float
        Share of the queries held out to compare the model with ``base``.
    min_positives, min_groups : int
        Fewer liked pairs, or fewer queries holding both outcomes, than this: not fitted.
    k : int
        Cut-off of the held-out nDCG.
    refit : bool
        Refit on every query once the held-out check passed (True), or keep the model fitted
        on the training part only, i.e. exactly the one the metrics describe.
    random_state : int
        Seed of the held-out split, the bags and the tie breaking (results are deterministic).

    Attributes
    ----------
    result_ : RerankFit
    features_ : tuple of str
        The columns the model reads, in order.
    models_ : list
        The bagged classifiers (empty when not fitted).
    """

    def __init__(
        self,
        base: str,
        features: Sequence[str] | None = None,
        bags: int = 3,
        max_iter: int = 200,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 31,
        min_samples_leaf: int = 100,
        l2_regularization: float = 1.0,
        subsample: float = 1.0,
        holdout: float = 0.3,
        min_positives: int = 30,
        min_groups: int = 5,
        k: int = 10,
        refit: bool = True,
        random_state: int = 0,
    ) -> None:
        self.base = base
        self.features = features
        self.bags = bags
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.subsample = subsample
        self.holdout = holdout
        self.min_positives = min_positives
        self.min_groups = min_groups
        self.k = k
        self.refit = refit
        self.random_state = random_state

    def fit(
        self,
        columns: Columns,
        outcomes: np.ndarray,
        groups: np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> Reranker:
        """Learn the model; the verdict is in ``result_``.

        Parameters
        ----------
        columns : mapping of str to array of float, each shape (n_pairs,)
            The named features of each (query, candidate) pair; ``base`` among them. NaN means
            unknown (the trees route it).
        outcomes : array of {0, 1} or bool, shape (n_pairs,)
            1 = liked / invested; 0 = passed or not chosen.
        groups : array, shape (n_pairs,)
            The query of each pair (any hashable values; nDCG is per query).
        sample_weight : array of float > 0, shape (n_pairs,), optional
            How many pairs each one stands for (a 1-in-r sample of passed pairs: r).

        Returns
        -------
        self
        """
        self.features_ = (
            tuple(self.features) if self.features is not None else tuple(sorted(columns))
        )
        x, base = self._matrix(columns)
        y, g, w = self._check(len(x), outcomes, groups, sample_weight)
        counts: dict[str, Metric] = {
            "pairs": len(y),
            "positives": int(y.sum()),
            "negatives": int(len(y) - y.sum()),
            "groups": len(np.unique(g)),
            "informative_groups": _informative(y, g),
            "features": len(self.features_),
            "k": self.k,
        }
        self.models_: list[object] = []
        short = [
            f"{counts[key]} {what} (< {least})"
            for key, least, what in (
                ("positives", self.min_positives, "liked pairs"),
                ("informative_groups", self.min_groups, "queries with both outcomes"),
            )
            if int(counts[key]) < least
        ]
        if short or counts["negatives"] == 0:
            self.result_ = RerankFit(
                False, "too little signal: " + ", ".join(short or ["no passed pairs"]), counts
            )
            return self

        rng = np.random.default_rng(self.random_state)
        held = self._held_out(g, rng)
        train = ~held
        self.models_ = self._fit_bags(x[train], y[train], g[train], w[train])
        tiebreak = rng.random(len(y))
        mine = _mean_ndcg(self._predict(x[held]), y[held], g[held], w[held], tiebreak[held], self.k)
        theirs = _mean_ndcg(base[held], y[held], g[held], w[held], tiebreak[held], self.k)
        gain = mine[0] - theirs[0]
        better = bool(mine[1] > 0 and gain > 0)
        counts.update(
            train_pairs=int(train.sum()),
            heldout_pairs=int(held.sum()),
            heldout_groups=mine[1],
            ndcg_model=mine[0],
            ndcg_base=theirs[0],
            ndcg_gain=gain,
            better=better,
        )
        if mine[1] == 0:
            reason = "fitted, but no held-out query has both outcomes: not compared, base kept"
        elif better:
            reason = f"fitted; held-out nDCG@{self.k} {gain:+.4f} vs {self.base}"
        else:
            reason = (
                f"fitted, but not better held out (nDCG@{self.k} {gain:+.4f} vs {self.base}): "
                "keep the base ranking"
            )
        if better and self.refit:
            self.models_ = self._fit_bags(x, y, g, w)
        self.result_ = RerankFit(True, reason, counts, better)
        return self

    def score(self, columns: Columns) -> NDArray[np.float64]:
        """Return one score per pair, higher first: the model's when it won held out, else the
        ``base`` column unchanged.

        Parameters
        ----------
        columns : mapping of str to array of float, each shape (n_pairs,)
            The same named columns as in :meth:`fit` (extra columns are ignored).

        Returns
        -------
        ndarray of float64, shape (n_pairs,)
        """
        if not hasattr(self, "result_"):
            raise ValueError("Reranker.score before fit")
        x, base = self._matrix(columns)
        if not self.result_.used:
            return base
        return self._predict(x)

    # ---- steps ----------------------------------------------------------------------------

    def _matrix(self, columns: Columns) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        missing = [name for name in (*self.features_, self.base) if name not in columns]
        if missing:
            raise ValueError(f"missing feature columns: {', '.join(missing)}")
        arrays = [np.asarray(columns[name], dtype=np.float64) for name in self.features_]
        base = np.asarray(columns[self.base], dtype=np.float64)
        n = base.shape
        if len(n) != 1 or any(a.shape != n for a in arrays):
            raise ValueError("every feature column must be 1-D and of the same length")
        if not np.isfinite(base).all():
            raise ValueError(f"the base column {self.base!r} must be finite")
        if any(np.isinf(a).any() for a in arrays):
            raise ValueError("feature columns may hold NaN (unknown) but not ±inf")
        x = np.stack(arrays, axis=1) if arrays else np.zeros((n[0], 0))
        return x, base

    def _check(
        self, n: int, outcomes: np.ndarray, groups: np.ndarray, sample_weight: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        y = np.asarray(outcomes)
        if y.shape != (n,):
            raise ValueError(f"outcomes must be ({n},), got {y.shape}")
        if not np.isin(y, (0, 1)).all():
            raise ValueError("outcomes must be 0/1 (or bool)")
        g = np.asarray(groups)
        if g.shape != (n,):
            raise ValueError(f"groups must be ({n},), got {g.shape}")
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if w.shape != (n,) or not (np.isfinite(w).all() and (w > 0).all()):
            raise ValueError(f"sample_weight must be ({n},) positive finite numbers")
        if not 0 < self.holdout < 1:
            raise ValueError(f"holdout must be in (0, 1), got {self.holdout}")
        if self.bags < 1 or not 0 < self.subsample <= 1:
            raise ValueError("bags must be ≥ 1 and subsample in (0, 1]")
        return y.astype(np.int64), g, w

    def _held_out(self, g: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        names = np.unique(g)
        shuffled = names[rng.permutation(len(names))]
        n_held = min(len(names) - 1, max(1, round(len(names) * self.holdout)))
        return np.isin(g, shuffled[:n_held])

    def _fit_bags(self, x: np.ndarray, y: np.ndarray, g: np.ndarray, w: np.ndarray) -> list[object]:
        from sklearn.ensemble import HistGradientBoostingClassifier  # light module import

        names = np.unique(g)
        models: list[object] = []
        for i in range(self.bags):
            seed = self.random_state + i
            rows = np.ones(len(y), dtype=bool)
            if self.subsample < 1:
                rng = np.random.default_rng(seed)
                keep = rng.permutation(len(names))[: max(1, round(len(names) * self.subsample))]
                rows = np.isin(g, names[keep])
            model = HistGradientBoostingClassifier(
                max_iter=self.max_iter,
                learning_rate=self.learning_rate,
                max_leaf_nodes=self.max_leaf_nodes,
                min_samples_leaf=self.min_samples_leaf,
                l2_regularization=self.l2_regularization,
                early_stopping=False,
                random_state=seed,
            )
            model.fit(x[rows], y[rows], sample_weight=w[rows])
            models.append(model)
        return models

    def _predict(self, x: np.ndarray) -> NDArray[np.float64]:
        """Return the bags' mean log-odds."""
        total = np.zeros(len(x))
        for model in self.models_:
            total += model.decision_function(x)  # type: ignore[attr-defined]
        out: NDArray[np.float64] = total / max(1, len(self.models_))
        return out


def _mean_ndcg(
    scores: np.ndarray, y: np.ndarray, g: np.ndarray, w: np.ndarray, tiebreak: np.ndarray, k: int
) -> tuple[float, int]:
    """Return the mean nDCG@k over queries holding both outcomes, and how many there are."""
    per_group = _ndcg_per_group(scores, y, g, w, tiebreak, k)
    return (float(per_group.mean()) if len(per_group) else float("nan")), len(per_group)
