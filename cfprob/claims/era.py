"""Era claims: a window of years against the years it is compared with (``earlier``, ``later`` or
``outside`` the window), read under one of two meanings (``about``):

- ``about = "history"``: real history made the outcome more likely in the window: the gap is the window's
  mean of ``logit history_k(t)`` minus the compared years' (e.g. "after 1985 the collapse was inevitable").
- ``about = "divergences"``: a divergence could change more in the window ("a real chance ... can't
  possibly emerge until the 60s or 70s"): the gap is the window's mean of the era scale ``era(t)`` (the log
  of how much a divergence in year ``t`` can change) minus the compared years'. It never moves a divergence
  that changes nothing. The claimant's tendency enters as for an ordering that calls divergences better.

Likelihood: the ordering likelihood on that gap (:attr:`ClaimBlock.contrast` holds the window's mean knot
weights minus the compared years'). Replicas, p-values and simulation as for orderings.
"""

from __future__ import annotations

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
    directional,
    make_block,
    tendency_term,
)
from cfprob.fitting.draws import logit_theta
from cfprob.fitting.numeric import interpolation_weights, softmax_last
from cfprob.reading import fields as f
from cfprob.reading.scenario import ERA_COMPARISONS, ERA_MEANINGS, era_years

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.fitting.priors import Priors
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["ERA", "FAMILY", "check_window", "history_log_odds", "history_log_odds_draws", "mean_years"]

Floats = np.typing.NDArray[np.float64]
Ints = np.typing.NDArray[np.int64]


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    than = {"earlier": "before it", "later": "after it", "outside": "outside it"}[str(claim.compared_with)]
    if claim.about == "history":
        return f"real history's P({claim.outcome}) higher in {claim.start}-{claim.end} than {than}"
    return f"a divergence in {claim.start}-{claim.end} could change P({claim.outcome}) more than {than}"


