"""Answers from fake posteriors: hand-computed values, stacking, features and ranking."""

from __future__ import annotations

import numpy as np
import pytest

from cfprob.answers.query import Fit, answer, compare, counterfactual_given_history, simulate_histories, summarise
from cfprob.errors import QueryError
from cfprob.fitting.design import softmax_last
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR
from .fakes import fake_fit


@pytest.fixture(scope="module")
def fit() -> Fit:
    return Fit.from_tree(fake_fit(load_scenario(WEIMAR)))


# -- errors first --------------------------------------------------------------------------------
def test_unknown_pod_suggests(fit: Fit) -> None:
    with pytest.raises(
        QueryError, match=r'"no-depresion-1929": not in this scenario \(did you mean "no-depression-1929"\?\)'
    ):
        answer(fit, ["no-depresion-1929"])


def test_unknown_feature(fit: Fit) -> None:
    with pytest.raises(QueryError, match='feature "economy": not in this scenario'):
        answer(fit, features={"economy": 1.0}, year=1930)


def test_feature_out_of_range(fit: Fit) -> None:
    with pytest.raises(QueryError, match=r"expected a number in \[0, 1\], found 3"):
        answer(fit, features={"economy_spared": 3.0}, year=1930)


def test_empty_question(fit: Fit) -> None:
    with pytest.raises(QueryError, match="a question needs a divergence point or a year"):
        answer(fit, [])
    with pytest.raises(QueryError, match="not both"):
        answer(fit, ["no-depression-1929"], year=1930)
    with pytest.raises(QueryError, match="year 1990: expected a year of the timeline, 1929 to 1933"):
        answer(fit, year=1990)


def test_otl_cannot_be_stacked(fit: Fit) -> None:
    with pytest.raises(QueryError, match="cannot be stacked"):
        answer(fit, ["otl", "no-depression-1929"])


def test_compare_unknown_outcome(fit: Fit) -> None:
    with pytest.raises(QueryError, match='"survive": not in this scenario'):
        compare(fit, by="survive")


# -- hand-computed values ------------------------------------------------------------------------
def test_summarise_by_hand() -> None:
    draws = np.array([[0.2, 0.8], [0.4, 0.6], [0.6, 0.4], [0.8, 0.2]])
    baseline = np.array([[0.3, 0.7], [0.3, 0.7], [0.7, 0.3], [0.7, 0.3]])
    rows = summarise(draws, baseline, ["a", "b"], mass=0.5)
    a = rows[0]
    assert a.mean == pytest.approx(0.5)
    assert (a.low, a.high) == pytest.approx((0.35, 0.65))  # numpy's linear quantiles at 25% and 75%
    assert a.change_mean == pytest.approx(0.0)  # changes -0.1, +0.1, -0.1, +0.1
    assert a.p_raise == pytest.approx(0.5)
    assert rows[1].mean == pytest.approx(0.5)


def test_simulated_histories_follow_probabilities() -> None:
    draws = np.tile([0.2, 0.3, 0.5], (20000, 1))
    counts = simulate_histories(draws, ["a", "b", "c"], np.random.default_rng(0))
    assert sum(counts.values()) == 20000
    assert counts["a"] / 20000 == pytest.approx(0.2, abs=0.01)
    assert counts["c"] / 20000 == pytest.approx(0.5, abs=0.01)


def test_single_pod_reads_theta(fit: Fit) -> None:
    result = answer(fit, ["no-depression-1929"])
    i = fit.pods.index("no-depression-1929")
    assert not result.extrapolation
    assert result.row("survives").mean == pytest.approx(fit.theta[:, i, 0].mean())
    change = fit.theta[:, i, 0] - fit.history_at(1929)[:, 0]  # against real history at its year
    assert result.row("survives").p_raise == pytest.approx((change > 0).mean())
    assert result.year == 1929


def test_otl_changes_nothing(fit: Fit) -> None:
    result = answer(fit, ["otl"])
    assert all(r.change_mean == 0 and r.p_raise == 0 for r in result.rows)


def test_stack_formula(fit: Fit) -> None:
    a, b = fit.pods.index("no-depression-1929"), fit.pods.index("hindenburg-refuses-1933")
    x = np.maximum(fit.X[a], fit.X[b])
    w = fit.year_weights[a]  # 1929, before 1933
    history = np.einsum("j,sjk->sk", w, fit.history)
    effect = np.exp(fit.era @ w)[:, None] * (np.einsum("f,sfk->sk", x, fit.beta) + fit.u[:, a] + fit.u[:, b])
    expected = softmax_last(history + effect).mean(axis=0)
    result = answer(fit, ["no-depression-1929", "hindenburg-refuses-1933"])
    assert result.extrapolation
    assert [r.mean for r in result.rows] == pytest.approx(list(expected))


