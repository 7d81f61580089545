"""The model's observation side in numpy: prior draws, per-claim log-likelihoods, replicated claims.

These mirror :mod:`cfprob.model` equation for equation (a test checks the log-likelihoods against the
PyMC model), so that checks, sensitivity analysis and simulation-based calibration work from posterior
draws without PyMC.

Claims are indexed in the model's order: point claims (probabilities and verbal phrases), intervals,
distributions, orderings, eras (:func:`claim_order`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray
from scipy.special import gammaln, log_ndtr

from .design import ClaimBlock, ModelData, centred_walk, softmax_last
from .priors import Priors

__all__ = [
    "FAMILIES",
    "Draws",
    "Replicas",
    "claim_log_likelihood",
    "claim_order",
    "draw_prior",
    "located_logits",
    "log_prior",
    "replicate",
]

Floats = NDArray[np.float64]
FAMILIES = ("point", "interval", "distribution", "ordering", "era")
_TINY = 1e-300


@dataclass(frozen=True)
class Draws:
    """Parameter draws, flattened over chains: ``S`` draws of each array.

    ``theta`` (S, pods, outcomes); ``bias`` (S, claimants, outcomes); ``noise`` (S, claimants);
    ``kappa`` (S, claimants), only when the scenario has distribution claims; ``class_logit``
    (S, outcomes - 1), only when it has a reference class; ``curve`` (S, knots, outcomes), the
    inevitability curve's outcome probabilities at the year effect's knots. ``extra`` holds any further
    parameters (hyperparameters kept for calibration checks), by name.
    """

    theta: Floats
    bias: Floats
    noise: Floats
    kappa: Floats | None = None
    class_logit: Floats | None = None
    curve: Floats | None = None
    extra: dict[str, Floats] | None = None

    def __len__(self) -> int:
        return int(self.theta.shape[0])

    @classmethod
    def from_posterior(cls, posterior: xr.Dataset) -> Draws:
        """The draws of a fit's posterior group."""

        def flat(name: str) -> Floats | None:
            if name not in posterior:
                return None
            values = np.asarray(posterior[name].transpose("chain", "draw", ...).values, dtype=float)
            return values.reshape(-1, *values.shape[2:])

        theta, bias, noise = flat("theta"), flat("bias"), flat("noise")
        assert theta is not None and bias is not None and noise is not None, "checked when a fit is loaded"
        alpha, year_effect = flat("alpha"), flat("year_effect")
        curve = None
        if alpha is not None and year_effect is not None:
            curve = softmax_last(alpha[:, None, :] + year_effect)
        return cls(theta, bias, noise, flat("kappa"), flat("class_logit"), curve)

    def take(self, index: NDArray[np.int64]) -> Draws:
        """The draws at ``index``."""

        def pick(a: Floats | None) -> Floats | None:
            return None if a is None else a[index]

        extra = {k: v[index] for k, v in self.extra.items()} if self.extra else None
        return Draws(
            self.theta[index],
            self.bias[index],
            self.noise[index],
            pick(self.kappa),
            pick(self.class_logit),
            pick(self.curve),
            extra,
        )


def claim_order(data: ModelData) -> tuple[str, ...]:
    """Claim ids in the order of the log-likelihood's last axis."""
    return tuple(i for family in FAMILIES for i in getattr(data, family).ids)


def _logit_theta(theta: Floats) -> Floats:
    q = np.clip(theta, _TINY, 1.0)
    result: Floats = np.log(q) - np.log(np.clip(1.0 - theta, _TINY, 1.0))
    return result


def located_logits(draws: Draws, block: ClaimBlock) -> Floats:
    """logit theta_dk + b_ak for each draw and claim: (S, n)."""
    return _logit_theta(draws.theta)[:, block.pod, block.outcome] + draws.bias[:, block.author, block.outcome]


def _point_sd(draws: Draws, block: ClaimBlock) -> Floats:
    result: Floats = np.sqrt((draws.noise[:, block.author] / block.confidence) ** 2 + block.extra**2)
    return result


def _concentration(draws: Draws, block: ClaimBlock) -> Floats:
    assert draws.kappa is not None, "distribution claims come with kappa"
    result: Floats = (draws.kappa[:, block.author] * block.confidence)[:, :, None] * draws.theta[:, block.pod, :]
    return result


