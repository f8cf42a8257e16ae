"""The learned second-stage reranker: learns a planted signal, keeps the base when it cannot."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.ranking.rerank import Reranker

QUERIES, CANDIDATES = 60, 40


def pairs(seed: int, planted: bool) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Return columns, outcomes and groups of QUERIES × CANDIDATES pairs.

    planted: a candidate is liked when two features are both high (an interaction no weighted
    sum of the base ranks well), and ``base`` is a weak copy of one of them. Otherwise the
    outcome follows ``base`` (plus noise) and the other features are noise.
    """
    rng = np.random.default_rng(seed)
    n = QUERIES * CANDIDATES
    a, b, noise = rng.random(n), rng.random(n), rng.random(n)
    if planted:
        liked = (a > 0.8) & (b > 0.8)
        base = a + rng.normal(0, 0.5, n)
    else:
        base = rng.random(n)
        liked = base + rng.normal(0, 0.05, n) > 0.9
    columns = {"a": a, "b": b, "noise": noise, "base": base}
    return columns, liked.astype(int), np.repeat(np.arange(QUERIES), CANDIDATES)


def small(**params: object) -> Reranker:
    return Reranker(base="base", bags=2, max_iter=40, min_samples_leaf=10, **params)  # type: ignore[arg-type]


def test_learns_a_planted_signal() -> None:
    columns, y, g = pairs(0, planted=True)
    model = small().fit(columns, y, g)
    assert model.result_.used, model.result_.reason
    assert model.result_.metrics["ndcg_model"] > model.result_.metrics["ndcg_base"] + 0.2
    fresh, y2, _g2 = pairs(1, planted=True)
    scores = model.score(fresh)
    top = np.argsort(-scores)[: int(y2.sum())]
    assert y2[top].mean() > 0.8  # the liked pairs of unseen data come first


def test_guard_keeps_the_base_when_the_model_does_not_help() -> None:
    columns, y, g = pairs(0, planted=False)
    model = small(features=("a", "b", "noise")).fit(columns, y, g)
    assert model.result_.fitted and not model.result_.better
    assert "keep the base ranking" in model.result_.reason
    fresh, _y, _g = pairs(1, planted=False)
    assert np.array_equal(model.score(fresh), fresh["base"])


def test_deterministic_with_a_seed() -> None:
    columns, y, g = pairs(0, planted=True)
    first = small(random_state=3).fit(columns, y, g).score(columns)
    second = small(random_state=3).fit(columns, y, g).score(columns)
    assert np.array_equal(first, second)


def test_too_little_signal_is_not_fitted() -> None:
    columns, y, g = pairs(0, planted=True)
    y = np.zeros_like(y)
    y[:3] = 1
    model = small().fit(columns, y, g)
    assert not model.result_.fitted and "too little signal" in model.result_.reason
    assert np.array_equal(model.score(columns), columns["base"])


def test_checks_its_inputs() -> None:
    columns, y, g = pairs(0, planted=True)
    model = small().fit(columns, y, g)
    with pytest.raises(ValueError, match="missing feature columns: b"):
        model.score({k: v for k, v in columns.items() if k != "b"})
    with pytest.raises(ValueError, match="outcomes"):
        small().fit(columns, y[:-1], g)
    with pytest.raises(ValueError, match="before fit"):
        small().score(columns)
    unknown = dict(columns, a=np.where(columns["a"] > 0.5, np.nan, columns["a"]))
    assert np.isfinite(model.score(unknown)).all()  # NaN = unknown, routed by the trees
