"""Learned block weights: recovered from synthetic outcomes, refused without signal, checked."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.embeddings.composite import BLOCKS, Weights
from matchmaker.ranking.weights import BlockWeightLearner, WeightFit, fit_weights

TRUE = {"sector": 0.6, "region": 0.4}  # the blocks that decide; the others are noise


def outcomes(
    n_groups: int = 40,
    per_group: int = 50,
    true: dict[str, float] = TRUE,
    liked_share: float = 0.2,
    noise: float = 0.15,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return fits, outcomes, groups and times: each group likes its top projects by ``true``."""
    rng = np.random.default_rng(seed)
    w = np.array([true.get(b, 0.0) for b in BLOCKS])
    fits, liked, groups = [], [], []
    for group in range(n_groups):
        f = rng.random((per_group, len(BLOCKS)))
        score = f @ w + noise * rng.standard_normal(per_group)
        liked.append(score >= np.quantile(score, 1 - liked_share))
        fits.append(f)
        groups += [f"institution-{group}"] * per_group
    times = rng.permutation(n_groups * per_group)
    return np.vstack(fits), np.concatenate(liked).astype(int), np.array(groups), times


def test_recovers_the_blocks_that_matter_and_beats_the_defaults_held_out() -> None:
    fits, liked, groups, _ = outcomes()
    learner = BlockWeightLearner().fit(fits, liked, groups)
    result = learner.result_
    assert result.fitted and result.better
    w = result.weights.normalised()
    assert w["sector"] == pytest.approx(0.6, abs=0.08)
    assert w["region"] == pytest.approx(0.4, abs=0.08)
    assert all(w[b] < 0.05 for b in BLOCKS if b not in TRUE)
    assert sum(w.values()) == pytest.approx(1.0)
    m = result.metrics
    assert m["ndcg_fitted"] > m["ndcg_default"] and m["auc_fitted"] > m["auc_default"]
    assert m["evaluated_groups"] == 12 and m["train_pairs"] + m["heldout_pairs"] == m["pairs"]
    assert learner.coef_.shape == (len(BLOCKS),) and (learner.coef_ >= 0).all()
    assert result.recommended == result.weights


def test_a_block_that_hurts_gets_zero_weight_not_a_negative_one() -> None:
    fits, liked, groups, _ = outcomes(true={"sector": 0.6, "stage": -0.4, "region": 0.4})
    result = fit_weights(fits, liked, groups)
    assert result.fitted
    assert result.weights.stage == 0.0
    assert min(result.weights.normalised().values()) >= 0.0


def test_time_split_holds_out_the_latest_pairs() -> None:
    fits, liked, groups, times = outcomes()
    result = fit_weights(fits, liked, groups, times, split="time", holdout=0.25)
    assert result.fitted and result.better
    assert result.metrics["heldout_pairs"] == 500
    assert max(result.weights.normalised(), key=result.weights.normalised().get) == "sector"


def test_deterministic() -> None:
    fits, liked, groups, _ = outcomes(seed=3)
    first = fit_weights(fits, liked, groups, random_state=7)
    again = fit_weights(fits, liked, groups, random_state=7)
    assert first == again


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"n_groups": 4}, "institutions with both outcomes"),
        ({"n_groups": 6, "per_group": 20, "liked_share": 0.2}, "liked pairs"),
    ],
)
def test_too_little_signal_is_not_fitted_and_says_why(kwargs: dict, needle: str) -> None:
    fits, liked, groups, _ = outcomes(**kwargs)
    result = fit_weights(fits, liked, groups)
    assert not result.fitted and not result.better
    assert result.reason.startswith("too little signal") and needle in result.reason
    assert result.weights == Weights() == result.recommended


def test_thresholds_are_parameters() -> None:
    fits, liked, groups, _ = outcomes(n_groups=4)
    result = fit_weights(fits, liked, groups, min_groups=3, min_positives=10, min_negatives=10)
    assert result.fitted


