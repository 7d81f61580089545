"""Same claims: one outcome is about as likely under one divergence point (``pod``) as under another
(``other``; either may be ``otl``, real history at the other's year): "it breaks about even", "it would
have made no difference".

Likelihood: the claimant states a difference of zero, a noisy measurement of the difference they see:
``0 ~ Normal(logit theta^a_Pk - logit theta^a_Ok, sqrt((s_a / confidence)^2 + SD_FLOOR^2))``, with
``theta^a`` the divergence points as claimant ``a``'s worldview sees them and ``s_a`` their noise; the floor
(:data:`~cfprob.claims.base.SD_FLOOR`) keeps a claimant with one such claim from pinning the difference. The
stated difference is held in :attr:`ClaimBlock.value` (zero as written; a simulated claim states another).
Replicas are stated differences; the predictive p-value is two-sided.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from cfprob.claims import density as dn
from cfprob.claims.base import (
    SD_FLOOR,
    ClaimBlock,
    ClaimKind,
    DesignContext,
    Family,
    ModelTerms,
    distinct_pods,
    draws_spread_squared,
    make_block,
    measured,
    seen_logit_theta,
    spread_squared,
)
from cfprob.fitting.draws import seen_logits
from cfprob.reading import fields as f

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["FAMILY", "SAME"]

Floats = np.typing.NDArray[np.float64]


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    return f"P({claim.outcome}) about the same under {claim.pod} as under {claim.other}"


SAME = ClaimKind(
    "same",
    {"pod": f.identifier(), "other": f.identifier(), "outcome": f.identifier()},
    _says,
    check=distinct_pods("pod", "other"),
    pods=lambda claim: (str(claim.pod), str(claim.other)),
    pod_keys=("pod", "other"),
    about=lambda claim: f"{claim.pod} vs {claim.other}",
)


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    return make_block(claims, context, other_pod=[c.other for c in claims])


def _model_term(same: Any, m: ModelTerms) -> Any:
    import pymc as pm
    import pytensor.tensor as pt

    first = seen_logit_theta(m, same.pod, same.outcome, same.author, same.seen)
    gap = first - seen_logit_theta(m, same.other_pod, same.outcome, same.author, same.other_seen)
    variance = (m.noise[same.author] / same.confidence) ** 2 + SD_FLOOR**2
    if m.spread is not None:
        variance = variance + spread_squared(m, same.pod, same.other_pod)
    sd = pt.sqrt(variance)
    return same.weight * pm.logp(pm.Normal.dist(gap, sd), same.value)


def _gap(draws: Draws, block: ClaimBlock) -> Floats:
    """The difference each claimant sees, per draw: (S, n)."""
    first = seen_logits(draws, block.pod, block.outcome, block.author, block.seen)
    result: Floats = first - seen_logits(draws, block.other_pod, block.outcome, block.author, block.other_seen)
    return result


def _sd(draws: Draws, block: ClaimBlock) -> Floats:
    noise = draws.noise[:, block.author] / block.confidence
    result: Floats = np.sqrt(noise**2 + SD_FLOOR**2 + draws_spread_squared(draws, block.pod, block.other_pod))
    return result


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    gap = _gap(draws, block)
    return [
        (f"no difference in P({outcomes[block.outcome[j]]})", f"log odds apart {np.abs(gap[:, j]).mean():.2f}")
        for j in range(len(block))
    ]


def _density(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
    """Hand-written :func:`_model_term` with its gradient (:mod:`cfprob.claims.density`)."""
    seen_slope = np.empty(s.E.shape[1])
    other_slope = np.empty(s.E.shape[1])
    total = 0.0
    for i in range(len(b.pod)):
        r, q, a, k, w = b.pod[i], b.other_pod[i], b.author[i], b.outcome[i], b.weight[i]
        noise = s.noise[a] / b.confidence[i]
        sd = math.sqrt(noise * noise + SD_FLOOR * SD_FLOOR + s.spread[r] * s.spread[r] + s.spread[q] * s.spread[q])
        gap = dn.seen_logit(s, r, a, b.seen[i], k, seen_slope) - dn.seen_logit(s, q, a, b.other_seen[i], k, other_slope)
        z = (b.value[i] - gap) / sd
        total += w * dn.log_normal_pdf(b.value[i], gap, sd)
        d_gap, d_sd = w * z / sd, w * (z * z - 1.0) / sd
        g.noise[a] += d_sd * noise / (sd * b.confidence[i])
        g.spread[r] += d_sd * s.spread[r] / sd
        g.spread[q] += d_sd * s.spread[q] / sd
        dn.add_seen_grad(g, r, a, b.seen[i], seen_slope, d_gap)
        dn.add_seen_grad(g, q, a, b.other_seen[i], other_slope, -d_gap)
    return total


FAMILY = Family(
    name="same",
    kinds=(SAME,),
    inputs=("pod", "other_pod", "outcome", "author", "confidence", "weight", "value", "seen", "other_seen"),
    block=_block,
    model_term=_model_term,
    **measured(_gap, _sd),
    describe=_describe,
    density=_density,
)
