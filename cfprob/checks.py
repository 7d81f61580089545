"""Model checks from draws: prior and posterior predictive checks of every claim.

A claim is checked by replicating it from the model (:func:`cfprob.likelihood.replicate`) and asking
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

from .design import ModelData, logit
from .likelihood import FAMILIES, Draws, draw_prior, located_logits, replicate
from .priors import Priors
from .provenance import CHECK_LEVEL, CREDIBLE_MASS

__all__ = ["ClaimCheck", "check_claims", "check_fit", "predictive_p_values", "prior_outcomes"]

Floats = NDArray[np.float64]


def _two_sided(replicas: Floats, stated: Floats) -> Floats:
    below = (replicas <= stated).mean(axis=0)
    above = (replicas >= stated).mean(axis=0)
    result: Floats = np.minimum(1.0, 2.0 * np.minimum(below, above))
    return result


def predictive_p_values(
    draws: Draws, data: ModelData, rng: np.random.Generator, priors: Priors | None = None
) -> Floats:
    """Each claim's predictive p-value under ``draws`` (prior or posterior), in claim order."""
    reps = replicate(draws, data, rng, priors)
    parts = []
    if len(data.point):
        parts.append(_two_sided(reps.point, data.point.value))
    if len(data.interval):
        low = (reps.interval >= data.interval.value).mean(axis=0)
        high = (reps.interval <= data.interval.extra).mean(axis=0)
        parts.append(np.minimum(1.0, 2.0 * np.minimum(low, high)))
    if len(data.distribution):
        k = len(data.outcomes)
        per_outcome = _two_sided(reps.distribution, data.distribution.vectors)
        parts.append(np.minimum(1.0, k * per_outcome.min(axis=-1)))
    if len(data.ordering):
        parts.append(reps.ordering.mean(axis=0))
    if len(data.era):
        parts.append(reps.era.mean(axis=0))
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


def _sigmoid(x: Floats) -> Floats:
    result: Floats = 1.0 / (1.0 + np.exp(-x))
    return result


def _range(values: Floats) -> str:
    tail = (1 - CREDIBLE_MASS) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return f"{values.mean():.0%} [{low:.0%}, {high:.0%}]"


def _described(draws: Draws, data: ModelData, outcomes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(family, stated, fitted) for every claim, in claim order."""
    rows = []
    for j in range(len(data.point)):
        stated = f"{_sigmoid(data.point.value[j]):.0%}" + (" (phrase)" if data.point.extra[j] > 0 else "")
        rows.append(("point", stated, _range(_sigmoid(located_logits(draws, data.point)[:, j]))))
    for j in range(len(data.interval)):
        stated = f"[{_sigmoid(data.interval.value[j]):.0%}, {_sigmoid(data.interval.extra[j]):.0%}]"
        rows.append(("interval", stated, _range(_sigmoid(located_logits(draws, data.interval)[:, j]))))
    for j in range(len(data.distribution)):
        vector = data.distribution.vectors[j]
        fitted = draws.theta[:, data.distribution.pod[j], :].mean(axis=0)
        rows.append(
            (
                "distribution",
                " / ".join(f"{v:.0%}" for v in vector),
                " / ".join(f"{v:.0%}" for v in fitted),
            )
        )
    order = data.ordering
    for j in range(len(order)):
        theta = draws.theta[:, :, order.outcome[j]]
        higher = (theta[:, order.pod[j]] > theta[:, order.other_pod[j]]).mean()
        rows.append(("ordering", f"P({outcomes[order.outcome[j]]}) higher", f"{higher:.0%} of draws agree"))
    era = data.era
    if len(era):
        assert draws.curve is not None, "era claims come with the curve"
        gap = np.einsum("skn,nk->sn", logit(draws.curve[:, :, era.outcome]), era.contrast)
        for j in range(len(era)):
            stated = f"P({outcomes[era.outcome[j]]}) higher in the window"
            rows.append(("era", stated, f"{(gap[:, j] > 0).mean():.0%} of draws agree"))
    return rows


def check_claims(
    posterior: Draws, prior: Draws, data: ModelData, rng: np.random.Generator, priors: Priors | None = None
) -> list[ClaimCheck]:
    """Every claim with its stated and fitted values and its prior and posterior predictive p-values.

    Sorted from the worst posterior misfit to the best.
    """
    from .likelihood import claim_order

    ids = claim_order(data)
    posterior_p = predictive_p_values(posterior, data, rng, priors)
    prior_p = predictive_p_values(prior, data, rng, priors)
    rows = _described(posterior, data, data.outcomes)
    checks = [
        ClaimCheck(claim, family, stated, fitted, float(pp), float(qp))
        for claim, (family, stated, fitted), pp, qp in zip(ids, rows, prior_p, posterior_p, strict=True)
    ]
    assert {c.family for c in checks} <= set(FAMILIES)
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