def test_no_better_than_defaults_keeps_the_defaults() -> None:
    # the outcomes follow the default weights exactly: fitting cannot win by much, maybe not at all
    default = Weights()
    truth = default.normalised()
    fits, liked, groups, _ = outcomes(true=truth, noise=0.0)
    result = fit_weights(fits, liked, groups)
    assert result.fitted
    if not result.better:
        assert result.recommended == default and "not better" in result.reason


def test_pure_noise_outcomes_are_not_trusted() -> None:
    rng = np.random.default_rng(1)
    fits = rng.random((2000, len(BLOCKS)))
    liked = (rng.random(2000) < 0.2).astype(int)
    groups = np.repeat(np.arange(40), 50)
    result = fit_weights(fits, liked, groups)
    assert isinstance(result, WeightFit)
    assert not (result.fitted and result.better and result.metrics["ndcg_gain"] > 0.1)


@pytest.mark.parametrize(
    ("fits", "liked", "groups", "message"),
    [
        (np.zeros((10, 5)), np.zeros(10), np.zeros(10), "fits must be"),
        (np.zeros(10), np.zeros(10), np.zeros(10), "fits must be"),
        (np.zeros((10, 6)), np.zeros(9), np.zeros(10), "outcomes must be"),
        (np.zeros((10, 6)), np.full(10, 2), np.zeros(10), "0/1"),
        (np.zeros((10, 6)), np.zeros(10), np.zeros(11), "groups must be"),
        (np.full((10, 6), np.nan), np.zeros(10), np.zeros(10), "finite"),
    ],
)
def test_bad_inputs_raise_value_error(
    fits: np.ndarray, liked: np.ndarray, groups: np.ndarray, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        BlockWeightLearner().fit(fits, liked, groups)


def test_time_split_needs_times_and_bad_params_raise() -> None:
    fits, liked, groups, times = outcomes(n_groups=6)
    with pytest.raises(ValueError, match="needs times"):
        fit_weights(fits, liked, groups, split="time")
    with pytest.raises(ValueError, match="times must be"):
        fit_weights(fits, liked, groups, times[:-1], split="time")
    with pytest.raises(ValueError, match="split must be"):
        fit_weights(fits, liked, groups, split="random")
    with pytest.raises(ValueError, match="holdout"):
        fit_weights(fits, liked, groups, holdout=1.0)


def test_sampled_passes_stand_for_the_whole_list() -> None:
    fits, liked, groups, _ = outcomes()
    weight = np.where(liked == 1, 1.0, 25.0)  # each pass stands for 25 like it
    result = fit_weights(fits, liked, groups, sample_weight=weight)
    assert result.fitted and result.better
    assert max(result.weights.normalised(), key=result.weights.normalised().get) == "sector"
    # with passes weighted 25×, few liked projects reach the top 10: held-out nDCG is lower
    assert result.metrics["ndcg_fitted"] < fit_weights(fits, liked, groups).metrics["ndcg_fitted"]


def test_auc_objective_is_the_logistic_fit_alone() -> None:
    fits, liked, groups, _ = outcomes()
    learner = BlockWeightLearner(objective="auc").fit(fits, liked, groups)
    assert learner.result_.fitted
    w = learner.result_.weights.normalised()
    assert w["sector"] > w["region"] > max(w[b] for b in BLOCKS if b not in TRUE)


@pytest.mark.parametrize(
    ("params", "weight", "message"),
    [
        ({"objective": "map"}, None, "objective"),
        ({}, np.zeros(300), "sample_weight"),
        ({}, np.ones(299), "sample_weight"),
    ],
)
def test_bad_objective_or_sample_weight_raise(
    params: dict, weight: np.ndarray | None, message: str
) -> None:
    fits, liked, groups, _ = outcomes(n_groups=6)
    with pytest.raises(ValueError, match=message):
        BlockWeightLearner(**params).fit(fits, liked, groups, sample_weight=weight)
