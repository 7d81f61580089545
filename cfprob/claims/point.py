"""Point claims: a probability of one outcome under one divergence point, stated as a number
(``probability``) or as a verbal phrase (``verbal``, read through the lexicon).

Likelihood, for claimant ``a``: ``logit p ~ Normal(logit theta^a_dk + b_ak, sqrt((s_a / confidence)^2 + v^2))``,
where ``v`` is the phrase's lexicon spread on the logit scale (0 for a number) and ``theta^a_d`` is divergence
point ``d`` as claimant ``a``'s worldview sees it (real history as it is). Replicas are the claimant's
latent logits; the predictive p-value is two-sided.

A claim with ``bound = "lower"`` says *at least* that likely: an endorsing "it is possible", "it could
happen" (``"upper"``: at most). It is interval-censored: ``P(x >= logit p)`` for the claimant's latent
logit ``x`` about the same location, the phrase's spread added to the noise, i.e.
``log Phi(b * (located - logit p) / sd)`` with ``b`` = +1 (lower) or -1 (upper). Its replicas are latent
logits; its p-value is the share of them on the stated side; a simulated claim keeps its value and states
the side its replica falls on. A scenario with no bounded claim has no bound term in its model at all (the
model is the same as before bounds existed, and so are its draws).
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
    draws_spread_squared,
    fitted_range,
    make_block,
    normal_logpdf,
    seen_logit_theta,
    sigmoid,
    spread_squared,
    two_sided,
)
from cfprob.fitting.numeric import logit
from cfprob.reading import fields as f

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.fitting.priors import Priors
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = [
    "CONDITION",
    "FAMILY",
    "PROBABILITY",
    "STATED_CHANCE",
    "VERBAL",
    "chance_of",
    "check_phrase",
    "check_stated",
    "stated_logits",
    "stated_sd",
]

Floats = np.typing.NDArray[np.float64]


BOUNDS = {"lower": 1.0, "upper": -1.0}
"""``bound`` -> the side a bounded claim states: +1 at least, -1 at most."""
_BOUND_WORDS = {"lower": "at least ", "upper": "at most ", "": ""}


def chance_of(claim: Claim) -> str:
    """``P(outcome)``, or ``P(outcome | given A, B)`` for a claim stated under a condition."""
    return f"P({claim.outcome} | given {', '.join(claim.given)})" if claim.given else f"P({claim.outcome})"


def _says_probability(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    return f"{chance_of(claim)} {'= ' if not claim.bound else _BOUND_WORDS[claim.bound]}{claim.probability:g}"


def _says_verbal(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    entry = lexicon.lookup(str(claim.phrase))
    shown = entry.describe() if entry else f'"{claim.phrase}"'
    return f"{chance_of(claim)}: {_BOUND_WORDS[claim.bound]}{shown}"


def check_phrase(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    """A kind's check that its ``phrase`` is in the lexicon (or that it has none). A claim kept out of the fit
    (``excluded``) may carry a phrase the lexicon cannot read: its reason says so, and it is only listed."""
    if clean.get("phrase") is None or clean.get("excluded"):
        return {}
    if context.lexicon.lookup(clean["phrase"]) is None:
        context.problems.add(
            context.file,
            f"{context.label}: key 'phrase'",
            "a phrase from the lexicon (cfprob lexicon)",
            f'"{clean["phrase"]}"',
            f.did_you_mean(clean["phrase"].lower(), context.lexicon.names()),
        )
        return None
    return {}


CONDITION = {"given": f.text_list()}
"""The field of a kind whose claims may carry a condition (``given``: divergence points stacked on ``pod``,
checked against pods.toml by the loader; the claim is then about the stack, :mod:`cfprob.fitting.design`)."""

STATED_CHANCE = {
    "phrase": f.Check("a phrase from the lexicon", lambda v: v if isinstance(v, str) else f.BAD, False, None),
    "probability": f.number(0, 1, low_open=True, high_open=True, required=False),
}
"""The fields of a kind that states one chance as a phrase or a number (exactly one; :func:`check_stated`)."""


def check_stated(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    """A kind's check that exactly one of ``phrase`` and ``probability`` is given, and the phrase is known."""
    given = [k for k in ("phrase", "probability") if clean.get(k) is not None]
    if len(given) != 1:
        expected = "exactly one of 'phrase' and 'probability'"
        context.problems.add(context.file, context.label, expected, " and ".join(given) or "neither")
        return None
    return check_phrase(clean, context)


PROBABILITY = ClaimKind(
    "probability",
    {
        "pod": f.identifier(),
        "outcome": f.identifier(),
        "probability": f.number(0, 1, low_open=True, high_open=True),
        "bound": f.choice(tuple(BOUNDS), required=False),
        **CONDITION,
    },
    _says_probability,
)
VERBAL = ClaimKind(
    "verbal",
    {
        "pod": f.identifier(),
        "outcome": f.identifier(),
        "phrase": f.text(),
        "bound": f.choice(tuple(BOUNDS), required=False),
        **CONDITION,
    },
    _says_verbal,
    check=check_phrase,
)


