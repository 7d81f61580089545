"""Uncertain claims: the claimant says the outcome after a divergence point cannot be known ("in ways we
can't even predict", "we can never know"). Such a claim widens; it does not locate.

Each divergence point that uncertain claims name gets its own unpredictability ``v_d >= 0`` (half-normal a
priori, scale :attr:`~cfprob.fitting.priors.Priors.unpredictability_scale`), a spread on the logit scale
added to the noise of every other claim about that point: a point, interval or same claim's sd becomes
``sqrt(sd^2 + v_d^2)`` (both points' for a same claim), an ordering's tolerance ``sqrt(tau^2 + v_H^2 +
v_L^2)``. Claims about an unpredictable point then say less about it, and its answer falls back towards what
the rest of the model says (real history, features, other points), with a wider interval — never towards an
even chance. Distribution and antecedent claims are not widened (a stated distribution has its own
concentration; plausibility is not about outcomes); points no uncertain claim names have no ``v_d``.

Likelihood, for claimant ``a``: "it cannot be known" is a lower bound on ``v_d``: at least the spread of a
flat belief, the logit sd of a uniform probability, ``pi / sqrt(3)`` (:data:`FLAT_SPREAD`):
``log Phi((v_d - pi / sqrt(3)) / sqrt((s_a / confidence)^2 + SD_FLOOR^2))`` (the floor,
:data:`~cfprob.claims.base.SD_FLOOR`, keeps the bound from becoming a wall as the claimant's noise shrinks).
Claimants' disagreement about the point also raises ``v_d``. Replicas are the claimant's latent view of
``v_d``; the p-value is the share of them at least flat; a simulated claim states the side its replica falls
on (:attr:`ClaimBlock.direction`, +1 unpredictable).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from cfprob.claims import density as dn
from cfprob.claims.base import (
    SD_FLOOR,
    ClaimBlock,
    ClaimKind,
    DesignContext,
    Family,
    KindContext,
    ModelTerms,
    about_a_divergence,
    make_block,
)
from cfprob.reading import fields as f

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.fitting.priors import Priors
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["FAMILY", "FLAT_SPREAD", "UNCERTAIN"]

Floats = np.typing.NDArray[np.float64]

FLAT_SPREAD = float(np.pi / np.sqrt(3.0))
"""The logit-scale sd of a uniform probability (a standard logistic): the spread of a flat belief."""


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    what = f"P({claim.outcome})" if claim.outcome else "the outcome"
    return f"{what} after {claim.pod} cannot be known"


def _check(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    return {} if about_a_divergence(clean, context) else None


UNCERTAIN = ClaimKind(
    "uncertain",
    {"pod": f.identifier(), "outcome": f.identifier(required=False)},
    _says,
    check=_check,
)


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    return make_block(claims, context, direction=[1.0] * len(claims))


def _model_term(unc: Any, m: ModelTerms) -> Any:
    import pymc as pm

    assert m.spread is not None, "a model with uncertain claims has unpredictability"
    import pytensor.tensor as pt

    sd = pt.sqrt((m.noise[unc.author] / unc.confidence) ** 2 + SD_FLOOR**2)
    z = unc.direction * (m.spread[unc.pod] - FLAT_SPREAD) / sd
    return unc.weight * pm.logcdf(pm.Normal.dist(0.0, 1.0), z)


def _spread(draws: Draws, block: ClaimBlock) -> Floats:
    if not len(block):
        return np.zeros((len(draws), 0))
    assert draws.spread is not None, "uncertain claims come with unpredictability"
    result: Floats = draws.spread[:, block.pod]
    return result


def _sd(draws: Draws, block: ClaimBlock) -> Floats:
    result: Floats = np.sqrt((draws.noise[:, block.author] / block.confidence) ** 2 + SD_FLOOR**2)
    return result


def _log_likelihood(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    from scipy.special import log_ndtr

    result: Floats = block.weight * log_ndtr(
        block.direction * (_spread(draws, block) - FLAT_SPREAD) / _sd(draws, block)
    )
    return result


def _replicate(draws: Draws, block: ClaimBlock, rng: np.random.Generator, priors: Priors) -> Floats:
    result: Floats = rng.normal(_spread(draws, block), _sd(draws, block))
    return result


def _p_values(replicas: Floats, block: ClaimBlock) -> Floats:
    result: Floats = (block.direction * (replicas - FLAT_SPREAD) >= 0).mean(axis=0)
    return result


def _simulate(block: ClaimBlock, replicas: Floats, rng: np.random.Generator) -> ClaimBlock:
    return replace(block, direction=np.where(replicas[0] >= FLAT_SPREAD, 1.0, -1.0))


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    spread = _spread(draws, block)
    return [
        ("cannot be known", f"unpredictability {spread[:, j].mean():.2f} (flat belief {FLAT_SPREAD:.2f})")
        for j in range(len(block))
    ]


def _density(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
    """Hand-written :func:`_model_term` with its gradient (:mod:`cfprob.claims.density`)."""
    total = 0.0
    for i in range(len(b.pod)):
        r, a, w = b.pod[i], b.author[i], b.weight[i]
        noise = s.noise[a] / b.confidence[i]
        sd = math.sqrt(noise * noise + SD_FLOOR * SD_FLOOR)
        z = b.direction[i] * (s.spread[r] - FLAT_SPREAD) / sd
        total += w * dn.log_ndtr(z)
        d_z = w * dn.d_log_ndtr(z)
        g.spread[r] += d_z * b.direction[i] / sd
        g.noise[a] -= d_z * z * noise / (sd * sd * b.confidence[i])
    return total


FAMILY = Family(
    name="uncertain",
    kinds=(UNCERTAIN,),
    inputs=("pod", "author", "confidence", "weight", "direction"),
    block=_block,
    model_term=_model_term,
    log_likelihood=_log_likelihood,
    replicate=_replicate,
    p_values=_p_values,
    simulate=_simulate,
    describe=_describe,
    uses_draws=("spread",),
    density=_density,
    observed=lambda block: np.ones(len(block)),  # each claim was stated as written
    statistic=lambda replicas, block: (block.direction * (replicas - FLAT_SPREAD) >= 0).astype(float),
)
