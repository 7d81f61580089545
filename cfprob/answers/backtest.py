"""Forecasting the past on real regimes: leave-one-regime-out over the scenario's reference class.

Real history's curve comes from the hazard model (:mod:`cfprob.history`); this asks whether that model has
any skill on the real regimes it learns from. Each regime of the reference class is left out in turn, the
hazard model is fitted to the others (and to real history's own years), and the left-out regime's outcome by
the horizon year is predicted from several ages at which it was still alive (:data:`START_AGES`), as a new
regime whose frailty and tilt are drawn from their priors. A regime whose outcome by the horizon is unknown
(the data stop before it) is not scored.

Two baselines: **uniform** (1/K each) and **base rate**, the frequency of each outcome by the horizon among
the other regimes (add-one smoothed): a constant-hazard forecast that knows nothing of age or era. Scores
are log loss and Brier score (lower is better); the model's difference from each baseline is paired by
regime (a regime's forecasts from several ages are averaged first, since they are not independent) with its
standard error over regimes. With two dozen regimes and 15 of 16 endings in 1989-93, a skill far beyond two
standard errors would suggest leakage, not insight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cfprob.errors import CfprobError
from cfprob.history.hazard import HazardPriors, fit_hazards, outcome_probabilities
from cfprob.history.regimes import Regime, case_at_hand, reference_regimes
from cfprob.reading.scenario import Scenario

__all__ = ["START_AGES", "Backtest", "Forecast", "backtest", "brier", "log_loss"]

Floats = NDArray[np.float64]

START_AGES = (5, 15, 25)
"""Ages (years since the regime began) from which each left-out regime is predicted, while it was alive."""

LEAD_YEARS = 10
"""A forecast is made at least this many years before the horizon (one made a year before it is nearly
certain for a regime still alive, and would flatter every forecaster)."""

DRAWS = 2000
"""Draws of the hazard model's posterior behind each forecast."""


def log_loss(p: Floats, outcome: NDArray[np.int64]) -> float:
    """Mean negative natural log of the probability given to what happened."""
    return float(np.mean(_log_losses(p, outcome)))


def brier(p: Floats, outcome: NDArray[np.int64]) -> float:
    """Mean over cases of the squared distance between the forecast and the one-hot outcome (0 to 2)."""
    return float(np.mean(_briers(p, outcome)))


def _log_losses(p: Floats, outcome: NDArray[np.int64]) -> Floats:
    result: Floats = -np.log(p[np.arange(len(outcome)), outcome])
    return result


def _briers(p: Floats, outcome: NDArray[np.int64]) -> Floats:
    result: Floats = ((p - np.eye(p.shape[1])[outcome]) ** 2).sum(axis=1)
    return result


@dataclass(frozen=True)
class Forecast:
    """One left-out regime's forecast from one age."""

    case: str
    age: int
    year: int
    outcome: str
    """What happened by the horizon."""
    model: tuple[float, ...]
    base_rate: tuple[float, ...]


@dataclass(frozen=True)
class Backtest:
    outcomes: tuple[str, ...]
    horizon: int
    forecasts: tuple[Forecast, ...]
    scores: dict[str, tuple[float, float]]
    """Log loss and Brier score of ``model``, ``base rate`` and ``uniform``, over every forecast."""
    differences: dict[str, tuple[float, float]]
    """The model's log loss minus each baseline's (``base rate``, ``uniform``), paired by regime: mean and
    standard error over regimes (negative: the model is better)."""
    regimes: int
    """How many regimes were scored."""


def _outcome_by(regime: Regime, horizon: int, survival: int) -> int | None:
    """What a regime's outcome was by ``horizon``: its ending if it ended by then, the survival outcome if it
    was still there after it, None if the data stop before the horizon."""
    if regime.outcome is not None and regime.last <= horizon:
        return regime.outcome
    if regime.last > horizon or (regime.outcome is None and regime.last >= horizon):
        return survival
    return None


def backtest(scenario: Scenario, seed: int = 1, priors: HazardPriors | None = None) -> Backtest:
    """Leave-one-regime-out forecasts of every reference-class regime, scored against both baselines."""
    regimes = reference_regimes(scenario)
    if not regimes:
        raise CfprobError(
            f"{scenario.path}: the scenario has no reference class ([evidence.reference_class]) to backtest on"
        )
    priors = priors or HazardPriors()
    outcomes = scenario.outcome_ids
    k = len(outcomes)
    horizon = scenario.horizon_year
    survival = outcomes.index(scenario.evidence.survival_outcome)
    truths = [_outcome_by(r, horizon, survival) for r in regimes]
    rng = np.random.default_rng(seed)
    forecasts: list[Forecast] = []
    by_regime: list[tuple[float, float, float]] = []
    for i, (regime, truth) in enumerate(zip(regimes, truths, strict=True)):
        ages = [a for a in START_AGES if regime.start + a <= min(regime.last, horizon - LEAD_YEARS)]
        if truth is None or not ages:
            continue
        others = [r for j, r in enumerate(regimes) if j != i]
        fit = fit_hazards([*others, case_at_hand(scenario)], k, horizon, priors)
        draws = fit.draws(DRAWS, seed=seed + i)
        effects = rng.normal(0.0, priors.frailty_sd, (DRAWS, 1)) + rng.normal(0.0, priors.tilt_sd, (DRAWS, k))
        years = np.asarray([regime.start + a for a in ages], dtype=float)
        model = outcome_probabilities(fit, draws, -1, regime.start, years, horizon, survival, effects).mean(axis=0)
        known = [t for j, t in enumerate(truths) if j != i and t is not None]
        base = (np.bincount(known, minlength=k) + 1.0) / (len(known) + k)
        for a, year, p in zip(ages, years, model, strict=True):
            forecasts.append(
                Forecast(regime.name, a, int(year), outcomes[truth], tuple(map(float, p)), tuple(map(float, base)))
            )
        y = np.full(len(ages), truth)
        by_regime.append(
            (
                float(_log_losses(model, y).mean()),
                float(_log_losses(np.tile(base, (len(ages), 1)), y).mean()),
                float(np.log(k)),
            )
        )
    if not forecasts:
        raise CfprobError(f"{scenario.path}: no reference-class regime has a known outcome by {horizon} to score")
    y = np.asarray([outcomes.index(f.outcome) for f in forecasts], dtype=np.int64)
    model = np.asarray([f.model for f in forecasts])
    base = np.asarray([f.base_rate for f in forecasts])
    uniform = np.full_like(model, 1.0 / k)
    scores = {
        name: (log_loss(p, y), brier(p, y)) for name, p in (("model", model), ("base rate", base), ("uniform", uniform))
    }
    per = np.asarray(by_regime)
    differences = {}
    for name, column in (("base rate", 1), ("uniform", 2)):
        d = per[:, 0] - per[:, column]
        se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("nan")
        differences[name] = (float(d.mean()), se)
    return Backtest(outcomes, horizon, tuple(forecasts), scores, differences, len(per))
