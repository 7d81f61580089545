"""Regimes observed year by year: the reference class's cases and the case at hand, as the hazard model reads
them.

A regime is observed from its first year to the year it ended, or to the year the data stop
(``censor_year``) when it had not ended. In the year it ended it left to one of the scenario's outcomes (a
lasting democracy, a collapse, another autocracy ...); every earlier year it survived. The case at hand (real
history) is observed from the timeline's start to the observed year, where it ended in the observed outcome;
when the observed outcome is the survival outcome (the regime was still there), it is observed as surviving up
to that year instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cfprob.reading.scenario import Scenario

__all__ = ["Regime", "RegimeYears", "case_at_hand", "reference_regimes", "regime_years"]

Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Regime:
    """One regime's observed life."""

    name: str
    start: int
    last: int
    """The last year it was observed (the year it ended, or the last year of the data)."""
    outcome: int | None
    """The outcome it ended in, in its last year (index into the scenario's outcomes); None: it had not ended."""


@dataclass(frozen=True)
class RegimeYears:
    """Every observed year of every regime, one row each: the hazard model's data."""

    regime: Ints
    """Which regime (index into the regimes)."""
    year: Ints
    age: Ints
    """Years since the regime's first year (0 in its first year)."""
    event: Ints
    """The outcome the regime ended in that year, or -1 (it survived the year)."""


def reference_regimes(scenario: Scenario) -> list[Regime]:
    """The reference class's cases as regimes (none without a reference class)."""
    reference = scenario.evidence.reference_class
    if reference is None:
        return []
    outcomes = scenario.outcome_ids
    regimes = []
    for (name, outcome), (start, end) in zip(reference.cases, reference.spans, strict=True):
        if end is None:
            regimes.append(Regime(name, start, reference.censor_year, None))
        else:
            regimes.append(Regime(name, start, end, outcomes.index(outcome)))
    return regimes


def case_at_hand(scenario: Scenario) -> Regime:
    """Real history as a regime: from the timeline's start to the observed year."""
    evidence = scenario.evidence
    outcomes = scenario.outcome_ids
    observed = outcomes.index(evidence.observed_outcome)
    ended = None if evidence.observed_outcome == evidence.survival_outcome else observed
    return Regime("real history", scenario.timeline[0], evidence.observed_year, ended)


def regime_years(regimes: list[Regime]) -> RegimeYears:
    """One row per regime and observed year."""
    regime, year, age, event = [], [], [], []
    for i, r in enumerate(regimes):
        years = np.arange(r.start, r.last + 1)
        regime.append(np.full(len(years), i))
        year.append(years)
        age.append(years - r.start)
        happened = np.full(len(years), -1)
        if r.outcome is not None and len(years):
            happened[-1] = r.outcome
        event.append(happened)

    def join(parts: list[NDArray[np.int64]]) -> Ints:
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

    return RegimeYears(join(regime), join(year), join(age), join(event))
