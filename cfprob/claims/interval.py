"""Interval claims: the probability of one outcome under one divergence point lies in ``[low, high]``.

Likelihood: ``P(logit low < x < logit high)`` for the claimant's latent logit
``x ~ Normal(logit theta^a_dk + b_ak, s_a / confidence)`` (interval-censored; ``theta^a_d`` is the
divergence point as claimant ``a``'s worldview sees it). Replicas are latent logits;
the predictive p-value is twice the smaller of P(replica >= low) and P(replica <= high), at most 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from cfprob.claims import density as dn
from cfprob.claims.base import (
    ClaimBlock,
    ClaimKind,
    DesignContext,
    Family,
    KindContext,
    ModelTerms,
    draws_spread_squared,
    fitted_range,
    make_block,
    seen_logit_theta,
    sigmoid,
    spread_squared,
)
from cfprob.claims.point import CONDITION, chance_of
from cfprob.fitting.numeric import logit
from cfprob.reading import fields as f
from cfprob.reading.scenario import PROBABILITY_FLOOR

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.fitting.priors import Priors
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["FAMILY", "INTERVAL"]

Floats = np.typing.NDArray[np.float64]


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    return f"{chance_of(claim)} in [{claim.low:g}, {claim.high:g}]"


def _check(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    low, high = clean["low"], clean["high"]
    problems, file, label = context.problems, context.file, context.label
    if not low < high:
        problems.add(file, label, "low < high", f"low = {low:g}, high = {high:g}")
    elif low == 0 and high == 1:
        problems.add(file, label, "an interval narrower than 0 to 1", "the whole range")
    elif high <= PROBABILITY_FLOOR or low >= 1 - PROBABILITY_FLOOR:
        problems.add(
            file,
            label,
            f"an interval reaching further than {PROBABILITY_FLOOR:g} from 0 and 1",
            f"low = {low:g}, high = {high:g}",
        )
    else:
        return {}
    return None


INTERVAL = ClaimKind(
    "interval",
    {
        "pod": f.identifier(),
        "outcome": f.identifier(),
        "low": f.number(0, 1),
        "high": f.number(0, 1),
        **CONDITION,
    },
    _says,
    check=_check,
)


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    return make_block(
        claims,
        context,
        value=[float(logit(c.low or 0.0)) for c in claims],
        extra=[float(logit(c.high or 0.0)) for c in claims],
    )


def _model_term(interval: Any, m: ModelTerms) -> Any:
    import pymc as pm
    import pytensor.tensor as pt

    seen = seen_logit_theta(m, interval.pod, interval.outcome, interval.author, interval.seen)
    mu = seen + m.bias[interval.author, interval.outcome]
    sd = m.noise[interval.author] / interval.confidence
    if m.spread is not None:
        sd = pt.sqrt(sd**2 + spread_squared(m, interval.pod))
    standard = pm.Normal.dist(0.0, 1.0)
    upper = pm.logcdf(standard, (interval.extra - mu) / sd)
    lower = pm.logcdf(standard, (interval.value - mu) / sd)
    return interval.weight * pm.math.logdiffexp(upper, lower)


def _log_normal_mass(low: Floats, high: Floats) -> Floats:
    """log P(low < Z < high) for a standard normal Z, from the nearer tail so that it stays finite."""
    from scipy.special import log_ndtr

    upper_side = low > 0
    a = np.where(upper_side, log_ndtr(-low), log_ndtr(high))
    b = np.where(upper_side, log_ndtr(-high), log_ndtr(low))
    result: Floats = a + np.log1p(-np.exp(np.minimum(b - a, 0.0)))
    return result


def _sd(draws: Draws, block: ClaimBlock) -> Floats:
    """The claimant's noise, widened by the unpredictability of the claim's divergence point: (S, n)."""
    result: Floats = np.sqrt(
        (draws.noise[:, block.author] / block.confidence) ** 2 + draws_spread_squared(draws, block.pod)
    )
    return result


def _log_likelihood(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    from cfprob.fitting.draws import located_logits

    mu = located_logits(draws, block)
    sd = _sd(draws, block)
    result: Floats = block.weight * _log_normal_mass((block.value - mu) / sd, (block.extra - mu) / sd)
    return result


def _replicate(draws: Draws, block: ClaimBlock, rng: np.random.Generator, priors: Priors) -> Floats:
    from cfprob.fitting.draws import located_logits

    result: Floats = rng.normal(located_logits(draws, block), _sd(draws, block))
    return result


def _p_values(replicas: Floats, block: ClaimBlock) -> Floats:
    low = (replicas >= block.value).mean(axis=0)
    high = (replicas <= block.extra).mean(axis=0)
    result: Floats = np.minimum(1.0, 2.0 * np.minimum(low, high))
    return result


def _simulate(block: ClaimBlock, replica: Floats, rng: np.random.Generator) -> ClaimBlock:
    """Intervals keep their width and are placed on a grid with a random offset around the simulated value
    (so that the interval likelihood is the exact one)."""
    width = block.extra - block.value
    offset = rng.uniform(0.0, width)
    low = np.floor((replica[0] - offset) / width) * width + offset
    return replace(block, value=low, extra=low + width)


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    from cfprob.fitting.draws import located_logits

    fitted = sigmoid(located_logits(draws, block))
    return [
        (f"[{sigmoid(block.value[j]):.0%}, {sigmoid(block.extra[j]):.0%}]", fitted_range(fitted[:, j]))
        for j in range(len(block))
    ]


def _density(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
    """Hand-written :func:`_model_term` with its gradient (:mod:`cfprob.claims.density`)."""
    seen_slope = np.empty(s.E.shape[1])
    total = 0.0
    for i in range(len(b.pod)):
        r, a, k, w = b.pod[i], b.author[i], b.outcome[i], b.weight[i]
        noise = s.noise[a] / b.confidence[i]
        sd = math.sqrt(noise * noise + s.spread[r] * s.spread[r])
        located = dn.seen_logit(s, r, a, b.seen[i], k, seen_slope) + s.bias[a, k]
        upper, lower = (b.extra[i] - located) / sd, (b.value[i] - located) / sd
        if lower > 0.0:  # both ends in the upper tail: the same mass from the mirrored tails, without cancelling
            big, small = dn.log_ndtr(-lower), dn.log_ndtr(-upper)
        else:
            big, small = dn.log_ndtr(upper), dn.log_ndtr(lower)
        mass = big + math.log1p(-math.exp(small - big))
        total += w * mass
        d_upper = math.exp(dn.log_phi(upper) - mass)
        d_lower = -math.exp(dn.log_phi(lower) - mass)
        d_located = -(d_upper + d_lower) / sd
        d_sd = -(d_upper * upper + d_lower * lower) / sd
        dn.add_located_grad(s, g, b, i, seen_slope, w * d_located, w * d_sd, sd)
    return total


FAMILY = Family(
    name="interval",
    kinds=(INTERVAL,),
    inputs=("pod", "outcome", "author", "confidence", "weight", "value", "extra", "seen"),
    block=_block,
    model_term=_model_term,
    log_likelihood=_log_likelihood,
    replicate=_replicate,
    p_values=_p_values,
    simulate=_simulate,
    describe=_describe,
    density=_density,
    observed=lambda block: np.ones(len(block)),  # each stated range holds as stated
    statistic=lambda replicas, block: ((replicas >= block.value) & (replicas <= block.extra)).astype(float),
)