def test_a_year_with_features_is_history_plus_their_effect(fit: Fit) -> None:
    first = answer(fit, features={"economy_spared": 1.0}, seed=3, year=1931)
    assert first.to_dict() == answer(fit, features={"economy_spared": 1.0}, seed=3, year=1931).to_dict()
    assert first.extrapolation and "features alone" in first.extrapolation_note
    w = fit.weights(1931)
    x = np.array([1.0 if f == "economy_spared" else 0.0 for f in fit.features])
    eta = np.einsum("j,sjk->sk", w, fit.history) + np.exp(fit.era @ w)[:, None] * np.einsum("f,sfk->sk", x, fit.beta)
    assert [r.mean for r in first.rows] == pytest.approx(list(softmax_last(eta).mean(axis=0)))


def test_a_year_without_features_is_real_history_exactly(fit: Fit) -> None:
    result = answer(fit, year=1931)
    assert not result.extrapolation
    assert [r.mean for r in result.rows] == pytest.approx(list(fit.history_at(1931).mean(axis=0)))
    assert all(r.change_mean == 0 and r.p_raise == 0 for r in result.rows)


# -- counterfactuals given what happened (rung 3) ------------------------------------------------
def test_given_history_a_null_divergence_gives_the_observed_outcome(fit: Fit) -> None:
    result = answer(fit, year=1931, given_history=True)
    assert result.row("dictatorship").mean == 1.0
    assert result.to_dict()["semantics"].startswith("counterfactual given what happened (Pearl rung 3)")


def test_gumbel_max_counterfactual_by_hand() -> None:
    """Two outcomes, real (0.5, 0.5), divergence (0.8, 0.2); D = g1 - g0 is standard logistic, P(D > c) =
    1 / (1 + e^c). The divergent world picks outcome 1 iff D > log 4."""
    real = np.tile([0.5, 0.5], (2000, 1))
    divergent = np.tile([0.8, 0.2], (2000, 1))
    # outcome 1 wins in the divergent world iff g1 - g0 > log(0.8 / 0.2) = log 4; given g1 - g0 < 0 that never
    # happens: the observed outcome 0 stays
    cf = counterfactual_given_history(real, divergent, 0, np.random.default_rng(0), samples=50)
    np.testing.assert_allclose(cf[:, 0], 1.0)
    # given outcome 1 happened (g1 - g0 > 0), outcome 0 wins iff g1 - g0 < log 4: P = (1/2 - 1/5) / (1/2) = 0.6
    cf = counterfactual_given_history(real, divergent, 1, np.random.default_rng(0), samples=50)
    assert cf[:, 0].mean() == pytest.approx(0.6, abs=0.01)


def test_compare_ranks_every_pod(fit: Fit) -> None:
    ranked = compare(fit, by="survives")
    assert {a.pods[0] for a in ranked} == set(fit.pods)
    means = [a.row("survives").mean for a in ranked]
    assert means == sorted(means, reverse=True)


def test_worldview_end_must_be_known(fit: Fit) -> None:
    with pytest.raises(QueryError, match='worldview "middle": expected one of low, high'):
        answer(fit, ["no-depression-1929"], worldview="middle")


def test_worldview_needs_a_fit_with_the_factor() -> None:
    without = Fit.from_tree(fake_fit(load_scenario(WEIMAR), worldview=False))
    with pytest.raises(QueryError, match="no worldview factor"):
        answer(without, ["no-depression-1929"], worldview="high")


def test_worldview_end_by_hand(fit: Fit) -> None:
    """From the high end: the divergence's logits against the last outcome plus 1.2816 * loadings; real
    history, the baseline, unchanged."""
    i = fit.pods.index("no-depression-1929")
    theta = fit.theta[:, i]
    logits = np.log(theta[:, :-1] / theta[:, -1:]) + 1.2816 * fit.worldview_loading
    expected = softmax_last(logits)
    result = answer(fit, ["no-depression-1929"], worldview="high")
    assert result.row("survives").mean == pytest.approx(expected[:, 0].mean())
    change = expected[:, 0] - fit.history_at(1929)[:, 0]
    assert result.row("survives").change_mean == pytest.approx(change.mean())
    assert result.to_dict()["worldview"] == {"end": "high", "position": 1.2816}
    assert "high end of the worldview" in result.label
    # in these draws the two ends lie on either side of the average
    low = answer(fit, ["no-depression-1929"], worldview="low").row("survives").mean
    assert low < answer(fit, ["no-depression-1929"]).row("survives").mean < result.row("survives").mean


def test_real_history_is_seen_alike_from_every_worldview(fit: Fit) -> None:
    assert answer(fit, ["otl"], worldview="high").rows == answer(fit, ["otl"]).rows


def test_plausibility_of_the_divergence_itself(fit: Fit) -> None:
    """From the antecedent claims: the divergence's own plausibility, apart from its outcome probabilities."""
    i = fit.pods.index("grand-coalition-1930")
    p = 1 / (1 + np.exp(-fit.plausibility[:, i - 1]))
    result = answer(fit, ["grand-coalition-1930"])
    assert result.plausibility is not None
    assert result.plausibility[0] == pytest.approx(p.mean())
    assert result.to_dict()["plausibility"]["mean"] == pytest.approx(p.mean())
    assert answer(fit, ["otl"]).plausibility is None
    assert answer(fit, year=1930).plausibility is None
