"""The numpy mirror of the model's observation side (cfprob.answers.likelihood)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from cfprob.answers.likelihood import (
    Draws,
    choice_log_likelihood,
    claim_log_likelihood,
    claim_order,
    draw_prior,
    replicate,
)
from cfprob.fitting.design import design, softmax_last
from cfprob.fitting.priors import Priors
from cfprob.reading.loader import load_scenario

from .conftest import REPO, WEIMAR

BUNDLED = REPO / "priors" / "ussr"


@pytest.fixture(scope="module")
def data():
    return design(load_scenario(BUNDLED))


def test_claim_order_covers_every_claim_once(data):
    scenario = load_scenario(BUNDLED)
    assert sorted(claim_order(data)) == sorted(c.id for c in scenario.scored_claims)


def test_prior_draws_have_the_model_shapes(data):
    draws = draw_prior(data, 7, np.random.default_rng(1))
    # the pods, then real history at the claims' years, then the stacks claims with a condition speak of
    rows = len(data.pods) + len(data.history_years) + len(data.stacks)
    assert data.stacks and rows == data.n_rows
    assert draws.theta.shape == (7, rows, len(data.outcomes))
    np.testing.assert_allclose(draws.theta.sum(-1), 1.0)
    assert draws.bias.shape == (7, len(data.claimants), len(data.outcomes))
    assert (draws.noise > 0).all()
    # real history is the curve at the timeline's start, where the curve is alpha
    alpha = draws.extra["alpha"]
    np.testing.assert_allclose(np.log(draws.theta[:, 0, :-1] / draws.theta[:, 0, -1:]), alpha, atol=1e-10)
    np.testing.assert_allclose(draws.history[:, 0], alpha, atol=1e-10)
    # the curve is the hazard model's normal over logits: whitened, its draws are standard normal values
    residual = (draws.history - data.matrices.history_mean).reshape(len(draws), -1)
    z = np.linalg.solve(data.matrices.history_chol, residual.T)
    assert np.abs(z).max() < 5.0


def _seen(draws, row, author, seen):
    """Row ``row`` as ``author`` sees it: a divergence's logits shifted by the author's worldview."""
    logits = np.log(draws.theta[:, row, :]) + seen * draws.worldview[:, author, :]
    return np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)


def test_prior_worldview_shifts_only_the_logits_against_the_last_outcome(data):
    draws = draw_prior(data, 5, np.random.default_rng(7))
    assert draws.worldview.shape == (5, len(data.claimants), len(data.outcomes))
    np.testing.assert_array_equal(draws.worldview[..., -1], 0.0)
    assert (draws.extra["worldview_loading"][:, 0] >= 0).all()
    expected = draws.extra["worldview"][:, :, None] * draws.extra["worldview_loading"][:, None, :]
    np.testing.assert_allclose(draws.worldview[..., :-1], expected)
    assert draw_prior(data, 5, np.random.default_rng(7), Priors(worldview_loading_sd=0.0)).worldview is None


def test_an_ordering_claim_by_hand(data):
    """One ordering claim: -weight * softplus(-(confidence * gap / tau + direction * tendency))."""
    draws = draw_prior(data, 3, np.random.default_rng(2))
    ll = claim_log_likelihood(draws, data)
    order = data.ordering
    i = claim_order(data).index(order.ids[0])
    k, hi, lo, a = order.outcome[0], order.pod[0], order.other_pod[0], order.author[0]
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    gap = logit(_seen(draws, hi, a, order.seen[0])[:, k]) - logit(_seen(draws, lo, a, order.other_seen[0])[:, k])
    tendency = order.direction[0] * draws.tendency[:, order.author[0], k]
    expected = -order.weight[0] * np.log1p(np.exp(-(order.confidence[0] * gap / Priors().ordering_tau + tendency)))
    np.testing.assert_allclose(ll[:, i], expected)


def test_a_point_claim_by_hand(data):
    """A verbal claim: Normal log density of the phrase's logit, lexicon spread added to the noise."""
    draws = draw_prior(data, 3, np.random.default_rng(3))
    ll = claim_log_likelihood(draws, data)
    point = data.point
    j = 0
    assert point.seen[j] == 1.0  # a divergence point, seen through the claimant's worldview
    p = _seen(draws, point.pod[j], point.author[j], 1.0)[:, point.outcome[j]]
    mu = np.log(p / (1 - p)) + draws.bias[:, point.author[j], point.outcome[j]]
    sd = np.sqrt((draws.noise[:, point.author[j]] / point.confidence[j]) ** 2 + point.extra[j] ** 2)
    expected = -0.5 * ((point.value[j] - mu) / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(ll[:, j], point.weight[j] * expected)


def test_replicated_orderings_and_eras_follow_their_probability(data):
    draws = draw_prior(data, 1, np.random.default_rng(4))
    many = draws.take(np.zeros(4000, dtype=np.int64))
    reps = replicate(many, data, np.random.default_rng(5))
    order = claim_order(data)
    at = [order.index(i) for i in (*data.ordering.ids, *data.era.ids)]
    chance = np.exp(claim_log_likelihood(many, data)[0, at])
    np.testing.assert_allclose(np.concatenate([reps["ordering"].mean(0), reps["era"].mean(0)]), chance, atol=0.04)


OPTIONAL = ("kappa", "plausibility", "claim_spread", "poll_location", "poll_dispersion")
"""Model quantities the numpy side reads that only some scenarios have."""


def _padded(at_pods, rows):
    """A divergence points' array with zeros for the rows of real history after them."""
    return np.concatenate([at_pods, np.zeros(rows - len(at_pods))])


@pytest.mark.mcmc
@pytest.mark.parametrize("path", [WEIMAR, BUNDLED])
def test_matches_the_pymc_model(path):
    """Each claim family's numpy log-likelihood, summed, equals its PyMC term at random parameter values."""
    import pymc as pm

    from cfprob.claims import FAMILIES
    from cfprob.fitting.model import build_model
    from cfprob.fitting.priors import Priors

    data = design(load_scenario(path))
    model = build_model(data)
    values = model.value_vars
    present = [f for f in FAMILIES if len(data.blocks[f.name])]
    named = {p.name: p for p in model.potentials}
    terms = [pm.math.sum(named[f"{f.name}_claims"]) for f in present]
    terms.append(pm.math.sum(named["choices"]))  # the selection model's choices
    # the rows after the pods: real history at the claims' years, then the stacks conditional claims speak of
    rows = [model[name] for name in ("history_theta", "stack_theta") if name in model.named_vars]
    tendency = model["tendency"] if "tendency" in model.named_vars else model["noise"]  # a stand-in when absent
    shift = model["worldview_shift"]
    parameters = [model["theta"], model["bias"], model["noise"], model["history"], model["era"], tendency, shift, *rows]
    optional = [n for n in (*OPTIONAL, "selection") if n in model.named_vars]
    wanted = [*parameters, *[model[n] for n in optional], *terms]
    function = model.compile_fn(wanted, inputs=values, point_fn=False, on_unused_input="ignore")
    rng = np.random.default_rng(6)
    for _ in range(3):
        point = {v.name: rng.normal(0, 0.7, size=model.initial_point()[v.name].shape) for v in values}
        out = function(*[point[v.name] for v in values])
        theta, bias, noise, history, era, tendency, shift = out[:7]
        n = 7 + len(rows)
        theta = np.concatenate([theta, *out[7:n]], axis=0)
        got = dict(zip(optional, out[n : n + len(optional)], strict=True))
        spread = got.get("claim_spread")
        draws = Draws(
            theta[None],
            bias[None],
            noise[None],
            got["kappa"][None] if "kappa" in got else None,
            history=history[None],
            era=era[None],
            tendency=tendency[None] if "tendency" in model.named_vars else None,
            worldview=np.concatenate([shift, np.zeros((len(shift), 1))], axis=1)[None],
            plausibility=got["plausibility"][None] if "plausibility" in got else None,
            spread=None if spread is None else _padded(spread, len(theta))[None],
            poll_location=got["poll_location"][None] if "poll_location" in got else None,
            poll_dispersion=got["poll_dispersion"][None] if "poll_dispersion" in got else None,
            selection=np.atleast_1d(got["selection"]),
        )
        *family_terms, choices_term = out[n + len(optional) :]
        np.testing.assert_allclose(choice_log_likelihood(draws, data).sum(), choices_term, rtol=1e-6)
        for family, term in zip(present, family_terms, strict=True):
            numpy_side = family.log_likelihood(draws, data.blocks[family.name], Priors()).sum()
            # rtol 1e-6: at these random values the curve's probabilities reach 1 - 1e-10, where numpy's logit
            # of a probability loses digits that PyMC's logit of the logits keeps
            np.testing.assert_allclose(numpy_side, term, rtol=1e-6, err_msg=family.name)


def test_a_same_claim_by_hand() -> None:
    """A "same" claim: Normal log density of the stated difference 0 about the difference the claimant sees,
    with the claimant's noise over the confidence and the floor SAME_FLOOR = 0.5 added in quadrature."""
    data = design(load_scenario(WEIMAR))
    draws = draw_prior(data, 3, np.random.default_rng(8))
    ll = claim_log_likelihood(draws, data)
    same = data.blocks["same"]
    assert len(same) == 1 and same.value[0] == 0.0
    i = claim_order(data).index(same.ids[0])
    a, k = same.author[0], same.outcome[0]
    first = _seen(draws, same.pod[0], a, same.seen[0])[:, k]
    second = _seen(draws, same.other_pod[0], a, same.other_seen[0])[:, k]
    gap = np.log(first / (1 - first)) - np.log(second / (1 - second))
    # Ada says what follows the second divergence cannot be known: its unpredictability widens the noise
    sd = np.sqrt((draws.noise[:, a] / same.confidence[0]) ** 2 + 0.5**2 + draws.spread[:, same.other_pod[0]] ** 2)
    assert (draws.spread[:, same.other_pod[0]] > 0).all() and (draws.spread[:, same.pod[0]] == 0).all()
    expected = -0.5 * (gap / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(ll[:, i], same.weight[0] * expected)


def test_a_lower_bound_by_hand() -> None:
    """An endorsing "possible": log Phi((located - logit p) / sd), the phrase's spread in sd."""
    from scipy.stats import norm

    data = design(load_scenario(WEIMAR))
    draws = draw_prior(data, 3, np.random.default_rng(9))
    ll = claim_log_likelihood(draws, data)
    point = data.point
    j = point.ids.index("cleo-possible")
    assert point.bound[j] == 1.0
    p = _seen(draws, point.pod[j], point.author[j], point.seen[j])[:, point.outcome[j]]
    located = np.log(p / (1 - p)) + draws.bias[:, point.author[j], point.outcome[j]]
    noise = draws.noise[:, point.author[j]] / point.confidence[j]
    sd = np.sqrt(noise**2 + point.extra[j] ** 2 + draws.spread[:, point.pod[j]] ** 2)
    expected = norm.logcdf((located - point.value[j]) / sd)
    np.testing.assert_allclose(ll[:, claim_order(data).index("cleo-possible")], point.weight[j] * expected)


def test_bounded_claims_simulate_the_side_their_replica_falls_on() -> None:
    from cfprob.claims.point import FAMILY as POINT

    data = design(load_scenario(WEIMAR))
    point = data.point
    j = point.ids.index("cleo-possible")
    replica = np.tile(point.value, (1, 1))
    replica[0, j] = point.value[j] - 1.0  # below the phrase: an "at most" claim
    simulated = POINT.simulate(point, replica, np.random.default_rng(0))
    assert simulated.bound[j] == -1.0 and simulated.value[j] == point.value[j]
    others = [i for i in range(len(point)) if i != j]
    np.testing.assert_array_equal(simulated.bound[others], point.bound[others])


def test_an_antecedent_claim_by_hand() -> None:
    """How plausible a divergence itself is: Normal log density of the phrase's logit about the divergence's
    own plausibility, which no outcome probability contains."""
    data = design(load_scenario(WEIMAR))
    draws = draw_prior(data, 3, np.random.default_rng(10))
    ll = claim_log_likelihood(draws, data)
    block = data.blocks["antecedent"]
    j = 0
    q = draws.plausibility[:, block.pod[j] - 1]
    sd = np.sqrt((draws.noise[:, block.author[j]] / block.confidence[j]) ** 2 + block.extra[j] ** 2)
    expected = -0.5 * ((block.value[j] - q) / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(ll[:, claim_order(data).index(block.ids[j])], block.weight[j] * expected)
    # the outcome probabilities do not depend on it
    changed = Draws(**{**draws.__dict__, "plausibility": draws.plausibility + 5.0})
    others = [i for i, c in enumerate(claim_order(data)) if c != block.ids[j]]
    np.testing.assert_allclose(claim_log_likelihood(changed, data)[:, others], ll[:, others])


def test_an_uncertain_claim_by_hand() -> None:
    """Uncertain: "We can't even predict": log Phi((v_d - pi / sqrt(3)) / sqrt((s_a / confidence)^2 + 0.5^2)), v_d
    the named divergence point's unpredictability, pi / sqrt(3) the logit sd of a flat belief, 0.5 the floor."""
    from scipy.stats import norm

    data = design(load_scenario(WEIMAR))
    draws = draw_prior(data, 4, np.random.default_rng(11))
    ll = claim_log_likelihood(draws, data)
    block = data.blocks["uncertain"]
    j = block.ids.index("ada-unpredictable")
    v = draws.spread[:, block.pod[j]]
    sd = np.sqrt((draws.noise[:, block.author[j]] / block.confidence[j]) ** 2 + 0.5**2)
    expected = norm.logcdf((v - np.pi / np.sqrt(3)) / sd)
    np.testing.assert_allclose(ll[:, claim_order(data).index("ada-unpredictable")], block.weight[j] * expected)
    # only the named divergence point has an unpredictability; real history and the others have none
    named = block.pod[j]
    assert (draws.spread[:, named] > 0).all()
    assert (np.delete(draws.spread, named, axis=1) == 0).all()


def test_unpredictability_widens_claims_about_its_point_and_no_others() -> None:
    """More unpredictability at a point flattens the likelihood of claims about it (each moves towards 0 from
    whichever side) and leaves claims about other points as they were."""
    data = design(load_scenario(WEIMAR))
    draws = draw_prior(data, 4, np.random.default_rng(12))
    order = claim_order(data)
    wider = Draws(**{**draws.__dict__, "spread": draws.spread * 3.0})
    before, after = claim_log_likelihood(draws, data), claim_log_likelihood(wider, data)
    about_it = ["cleo-interval", "bert-hindenburg", "cleo-same"]
    elsewhere = ["ada-no-depression", "bert-coalition", "cleo-ordering", "cleo-distribution", "ada-late-republic"]
    for claim in elsewhere:
        np.testing.assert_allclose(after[:, order.index(claim)], before[:, order.index(claim)], err_msg=claim)
    for claim in about_it:
        assert not np.allclose(after[:, order.index(claim)], before[:, order.index(claim)]), claim
    # a claim far from the model gets likelier when the noise widens; the stated value itself is not moved:
    # the location in the replicas is the same
    reps = replicate(draws.take(np.zeros(20000, dtype=np.int64)), data, np.random.default_rng(1))
    reps_wide = replicate(wider.take(np.zeros(20000, dtype=np.int64)), data, np.random.default_rng(1))
    j = data.point.ids.index("bert-hindenburg")
    assert abs(reps["point"][:, j].mean() - reps_wide["point"][:, j].mean()) < 0.1
    assert reps_wide["point"][:, j].std() > reps["point"][:, j].std()


def test_a_level_claim_by_hand() -> None:
    """Real history's chance over a window: Normal log density of the phrase's logit about the mean, over the
    window's years, of the curve's log odds (linear between knots), plus the claimant's bias."""
    data = design(load_scenario(WEIMAR))
    draws = draw_prior(data, 3, np.random.default_rng(13))
    ll = claim_log_likelihood(draws, data)
    block = data.blocks["level"]
    j = block.ids.index("ada-late-republic")
    k, a = block.outcome[j], block.author[j]
    curve = softmax_last(draws.history)[:, :, k]  # (S, knots)
    at_knots = np.log(curve / (1 - curve))
    years = [1932, 1933]
    mean = np.array([np.mean([np.interp(t, data.knots, row) for t in years]) for row in at_knots])
    located = mean + draws.bias[:, a, k]
    sd = np.sqrt((draws.noise[:, a] / block.confidence[j]) ** 2 + block.extra[j] ** 2)
    expected = -0.5 * ((block.value[j] - located) / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(ll[:, claim_order(data).index("ada-late-republic")], block.weight[j] * expected)


def test_a_poll_by_hand() -> None:
    """Votes per bin: a multinomial whose bin probabilities are a Normal crowd of belief logits (location m,
    dispersion w) cut at the bins' logits."""
    from scipy.special import gammaln
    from scipy.stats import norm

    data = design(load_scenario(WEIMAR))
    draws = draw_prior(data, 3, np.random.default_rng(14))
    ll = claim_log_likelihood(draws, data)
    block = data.blocks["poll"]
    j = block.ids.index("poll-no-depression")
    m, w = draws.poll_location[:, j], draws.poll_dispersion[:, j]
    cuts = [np.log(q / (1 - q)) for q in (0.25, 0.5, 0.75)]
    cdf = np.stack([np.zeros(3), *(norm.cdf((c - m) / w) for c in cuts), np.ones(3)], axis=1)
    mass = np.diff(cdf, axis=1)
    votes = np.array([3, 9, 14, 0])
    expected = gammaln(27) - gammaln(votes + 1).sum() + (votes * np.log(mass)).sum(axis=1)
    np.testing.assert_allclose(ll[:, claim_order(data).index("poll-no-depression")], expected)


def test_a_poll_is_many_noisy_voices_but_not_many_experts() -> None:
    """With the crowd's shared error integrated out, a hundred times the votes (same shares) barely changes the
    evidence about the divergence point, which stays below what one Normal reading with the voters' noise
    gives (``d^2 / (2 sd^2)``); as independent experts it would be multiplied by a hundred."""
    from cfprob.claims.poll import FAMILY as POLL

    data = design(load_scenario(WEIMAR))
    block = data.blocks["poll"]
    z = np.linspace(-8.0, 8.0, 8001)  # the crowd's shared error, in sds: a fine grid for the integral
    prior = np.exp(-0.5 * z**2)
    sd = 0.8

    def evidence(scale: int, truth: float) -> float:
        """log P(votes | logit theta = truth), the crowd's location truth + sd * z integrated over z."""
        scaled = replace(block, votes=block.votes * scale)
        draws = Draws(
            np.zeros((len(z), 1, 3)),
            np.zeros((len(z), 1, 3)),
            np.ones((len(z), 1)),
            poll_location=(truth + sd * z)[:, None],
            poll_dispersion=np.full((len(z), 1), 0.8),
        )
        per_z = POLL.log_likelihood(draws, scaled, Priors())[:, 0]
        top = per_z.max()
        return float(top + np.log((prior * np.exp(per_z - top)).sum() / prior.sum()))

    grid = np.linspace(-2.0, 2.0, 81)
    best = grid[np.argmax([evidence(100, t) for t in grid])]

    def gap(scale: int) -> float:
        return evidence(scale, best) - evidence(scale, best + 1.5)

    assert 0 < gap(1) < gap(100) < 1.5**2 / (2 * sd**2) + 0.05
    assert gap(100) < 2 * gap(1) < 100 * gap(1)


def test_log_prior_refuses_a_free_parameter_it_has_no_prior_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parameter missing from log_prior's table would be left out of power-scaling without a word."""
    from types import SimpleNamespace

    import xarray as xr

    from cfprob.answers import likelihood

    data = design(load_scenario(WEIMAR))
    real = likelihood.free_parameters
    monkeypatch.setattr(
        likelihood,
        "free_parameters",
        lambda d, p: [*real(d, p), SimpleNamespace(parameter=SimpleNamespace(name="mystery"))],
    )
    with pytest.raises(ValueError, match="no prior for the free parameter\\(s\\) mystery"):
        likelihood.log_prior(xr.Dataset(), data)
