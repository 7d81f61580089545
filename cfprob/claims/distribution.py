"""Distribution claims: a probability for every outcome under one divergence point.

Likelihood: ``q ~ Dirichlet(kappa_a * confidence * theta^a_d)`` (``theta^a_d``: the divergence point as
claimant ``a``'s worldview sees it), with no bias (a stated K-vector is read as
it is, its spread given by the claimant's concentration ``kappa_a``, partially pooled). Replicas are
Dirichlet vectors; the predictive p-value is the most extreme outcome's two-sided tail probability, times
the number of outcomes (at most 1).
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
    Parameter,
    make_block,
    seen_theta,
    two_sided,
)
from cfprob.claims.point import CONDITION
from cfprob.fitting.draws import TINY
from cfprob.fitting.draws import seen_theta as draws_seen_theta
from cfprob.reading import fields as f

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.fitting.priors import Priors
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["DISTRIBUTION", "FAMILY", "MIN_STATED_SHARE", "SUM_TOLERANCE"]

Floats = np.typing.NDArray[np.float64]
SUM_TOLERANCE = 0.02
"""How far a stated distribution may sum from 1 (it is then rescaled to sum to 1)."""
MIN_STATED_SHARE = 0.001
"""The smallest share a stated distribution may give an outcome."""


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    parts = ", ".join(f"{o} {p:.2f}" for o, p in zip(outcomes, claim.distribution or (), strict=True))
    given = f" (given {', '.join(claim.given)})" if claim.given else ""
    return f"distribution{given}: {parts}"


def _check(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    """Every outcome given a share in [MIN_STATED_SHARE, 1], summing to 1 within SUM_TOLERANCE."""
    raw, outcomes = clean["distribution"], context.outcomes
    problems, file = context.problems, context.file
    where = f"{context.label}: key 'distribution'"
    ok = True
    for key in raw:
        if key not in outcomes:
            problems.add(file, where, "only outcome ids as keys", f'"{key}"', f.did_you_mean(key, outcomes))
            ok = False
    for key in outcomes:
        if key not in raw:
            problems.add(file, where, f"a probability for every outcome ({', '.join(outcomes)})", f'no "{key}"')
            ok = False
            continue
        if f.number(MIN_STATED_SHARE, 1).convert(raw[key]) is f.BAD:
            problems.add(
                file,
                f"{where}: '{key}'",
                f"a number in [{MIN_STATED_SHARE:g}, 1] (a Dirichlet cannot observe 0)",
                f.describe(raw[key]),
            )
            ok = False
    if not ok:
        return None
    total = math.fsum(float(raw[k]) for k in outcomes)
    if abs(total - 1.0) > SUM_TOLERANCE + 1e-9:  # slack for rounding: 0.98 is within 0.02
        problems.add(file, where, f"probabilities summing to 1 (within {SUM_TOLERANCE:g})", f"a sum of {total:g}")
        return None
    return {"distribution": tuple(float(raw[k]) / total for k in outcomes)}


DISTRIBUTION = ClaimKind(
    "distribution", {"pod": f.identifier(), "distribution": f.table(), **CONDITION}, _says, check=_check
)


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    return make_block(claims, context, vectors=[list(c.distribution or ()) for c in claims])


def _model_term(dist: Any, m: ModelTerms) -> Any:
    import pymc as pm
    import pytensor.tensor as pt

    priors = m.priors
    kappa_log_mean = pm.Normal("kappa_log_mean", priors.kappa_log_mean, priors.kappa_log_sd)
    kappa_spread = pm.HalfNormal("kappa_spread", priors.kappa_spread_scale)
    kappa_z = pm.Normal("kappa_z", 0.0, 1.0, dims="claimant")
    kappa = pm.Deterministic("kappa", pt.exp(kappa_log_mean + kappa_spread * kappa_z), dims="claimant")
    concentration = (kappa[dist.author] * dist.confidence)[:, None] * seen_theta(m, dist.pod, dist.author, dist.seen)
    return dist.weight * pm.logp(pm.Dirichlet.dist(a=concentration), dist.vectors)


def _concentration(draws: Draws, block: ClaimBlock) -> Floats:
    assert draws.kappa is not None, "distribution claims come with kappa"
    theta = draws_seen_theta(draws, block.pod, block.author, block.seen)
    result: Floats = (draws.kappa[:, block.author] * block.confidence)[:, :, None] * theta
    return result


def _log_likelihood(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    from scipy.special import gammaln

    a = _concentration(draws, block)
    logx = np.log(np.clip(block.vectors, TINY, 1.0))
    logp = gammaln(a.sum(-1)) - gammaln(a).sum(-1) + ((a - 1.0) * logx[None]).sum(-1)
    result: Floats = block.weight * logp
    return result


def _replicate(draws: Draws, block: ClaimBlock, rng: np.random.Generator, priors: Priors) -> Floats:
    gamma = rng.gamma(np.maximum(_concentration(draws, block), 1e-3))
    gamma = np.maximum(gamma, TINY)
    result: Floats = gamma / gamma.sum(-1, keepdims=True)
    return result


def _p_values(replicas: Floats, block: ClaimBlock) -> Floats:
    k = block.vectors.shape[-1]
    per_outcome = two_sided(replicas, block.vectors)
    result: Floats = np.minimum(1.0, k * per_outcome.min(axis=-1))
    return result


def _simulate(block: ClaimBlock, replica: Floats, rng: np.random.Generator) -> ClaimBlock:
    vectors = np.clip(replica[0], 1e-9, None)
    return replace(block, vectors=vectors / vectors.sum(-1, keepdims=True))


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    rows = []
    for j in range(len(block)):
        fitted = draws_seen_theta(draws, block.pod[j : j + 1], block.author[j : j + 1], block.seen[j : j + 1])
        fitted = fitted[:, 0, :].mean(axis=0)
        rows.append((" / ".join(f"{v:.0%}" for v in block.vectors[j]), " / ".join(f"{v:.0%}" for v in fitted)))
    return rows


def _density(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
    """Hand-written :func:`_model_term` with its gradient, its priors included (:mod:`cfprob.claims.density`).
    ``own``: ``kappa_log_mean``, the log of ``kappa_spread``, ``kappa_z`` (claimants)."""
    n_claims, n_claimants, n_outcomes = len(b.pod), s.noise.shape[0], s.E.shape[1]
    if n_claims == 0:
        return 0.0
    total, d_mean = dn.normal_prior(own[0], s.priors[dn.PRIOR.kappa_log_mean], s.priors[dn.PRIOR.kappa_log_sd])
    spread, prior, d_spread = dn.half_normal_log(own[1], s.priors[dn.PRIOR.kappa_spread_scale])
    total += prior
    gown[0] += d_mean
    gown[1] += d_spread
    for a in range(n_claimants):
        prior, d_z = dn.normal_prior(own[2 + a], 0.0, 1.0)
        total += prior
        gown[2 + a] += d_z
    theta = np.empty(n_outcomes)
    d_alpha = np.empty(n_outcomes)
    for i in range(n_claims):
        r, a, w = b.pod[i], b.author[i], b.weight[i]
        kappa = math.exp(own[0] + spread * own[2 + a])
        c = kappa * b.confidence[i]
        dn.seen_softmax(s, r, a, b.seen[i], theta)
        alpha_sum = 0.0
        for j in range(n_outcomes):
            alpha_sum += c * theta[j]
        term = math.lgamma(alpha_sum)
        digamma_sum = dn.digamma(alpha_sum)
        for j in range(n_outcomes):
            alpha = c * theta[j]
            log_v = math.log(b.vectors[i, j])
            term += (alpha - 1.0) * log_v - math.lgamma(alpha)
            d_alpha[j] = w * (digamma_sum - dn.digamma(alpha) + log_v)
        total += w * term
        d_c, mean_d_theta = 0.0, 0.0
        for j in range(n_outcomes):
            d_c += d_alpha[j] * theta[j]
            mean_d_theta += theta[j] * c * d_alpha[j]
        for j in range(n_outcomes):
            d_eta = theta[j] * (c * d_alpha[j] - mean_d_theta)
            g.E[r, j] += d_eta
            g.W[a, j] += b.seen[i] * d_eta
        d_log_kappa = d_c * c
        gown[0] += d_log_kappa
        gown[1] += d_log_kappa * own[2 + a] * spread
        gown[2 + a] += d_log_kappa * spread
    return total


def _likeliest_share(replicas: Floats, block: ClaimBlock) -> Floats:
    """The share each replica (S, n, outcomes) gives to the outcome its claim stated as likeliest: (S, n)."""
    likeliest = block.vectors.argmax(axis=-1)
    result: Floats = np.take_along_axis(replicas, likeliest[None, :, None], axis=-1)[..., 0]
    return result


def _derived(own: dict[str, Floats], block: ClaimBlock, draws: Draws) -> dict[str, Floats]:
    """Each claimant's concentration, per draw."""
    kappa: Floats = np.exp(own["kappa_log_mean"][:, None] + own["kappa_spread"][:, None] * own["kappa_z"])
    return {"kappa": kappa}


FAMILY = Family(
    name="distribution",
    kinds=(DISTRIBUTION,),
    inputs=("pod", "author", "confidence", "weight", "vectors", "seen"),
    block=_block,
    model_term=_model_term,
    log_likelihood=_log_likelihood,
    replicate=_replicate,
    p_values=_p_values,
    simulate=_simulate,
    describe=_describe,
    observed=lambda block: block.vectors.max(axis=-1),  # the share given to the likeliest outcome
    statistic=lambda replicas, block: _likeliest_share(replicas, block),
    uses_draws=("kappa",),
    density=_density,
    parameters=(
        Parameter("kappa_log_mean", (), lambda priors: priors.kappa_log_mean),
        Parameter("kappa_spread", (), lambda priors: math.log(priors.kappa_spread_scale), log=True),
        Parameter("kappa_z", ("claimant",), lambda priors: 0.0),
    ),
    derived=_derived,
)