def stated_logits(claims: list[Claim], lexicon: Lexicon) -> tuple[list[float], list[float]]:
    """Each claim's stated logit and its spread: a number's logit (spread 0), or a phrase's lexicon logit
    mean and sd."""
    value, extra = [], []
    for c in claims:
        if c.probability is not None:
            value.append(float(logit(c.probability)))
            extra.append(0.0)
        else:
            entry = lexicon.lookup(str(c.phrase))
            assert entry is not None, "validated scenarios only hold known phrases"
            value.append(entry.logit_mu)
            extra.append(entry.logit_sd)
    return value, extra


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    value, extra = stated_logits(claims, context.lexicon)
    bound = [BOUNDS.get(c.bound, 0.0) for c in claims]
    return make_block(claims, context, value=value, extra=extra, bound=bound)


def _model_term(point: Any, m: ModelTerms) -> Any:
    import pymc as pm
    import pytensor.tensor as pt

    sd = pt.sqrt((m.noise[point.author] / point.confidence) ** 2 + point.extra**2 + spread_squared(m, point.pod))
    seen = seen_logit_theta(m, point.pod, point.outcome, point.author, point.seen)
    located = seen + m.bias[point.author, point.outcome]
    stated = pm.logp(pm.Normal.dist(located, sd), point.value)
    if not np.any(point.bound.get_value()):
        return point.weight * stated  # no bounded claim: the model without the bound term
    side = pm.logcdf(pm.Normal.dist(0.0, 1.0), point.bound * (located - point.value) / sd)
    return point.weight * pt.switch(pt.eq(point.bound, 0.0), stated, side)


def stated_sd(draws: Draws, block: ClaimBlock) -> Floats:
    """The sd of each claim's stated logit about where the claimant locates it, per draw: (S, n)."""
    result: Floats = np.sqrt((draws.noise[:, block.author] / block.confidence) ** 2 + block.extra**2)
    return result


def _sd(draws: Draws, block: ClaimBlock) -> Floats:
    """The stated logit's sd, widened by the unpredictability of the claim's divergence point."""
    result: Floats = np.sqrt(stated_sd(draws, block) ** 2 + draws_spread_squared(draws, block.pod))
    return result


def _log_likelihood(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    from scipy.special import log_ndtr

    from cfprob.fitting.draws import located_logits

    sd = _sd(draws, block)
    located = located_logits(draws, block)
    stated = normal_logpdf(block.value, located, sd)
    side = log_ndtr(block.bound * (located - block.value) / sd)
    result: Floats = block.weight * np.where(block.bound == 0, stated, side)
    return result


def _replicate(draws: Draws, block: ClaimBlock, rng: np.random.Generator, priors: Priors) -> Floats:
    from cfprob.fitting.draws import located_logits

    result: Floats = rng.normal(located_logits(draws, block), _sd(draws, block))
    return result


def _p_values(replicas: Floats, block: ClaimBlock) -> Floats:
    on_side = (block.bound * (replicas - block.value) >= 0).mean(axis=0)
    result: Floats = np.where(block.bound == 0, two_sided(replicas, block.value), on_side)
    return result


def _simulate(block: ClaimBlock, replica: Floats, rng: np.random.Generator) -> ClaimBlock:
    from dataclasses import replace

    side = np.where(replica[0] >= block.value, 1.0, -1.0)
    bounded = block.bound != 0
    return replace(block, value=np.where(bounded, block.value, replica[0]), bound=np.where(bounded, side, block.bound))


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    from cfprob.fitting.draws import located_logits

    fitted = sigmoid(located_logits(draws, block))
    side = {1.0: "at least ", -1.0: "at most ", 0.0: ""}
    return [
        (
            side[float(block.bound[j])]
            + f"{sigmoid(block.value[j]):.0%}"
            + (" (phrase)" if block.extra[j] > 0 else ""),
            fitted_range(fitted[:, j]),
        )
        for j in range(len(block))
    ]


def _density(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
    """Hand-written :func:`_model_term` with its gradient (:mod:`cfprob.claims.density`)."""
    seen_slope = np.empty(s.E.shape[1])
    total = 0.0
    for i in range(len(b.pod)):
        r, a, k, w = b.pod[i], b.author[i], b.outcome[i], b.weight[i]
        noise = s.noise[a] / b.confidence[i]
        sd = math.sqrt(noise * noise + b.extra[i] * b.extra[i] + s.spread[r] * s.spread[r])
        located = dn.seen_logit(s, r, a, b.seen[i], k, seen_slope) + s.bias[a, k]
        if b.bound[i] == 0.0:
            z = (b.value[i] - located) / sd
            total += w * dn.log_normal_pdf(b.value[i], located, sd)
            d_located, d_sd = z / sd, (z * z - 1.0) / sd
        else:
            z = b.bound[i] * (located - b.value[i]) / sd
            total += w * dn.log_ndtr(z)
            slope = dn.d_log_ndtr(z)
            d_located, d_sd = slope * b.bound[i] / sd, -slope * z / sd
        dn.add_located_grad(s, g, b, i, seen_slope, w * d_located, w * d_sd, sd)
    return total


FAMILY = Family(
    name="point",
    kinds=(PROBABILITY, VERBAL),
    inputs=("pod", "outcome", "author", "confidence", "weight", "value", "extra", "seen", "bound"),
    block=_block,
    model_term=_model_term,
    log_likelihood=_log_likelihood,
    replicate=_replicate,
    p_values=_p_values,
    simulate=_simulate,
    describe=_describe,
    observed=lambda block: block.value,
    density=_density,
)
