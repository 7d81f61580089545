"""Predictive checks (cfprob.answers.checks) and `cfprob check`: errors first, then hand-computed values."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cfprob.answers.checks import check_claims, predictive_p_values
from cfprob.answers.likelihood import Draws, claim_order, draw_prior
from cfprob.fitting.design import design
from cfprob.fitting.provenance import CHECK_LEVEL
from cfprob.outputs.check_tables import check_failures
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

from .fakes import install_fake_fit, invoke


@pytest.fixture
def data(weimar: Path):
    return design(load_scenario(weimar))


def point_draws(data, located_logit: float, noise: float, n: int = 20_000) -> Draws:
    """Draws under which every claim's located logit (on its pod and outcome) is ``located_logit``."""
    k = len(data.outcomes)
    p = 1 / (1 + np.exp(-located_logit))
    theta = np.full((n, data.n_rows, k), (1 - p) / (k - 1))
    theta[..., :] = (1 - p) / (k - 1)
    theta[..., 0] = p
    return Draws(
        theta,
        np.zeros((n, len(data.claimants), k)),
        np.full((n, len(data.claimants)), noise),
        np.full((n, len(data.claimants)), 10.0),
        history=np.repeat(_logits(theta[:, :1]), len(data.knots), axis=1),
        era=np.zeros((n, len(data.knots))),
        plausibility=np.full((n, len(data.pods) - 1), located_logit),
        spread=np.zeros((n, data.n_rows)),
        poll_location=np.full((n, len(data.blocks["poll"])), located_logit),
        poll_dispersion=np.ones((n, len(data.blocks["poll"]))),
    )


def _logits(theta: np.ndarray) -> np.ndarray:
    """Outcome probabilities as the model's logits against the last outcome."""
    return np.log(theta[..., :-1]) - np.log(theta[..., -1:])


def test_unknown_pod_is_an_error(weimar: Path) -> None:
    install_fake_fit(load_scenario(weimar))
    code, out, err = invoke("check", "--scenario", str(weimar), "no-such-pod")
    assert code == 1 and out == ""
    assert (
        err.strip().splitlines()[-1].startswith('cfprob: error: divergence point "no-such-pod": not in this scenario')
    )


def test_a_stated_value_at_the_centre_has_p_one_and_far_out_near_zero(data) -> None:
    """A probability claim of 60% (logit 0.405) with the model's located logit at 0.405: p ~ 1."""
    point = data.point
    only = data.with_blocks(
        point=replace(
            point,
            outcome=np.zeros_like(point.outcome),
            extra=np.zeros_like(point.extra),
            confidence=np.ones(len(point)),
        ),
    )
    rng = np.random.default_rng(1)
    centre = float(np.log(0.6 / 0.4))
    first = claim_order(only).index(point.ids[0])
    p_centre = predictive_p_values(point_draws(only, float(point.value[0]), 1.0), only, rng)[first]
    assert p_centre > 0.95  # 1 up to Monte Carlo error: 2 * |share below - 1/2|, sd 0.007 with 20,000 replicas
    # 4 noise units away: two-sided normal tail 2 * Phi(-4) = 6.3e-5
    p_far = predictive_p_values(point_draws(only, float(point.value[0]) + 4.0, 1.0), only, rng)[first]
    assert p_far < 5e-4
    assert centre == pytest.approx(float(data.point.value[0]))


def test_an_ordering_p_value_is_the_chance_of_stating_it(data) -> None:
    """Equal logits under both pods: sigmoid(0) = 1/2 of replicas state the ordering."""
    draws = point_draws(data, 0.0, 1.0)
    p = predictive_p_values(draws, data, np.random.default_rng(2))
    i = claim_order(data).index(data.ordering.ids[0])
    assert p[i] == pytest.approx(0.5, abs=0.02)


