"""Point claims: a probability of one outcome under one divergence point, stated as a number
(``probability``) or as a verbal phrase (``verbal``, read through the lexicon).

Likelihood, for claimant ``a``: ``logit p ~ Normal(logit theta^a_dk + b_ak, sqrt((s_a / confidence)^2 + v^2))``,
where ``v`` is the phrase's lexicon spread on the logit scale (0 for a number) and ``theta^a_d`` is divergence
point ``d`` as claimant ``a``'s worldview sees it (real history as it is). Replicas are the claimant's
latent logits; the predictive p-value is two-sided.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from cfprob.claims.base import (
    ClaimBlock,
    ClaimKind,
    DesignContext,
    Family,
    KindContext,
    ModelTerms,
    fitted_range,
    make_block,
    seen_logit_theta,
    sigmoid,
    two_sided,
)
from cfprob.fitting.numeric import logit
from cfprob.reading import fields as f

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.fitting.priors import Priors
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["FAMILY", "PROBABILITY", "VERBAL", "stated_sd"]

Floats = np.typing.NDArray[np.float64]


def _says_probability(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    return f"P({claim.outcome}) = {claim.probability:g}"


def _says_verbal(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    entry = lexicon.lookup(str(claim.phrase))
    shown = entry.describe() if entry else f'"{claim.phrase}"'
    return f"P({claim.outcome}): {shown}"


def _check_phrase(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
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


PROBABILITY = ClaimKind(
    "probability",
    {
        "pod": f.identifier(),
        "outcome": f.identifier(),
        "probability": f.number(0, 1, low_open=True, high_open=True),
    },
    _says_probability,
)
VERBAL = ClaimKind(
    "verbal",
    {"pod": f.identifier(), "outcome": f.identifier(), "phrase": f.text()},
    _says_verbal,
    check=_check_phrase,
)


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    value, extra = [], []
    for c in claims:
        if c.kind == "probability":
            value.append(float(logit(c.probability or 0.0)))
            extra.append(0.0)
        else:
            entry = context.lexicon.lookup(str(c.phrase))
            assert entry is not None, "validated scenarios only hold known phrases"
            value.append(entry.logit_mu)
            extra.append(entry.logit_sd)
    return make_block(claims, context, value=value, extra=extra)


def _model_term(point: Any, m: ModelTerms) -> Any:
    import pymc as pm
    import pytensor.tensor as pt

    sd = pt.sqrt((m.noise[point.author] / point.confidence) ** 2 + point.extra**2)
    seen = seen_logit_theta(m, point.pod, point.outcome, point.author, point.seen)
    located = seen + m.bias[point.author, point.outcome]
    stated = pm.logp(pm.Normal.dist(located, sd), point.value)
    return point.weight * stated


def stated_sd(draws: Draws, block: ClaimBlock) -> Floats:
    """The sd of each claim's stated logit about where the claimant locates it, per draw: (S, n)."""
    result: Floats = np.sqrt((draws.noise[:, block.author] / block.confidence) ** 2 + block.extra**2)
    return result


def _log_likelihood(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    from cfprob.fitting.draws import located_logits

    sd = stated_sd(draws, block)
    z = (block.value - located_logits(draws, block)) / sd
    result: Floats = block.weight * (-0.5 * z**2 - np.log(sd) - 0.5 * np.log(2 * np.pi))
    return result


def _replicate(draws: Draws, block: ClaimBlock, rng: np.random.Generator, priors: Priors) -> Floats:
    from cfprob.fitting.draws import located_logits

    result: Floats = rng.normal(located_logits(draws, block), stated_sd(draws, block))
    return result


def _p_values(replicas: Floats, block: ClaimBlock) -> Floats:
    return two_sided(replicas, block.value)


def _simulate(block: ClaimBlock, replica: Floats, rng: np.random.Generator) -> ClaimBlock:
    from dataclasses import replace

    return replace(block, value=replica[0])


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    from cfprob.fitting.draws import located_logits

    fitted = sigmoid(located_logits(draws, block))
    return [
        (f"{sigmoid(block.value[j]):.0%}" + (" (phrase)" if block.extra[j] > 0 else ""), fitted_range(fitted[:, j]))
        for j in range(len(block))
    ]


FAMILY = Family(
    name="point",
    kinds=(PROBABILITY, VERBAL),
    inputs=("pod", "outcome", "author", "confidence", "weight", "value", "extra", "seen"),
    block=_block,
    model_term=_model_term,
    log_likelihood=_log_likelihood,
    replicate=_replicate,
    p_values=_p_values,
    simulate=_simulate,
    describe=_describe,
)
