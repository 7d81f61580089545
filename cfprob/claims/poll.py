"""Poll claims: a forum poll's vote counts per probability bin ("under 10%: 4 votes, 10-30%: 11, 30-60%: 17,
over 60%: 6"), zeros allowed.

Each vote is one voter's belief about P(outcome | divergence), known only to lie in its bin: the votes are
interval-censored beliefs. Voters' belief logits scatter about the crowd's location ``m`` with the crowd's
own dispersion ``w`` (half-normal, scale :attr:`~cfprob.fitting.priors.Priors.poll_dispersion_scale`), and
the crowd's location is one noisy reading of the divergence point as the poll's claimant (the voters) sees
it: ``m = logit theta^a_dk + b_ak + z * sd``, ``z ~ Normal(0, 1)``, ``sd`` the claimant's noise over the
confidence (widened by the point's unpredictability, as for a point claim). So a poll of 56 voters counts as
56 noisy voices about the crowd — its location and dispersion are well measured — but the crowd shares one
error about the divergence point: the poll is not 56 independent experts.

Likelihood: ``votes ~ Multinomial(N, p)``, ``p_b = Phi((logit high_b - m) / w) - Phi((logit low_b - m) / w)``
(bins run from 0 to 1 without gaps; a bound at 0 or 1 is the end of the line). Replicas are vote counts;
the p-value is the two-sided tail probability of the votes' mean bin; a simulated poll states its replica.
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
    draws_spread_squared,
    fitted_range,
    make_block,
    seen_logit_theta,
    sigmoid,
    spread_squared,
    two_sided,
)
from cfprob.reading import fields as f

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.fitting.priors import Priors
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["FAMILY", "POLL"]

Floats = np.typing.NDArray[np.float64]
SMALLEST = 1e-300
"""The smallest bin probability a vote's log is taken of (a bin with no mass and no votes adds 0)."""


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    bins = ", ".join(f"{lo:.0%}-{hi:.0%}: {n}" for (lo, hi), n in zip(claim.bins, claim.votes, strict=True))
    return f"votes on P({claim.outcome}) under {claim.pod}: {bins}"


def _bins(value: Any) -> Any:
    ok = isinstance(value, list) and value and all(isinstance(b, list) and len(b) == 2 for b in value)
    if not ok:
        return f.BAD
    pairs = [(f.number(0, 1).convert(lo), f.number(0, 1).convert(hi)) for lo, hi in value]
    return f.BAD if any(x is f.BAD for pair in pairs for x in pair) else tuple(pairs)


def _votes(value: Any) -> Any:
    ok = isinstance(value, list) and value and all(type(n) is int and n >= 0 for n in value)
    return tuple(value) if ok else f.BAD


