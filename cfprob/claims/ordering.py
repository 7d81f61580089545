"""Ordering claims: an outcome is more likely under one divergence point (``higher``) than under another
(``lower``).

Likelihood: ``Bernoulli(sigmoid(confidence * (logit theta^a_Hk - logit theta^a_Lk) / tau + s * t_ak)) = 1``,
where ``theta^a`` is a divergence point as claimant ``a``'s worldview sees it (real history as it is),
``t_ak`` is claimant ``a``'s tendency to call divergences better on outcome ``k`` and ``s`` is +1 when the
claim puts a divergence above real history, -1 when below, 0 between two divergences: a crowd of hopeful
proposers is read as hopeful proposers, not as a world where every divergence helps. Real history is taken
at the year of the divergence it is compared with (or the claim's ``year``). Replicas are 1 where the claim
would be stated as written, 0 where reversed; the predictive p-value is the share stated as written.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from cfprob.claims import density as dn
from cfprob.claims.base import (
    ClaimBlock,
    ClaimKind,
    DesignContext,
    Family,
    ModelTerms,
    directional,
    distinct_pods,
    draws_spread_squared,
    make_block,
    seen_logit_theta,
    spread_squared,
    tendency_term,
)
from cfprob.fitting.draws import seen_logits
from cfprob.reading import fields as f
from cfprob.reading.scenario import OTL

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.fitting.priors import Priors
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["FAMILY", "ORDERING"]

Floats = np.typing.NDArray[np.float64]


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    return f"P({claim.outcome}) higher under {claim.higher} than under {claim.lower}"


ORDERING = ClaimKind(
    "ordering",
    {"higher": f.identifier(), "lower": f.identifier(), "outcome": f.identifier()},
    _says,
    check=distinct_pods("higher", "lower"),
    pods=lambda claim: (str(claim.higher), str(claim.lower)),
    pod_keys=("higher", "lower"),
    about=lambda claim: f"{claim.higher} vs {claim.lower}",
)


def direction(claim: Claim) -> float:
    """+1 for "a divergence above real history", -1 for "below", 0 between two divergences."""
    return 1.0 if claim.lower == OTL else -1.0 if claim.higher == OTL else 0.0


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    return make_block(
        claims,
        context,
        pod=[c.higher for c in claims],
        other_pod=[c.lower for c in claims],
        direction=[direction(c) for c in claims],
    )


def _model_term(order: Any, m: ModelTerms) -> Any:
    import pytensor.tensor as pt

    higher = seen_logit_theta(m, order.pod, order.outcome, order.author, order.seen)
    gap = higher - seen_logit_theta(m, order.other_pod, order.outcome, order.author, order.other_seen)
    tendency = order.direction * m.tendency[order.author, order.outcome]
    tau = m.priors.ordering_tau
    if m.spread is not None:
        tau = pt.sqrt(tau**2 + spread_squared(m, order.pod, order.other_pod))
    return -order.weight * pt.softplus(-(order.confidence * gap / tau + tendency))


def _gap(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    higher = seen_logits(draws, block.pod, block.outcome, block.author, block.seen)
    gap = higher - seen_logits(draws, block.other_pod, block.outcome, block.author, block.other_seen)
    tau = np.sqrt(priors.ordering_tau**2 + draws_spread_squared(draws, block.pod, block.other_pod))
    result: Floats = block.confidence * gap / tau + tendency_term(draws, block)
    return result


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    rows = []
    for j in range(len(block)):
        theta = draws.theta[:, :, block.outcome[j]]
        higher = (theta[:, block.pod[j]] > theta[:, block.other_pod[j]]).mean()
        rows.append((f"P({outcomes[block.outcome[j]]}) higher", f"{higher:.0%} of draws agree"))
    return rows


def _density(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
    """Hand-written :func:`_model_term` with its gradient (:mod:`cfprob.claims.density`)."""
    seen_slope = np.empty(s.E.shape[1])
    other_slope = np.empty(s.E.shape[1])
    total = 0.0
    tau0 = s.priors[dn.PRIOR.ordering_tau]
    for i in range(len(b.pod)):
        r, q, a, k, w = b.pod[i], b.other_pod[i], b.author[i], b.outcome[i], b.weight[i]
        tau = math.sqrt(tau0 * tau0 + s.spread[r] * s.spread[r] + s.spread[q] * s.spread[q])
        gap = dn.seen_logit(s, r, a, b.seen[i], k, seen_slope) - dn.seen_logit(s, q, a, b.other_seen[i], k, other_slope)
        y = b.confidence[i] * gap / tau + b.direction[i] * s.tendency[a, k]
        total -= w * dn.softplus(-y)
        d_y = w * dn.sigmoid(-y)
        d_gap = d_y * b.confidence[i] / tau
        d_tau = -d_y * b.confidence[i] * gap / (tau * tau)
        g.spread[r] += d_tau * s.spread[r] / tau
        g.spread[q] += d_tau * s.spread[q] / tau
        g.tendency[a, k] += d_y * b.direction[i]
        dn.add_seen_grad(g, r, a, b.seen[i], seen_slope, d_gap)
        dn.add_seen_grad(g, q, a, b.other_seen[i], other_slope, -d_gap)
    return total


FAMILY = Family(
    name="ordering",
    kinds=(ORDERING,),
    inputs=("pod", "other_pod", "outcome", "author", "confidence", "weight", "direction", "seen", "other_seen"),
    block=_block,
    model_term=_model_term,
    **directional(_gap),
    describe=_describe,
    density=_density,
)