def test_an_era_p_value_is_the_chance_of_stating_it(data) -> None:
    """Cleo's claim is about real history. A flat curve: sigmoid(0) = 1/2 of replicas state the era claim; a
    curve 1 logit higher in the window (1929-1930, against 1931-1933) than after it: sigmoid(confidence * 1 /
    tau) = sigmoid(2) = 0.881."""
    draws = point_draws(data, 0.0, 1.0)
    i = claim_order(data).index(data.era.ids[0])
    assert predictive_p_values(draws, data, np.random.default_rng(3))[i] == pytest.approx(0.5, abs=0.02)
    # the contrast row sums to 0 (two sets of interpolation weights), so with logits 1, 1, 1 - 1/(-c) at the
    # knots 1929, 1930, 1933 (c the contrast at 1933) the gap is exactly 1
    knot_logit = np.array([1.0, 1.0, 1.0]) - np.array([0.0, 0.0, 1.0]) / float(-data.era.contrast[0, 2])
    p = 1 / (1 + np.exp(-knot_logit))
    curve = np.stack([p, (1 - p) / 2, (1 - p) / 2], axis=-1)
    draws = replace(draws, history=np.broadcast_to(_logits(curve), (len(draws), 3, 2)).copy())
    gap = float(data.era.contrast[0] @ knot_logit)
    assert gap == pytest.approx(1.0)
    stated = predictive_p_values(draws, data, np.random.default_rng(4))[i]
    assert stated == pytest.approx(1 / (1 + np.exp(-2.0)), abs=0.01)


def test_checks_sorted_worst_first_and_flagged(data) -> None:
    rng = np.random.default_rng(3)
    prior = draw_prior(data, 2000, rng)
    checks = check_claims(point_draws(data, 6.0, 0.2, 4000), prior, data, rng)
    ps = [c.posterior_p for c in checks]
    assert ps == sorted(ps)
    assert checks[0].misfit and checks[0].posterior_p < CHECK_LEVEL
    assert {c.claim for c in checks} == set(claim_order(data))


def test_failures_name_misfits_and_sampler_problems(data) -> None:
    rng = np.random.default_rng(4)
    checks = check_claims(point_draws(data, 6.0, 0.2, 4000), draw_prior(data, 2000, rng), data, rng)
    reasons = check_failures(
        checks, {"diag_divergences": 3, "diag_max_rhat": 1.0, "diag_min_ess_bulk": 1e4, "diag_min_ess_tail": 1e4}
    )
    assert reasons[0].startswith("sampler: 3 divergent transitions")
    assert any(r.startswith("posterior predictive:") and checks[0].claim in r for r in reasons)


def test_check_command_on_a_fake_fit() -> None:
    install_fake_fit(load_scenario(bundled_scenario()))
    code, out, _ = invoke("check", "kosygin-1965")
    assert code == 0
    assert "Prior predictive" in out and "Posterior predictive" in out and "Sampler:" in out
    assert "Power-scaling sensitivity of P(outcome | kosygin-1965)" in out  # the answer asked about
    assert "This is about the answer, not single claims" in out or "diagnosis" in out
    code, out, _ = invoke("check", "--json")
    payload = json.loads(out)
    keys = {"passed", "failures", "prior_outcomes", "power_scaling", "claims", "placebo", "provenance"}
    assert set(payload) == keys and payload["power_scaling"] == {}  # no divergence point asked
    code, out, _ = invoke("check", "kosygin-1965", "--json")
    scaling = json.loads(out)["power_scaling"]["kosygin-1965"]
    assert set(scaling) == {"stable_democracy", "collapse", "authoritarian"}
    assert all(set(v) == {"prior", "likelihood", "diagnosis"} for v in scaling.values())
    assert payload["placebo"] is None  # not asked for
    assert len(payload["claims"]) == len(load_scenario(bundled_scenario()).scored_claims)
    assert set(payload["prior_outcomes"]["otl"]) == {"stable_democracy", "collapse", "authoritarian"}


