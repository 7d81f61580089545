"""Antecedent claims: how plausible a divergence itself is ("getting Kosygin into power is extremely
difficult", "it should be fairly easy to get a Gorbachev-like figure earlier"), as a number or a phrase.

Whether a divergence could have happened is kept apart from what would have followed from it (Tetlock and
Lebow's antecedent plausibility; the "minimal rewrite" rule). Each divergence point has its own plausibility
``q_d`` (a logit, ``Normal(0, 1.5)`` a priori), which appears in no outcome probability. A claim may name the
step it follows (``after = POD``: "once Kosygin is in charge, maybe he wouldn't crush the Prague Spring"):
``q_d`` is then P(d | that step), every antecedent claim about ``d`` names the same step (the loader checks
it), and a chain's plausibility is the product along it (:func:`cfprob.answers.query.answer`). Likelihood, for
claimant ``a``: ``logit p ~ Normal(q_d, sqrt((s_a / confidence)^2 + v^2))``, ``v`` the phrase's lexicon
spread (0 for a number). Replicas are stated logits; the predictive p-value is two-sided.
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
    KindContext,
    ModelTerms,
    Parameter,
    about_a_divergence,
    fitted_range,
    make_block,
    measured,
    sigmoid,
)
from cfprob.claims.point import STATED_CHANCE, check_stated, stated_logits, stated_sd
from cfprob.reading import fields as f

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["ANTECEDENT", "FAMILY", "PLAUSIBILITY_SD"]

Floats = np.typing.NDArray[np.float64]
PLAUSIBILITY_SD = 1.5
"""Prior sd of each divergence point's plausibility logit."""


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    event = f"{claim.pod} could happen" + (f" | after {claim.after}" if claim.after else "")
    if claim.probability is not None:
        return f"P({event}) = {claim.probability:g}"
    entry = lexicon.lookup(str(claim.phrase))
    return f"P({event}): " + (entry.describe() if entry else f'"{claim.phrase}"')


def _check(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    return check_stated(clean, context) if about_a_divergence(clean, context) else None


ANTECEDENT = ClaimKind(
    "antecedent",
    {"pod": f.identifier(), "after": f.identifier(required=False), **STATED_CHANCE},
    _says,
    check=_check,
)


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    value, extra = stated_logits(claims, context.lexicon)
    return make_block(claims, context, other_pod=[c.after for c in claims], value=value, extra=extra)


def _model_term(ante: Any, m: ModelTerms) -> Any:
    import pymc as pm
    import pytensor.tensor as pt

    plausibility = pm.Normal("plausibility", 0.0, PLAUSIBILITY_SD, dims="cf_pod")
    sd = pt.sqrt((m.noise[ante.author] / ante.confidence) ** 2 + ante.extra**2)
    return ante.weight * pm.logp(pm.Normal.dist(plausibility[ante.pod - 1], sd), ante.value)


def _located(draws: Draws, block: ClaimBlock) -> Floats:
    if not len(block):
        return np.zeros((len(draws), 0))
    assert draws.plausibility is not None, "antecedent claims come with plausibility"
    result: Floats = draws.plausibility[:, block.pod - 1]
    return result


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    fitted = sigmoid(_located(draws, block))
    return [(f"could happen: {sigmoid(block.value[j]):.0%}", fitted_range(fitted[:, j])) for j in range(len(block))]


def _density(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
    """Hand-written :func:`_model_term` with its gradient, its prior included (:mod:`cfprob.claims.density`).
    ``own``: ``plausibility`` (divergence points but real history)."""
    if len(b.pod) == 0:
        return 0.0
    total = 0.0
    for d in range(len(own)):
        prior, d_prior = dn.normal_prior(own[d], 0.0, PLAUSIBILITY_SD)
        total += prior
        gown[d] += d_prior
    for i in range(len(b.pod)):
        d, a, w = b.pod[i] - 1, b.author[i], b.weight[i]
        noise = s.noise[a] / b.confidence[i]
        sd = math.sqrt(noise * noise + b.extra[i] * b.extra[i])
        z = (b.value[i] - own[d]) / sd
        total += w * dn.log_normal_pdf(b.value[i], own[d], sd)
        gown[d] += w * z / sd
        g.noise[a] += w * (z * z - 1.0) / sd * noise / (sd * b.confidence[i])
    return total


FAMILY = Family(
    name="antecedent",
    kinds=(ANTECEDENT,),
    inputs=("pod", "author", "confidence", "weight", "value", "extra"),
    block=_block,
    model_term=_model_term,
    **measured(_located, stated_sd),
    describe=_describe,
    uses_draws=("plausibility",),
    density=_density,
    parameters=(Parameter("plausibility", ("cf_pod",), lambda priors: 0.0),),
)
