"""Inevitability curves: real history's probability of an outcome given history up to each year.

Tetlock and Lebow's inevitability curve, drawn from a fit: ``theta_otl(t) = softmax([history(t), 0])``, the
model's real-history curve (:mod:`cfprob.fitting.world`), interpolated linearly between its knots. The
observed outcome's curve rises to at least 0.95 at its observed year; the other outcomes' curves are their
impossibility curves. Named divergence points are marked at their years with their own posteriors and their
change against the curve at that year. Pure numpy: it reads a :class:`~cfprob.answers.query.Fit`.
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
    "P(outcome | real history up to year y): the ex-ante probability of each outcome given what had happened "
    "by then; a divergence in year y changes this curve at y; named divergence points are marked with their own "
    "posteriors and their change against the curve at their year"
)


@dataclass(frozen=True)
class Mark:
    """A divergence point's posterior probability of the outcome: mean and central interval."""

    pod: str
    year: int | None
    mean: float
    low: float
    high: float
    change: float = 0.0
    """Mean change against real history at the same year."""
    p_raise: float = 0.0
    """Posterior probability that the divergence raises the outcome against real history at its year."""


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
    observed: Mark
    """Real history at the observed year: the observed outcome's end point (its pod is ``otl``)."""
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
                {"year": int(y), "mean": float(m), "interval": [float(lo), float(hi)]}
                for y, m, lo, hi in zip(self.years, self.mean, self.low, self.high, strict=True)
            ],
            "observed_year": {
                "year": self.observed.year,
                "mean": self.observed.mean,
                "interval": [self.observed.low, self.observed.high],
            },
            "pods": [
                {
                    "pod": m.pod,
                    "year": m.year,
                    "mean": m.mean,
                    "interval": [m.low, m.high],
                    "change_vs_otl": m.change,
                    "p_raises": m.p_raise,
                }
                for m in self.pods
            ],
            "era_claims": [
                {"claim": e.claim, "author": e.author, "window": [e.start, e.end], "compared_with": e.compared_with}
                for e in self.eras
            ],
        }


def _mark(pod: str, year: int | None, draws: Floats, tail: float, baseline: Floats | None = None) -> Mark:
    low, high = np.quantile(draws, [tail, 1 - tail])
    change = draws - baseline if baseline is not None else np.zeros_like(draws)
    return Mark(
        pod, year, float(draws.mean()), float(low), float(high), float(change.mean()), float((change > 0).mean())
    )


def era_marks(scenario: Scenario, outcome: str) -> tuple[EraMark, ...]:
    """The scenario's era claims about ``outcome``."""
    return tuple(
        EraMark(c.id, scenario.claimant(c.author).name, int(c.start or 0), int(c.end or 0), str(c.compared_with))
        for c in scenario.scored_claims
        if c.kind == "era" and c.outcome == outcome
    )


def inevitability_curve(fit: Fit, outcome: str, eras: tuple[EraMark, ...] = (), mass: float = CREDIBLE_MASS) -> Curve:
    """Real history's curve of ``outcome`` over every year of the fit's timeline."""
    check_outcome(fit.outcomes, outcome)
    k = fit.outcomes.index(outcome)
    first, last = fit.timeline
    years = np.arange(first, last + 1)
    weights = interpolation_weights(years.astype(float), fit.knots)
    draws = softmax_last(np.einsum("yj,sjk->syk", weights, fit.history))[:, :, k]
    tail = (1 - mass) / 2
    low, high = np.quantile(draws, [tail, 1 - tail], axis=0)
    marks = tuple(
        _mark(pod, year, fit.theta[:, i, k], tail, fit.history_at(year)[:, k])
        for i, (pod, year) in enumerate(zip(fit.pods, fit.pod_years, strict=True))
        if pod != OTL
    )
    observed = _mark(OTL, fit.observed_year, fit.history_at(fit.observed_year)[:, k], tail)
    return Curve(
        outcome=outcome,
        years=years,
        mean=draws.mean(axis=0),
        low=low,
        high=high,
        observed=observed,
        pods=tuple(sorted(marks, key=lambda m: (m.year or 0, m.pod))),
        eras=eras,
    )