def _check(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    """As many vote counts as bins, at least one vote, and bins that run from 0 to 1 without gaps."""
    bins, votes = clean["bins"], clean["votes"]
    problems, file, label = context.problems, context.file, context.label
    if len(bins) != len(votes):
        problems.add(file, f"{label}: key 'votes'", f"one count per bin ({len(bins)})", f"{len(votes)} counts")
        return None
    if not sum(votes):
        problems.add(file, f"{label}: key 'votes'", "at least one vote", "none")
        return None
    edges = [bins[0][0]] + [hi for _, hi in bins]
    joined = all(bins[i][1] == bins[i + 1][0] for i in range(len(bins) - 1))
    if edges[0] != 0 or edges[-1] != 1 or not joined or any(lo >= hi for lo, hi in bins):
        shown = ", ".join(f"[{lo:g}, {hi:g}]" for lo, hi in bins)
        problems.add(file, f"{label}: key 'bins'", "bins from 0 to 1, each starting where the last ended", shown)
        return None
    return {}


POLL = ClaimKind(
    "poll",
    {
        "pod": f.identifier(),
        "outcome": f.identifier(),
        "bins": f.Check("a list of [low, high] probability pairs", _bins),
        "votes": f.Check("a list of vote counts (integers >= 0)", _votes),
    },
    _says,
    check=_check,
)


def _block(claims: list[Claim], context: DesignContext) -> ClaimBlock:
    """Bin edges (n, B + 1) and votes (n, B), padded to the longest poll with empty bins at 1."""
    width = max(len(c.votes) for c in claims) if claims else 0
    edges = np.ones((len(claims), width + 1))
    votes = np.zeros((len(claims), width))
    for i, c in enumerate(claims):
        edges[i, : len(c.bins) + 1] = [c.bins[0][0], *(hi for _, hi in c.bins)]
        votes[i, : len(c.votes)] = c.votes
    return make_block(claims, context, edges=edges, votes=votes)


def _mass(cdf_of: Any, edges: Any, xp: Any) -> Any:
    """Each bin's probability from the cdf of the belief logits at the inner edges (0 and 1 are the ends)."""
    inner = (edges > 0) & (edges < 1)
    clipped = xp.clip(edges, 1e-12, 1 - 1e-12)
    cdf = xp.where(inner, cdf_of(xp.log(clipped) - xp.log1p(-clipped)), xp.where(edges >= 1, 1.0, 0.0))
    return cdf[..., 1:] - cdf[..., :-1]


def _multinomial(votes: Any, mass: Any, xp: Any, gammaln: Any) -> Any:
    total = votes.sum(axis=-1)
    counts = gammaln(total + 1.0) - gammaln(votes + 1.0).sum(axis=-1)
    return counts + (votes * xp.log(xp.maximum(mass, SMALLEST))).sum(axis=-1)


def _model_term(poll: Any, m: ModelTerms) -> Any:
    import pymc as pm
    import pytensor.tensor as pt

    z = pm.Normal("poll_z", 0.0, 1.0, dims="poll_claim")
    dispersion = pm.HalfNormal("poll_dispersion", m.priors.poll_dispersion_scale, dims="poll_claim")
    sd = pt.sqrt((m.noise[poll.author] / poll.confidence) ** 2 + spread_squared(m, poll.pod))
    seen = seen_logit_theta(m, poll.pod, poll.outcome, poll.author, poll.seen)
    location = pm.Deterministic("poll_location", seen + m.bias[poll.author, poll.outcome] + z * sd, dims="poll_claim")

    def cdf(x: Any) -> Any:
        return pt.exp(pm.logcdf(pm.Normal.dist(0.0, 1.0), (x - location[:, None]) / dispersion[:, None]))

    mass = _mass(cdf, poll.edges, pt)
    return poll.weight * _multinomial(poll.votes, mass, pt, pt.gammaln)


def _mass_per_draw(draws: Draws, block: ClaimBlock) -> Floats:
    from scipy.special import ndtr

    assert draws.poll_location is not None and draws.poll_dispersion is not None, "polls come with their crowds"
    location, dispersion = draws.poll_location[:, :, None], draws.poll_dispersion[:, :, None]
    result: Floats = _mass(lambda x: ndtr((x - location) / dispersion), block.edges[None], np)
    return result


def _log_likelihood(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    from scipy.special import gammaln

    result: Floats = block.weight * _multinomial(block.votes[None], _mass_per_draw(draws, block), np, gammaln)
    return result


def _replicate(draws: Draws, block: ClaimBlock, rng: np.random.Generator, priors: Priors) -> Floats:
    mass = np.clip(_mass_per_draw(draws, block), 0.0, None)
    mass /= mass.sum(axis=-1, keepdims=True)
    result: Floats = rng.multinomial(block.votes.sum(axis=-1).astype(np.int64), mass).astype(float)
    return result


def _mean_bin(votes: Floats) -> Floats:
    result: Floats = (votes * np.arange(votes.shape[-1])).sum(axis=-1) / np.maximum(votes.sum(axis=-1), 1.0)
    return result


def _p_values(replicas: Floats, block: ClaimBlock) -> Floats:
    return two_sided(_mean_bin(replicas), _mean_bin(block.votes))


def _simulate(block: ClaimBlock, replicas: Floats, rng: np.random.Generator) -> ClaimBlock:
    return replace(block, votes=replicas[0])


def _describe(draws: Draws, block: ClaimBlock, outcomes: Sequence[str]) -> list[tuple[str, str]]:
    if not len(block):
        return []
    assert draws.poll_location is not None and draws.poll_dispersion is not None, "polls come with their crowds"
    location = sigmoid(draws.poll_location)
    return [
        (
            f"{int(block.votes[j].sum())} votes, mean bin {_mean_bin(block.votes[j]) + 1:.1f} of {len(block.votes[j])}",
            f"crowd at {fitted_range(location[:, j])}, dispersion {draws.poll_dispersion[:, j].mean():.2f}",
        )
        for j in range(len(block))
    ]


def _density(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
    """Hand-written :func:`_model_term` with its gradient, its priors included (:mod:`cfprob.claims.density`).
    ``own``: ``poll_z`` (polls), then the log of ``poll_dispersion`` (polls)."""
    n = len(b.pod)
    seen_slope = np.empty(s.E.shape[1])
    total = 0.0
    n_edges = b.edges.shape[1]
    cdf = np.empty(n_edges)
    d_cdf = np.empty(n_edges)
    for i in range(n):
        r, a, k, w = b.pod[i], b.author[i], b.outcome[i], b.weight[i]
        prior, d_z = dn.normal_prior(own[i], 0.0, 1.0)
        dispersion, prior_dispersion, d_dispersion_log = dn.half_normal_log(
            own[n + i], s.priors[dn.PRIOR.poll_dispersion_scale]
        )
        total += prior + prior_dispersion
        gown[i] += d_z
        gown[n + i] += d_dispersion_log
        noise = s.noise[a] / b.confidence[i]
        sd = math.sqrt(noise * noise + s.spread[r] * s.spread[r])
        location = dn.seen_logit(s, r, a, b.seen[i], k, seen_slope) + s.bias[a, k] + own[i] * sd
        for j in range(n_edges):
            e = b.edges[i, j]
            if 0.0 < e < 1.0:
                edge = min(max(e, 1e-12), 1.0 - 1e-12)
                cdf[j] = math.exp(dn.log_ndtr((math.log(edge) - math.log1p(-edge) - location) / dispersion))
            else:
                cdf[j] = 1.0 if e >= 1.0 else 0.0
            d_cdf[j] = 0.0
        votes = 0.0
        for j in range(n_edges - 1):
            v = b.votes[i, j]
            votes += v
            mass = cdf[j + 1] - cdf[j]
            total += w * (v * math.log(max(mass, SMALLEST)) - math.lgamma(v + 1.0))
            if mass > SMALLEST:
                d_cdf[j + 1] += w * v / mass
                d_cdf[j] -= w * v / mass
        total += w * math.lgamma(votes + 1.0)
        d_location, d_dispersion = 0.0, 0.0
        for j in range(n_edges):
            e = b.edges[i, j]
            if 0.0 < e < 1.0:
                edge = min(max(e, 1e-12), 1.0 - 1e-12)
                q = (math.log(edge) - math.log1p(-edge) - location) / dispersion
                density = math.exp(dn.log_phi(q)) / dispersion
                d_location -= d_cdf[j] * density
                d_dispersion -= d_cdf[j] * density * q
        gown[i] += d_location * sd
        gown[n + i] += d_dispersion * dispersion
        dn.add_located_grad(s, g, b, i, seen_slope, d_location, d_location * own[i], sd)
    return total


def _derived(own: dict[str, Floats], block: ClaimBlock, draws: Draws) -> dict[str, Floats]:
    """Each poll's crowd location, per draw."""
    from cfprob.fitting.draws import located_logits

    sd = np.sqrt((draws.noise[:, block.author] / block.confidence) ** 2 + draws_spread_squared(draws, block.pod))
    location: Floats = located_logits(draws, block) + own["poll_z"] * sd
    return {"poll_location": location}


FAMILY = Family(
    name="poll",
    kinds=(POLL,),
    inputs=("pod", "outcome", "author", "confidence", "weight", "seen", "edges", "votes"),
    block=_block,
    model_term=_model_term,
    log_likelihood=_log_likelihood,
    replicate=_replicate,
    p_values=_p_values,
    simulate=_simulate,
    describe=_describe,
    observed=lambda block: _mean_bin(block.votes),  # the average vote's bin (0 = the lowest)
    statistic=lambda replicas, block: _mean_bin(replicas),
    uses_draws=("poll_location", "poll_dispersion"),
    density=_density,
    parameters=(
        Parameter("poll_z", ("poll_claim",), lambda priors: 0.0),
        Parameter("poll_dispersion", ("poll_claim",), lambda priors: math.log(priors.poll_dispersion_scale), log=True),
    ),
    derived=_derived,
)
