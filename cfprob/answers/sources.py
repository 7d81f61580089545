"""Where an answer comes from: each divergence point's answer under less evidence, beside the answer itself.

Computed once, when a fit is made (:mod:`cfprob.answers.find_sources`: it needs the claims'
log-likelihoods), and kept with the fit; this module holds them (numpy only: cached answers read them):

- **no claims**: the model's prior, before any claim: real history from data (the hazard model,
  :mod:`cfprob.history`) changed by features and an own effect drawn from their priors. What the structure
  and the data say alone.
- **features only**: real history at the divergence's year changed by its features' fitted effects alone, no
  effect of its own: what the claims about *other* divergence points that share its features carry to it.
  None for a divergence point without features.
- **every claim**: the answer.
- **leaving out each claimant**: the answer with all of one claimant's claims removed, by Pareto-smoothed
  importance reweighting (:func:`cfprob.answers.sensitivity.psis_weights`); a Pareto k above 0.7 marks a
  reweighting that only a refit would make reliable (``cfprob sensitivity POD --refit``).
- **judged feature priors halved and doubled**: the features whose effect's prior is a judgement (no data
  behind it, :mod:`cfprob.history.leaders`) get a prior sd of :data:`JUDGED_FACTORS` times the judgement, by
  the same reweighting: how much the answer leans on that judgement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from cfprob.reading.scenario import Scenario


__all__ = ["JUDGED_FACTORS", "KHAT_LIMIT", "THIN_SUPPORT", "PodSources", "Sources", "feature_priors", "feature_support"]

Floats = NDArray[np.float64]

KHAT_LIMIT = 0.7
"""Pareto k above which importance reweighting is unreliable (Vehtari et al. 2024): only a refit would be."""

JUDGED_FACTORS = (0.5, 2.0)
"""The judged feature priors' sd is tried at these multiples of the judgement (the range an independent
review refitted: 0.5 to 2)."""


def _empty(*shape: int) -> Floats:
    return np.zeros(shape)


def _number(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


@dataclass(frozen=True)
class PodSources:
    """One divergence point's answer under less evidence (each a mean probability per outcome)."""

    no_claims: Floats
    features_only: Floats | None
    every_claim: Floats
    claimants: tuple[str, ...]
    """The claimants whose claims are in the fit."""
    without: Floats
    """(claimants, outcomes): the answer with each claimant's claims left out."""
    khat: Floats
    """(claimants,): the Pareto k of each leaving-out."""
    judged: tuple[tuple[float, Floats, float], ...] = ()
    """The answer with the judged feature priors' sd at other values: (sd, answer, Pareto k) each; empty when
    no feature's prior is a judgement."""

    def range_without(self, outcome: int) -> tuple[float, float]:
        """The lowest and highest answer for ``outcome`` over leaving out one claimant at a time."""
        if not len(self.claimants):
            value = float(self.every_claim[outcome])
            return value, value
        return float(self.without[:, outcome].min()), float(self.without[:, outcome].max())

    def mover(self, outcome: int) -> tuple[str, float, bool] | None:
        """The claimant whose leaving out moves ``outcome`` most: (claimant, change, reliable)."""
        if not len(self.claimants):
            return None
        change = self.without[:, outcome] - self.every_claim[outcome]
        i = int(np.argmax(np.abs(change)))
        return self.claimants[i], float(change[i]), bool(self.khat[i] <= KHAT_LIMIT)

    def to_dict(self, outcomes: tuple[str, ...]) -> dict[str, object]:
        """JSON-ready (a value that is not a finite number is null)."""

        def by_outcome(values: Floats | None) -> dict[str, float | None] | None:
            return None if values is None else {o: _number(v) for o, v in zip(outcomes, values, strict=True)}

        return {
            "no_claims": by_outcome(self.no_claims),
            "features_only": by_outcome(self.features_only),
            "every_claim": by_outcome(self.every_claim),
            "leaving_out_each_claimant": {
                o: {
                    "range": [_number(x) for x in self.range_without(k)],
                    "moved_most_by": None
                    if (m := self.mover(k)) is None
                    else {"claimant": m[0], "change": _number(m[1]), "reliable": m[2]},
                }
                for k, o in enumerate(outcomes)
            },
            "without_claimant": {
                c: {"answer": by_outcome(self.without[i]), "pareto_k": _number(self.khat[i])}
                for i, c in enumerate(self.claimants)
            },
            "judged_feature_priors": [
                {"sd": sd, "answer": by_outcome(values), "pareto_k": _number(k)} for sd, values, k in self.judged
            ],
        }


@dataclass(frozen=True)
class Sources:
    """Every divergence point's :class:`PodSources`, as arrays (what a fit keeps)."""

    claimants: tuple[str, ...]
    no_claims: Floats
    """(pods, outcomes)."""
    features_only: Floats
    """(pods, outcomes); NaN for a divergence point without features."""
    every_claim: Floats
    """(pods, outcomes)."""
    without: Floats
    """(claimants, pods, outcomes)."""
    khat: Floats
    """(claimants,)."""
    judged_sd: Floats = field(default_factory=lambda: _empty(0))
    """(tries,): the judged feature priors' sd tried (empty: no feature's prior is a judgement)."""
    judged: Floats = field(default_factory=lambda: _empty(0, 0, 0))
    """(tries, pods, outcomes)."""
    judged_khat: Floats = field(default_factory=lambda: _empty(0))
    """(tries,)."""

    def at(self, pod: int) -> PodSources:
        features = self.features_only[pod]
        judged = tuple(
            (float(sd), self.judged[i, pod], float(self.judged_khat[i])) for i, sd in enumerate(self.judged_sd)
        )
        return PodSources(
            self.no_claims[pod],
            None if np.isnan(features).any() else features,
            self.every_claim[pod],
            self.claimants,
            self.without[:, pod],
            self.khat,
            judged,
        )


THIN_SUPPORT = 3
"""A feature whose effect rests on the claims of fewer claimants than this is flagged where an answer leans on
it: one poster each way can then move every divergence point that shares it."""


def feature_support(scenario: Scenario, feature: str) -> tuple[str, ...]:
    """The claimants (ids, in scenario order) whose fitted claims are about a divergence point with
    ``feature``: the independent voices its fitted effect rests on."""
    pods = {p.id for p in scenario.pods if p.feature_value(feature)}
    speakers = {c.author for c in scenario.scored_claims if pods & set(c.pods)}
    return tuple(a for a in scenario.claimant_ids if a in speakers)


def feature_priors(scenario: Scenario, features: Sequence[str], judgement: float) -> dict[str, dict[str, Any]]:
    """Where the prior of each of ``features``' effects comes from: its sd (``judgement`` where no data give
    one), and the data or the judgement."""
    from cfprob.history.leaders import feature_scales

    scales = feature_scales(scenario, judgement)
    result = {}
    for feature, sd, data in zip(scenario.feature_ids, scales.sd, scales.from_data, strict=True):
        if feature not in features:
            continue
        if data and scales.leaders is not None:
            effect = scales.leaders
            basis = (
                f"from data ({len(effect.changes)} unscheduled leader changes in {effect.regimes} regimes: how "
                f"they had ended {effect.window} years on, against the regimes alive in the same years)"
            )
        else:
            basis = "a judgement, no data behind it"
        result[feature] = {"sd": sd, "from_data": data, "basis": basis}
    return result
