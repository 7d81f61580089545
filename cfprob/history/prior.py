"""Real history's curve from the hazard model, as the normal prior the pooling model starts from.

The hazard model's posterior draws of P(outcome by the horizon | alive at each knot) become logits against
the last outcome; their mean and covariance (knot-major) are the curve's prior in the pooling model
(:func:`cfprob.fitting.world.history_logits`), where claims about real history update it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from cfprob.history.hazard import HazardFit, HazardPriors, curve_draws, fit_hazards
from cfprob.history.regimes import Regime, case_at_hand, reference_regimes
from cfprob.reading.scenario import PROBABILITY_FLOOR, Scenario

__all__ = ["CURVE_DRAWS", "CurvePrior", "curve_prior", "history_prior"]

Floats = NDArray[np.float64]

CURVE_DRAWS = 4000
"""Draws of the hazard model's posterior the curve's prior is summarised from (seeded: the prior is the same
on every run)."""

_JITTER = 1e-8


@dataclass(frozen=True)
class CurvePrior:
    """Real history's curve before any claim: the normal over its logits, and the draws it summarises."""

    knots: Floats
    mean: Floats
    """(knots, K-1) logits against the last outcome."""
    chol: Floats
    """(knots * (K-1), knots * (K-1)) Cholesky factor of their covariance, knot-major."""
    probabilities: Floats
    """(draws, knots, K): the hazard model's draws of P(outcome by the horizon | alive at the knot)."""
    fit: HazardFit


def curve_prior(
    regimes: tuple[Regime, ...],
    n_outcomes: int,
    horizon: int,
    survival: int,
    knots: tuple[float, ...],
    priors: HazardPriors | None = None,
) -> CurvePrior:
    """The curve's prior for ``regimes`` (the case at hand last)."""
    return _curve_prior(regimes, n_outcomes, horizon, survival, knots, priors or HazardPriors())


@cache
def _curve_prior(
    regimes: tuple[Regime, ...],
    n_outcomes: int,
    horizon: int,
    survival: int,
    knots: tuple[float, ...],
    priors: HazardPriors,
) -> CurvePrior:
    fit = fit_hazards(list(regimes), n_outcomes, horizon, priors)
    at = np.asarray(knots, dtype=float)
    probabilities = np.clip(curve_draws(fit, at, horizon, survival, CURVE_DRAWS), PROBABILITY_FLOOR, 1.0)
    logits = np.log(probabilities[..., :-1]) - np.log(probabilities[..., -1:])
    flat = logits.reshape(len(logits), -1)
    covariance = np.atleast_2d(np.cov(flat, rowvar=False)) + _JITTER * np.eye(flat.shape[1])
    mean = flat.mean(axis=0).reshape(len(at), n_outcomes - 1)
    return CurvePrior(at, mean, np.linalg.cholesky(covariance), probabilities, fit)


def history_prior(scenario: Scenario, knots: Floats, priors: HazardPriors | None = None) -> CurvePrior:
    """The curve's prior for ``scenario`` at ``knots``: its reference class and real history's own years."""
    regimes = (*reference_regimes(scenario), case_at_hand(scenario))
    outcomes = scenario.outcome_ids
    survival = outcomes.index(scenario.evidence.survival_outcome)
    return curve_prior(regimes, len(outcomes), scenario.horizon_year, survival, tuple(map(float, knots)), priors)
