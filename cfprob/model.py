"""The hierarchical pooling model, in PyMC.

Claims are noisy measurements of latent outcome probabilities (supra-Bayesian pooling). For divergence
point ``d`` with mechanism features ``X_d``, the logits of the first K-1 outcomes against the last are

    eta_d = alpha + X_d @ beta + u_d,       theta_d = softmax([eta_d, 0])

``u_otl = 0``: real history sits at the baseline ``alpha``, which is the reference class's logit plus an
offset for how this case differs from its class. Real history's outcome is one categorical observation of
``theta_otl``. All other parameters are non-centred. Claim likelihoods, for claimant ``a``:

- probability p of outcome k:  logit p ~ Normal(logit theta_dk + b_ak, s_a / confidence)
- verbal phrase:               the phrase's lexicon logit mean, with its lexicon spread added to the noise
- interval [lo, hi]:           P(lo < p < hi) under the same Normal (interval-censored)
- distribution q:              q ~ Dirichlet(kappa_a * confidence * theta_d)  (no bias: a stated
                               K-vector is read as it is, its spread given by the claimant's kappa)
- ordering A > B on k:         Bernoulli(sigmoid(confidence * (logit theta_Ak - logit theta_Bk) / tau)) = 1

A claim's weight w tempers its likelihood: its log-likelihood is multiplied by w, for every claim kind.
Author bias ``b_a`` and noise ``s_a`` (and Dirichlet concentration ``kappa_a``) are partially pooled across
claimants.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from .design import ModelData

__all__ = ["Priors", "build_model"]


@dataclass(frozen=True)
class Priors:
    """The model's fixed prior scales (all on the logit scale unless stated)."""

    class_logit_sd: float = 1.5
    """Normal prior sd of the reference class's outcome logits."""
    offset_sd: float = 1.0
    """How far this case's baseline may sit from its reference class."""
    beta_sd: float = 1.0
    """Normal prior sd of each mechanism feature's effect."""
    pod_sd_scale: float = 1.0
    """Half-normal scale of sigma_u, the spread of per-PoD effects not explained by features."""
    bias_sd_scale: float = 0.5
    """Half-normal scale of the spread of claimants' biases."""
    noise_log_mean: float = 0.0
    """Prior mean of the log of a typical claimant's noise (noise 1 on the logit scale)."""
    noise_log_sd: float = 0.5
    noise_spread_scale: float = 0.5
    """Half-normal scale of how much claimants' noise differs."""
    kappa_log_mean: float = float(np.log(10.0))
    """Prior mean of the log Dirichlet concentration of a stated distribution."""
    kappa_log_sd: float = 1.0
    ordering_tau: float = 0.5
    """Logit difference at which an ordering claim is sigmoid(2) = 88% sure to be stated correctly."""

    def as_attrs(self) -> dict[str, float]:
        return {f"prior_{k}": float(v) for k, v in asdict(self).items()}


def _softmax_last(eta: Any) -> Any:
    """Append the reference logit 0 and take the softmax over the last axis."""
    zeros = pt.zeros((*eta.shape[:-1], 1))
    return pt.special.softmax(pt.concatenate([eta, zeros], axis=-1), axis=-1)


