"""Era claims: an outcome is more likely for a divergence inside a window of years than for one in the years
it is compared with (``earlier``, ``later`` or ``outside`` the window), on the inevitability curve.

Likelihood: the ordering likelihood, with the gap between the window's and the compared years' mean of
``logit curve_k`` at the knots (:attr:`ClaimBlock.contrast` @ logit curve_k). Replicas, p-values and
simulation as for orderings.
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
    directional,
    make_block,
)
from cfprob.fitting.draws import logit_theta
from cfprob.fitting.numeric import interpolation_weights, logit
from cfprob.reading import fields as f
from cfprob.reading.scenario import ERA_COMPARISONS, era_years

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.fitting.priors import Priors
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["ERA", "FAMILY"]

Floats = np.typing.NDArray[np.float64]


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    than = {"earlier": "before it", "later": "after it", "outside": "outside it"}[str(claim.compared_with)]
    return (
        f"P({claim.outcome}) higher for a divergence in {claim.start}-{claim.end} than {than} (the inevitability curve)"
    )


def _check(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    """The window lies in the divergence points' timeline and leaves years to compare it with."""
    start, end = clean["start"], clean["end"]
    problems, file, label = context.problems, context.file, context.label
    if start > end:
        problems.add(file, label, "start <= end", f"start = {start}, end = {end}")
        return None
    if context.timeline is None:
        return {}  # the divergence points are broken, and reported
    first, last = context.timeline
    span = f"the divergence points' years, {first} to {last}"
    if start < first or end > last:
        problems.add(file, label, f"a window inside {span}", f"start = {start}, end = {end}")
        return None
    if not era_years(start, end, clean["compared_with"], context.timeline)[1]:
        problems.add(
            file,
            f"{label}: key 'compared_with'",
            f"years {clean['compared_with']} than the window within {span}",
            f"none (window {start} to {end})",
        )
        return None
    return {}


ERA = ClaimKind(
    "era",
    {
        "outcome": f.identifier(),
        "start": f.integer(-10_000, 10_000),
        "end": f.integer(-10_000, 10_000),
        "compared_with": f.choice(ERA_COMPARISONS),
    },
    _says,
    check=_check,
    pods=lambda claim: (),
    pod_keys=(),
    about=lambda claim: f"the years {claim.start}-{claim.end}",
)


def contrast(claims: list[Claim], timeline: tuple[int, int], knots: Floats) -> Floats:
    """Each era claim's window, as mean knot weights, minus the mean knot weights of the years it is
    compared with: the claim's gap is this row times the curve's logits at the knots."""
    rows = []
    for c in claims:
        window, compared = era_years(int(c.start or 0), int(c.end or 0), str(c.compared_with), timeline)
        inside = interpolation_weights(np.asarray(window), knots).mean(axis=0)
        outside = interpolation_weights(np.concatenate([np.asarray(r) for r in compared]), knots).mean(axis=0)
        rows.append(inside - outside)
    return np.asarray(rows, dtype=float).reshape(len(claims), len(knots))


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    return make_block(
        claims,
        context,
        pod=[None] * len(claims),
        contrast=contrast(claims, context.scenario.timeline, context.knots),
    )


def _model_term(era: Any, m: ModelTerms) -> Any:
    import pytensor.tensor as pt

    curve = pt.concatenate([m.alpha + m.year_effect, pt.zeros((m.n_knots, 1))], axis=-1)
    gap = (era.contrast * m.logit_softmax(curve, m.n_outcomes)[:, era.outcome].T).sum(axis=-1)
    return -era.weight * pt.softplus(-era.confidence * gap / m.priors.ordering_tau)


def _gap(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    assert draws.curve is not None, "era claims come with the curve"
    lt = logit_theta(draws.curve)[:, :, block.outcome]  # (S, knots, n)
    result: Floats = block.confidence * np.einsum("skn,nk->sn", lt, block.contrast) / priors.ordering_tau
    return result


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    assert draws.curve is not None, "era claims come with the curve"
    gap = np.einsum("skn,nk->sn", logit(draws.curve[:, :, block.outcome]), block.contrast)
    return [
        (f"P({outcomes[block.outcome[j]]}) higher in the window", f"{(gap[:, j] > 0).mean():.0%} of draws agree")
        for j in range(len(block))
    ]


FAMILY = Family(
    name="era",
    kinds=(ERA,),
    inputs=("outcome", "confidence", "weight", "contrast"),
    block=_block,
    model_term=_model_term,
    **directional(_gap),
    describe=_describe,
    uses_draws=("curve",),
)