def _ordering_gap(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    lt = _logit_theta(draws.theta)
    gap = lt[:, block.pod, block.outcome] - lt[:, block.other_pod, block.outcome]
    result: Floats = block.confidence * gap / priors.ordering_tau
    return result


def _era_gap(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
    assert draws.curve is not None, "era claims come with the curve"
    lt = _logit_theta(draws.curve)[:, :, block.outcome]  # (S, knots, n)
    result: Floats = block.confidence * np.einsum("skn,nk->sn", lt, block.contrast) / priors.ordering_tau
    return result


def _log_normal_mass(low: Floats, high: Floats) -> Floats:
    """log P(low < Z < high) for a standard normal Z, from the nearer tail so that it stays finite."""
    upper_side = low > 0
    a = np.where(upper_side, log_ndtr(-low), log_ndtr(high))
    b = np.where(upper_side, log_ndtr(-high), log_ndtr(low))
    result: Floats = a + np.log1p(-np.exp(np.minimum(b - a, 0.0)))
    return result


def claim_log_likelihood(draws: Draws, data: ModelData, priors: Priors | None = None) -> Floats:
    """Each claim's weighted log-likelihood under each draw: (S, claims), claims in :func:`claim_order`.

    The weight tempers a claim as in the model, so summing a claim's column out of the joint removes the
    claim exactly.
    """
    priors = priors or Priors()
    parts = []
    point = data.point
    if len(point):
        sd = _point_sd(draws, point)
        z = (point.value - located_logits(draws, point)) / sd
        parts.append(point.weight * (-0.5 * z**2 - np.log(sd) - 0.5 * np.log(2 * np.pi)))
    interval = data.interval
    if len(interval):
        mu = located_logits(draws, interval)
        sd = draws.noise[:, interval.author] / interval.confidence
        parts.append(interval.weight * _log_normal_mass((interval.value - mu) / sd, (interval.extra - mu) / sd))
    dist = data.distribution
    if len(dist):
        a = _concentration(draws, dist)
        logx = np.log(np.clip(dist.vectors, _TINY, 1.0))
        logp = gammaln(a.sum(-1)) - gammaln(a).sum(-1) + ((a - 1.0) * logx[None]).sum(-1)
        parts.append(dist.weight * logp)
    order = data.ordering
    if len(order):
        parts.append(-order.weight * np.logaddexp(0.0, -_ordering_gap(draws, order, priors)))
    era = data.era
    if len(era):
        parts.append(-era.weight * np.logaddexp(0.0, -_era_gap(draws, era, priors)))
    if not parts:
        return np.zeros((len(draws), 0))
    return np.concatenate(parts, axis=1)


@dataclass(frozen=True)
class Replicas:
    """Claims replicated from draws, one per draw and claim (shapes (S, n) per family).

    ``point`` and ``interval``: the claimant's latent logit; ``distribution``: (S, n, K) vectors;
    ``ordering`` and ``era``: 1 where the claim would be stated as written, 0 where reversed.
    """

    point: Floats
    interval: Floats
    distribution: Floats
    ordering: Floats
    era: Floats


def replicate(draws: Draws, data: ModelData, rng: np.random.Generator, priors: Priors | None = None) -> Replicas:
    """Claims as the model would generate them under each draw."""
    priors = priors or Priors()
    s, k = len(draws), len(data.outcomes)
    point = data.point
    point_rep = rng.normal(located_logits(draws, point), _point_sd(draws, point)) if len(point) else np.zeros((s, 0))
    interval = data.interval
    interval_rep = (
        rng.normal(located_logits(draws, interval), draws.noise[:, interval.author] / interval.confidence)
        if len(interval)
        else np.zeros((s, 0))
    )
    dist = data.distribution
    if len(dist):
        gamma = rng.gamma(np.maximum(_concentration(draws, dist), 1e-3))
        gamma = np.maximum(gamma, _TINY)
        dist_rep = gamma / gamma.sum(-1, keepdims=True)
    else:
        dist_rep = np.zeros((s, 0, k))

    def stated(gap: Floats) -> Floats:
        return (rng.random(gap.shape) < 1.0 / (1.0 + np.exp(-gap))).astype(float)

    order_rep = stated(_ordering_gap(draws, data.ordering, priors)) if len(data.ordering) else np.zeros((s, 0))
    era_rep = stated(_era_gap(draws, data.era, priors)) if len(data.era) else np.zeros((s, 0))
    return Replicas(point_rep, interval_rep, dist_rep, order_rep, era_rep)


def draw_prior(data: ModelData, n: int, rng: np.random.Generator, priors: Priors | None = None) -> Draws:
    """``n`` draws from the model's prior, before any claim or evidence.

    ``extra`` holds ``alpha``, ``sigma_u``, ``sigma_bias``, ``noise_log_mean``, ``noise_spread`` and
    ``sigma_year`` (0 when there is a single knot).
    """
    priors = priors or Priors()
    d, f, k, a = len(data.pods), len(data.features), len(data.outcomes), len(data.claimants)
    class_logit = rng.normal(0.0, priors.class_logit_sd, (n, k - 1))
    alpha = class_logit + priors.offset_sd * rng.normal(size=(n, k - 1))
    beta = rng.normal(0.0, priors.beta_sd, (n, f, k - 1))
    year_level = rng.normal(0.0, priors.year_level_sd, (n, k - 1))
    walk = centred_walk(len(data.knots))
    sigma_year = np.abs(rng.normal(0.0, priors.year_step_scale, n)) if walk.shape[1] else np.zeros(n)
    steps = rng.normal(size=(n, walk.shape[1], k - 1))
    year_effect = year_level[:, None, :] + sigma_year[:, None, None] * np.einsum("jm,smk->sjk", walk, steps)
    sigma_u = np.abs(rng.normal(0.0, priors.pod_sd_scale, n))
    u = sigma_u[:, None, None] * rng.normal(size=(n, d, k - 1))
    u[:, 0] = 0.0
    eta = alpha[:, None, :] + np.einsum("pf,sfk->spk", data.X, beta)
    theta = softmax_last(eta + np.einsum("pj,sjk->spk", data.year_weights, year_effect) + u)
    curve = softmax_last(alpha[:, None, :] + year_effect)
    sigma_bias = np.abs(rng.normal(0.0, priors.bias_sd_scale, n))
    bias = sigma_bias[:, None, None] * rng.normal(size=(n, a, k))
    noise_log_mean = rng.normal(priors.noise_log_mean, priors.noise_log_sd, n)
    noise_spread = np.abs(rng.normal(0.0, priors.noise_spread_scale, n))
    noise = np.exp(noise_log_mean[:, None] + noise_spread[:, None] * rng.normal(size=(n, a)))
    kappa = None
    if len(data.distribution):
        kappa_log_mean = rng.normal(priors.kappa_log_mean, priors.kappa_log_sd, n)
        kappa_spread = np.abs(rng.normal(0.0, priors.kappa_spread_scale, n))
        kappa = np.exp(kappa_log_mean[:, None] + kappa_spread[:, None] * rng.normal(size=(n, a)))
    extra = {
        "alpha": alpha,
        "sigma_u": sigma_u,
        "sigma_bias": sigma_bias,
        "noise_log_mean": noise_log_mean,
        "noise_spread": noise_spread,
        "sigma_year": sigma_year,
    }
    return Draws(theta, bias, noise, kappa, class_logit, curve, extra)


def _normal(x: Floats, mu: float, sd: float) -> Floats:
    result: Floats = -0.5 * ((x - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)
    return result


def log_prior(posterior: xr.Dataset, priors: Priors | None = None) -> xr.DataArray:
    """The model's log prior density of each posterior draw (chain, draw), over its free parameters.

    Half-normal scales are on their own (positive) scale, as the model states them.
    """
    priors = priors or Priors()
    half = np.log(2.0)
    terms = {
        "class_logit": (0.0, priors.class_logit_sd, 0.0),
        "offset_z": (0.0, 1.0, 0.0),
        "beta": (0.0, priors.beta_sd, 0.0),
        "year_level": (0.0, priors.year_level_sd, 0.0),
        "sigma_year": (0.0, priors.year_step_scale, half),
        "year_z": (0.0, 1.0, 0.0),
        "sigma_u": (0.0, priors.pod_sd_scale, half),
        "u_z": (0.0, 1.0, 0.0),
        "sigma_bias": (0.0, priors.bias_sd_scale, half),
        "bias_z": (0.0, 1.0, 0.0),
        "noise_log_mean": (priors.noise_log_mean, priors.noise_log_sd, 0.0),
        "noise_spread": (0.0, priors.noise_spread_scale, half),
        "noise_z": (0.0, 1.0, 0.0),
        "kappa_log_mean": (priors.kappa_log_mean, priors.kappa_log_sd, 0.0),
        "kappa_spread": (0.0, priors.kappa_spread_scale, half),
        "kappa_z": (0.0, 1.0, 0.0),
    }
    total = xr.zeros_like(posterior["theta"].isel(pod=0, outcome=0), dtype=float).drop_vars(["pod", "outcome"])
    for name, (mu, sd, extra) in terms.items():
        if name in posterior:
            values = posterior[name]
            density = xr.apply_ufunc(lambda x, m=mu, s=sd: _normal(x, m, s), values) + extra
            total = total + density.sum([d for d in values.dims if d not in ("chain", "draw")])
    return total