def build_model(data: ModelData, priors: Priors | None = None) -> pm.Model:
    """The PyMC model for ``data``: every divergence point fitted jointly."""
    priors = priors or Priors()
    k = len(data.outcomes)
    coords = {
        "outcome": list(data.outcomes),
        "logit_outcome": list(data.outcomes[:-1]),
        "pod": list(data.pods),
        "cf_pod": list(data.pods[1:]),
        "feature": list(data.features),
        "claimant": list(data.claimants),
    }
    with pm.Model(coords=coords) as model:
        class_logit = pm.Normal("class_logit", 0.0, priors.class_logit_sd, dims="logit_outcome")
        if data.reference_counts is not None:
            pm.Multinomial(
                "reference_class",
                n=int(data.reference_counts.sum()),
                p=_softmax_last(class_logit),
                observed=data.reference_counts,
            )
        offset_z = pm.Normal("offset_z", 0.0, 1.0, dims="logit_outcome")
        alpha = pm.Deterministic("alpha", class_logit + priors.offset_sd * offset_z, dims="logit_outcome")

        eta = pt.broadcast_to(alpha, (len(data.pods), k - 1))
        if data.features:
            X = pm.Data("X", data.X, dims=("pod", "feature"))
            beta = pm.Normal("beta", 0.0, priors.beta_sd, dims=("feature", "logit_outcome"))
            eta = eta + pt.dot(X, beta)
        sigma_u = pm.HalfNormal("sigma_u", priors.pod_sd_scale)
        u_z = pm.Normal("u_z", 0.0, 1.0, dims=("cf_pod", "logit_outcome"))
        u = pm.Deterministic(
            "u", pt.concatenate([pt.zeros((1, k - 1)), sigma_u * u_z], axis=0), dims=("pod", "logit_outcome")
        )
        eta_full = pt.concatenate([eta + u, pt.zeros((len(data.pods), 1))], axis=-1)
        theta = pm.Deterministic("theta", pt.special.softmax(eta_full, axis=-1), dims=("pod", "outcome"))
        pm.Categorical("history", p=theta[0], observed=data.observed_outcome)
        # logit theta_k = eta_k - log sum_{j != k} exp(eta_j), computed without forming 1 - theta
        others = pt.stack(
            [
                pm.math.logsumexp(pt.concatenate([eta_full[:, :j], eta_full[:, j + 1 :]], axis=-1), axis=-1)
                for j in range(k)
            ],
            axis=-1,
        )
        logit_theta = eta_full - others

        sigma_bias = pm.HalfNormal("sigma_bias", priors.bias_sd_scale)
        bias_z = pm.Normal("bias_z", 0.0, 1.0, dims=("claimant", "outcome"))
        bias = pm.Deterministic("bias", sigma_bias * bias_z, dims=("claimant", "outcome"))
        noise_log_mean = pm.Normal("noise_log_mean", priors.noise_log_mean, priors.noise_log_sd)
        noise_spread = pm.HalfNormal("noise_spread", priors.noise_spread_scale)
        noise_z = pm.Normal("noise_z", 0.0, 1.0, dims="claimant")
        noise = pm.Deterministic("noise", pt.exp(noise_log_mean + noise_spread * noise_z), dims="claimant")

        def located(block_pod: np.ndarray, block_outcome: np.ndarray, block_author: np.ndarray) -> Any:
            return logit_theta[block_pod, block_outcome] + bias[block_author, block_outcome]

        point = data.point
        if len(point):
            sd = pt.sqrt((noise[point.author] / point.confidence) ** 2 + point.extra**2)
            stated = pm.logp(pm.Normal.dist(located(point.pod, point.outcome, point.author), sd), point.value)
            pm.Potential("point_claims", point.weight * stated)

        interval = data.interval
        if len(interval):
            mu = located(interval.pod, interval.outcome, interval.author)
            sd = noise[interval.author] / interval.confidence
            standard = pm.Normal.dist(0.0, 1.0)
            upper = pm.logcdf(standard, (interval.extra - mu) / sd)
            lower = pm.logcdf(standard, (interval.value - mu) / sd)
            pm.Potential("interval_claims", interval.weight * pm.math.logdiffexp(upper, lower))

        dist = data.distribution
        if len(dist):
            kappa_log_mean = pm.Normal("kappa_log_mean", priors.kappa_log_mean, priors.kappa_log_sd)
            kappa_spread = pm.HalfNormal("kappa_spread", 0.5)
            kappa_z = pm.Normal("kappa_z", 0.0, 1.0, dims="claimant")
            kappa = pm.Deterministic("kappa", pt.exp(kappa_log_mean + kappa_spread * kappa_z), dims="claimant")
            concentration = (kappa[dist.author] * dist.confidence)[:, None] * theta[dist.pod]
            pm.Potential("distribution_claims", dist.weight * pm.logp(pm.Dirichlet.dist(a=concentration), dist.vectors))

        order = data.ordering
        if len(order):
            gap = logit_theta[order.pod, order.outcome] - logit_theta[order.other_pod, order.outcome]
            pm.Potential(
                "ordering_claims",
                -order.weight * pt.softplus(-order.confidence * gap / priors.ordering_tau),
            )
    return model
