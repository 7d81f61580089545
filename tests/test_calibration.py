"""Simulation-based calibration (cfprob.answers.calibration): simulated data, the rank test, a reduced SBC run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from cfprob.answers.calibration import THINNED, Calibration, calibrate, simulate_data
from cfprob.answers.likelihood import draw_prior
from cfprob.fitting.design import design
from cfprob.fitting.draws import seen_logits
from cfprob.fitting.provenance import SamplerSettings
from cfprob.reading.loader import load_scenario


def test_rank_uniformity_by_hand() -> None:
    """Ranks 0..99 in 10 bins: perfectly flat gives chi-square 0; all in one bin gives 9 * n. Ranks among
    19 draws (0..19) split into the same 10 bins, two ranks each."""
    flat = Calibration({"a": [(r, 99) for r in range(100)]}, 10, 100, [False] * 100)
    assert flat.histogram("a") == [10] * 10
    assert flat.tests()["a"] == pytest.approx((0.0, 1.0))
    piled = Calibration({"a": [(0, 99)] * 20}, 10, 20, [False] * 20)
    statistic, p = piled.tests()["a"]
    assert statistic == pytest.approx(180.0)  # sum((20-2)^2/2 + 9 * 2^2/2) = 162 + 18
    assert p == pytest.approx(stats.chi2.sf(180.0, 9))
    mixed = Calibration({"a": [(r, 19) for r in range(20)] + [(r, 99) for r in range(100)]}, 10, 120, [False] * 120)
    assert mixed.histogram("a") == [12] * 10


def test_simulated_data_keep_the_structure(weimar: Path) -> None:
    data = design(load_scenario(weimar))
    rng = np.random.default_rng(1)
    for _ in range(20):
        simulated = simulate_data(data, draw_prior(data, 1, rng), rng)
        assert simulated.point.value.shape == data.point.value.shape
        width = data.interval.extra - data.interval.value
        np.testing.assert_allclose(simulated.interval.extra - simulated.interval.value, width)
        np.testing.assert_allclose(simulated.distribution.vectors.sum(-1), 1.0)
        np.testing.assert_allclose(np.abs(simulated.ordering.confidence), data.ordering.confidence)
        np.testing.assert_array_equal(simulated.matrices.history_chol, data.matrices.history_chol)
        assert 0 <= simulated.observed_outcome < len(data.outcomes)
        assert simulated.pods == data.pods and simulated.claimants == data.claimants


def test_reversed_orderings_appear_at_their_rate(weimar: Path) -> None:
    """With theta fixed, an ordering is reversed with probability 1 - sigmoid(gap / tau)."""
    data = design(load_scenario(weimar))
    rng = np.random.default_rng(2)
    truth = draw_prior(data, 1, rng)
    signs = [simulate_data(data, truth, rng).ordering.confidence[0] > 0 for _ in range(3000)]
    o = data.ordering
    # as the claimant sees both sides, through their worldview
    higher = seen_logits(truth, o.pod[:1], o.outcome[:1], o.author[:1], o.seen[:1])[0, 0]
    lower = seen_logits(truth, o.other_pod[:1], o.outcome[:1], o.author[:1], o.other_seen[:1])[0, 0]
    assert o.direction[0] == 0  # no tendency term
    chance = 1 / (1 + np.exp(-(higher - lower) / 0.5))
    assert np.mean(signs) == pytest.approx(chance, abs=0.03)


@pytest.mark.mcmc
def test_reduced_sbc_on_the_small_scenario(weimar: Path) -> None:
    """Eight simulations: every rank in range, and no gross miscalibration (pooled chi-square p > 0.001)."""
    scenario = load_scenario(weimar)
    result = calibrate(scenario, design(scenario), 8, SamplerSettings(draws=200, tune=200, chains=2), seed=3)
    tests = result.tests()
    assert set(tests) >= {
        "history[1930, survives]",
        "beta[economy_spared, survives]",
        "sigma_u",
    }
    for ranks in result.ranks.values():
        assert len(ranks) == 8 and all(0 <= rank <= of and of in THINNED for rank, of in ranks)
    assert sum(result.histogram("sigma_u")) == 8
    pooled = sum(s for s, _ in tests.values())
    assert stats.chi2.sf(pooled, len(tests) * 9) > 0.001


def test_selection_points_claims_at_the_divergences_claimants_prefer(weimar: Path) -> None:
    """With a strong preference every re-pointed claim goes to the divergence its claimant sees as best for the
    first outcome; orderings between two divergences and claims about real history stay where they are."""
    from cfprob.answers.calibration import select_divergences
    from cfprob.fitting.draws import seen_theta

    data = design(load_scenario(weimar))
    truth = draw_prior(data, 1, np.random.default_rng(11))
    chosen = select_divergences(data, truth, np.random.default_rng(12), strength=1e6)
    candidates = np.arange(1, len(data.pods))
    moved = 0
    for name, block in data.blocks.items():
        new = chosen.blocks[name]
        for j in range(len(block)):
            sides = []
            if (name != "ordering" and block.seen[j] == 1) or (name == "ordering" and block.direction[j] > 0):
                sides = [new.pod[j]]
            elif name == "ordering" and block.direction[j] < 0:
                sides = [new.other_pod[j]]
            for picked in sides:
                authors = np.full(len(candidates), block.author[j])
                best = candidates[np.argmax(seen_theta(truth, candidates, authors, np.ones(len(candidates)))[0, :, 0])]
                assert picked == best
                moved += 1
            if not sides:
                assert (new.pod[j], new.other_pod[j]) == (block.pod[j], block.other_pod[j])
    assert moved > 0


def test_selection_keeps_shapes_and_simulates(weimar: Path) -> None:
    data = design(load_scenario(weimar))
    rng = np.random.default_rng(13)
    simulated = simulate_data(data, draw_prior(data, 1, rng), rng, selection=True)
    for name, block in data.blocks.items():
        assert len(simulated.blocks[name]) == len(block)
