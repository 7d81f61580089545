"""Inevitability curves: an outcome's probability as the year of divergence moves through time.

Tetlock and Lebow's inevitability curve, drawn from a fit. The curve at year ``y`` is the model's
probability for a divergence in year ``y`` with no mechanism features and a typical (zero) per-PoD effect,
``softmax([alpha + f(y), 0])``, where ``f`` is the year effect interpolated linearly between its knots
(:mod:`cfprob.fitting.model`). It is the same curve era claims speak about. Named divergence points are marked at
their years with their own fitted probabilities, which differ from the curve by their features and their
own effects. Pure numpy: it reads a :class:`~cfprob.answers.query.Fit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cfprob.answers.query import Fit, check_outcome
from cfprob.fitting.design import interpolation_weights, softmax_last
from cfprob.fitting.provenance import CREDIBLE_MASS
from cfprob.reading.scenario import OTL, Scenario

__all__ = ["CURVE_SEMANTICS", "Curve", "EraMark", "Mark", "era_marks", "inevitability_curve"]

Floats = NDArray[np.float64]

CURVE_SEMANTICS = (
    "P(outcome | do(a divergence in year y)) for a divergence with no mechanism features and a typical "
    "per-PoD effect; named divergence points are marked with their own posteriors"
)


@dataclass(frozen=True)
class Mark:
    """A divergence point's posterior probability of the outcome: mean and central interval."""

    pod: str
    year: int | None
    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class EraMark:
    """An era claim about the curve's outcome: its window and what it is compared with."""

    claim: str
    author: str
    start: int
    end: int
    compared_with: str


@dataclass(frozen=True)
class Curve:
    """The posterior inevitability curve of one outcome, year by year."""

    outcome: str
    years: NDArray[np.int64]
    mean: Floats
    low: Floats
    high: Floats
    p_above_otl: Floats
    """Per year, the posterior probability that the curve lies above real history's probability."""
    otl: Mark
    pods: tuple[Mark, ...]
    eras: tuple[EraMark, ...] = ()

    def at(self, year: int) -> tuple[float, float, float]:
        """Mean and interval at ``year``."""
        i = int(np.flatnonzero(self.years == year)[0])
        return float(self.mean[i]), float(self.low[i]), float(self.high[i])

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "credible_interval": f"central {CREDIBLE_MASS:.0%}",
            "semantics": CURVE_SEMANTICS,
            "curve": [
                {"year": int(y), "mean": float(m), "interval": [float(lo), float(hi)], "p_above_otl": float(p)}
                for y, m, lo, hi, p in zip(self.years, self.mean, self.low, self.high, self.p_above_otl, strict=True)
            ],
            "otl": {"mean": self.otl.mean, "interval": [self.otl.low, self.otl.high]},
            "pods": [{"pod": m.pod, "year": m.year, "mean": m.mean, "interval": [m.low, m.high]} for m in self.pods],
            "era_claims": [
                {"claim": e.claim, "author": e.author, "window": [e.start, e.end], "compared_with": e.compared_with}
                for e in self.eras
            ],
        }


def _mark(pod: str, year: int | None, draws: Floats, tail: float) -> Mark:
    low, high = np.quantile(draws, [tail, 1 - tail])
    return Mark(pod, year, float(draws.mean()), float(low), float(high))


def era_marks(scenario: Scenario, outcome: str) -> tuple[EraMark, ...]:
    """The scenario's era claims about ``outcome``."""
    return tuple(
        EraMark(c.id, scenario.claimant(c.author).name, int(c.start or 0), int(c.end or 0), str(c.compared_with))
        for c in scenario.claims
        if c.kind == "era" and c.outcome == outcome
    )


def inevitability_curve(fit: Fit, outcome: str, eras: tuple[EraMark, ...] = (), mass: float = CREDIBLE_MASS) -> Curve:
    """The curve of ``outcome`` over every year of the fit's timeline (its dated divergence points)."""
    check_outcome(fit.outcomes, outcome)
    k = fit.outcomes.index(outcome)
    years_of = fit.pod_years
    dated = [y for y in years_of if y is not None]
    years = np.arange(min(dated), max(dated) + 1)
    weights = interpolation_weights(years.astype(float), fit.knots)
    eta = fit.alpha[:, None, :] + np.einsum("yj,sjk->syk", weights, fit.year_effect)
    draws = softmax_last(eta)[:, :, k]
    tail = (1 - mass) / 2
    low, high = np.quantile(draws, [tail, 1 - tail], axis=0)
    otl_draws = fit.theta[:, fit.index(OTL), k]
    marks = tuple(
        _mark(pod, year, fit.theta[:, i, k], tail)
        for i, (pod, year) in enumerate(zip(fit.pods, years_of, strict=True))
        if pod != OTL
    )
    return Curve(
        outcome=outcome,
        years=years,
        mean=draws.mean(axis=0),
        low=low,
        high=high,
        p_above_otl=(draws > otl_draws[:, None]).mean(axis=0),
        otl=_mark(OTL, None, otl_draws, tail),
        pods=tuple(sorted(marks, key=lambda m: (m.year or 0, m.pod))),
        eras=eras,
    )
