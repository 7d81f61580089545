"""How much a change at the top moves a regime's ending: the prior scale of the leader features, from data.

A leader who dies in office or is killed by a lone assassin leaves at a time the regime did not choose, so the
years after such a change show what a different leader does (Jones & Olken 2005, 2009). For every unscheduled
change while a regime of the reference class (or the case at hand) was in power, the regime's ending within
``window`` years (one of the scenario's outcomes; still there at the window's end counts for the survival
outcome) is compared with the endings of the regimes alive in the same year that had no such change in the
``window`` years before. The difference, in log odds of each outcome against the survival outcome (half a case
added to every count), is the estimated effect of a change at the top; its standard error comes from
resampling regimes (a regime's changes are not independent).

The effect's direction is not what the data can tell about a *particular* leader (a reformer, a hard-liner):
that is what claims are about. Its size is. A leader feature's effect therefore gets a normal prior centred at
0 whose mean square equals the estimate's (``scale**2 = mean(effect**2 + se**2)`` over the outcome logits);
features the data say nothing about keep the model's judgement (:attr:`Priors.beta_sd`), labelled so.

Pure numpy; deterministic (the resampling is seeded).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cfprob.history.regimes import Regime, case_at_hand, reference_regimes
from cfprob.reading.scenario import Scenario

__all__ = ["RESAMPLES", "FeatureScales", "LeaderEffect", "feature_scales", "leader_effect"]

Floats = NDArray[np.float64]

RESAMPLES = 2000
"""Resamples of regimes for the effect's standard error."""
_PSEUDO = 0.5
"""Cases added to every outcome's count before taking log odds (none of the endings may be unseen)."""


@dataclass(frozen=True)
class LeaderEffect:
    """The estimated effect of an unscheduled change at the top on how a regime ends within the window."""

    changes: tuple[tuple[str, int, str], ...]
    """The changes compared (regime, year, leader)."""
    regimes: int
    """How many regimes they fall in."""
    window: int
    treated: Floats
    """(K,) share of the changes after which the regime ended in each outcome within the window."""
    control: Floats
    """(K,) the same for the regimes alive in the same years without a recent change."""
    logit_effect: Floats
    """(K-1,) difference in log odds of each outcome against the survival outcome (survival left out)."""
    logit_se: Floats
    """(K-1,) its standard error, resampling regimes."""
    logit_outcomes: tuple[int, ...]
    """Which outcome each logit is of."""

    @property
    def scale(self) -> float:
        """The prior scale this evidence gives: the root mean square of the effect and its uncertainty."""
        return float(np.sqrt(np.mean(self.logit_effect**2 + self.logit_se**2)))


@dataclass(frozen=True)
class FeatureScales:
    """The prior sd of each feature's effect (in the scenario's feature order) and where it comes from."""

    sd: tuple[float, ...]
    from_data: tuple[bool, ...]
    """Whether the feature's sd is estimated from data (else it is the model's judgement)."""
    leaders: LeaderEffect | None


def _ending(regime: Regime, year: int, window: int, survival: int) -> int | None:
    """How a regime alive in ``year`` had ended by ``year + window`` (``survival`` if still there); None when
    the data stop inside the window."""
    if regime.outcome is not None and regime.last <= year + window:
        return regime.outcome
    if regime.last >= year + window:
        return survival
    return None


def _logits(treated: Floats, control: Floats, survival: int) -> Floats:
    """(…, K) counts after changes and in their controls → (…, K-1) difference in log odds against survival."""
    t, c = np.log(treated + _PSEUDO), np.log(control + _PSEUDO)
    others = [k for k in range(treated.shape[-1]) if k != survival]
    result: Floats = (t[..., others] - t[..., survival : survival + 1]) - (
        c[..., others] - c[..., survival : survival + 1]
    )
    return result


def leader_effect(scenario: Scenario) -> LeaderEffect | None:
    """The effect of an unscheduled leader change in ``scenario``'s evidence; None when it declares none."""
    evidence = scenario.evidence
    leaders, reference = evidence.leaders, evidence.reference_class
    if leaders is None or reference is None:
        return None
    regimes = [*reference_regimes(scenario), case_at_hand(scenario)]
    countries = [*reference.countries, leaders.case_country]
    survival = scenario.outcome_ids.index(evidence.survival_outcome)
    k, window = len(scenario.outcomes), leaders.window
    changed: list[tuple[int, int, str]] = [
        (i, change.year, change.leader)
        for i, regime in enumerate(regimes)
        for change in leaders.changes
        if change.country == countries[i] and regime.start <= change.year <= regime.last
    ]

    def recent(i: int, year: int) -> bool:
        return any(j == i and 0 <= year - when < window for j, when, _ in changed)

    rows: list[tuple[int, Floats, Floats]] = []
    used = []
    for i, year, leader in changed:
        ending = _ending(regimes[i], year, window, survival)
        others = [
            _ending(r, year, window, survival)
            for j, r in enumerate(regimes)
            if j != i and r.start <= year <= r.last and not recent(j, year)
        ]
        controls = [e for e in others if e is not None]
        if ending is None or not controls:
            continue
        rows.append((i, np.eye(k)[ending], np.eye(k)[controls].mean(axis=0)))
        used.append((regimes[i].name, year, leader))
    if not rows:
        return None
    clusters = sorted({r[0] for r in rows})
    # each regime's changes summed: a resample of regimes is a count of each regime times these sums
    treated_by = np.array([np.sum([r[1] for r in rows if r[0] == c], axis=0) for c in clusters])
    control_by = np.array([np.sum([r[2] for r in rows if r[0] == c], axis=0) for c in clusters])
    treated, control = treated_by.sum(axis=0), control_by.sum(axis=0)
    effect = _logits(treated, control, survival)
    picks = np.random.default_rng(0).integers(0, len(clusters), (RESAMPLES, len(clusters)))
    times = np.stack([np.bincount(p, minlength=len(clusters)) for p in picks]).astype(float)
    resampled = _logits(times @ treated_by, times @ control_by, survival)
    return LeaderEffect(
        changes=tuple(used),
        regimes=len(clusters),
        window=window,
        treated=treated / len(rows),
        control=control / len(rows),
        logit_effect=effect,
        logit_se=np.std(resampled, axis=0),
        logit_outcomes=tuple(j for j in range(k) if j != survival),
    )


def feature_scales(scenario: Scenario, judgement: float) -> FeatureScales:
    """Each feature's prior sd: from the leader changes for the features they name, ``judgement`` otherwise."""
    effect = leader_effect(scenario)
    named = set(scenario.evidence.leaders.features) if effect is not None and scenario.evidence.leaders else set()
    from_data = tuple(f.id in named for f in scenario.features)
    sd = tuple(effect.scale if data and effect is not None else judgement for data in from_data)
    return FeatureScales(sd, from_data, effect)