def check_window(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    """A claim's window of years, ``start`` to ``end``, is ordered and lies in the timeline."""
    start, end = clean["start"], clean["end"]
    problems, file, label = context.problems, context.file, context.label
    if start > end:
        problems.add(file, label, "start <= end", f"start = {start}, end = {end}")
        return None
    if context.timeline is None:
        return {}  # the divergence points are broken, and reported
    first, last = context.timeline
    if start < first or end > last:
        problems.add(
            file, label, f"a window inside the timeline's years, {first} to {last}", f"start = {start}, end = {end}"
        )
        return None
    return {}


def _check(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    """The window lies in the timeline and leaves years to compare it with."""
    if check_window(clean, context) is None:
        return None
    if context.timeline is None:
        return {}  # the divergence points are broken, and reported
    start, end = clean["start"], clean["end"]
    first, last = context.timeline
    if not era_years(start, end, clean["compared_with"], context.timeline)[1]:
        context.problems.add(
            context.file,
            f"{context.label}: key 'compared_with'",
            f"years {clean['compared_with']} than the window within the timeline's years, {first} to {last}",
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
        "about": f.choice(ERA_MEANINGS),
    },
    _says,
    check=_check,
    pods=lambda claim: (),
    pod_keys=(),
    about=lambda claim: f"the years {claim.start}-{claim.end}",
)


def contrast(claims: list[Claim], timeline: tuple[int, int], knots: Floats) -> Floats:
    """Each era claim's window, as mean knot weights, minus the mean knot weights of the years it is
    compared with: the claim's gap is this row times the curve (or era scale) at the knots."""
    rows = []
    for c in claims:
        window, compared = era_years(int(c.start or 0), int(c.end or 0), str(c.compared_with), timeline)
        outside: Ints = np.concatenate([np.asarray(r, dtype=np.int64) for r in compared])
        rows.append(mean_years(window, knots) - mean_years(outside, knots))
    return np.asarray(rows, dtype=float).reshape(len(claims), len(knots))


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    divergences = [1.0 if c.about == "divergences" else 0.0 for c in claims]
    return make_block(
        claims,
        context,
        pod=[None] * len(claims),
        extra=divergences,
        contrast=contrast(claims, context.scenario.timeline, context.knots),
        direction=divergences,
    )


def mean_years(years: Sequence[int] | range | Ints, knots: Floats) -> Floats:
    """The mean knot weights of ``years``: a row that, times the curve at the knots, is its mean over them."""
    result: Floats = interpolation_weights(np.asarray(years), knots).mean(axis=0)
    return result


def history_log_odds(m: ModelTerms, weights: Any, outcome: Any) -> Any:
    """PyMC: real history's log odds of each claim's outcome, weighted over the knots by its row of
    ``weights`` (n, knots): (n,)."""
    import pytensor.tensor as pt

    curve = pt.concatenate([m.history, pt.zeros((m.history.shape[0], 1))], axis=-1)
    return (weights * m.logit_softmax(curve, m.n_outcomes)[:, outcome].T).sum(axis=-1)


def history_log_odds_draws(draws: Draws, weights: Floats, outcome: Ints) -> Floats:
    """numpy: the same per draw, (S, n)."""
    assert draws.history is not None, "claims about real history's curve come with it"
    lt = logit_theta(softmax_last(draws.history))[:, :, outcome]  # (S, knots, n)
    result: Floats = np.einsum("skn,nk->sn", lt, weights)
    return result


def _model_term(era: Any, m: ModelTerms) -> Any:
    import pytensor.tensor as pt

    history_gap = history_log_odds(m, era.contrast, era.outcome)
    era_gap = pt.dot(era.contrast, m.era)
    gap = era.extra * era_gap + (1.0 - era.extra) * history_gap
    tendency = era.direction * m.tendency[era.author, era.outcome]
    return -era.weight * pt.softplus(-(era.confidence * gap / m.priors.ordering_tau + tendency))


def _raw_gap(draws: Draws, block: ClaimBlock) -> Floats:
    """The gap each claim states as positive, per draw (S, n), before confidence, tau and tendency."""
    assert draws.era is not None, "era claims come with the era scale"
    history_gap = history_log_odds_draws(draws, block.contrast, block.outcome)
    era_gap = draws.era @ block.contrast.T
    result: Floats = block.extra * era_gap + (1.0 - block.extra) * history_gap
    return result


def _gap(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    result: Floats = block.confidence * _raw_gap(draws, block) / priors.ordering_tau + tendency_term(draws, block)
    return result


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    gap = _raw_gap(draws, block)
    said = ["divergences change more in the window", "real history's P({}) higher in the window"]
    return [
        (
            said[int(block.extra[j] == 0)].format(outcomes[block.outcome[j]]),
            f"{(gap[:, j] > 0).mean():.0%} of draws agree",
        )
        for j in range(len(block))
    ]


def _density(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
    """Hand-written :func:`_model_term` with its gradient (:mod:`cfprob.claims.density`)."""
    total = 0.0
    if len(b.outcome) == 0:
        return total
    tau = s.priors[dn.PRIOR.ordering_tau]
    odds, share, others = dn.curve_odds(s, b.outcome)
    for i in range(len(b.outcome)):
        a, k, w, about_divergences = b.author[i], b.outcome[i], b.weight[i], b.extra[i]
        history_gap, era_gap = 0.0, 0.0
        for t in range(b.contrast.shape[1]):
            if b.contrast[i, t] != 0.0:
                history_gap += b.contrast[i, t] * odds[t, k]
                era_gap += b.contrast[i, t] * s.era[t]
        gap = about_divergences * era_gap + (1.0 - about_divergences) * history_gap
        y = b.confidence[i] * gap / tau + b.direction[i] * s.tendency[a, k]
        total -= w * dn.softplus(-y)
        d_y = w * dn.sigmoid(-y)
        d_gap = d_y * b.confidence[i] / tau
        for t in range(b.contrast.shape[1]):
            if b.contrast[i, t] != 0.0:
                g.era[t] += d_gap * about_divergences * b.contrast[i, t]
                dn.add_curve_odds_grad(g, share, others, t, k, d_gap * (1.0 - about_divergences) * b.contrast[i, t])
        g.tendency[a, k] += d_y * b.direction[i]
    return total


FAMILY = Family(
    name="era",
    kinds=(ERA,),
    inputs=("outcome", "author", "confidence", "weight", "extra", "contrast", "direction"),
    block=_block,
    model_term=_model_term,
    **directional(_gap),
    describe=_describe,
    uses_draws=("history", "era"),
    density=_density,
)
