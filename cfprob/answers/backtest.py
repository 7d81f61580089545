"""Forecasting the past on real regimes: leave-one-regime-out over the scenario's reference class.

The model's baseline comes from the reference class: ``class_logit ~ Normal(0, class_logit_sd)`` per
outcome logit and the cases' outcomes ``~ Multinomial(softmax([class_logit, 0]))``. Each real case is
predicted from all the others by that same model, P(outcome of case i | the other cases), computed by
importance sampling from the prior (a fixed number of prior draws, a fixed seed), and scored by log loss
and Brier score against two baselines: the base rate of the other cases, and the uniform forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp

from cfprob.errors import CfprobError
from cfprob.fitting.priors import Priors
from cfprob.reading.scenario import Scenario

__all__ = ["Backtest", "Forecast", "backtest", "brier", "log_loss"]

Floats = NDArray[np.float64]


def log_loss(p: Floats, outcome: NDArray[np.int64]) -> float:
    """Mean negative natural log of the probability given to what happened."""
    return float(-np.mean(np.log(p[np.arange(len(outcome)), outcome])))


def brier(p: Floats, outcome: NDArray[np.int64]) -> float:
    """Mean over cases of the squared distance between the forecast and the one-hot outcome (0 to 2)."""
    truth = np.eye(p.shape[1])[outcome]
    return float(np.mean(((p - truth) ** 2).sum(axis=1)))


@dataclass(frozen=True)
class Forecast:
    case: str
    outcome: str
    model: tuple[float, ...]
    base_rate: tuple[float, ...]


@dataclass(frozen=True)
class Backtest:
    outcomes: tuple[str, ...]
    forecasts: tuple[Forecast, ...]
    scores: dict[str, tuple[float, float]]
    """Log loss and Brier score of ``model``, ``base rate`` and ``uniform``."""
    prior_draws: int


def backtest(scenario: Scenario, prior_draws: int = 200_000, seed: int = 1, priors: Priors | None = None) -> Backtest:
    """Leave-one-case-out forecasts of every reference-class case, scored against both baselines."""
    reference = scenario.evidence.reference_class
    if reference is None:
        raise CfprobError(
            f"{scenario.path}: the scenario has no reference class ([evidence.reference_class]) to backtest on"
        )
    priors = priors or Priors()
    outcomes = scenario.outcome_ids
    k = len(outcomes)
    cases = [c for c, _ in reference.cases]
    y = np.array([outcomes.index(o) for _, o in reference.cases], dtype=np.int64)
    counts = np.bincount(y, minlength=k)
    rng = np.random.default_rng(seed)
    logits = np.concatenate(
        [rng.normal(0.0, priors.class_logit_sd, (prior_draws, k - 1)), np.zeros((prior_draws, 1))], 1
    )
    log_p = logits - logsumexp(logits, axis=1, keepdims=True)  # (draws, K)
    model, base = np.zeros((len(y), k)), np.zeros((len(y), k))
    for i, outcome in enumerate(y):
        others = counts.copy()
        others[outcome] -= 1
        log_w = log_p @ others  # multinomial log-likelihood of the other cases, up to a constant
        w = np.exp(log_w - log_w.max())
        model[i] = (w / w.sum()) @ np.exp(log_p)
        base[i] = others / others.sum()
    uniform = np.full((len(y), k), 1.0 / k)
    with np.errstate(divide="ignore"):
        scores = {
            name: (log_loss(p, y), brier(p, y))
            for name, p in (("model", model), ("base rate", base), ("uniform", uniform))
        }
    forecasts = tuple(
        Forecast(case, outcomes[o], tuple(map(float, m)), tuple(map(float, b)))
        for case, o, m, b in zip(cases, y, model, base, strict=True)
    )
    return Backtest(outcomes, forecasts, scores, prior_draws)