def test_check_fails_on_sampler_problems_of_a_fake_fit(weimar: Path) -> None:
    from cfprob.outputs.store import cache_path, put_in_cache

    scenario = load_scenario(weimar)
    tree = install_fake_fit(scenario)
    tree.attrs["diag_divergences"] = 5
    from cfprob.fitting.provenance import SamplerSettings

    put_in_cache(tree, cache_path(scenario, SamplerSettings()))
    code, out, _ = invoke("check", "--scenario", str(weimar))
    assert code == 1  # a failing check is the result: exit 1 without being asked
    assert "  FAIL  sampler: 5 divergent transitions" in out and "  PASS  posterior predictive" in out
    assert invoke("check", "--scenario", str(weimar), "--strict")[0] == 1  # the old flag still works


def _misfit(weimar: Path) -> Path:
    """Ada now says a grand coalition saves the republic with near certainty; Bert that it is highly unlikely."""
    claims = weimar / "claims" / "thread.toml"
    text = claims.read_text()
    text = text.replace(
        'pod = "no-depression-1929"\noutcome = "survives"\nprobability = 0.6\nconfidence = 0.5',
        'pod = "grand-coalition-1930"\noutcome = "survives"\nprobability = 0.999\nconfidence = 100',
    )
    claims.write_text(text)
    return weimar


@pytest.mark.mcmc
def test_strict_check_on_real_fits(weimar: Path) -> None:
    """The small scenario's claims pass both predictive checks; one built to misfit fails, naming the claim.

    (The small scenario's funnel gives divergences, so its sampler check fails either way: the claim
    checks are what is compared here. The bundled scenario passes ``check --strict`` whole.)
    """
    settings = ["--draws", "300", "--tune", "300", "--target-accept", "0.95"]
    code, out, _ = invoke("check", "--scenario", str(weimar), *settings, "--json")
    payload = json.loads(out)
    assert not [c for c in payload["claims"] if c["misfit"] or c["prior_conflict"]]
    code, out, _ = invoke("check", "--scenario", str(_misfit(weimar)), *settings, "--strict", "--json")
    assert code == 1
    payload = json.loads(out)
    assert not payload["passed"]
    flagged = {c["id"] for c in payload["claims"] if c["misfit"] or c["prior_conflict"]}
    assert "ada-no-depression" in flagged
    assert any("predictive" in reason and "ada-no-depression" in reason for reason in payload["failures"])


def test_readers_of_a_report_get_no_command_line_advice() -> None:
    """The same sampler trouble, said to a user who can refit and to a reader who cannot."""
    from cfprob.outputs.tables import diagnostics_lines

    attrs = {"diag_divergences": 3, "target_accept": 0.97, "diag_max_rhat": 1.0, "chains": 4, "draws": 1000}
    attrs["diag_max_treedepth_hits"] = 5  # its message has a "; " of its own, which is not advice
    attrs |= {"diag_min_ess_bulk": 1e4, "diag_min_ess_tail": 1e4, "seed": 1}
    for_user, for_reader = diagnostics_lines(attrs), diagnostics_lines(attrs, advice=False)
    assert any("--target-accept 0.99" in line for line in for_user)
    assert not any("--" in line or "refit" in line for line in for_reader)
    assert any("3 divergent transitions" in line and "intervals may be too narrow" in line for line in for_reader)
    assert any("the numbers may still be right" in line for line in for_reader)


def test_the_placebo_line_says_pass_or_fail(weimar: Path) -> None:
    from cfprob.answers.placebo import PlaceboResult
    from cfprob.outputs.check_tables import format_checks

    scenario = load_scenario(weimar)
    attrs = {"diag_divergences": 0, "diag_max_rhat": 1.0, "chains": 4}
    attrs |= {"diag_min_ess_bulk": 1e4, "diag_min_ess_tail": 1e4}
    leaning = PlaceboResult(pod="placebo", year=1930, p_raise={"survives": 0.9, "falls": 0.1}, change={})
    centred = PlaceboResult(pod="placebo", year=1930, p_raise={"survives": 0.5, "falls": 0.5}, change={})
    assert "every outcome: FAIL." in format_checks([], {}, scenario, attrs, 100, leaning)
    assert "every outcome: PASS." in format_checks([], {}, scenario, attrs, 100, centred)
