"""Level claims: real history's chance of one outcome over a window of years, as a phrase or a number ("sure
before 1204, difficult after 1300, almost impossible after 1400"; "after 1985 the collapse was almost
inevitable"). Era claims compare windows; a level claim says how likely the outcome was in one.

Likelihood, for claimant ``a``: ``logit p ~ Normal(mean_{t in window} logit h_k(t) + b_ak,
sqrt((s_a / confidence)^2 + v^2))``, with ``h(t)`` real history's curve (given what happened up to ``t``),
``v`` the phrase's lexicon spread (0 for a number) and ``b_ak`` the claimant's bias, as for a point claim
about real history. :attr:`ClaimBlock.contrast` holds the window's mean knot weights. Replicas are stated
logits; the predictive p-value is two-sided.
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
    fitted_range,
    make_block,
    measured,
    sigmoid,
)
from cfprob.claims.era import check_window, history_log_odds, history_log_odds_draws, mean_years
from cfprob.claims.point import STATED_CHANCE, check_stated, stated_logits, stated_sd
from cfprob.reading import fields as f

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["FAMILY", "LEVEL"]

Floats = np.typing.NDArray[np.float64]


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    head = f"real history's P({claim.outcome}) in {claim.start}-{claim.end}"
    if claim.probability is not None:
        return f"{head} = {claim.probability:g}"
    entry = lexicon.lookup(str(claim.phrase))
    return f"{head}: " + (entry.describe() if entry else f'"{claim.phrase}"')


def _check(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    if check_window(clean, context) is None:
        return None
    return check_stated(clean, context)


LEVEL = ClaimKind(
    "level",
    {
        "outcome": f.identifier(),
        "start": f.integer(-10_000, 10_000),
        "end": f.integer(-10_000, 10_000),
        **STATED_CHANCE,
    },
    _says,
    check=_check,
    pods=lambda claim: (),
    pod_keys=(),
    about=lambda claim: f"real history, {claim.start}-{claim.end}",
)


def window_weights(claims: list[Claim], knots: Floats) -> Floats:
    """Each claim's window of years as mean knot weights (n, knots): its level is this row times the curve."""
    rows = [mean_years(range(int(c.start or 0), int(c.end or 0) + 1), knots) for c in claims]
    return np.asarray(rows, dtype=float).reshape(len(claims), len(knots))


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    value, extra = stated_logits(claims, context.lexicon)
    return make_block(
        claims,
        context,
        pod=[None] * len(claims),
        value=value,
        extra=extra,
        contrast=window_weights(claims, context.knots),
    )


def _model_term(level: Any, m: ModelTerms) -> Any:
    import pymc as pm
    import pytensor.tensor as pt

    located = history_log_odds(m, level.contrast, level.outcome) + m.bias[level.author, level.outcome]
    sd = pt.sqrt((m.noise[level.author] / level.confidence) ** 2 + level.extra**2)
    return level.weight * pm.logp(pm.Normal.dist(located, sd), level.value)


def _located(draws: Draws, block: ClaimBlock) -> Floats:
    """Real history's mean log odds over each claim's window plus its claimant's bias, per draw: (S, n)."""
    at_window = history_log_odds_draws(draws, block.contrast, block.outcome)
    result: Floats = at_window + draws.bias[:, block.author, block.outcome]
    return result


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    fitted = sigmoid(_located(draws, block))
    return [
        (f"{sigmoid(block.value[j]):.0%}" + (" (phrase)" if block.extra[j] > 0 else ""), fitted_range(fitted[:, j]))
        for j in range(len(block))
    ]


def _density(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
    """Hand-written :func:`_model_term` with its gradient (:mod:`cfprob.claims.density`)."""
    total = 0.0
    if len(b.outcome) == 0:
        return total
    odds, share, others = dn.curve_odds(s, b.outcome)
    for i in range(len(b.outcome)):
        a, k, w = b.author[i], b.outcome[i], b.weight[i]
        located = s.bias[a, k]
        for t in range(b.contrast.shape[1]):
            if b.contrast[i, t] != 0.0:
                located += b.contrast[i, t] * odds[t, k]
        noise = s.noise[a] / b.confidence[i]
        sd = math.sqrt(noise * noise + b.extra[i] * b.extra[i])
        z = (b.value[i] - located) / sd
        total += w * dn.log_normal_pdf(b.value[i], located, sd)
        d_located, d_sd = w * z / sd, w * (z * z - 1.0) / sd
        g.noise[a] += d_sd * noise / (sd * b.confidence[i])
        g.bias[a, k] += d_located
        for t in range(b.contrast.shape[1]):
            if b.contrast[i, t] != 0.0:
                dn.add_curve_odds_grad(g, share, others, t, k, d_located * b.contrast[i, t])
    return total


FAMILY = Family(
    name="level",
    kinds=(LEVEL,),
    inputs=("outcome", "author", "confidence", "weight", "value", "extra", "contrast"),
    block=_block,
    model_term=_model_term,
    **measured(_located, stated_sd),
    describe=_describe,
    uses_draws=("history",),
    density=_density,
)
