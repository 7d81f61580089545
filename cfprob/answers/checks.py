"""Model checks from draws: prior and posterior predictive checks of every claim.

A claim is checked by replicating it from the model (:func:`cfprob.answers.likelihood.replicate`) and asking
how extreme the stated claim is among the replicas, a predictive p-value:

- probability or verbal phrase: two-sided tail probability of the stated logit among replicated logits;
- interval [lo, hi]: twice the smaller of P(replica >= lo) and P(replica <= hi) (at most 1);
- distribution: the most extreme outcome's two-sided tail probability, times the number of outcomes;
- ordering, era: the probability that a replica states the claim as written.

Under the prior (before any claim or evidence) a small p-value is a prior-data conflict; under the
posterior it is a misfit: the fitted model does not reproduce what the claimant said. Both are flagged
below :data:`CHECK_LEVEL`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from cfprob.answers.likelihood import draw_prior, replicate
from cfprob.claims import FAMILIES
from cfprob.fitting.design import ModelData
from cfprob.fitting.draws import Draws
from cfprob.fitting.priors import Priors
from cfprob.fitting.provenance import CHECK_LEVEL, CREDIBLE_MASS

__all__ = ["ClaimCheck", "check_claims", "check_fit", "predictive_p_values", "prior_outcomes"]

Floats = NDArray[np.float64]


def predictive_p_values(
    draws: Draws, data: ModelData, rng: np.random.Generator, priors: Priors | None = None
) -> Floats:
    """Each claim's predictive p-value under ``draws`` (prior or posterior), in claim order."""
    reps = replicate(draws, data, rng, priors)
    parts = [family.p_values(reps[family.name], data.blocks[family.name]) for family in FAMILIES if family.name in reps]
    return np.concatenate(parts) if parts else np.zeros(0)


@dataclass(frozen=True)
class ClaimCheck:
    """One claim, as stated and as fitted, with its predictive p-values."""

    claim: str
    family: str
    stated: str
    """What the claim says, as a probability (or a range, a vector, an ordering)."""
    fitted: str
    """The same quantity under the posterior: mean and central interval."""
    prior_p: float
    posterior_p: float

    @property
    def misfit(self) -> bool:
        return self.posterior_p < CHECK_LEVEL

    @property
    def conflict(self) -> bool:
        return self.prior_p < CHECK_LEVEL


def _described(draws: Draws, data: ModelData) -> list[tuple[str, str, str]]:
    """(family, stated, fitted) for every claim, in claim order."""
    return [
        (family.name, stated, fitted)
        for family in FAMILIES
        for stated, fitted in family.describe(draws, data.blocks[family.name], data.outcomes)
    ]


def check_claims(
    posterior: Draws, prior: Draws, data: ModelData, rng: np.random.Generator, priors: Priors | None = None
) -> list[ClaimCheck]:
    """Every claim with its stated and fitted values and its prior and posterior predictive p-values.

    Sorted from the worst posterior misfit to the best.
    """
    from cfprob.answers.likelihood import claim_order

    ids = claim_order(data)
    posterior_p = predictive_p_values(posterior, data, rng, priors)
    prior_p = predictive_p_values(prior, data, rng, priors)
    rows = _described(posterior, data)
    checks = [
        ClaimCheck(claim, family, stated, fitted, float(pp), float(qp))
        for claim, (family, stated, fitted), pp, qp in zip(ids, rows, prior_p, posterior_p, strict=True)
    ]
    return sorted(checks, key=lambda c: c.posterior_p)


def prior_outcomes(prior: Draws, data: ModelData, pods: tuple[str, ...]) -> dict[str, list[tuple[float, float, float]]]:
    """Prior mean and central interval of each outcome's probability, for each of ``pods``."""
    tail = (1 - CREDIBLE_MASS) / 2
    result = {}
    for pod in pods:
        theta = prior.theta[:, data.pods.index(pod), :]
        low, high = np.quantile(theta, [tail, 1 - tail], axis=0)
        result[pod] = [(float(m), float(lo), float(hi)) for m, lo, hi in zip(theta.mean(0), low, high, strict=True)]
    return result


def check_fit(posterior: xr.Dataset, data: ModelData, prior_draws: int, seed: int) -> tuple[list[ClaimCheck], Draws]:
    """Every claim of a fit checked (:func:`check_claims`), and the prior draws it was checked against."""
    rng = np.random.default_rng(seed)
    prior = draw_prior(data, prior_draws, rng)
    return check_claims(Draws.from_posterior(posterior), prior, data, rng), prior
