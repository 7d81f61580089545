"""The hierarchical pooling model, in PyMC.

Claims are noisy measurements of latent outcome probabilities (supra-Bayesian pooling). For divergence
point ``d`` with mechanism features ``X_d``, the logits of the first K-1 outcomes against the last are

    eta_d = alpha + X_d @ beta + f(year_d) + u_d,       theta_d = softmax([eta_d, 0])

``u_otl = 0`` and ``f`` does not apply to otl: real history sits at the baseline ``alpha``, which is the
reference class's logit plus an offset for how this case differs from its class. The year effect ``f``
is a random walk over knots every 5 years (``design.knot_years``), linearly interpolated between them:
``f = level + sigma_year * centred_walk @ z`` (a walk centred on its mean, so ``level`` is the mean effect
of a dated divergence). The inevitability curve of a divergence with no mechanism features and a typical
per-PoD effect is ``curve(y) = softmax([alpha + f(y), 0])``. Real history's outcome is one categorical
observation of ``theta_otl``. All other parameters are non-centred. Claim likelihoods, for claimant ``a``:

- probability p of outcome k:  logit p ~ Normal(logit theta_dk + b_ak, s_a / confidence)
- verbal phrase:               the phrase's lexicon logit mean, with its lexicon spread added to the noise
- interval [lo, hi]:           P(lo < p < hi) under the same Normal (interval-censored)
- distribution q:              q ~ Dirichlet(kappa_a * confidence * theta_d)  (no bias: a stated
                               K-vector is read as it is, its spread given by the claimant's kappa)
- ordering A > B on k:         Bernoulli(sigmoid(confidence * (logit theta_Ak - logit theta_Bk) / tau)) = 1
- era (k higher in a window):  the same, with the gap between the window's and the compared years' mean of
                               logit curve_k at the knots (``ClaimBlock.contrast`` @ logit curve_k)

A claim's weight w tempers its likelihood: its log-likelihood is multiplied by w, for every claim kind.
Author bias ``b_a`` and noise ``s_a`` (and Dirichlet concentration ``kappa_a``) are partially pooled across
claimants.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pymc as pm
import pytensor.tensor as pt

from .design import ModelData, centred_walk, model_inputs
from .priors import Priors

__all__ = ["Priors", "build_model"]


def _softmax_last(eta: Any) -> Any:
    """Append the reference logit 0 and take the softmax over the last axis."""
    zeros = pt.zeros((*eta.shape[:-1], 1))
    return pt.special.softmax(pt.concatenate([eta, zeros], axis=-1), axis=-1)


def _logit_softmax(eta_full: Any, k: int) -> Any:
    """logit theta_k = eta_k - log sum_{j != k} exp(eta_j), computed without forming 1 - theta."""
    others = [
        pm.math.logsumexp(pt.concatenate([eta_full[..., :j], eta_full[..., j + 1 :]], axis=-1), axis=-1)
        for j in range(k)
    ]
    return eta_full - pt.stack(others, axis=-1)


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
        "knot": [int(y) for y in data.knots],
        "year_step": [int(y) for y in data.knots[1:]],
    }
    with pm.Model(coords=coords) as model:
        dims = {"X": ("pod", "feature"), "year_weights": ("pod", "knot")}
        inputs = {name: pm.Data(name, value, dims=dims.get(name)) for name, value in model_inputs(data).items()}
        class_logit = pm.Normal("class_logit", 0.0, priors.class_logit_sd, dims="logit_outcome")
        if data.reference_counts is not None:
            counts = inputs["reference_counts"]
            pm.Multinomial("reference_class", n=counts.sum(), p=_softmax_last(class_logit), observed=counts)
        offset_z = pm.Normal("offset_z", 0.0, 1.0, dims="logit_outcome")
        alpha = pm.Deterministic("alpha", class_logit + priors.offset_sd * offset_z, dims="logit_outcome")

        eta = pt.broadcast_to(alpha, (len(data.pods), k - 1))
        if data.features:
            X = inputs["X"]
            beta = pm.Normal("beta", 0.0, priors.beta_sd, dims=("feature", "logit_outcome"))
            eta = eta + pt.dot(X, beta)
        year_level = pm.Normal("year_level", 0.0, priors.year_level_sd, dims="logit_outcome")
        year_effect = pt.broadcast_to(year_level, (len(data.knots), k - 1))
        if len(data.knots) > 1:
            sigma_year = pm.HalfNormal("sigma_year", priors.year_step_scale)
            year_z = pm.Normal("year_z", 0.0, 1.0, dims=("year_step", "logit_outcome"))
            year_effect = year_effect + sigma_year * pt.dot(centred_walk(len(data.knots)), year_z)
        year_effect = pm.Deterministic("year_effect", year_effect, dims=("knot", "logit_outcome"))
        eta = eta + pt.dot(inputs["year_weights"], year_effect)
        sigma_u = pm.HalfNormal("sigma_u", priors.pod_sd_scale)
        u_z = pm.Normal("u_z", 0.0, 1.0, dims=("cf_pod", "logit_outcome"))
        u = pm.Deterministic(
            "u", pt.concatenate([pt.zeros((1, k - 1)), sigma_u * u_z], axis=0), dims=("pod", "logit_outcome")
        )
        eta_full = pt.concatenate([eta + u, pt.zeros((len(data.pods), 1))], axis=-1)
        theta = pm.Deterministic("theta", pt.special.softmax(eta_full, axis=-1), dims=("pod", "outcome"))
        pm.Categorical("history", p=theta[0], observed=inputs["history_outcome"][0])
        logit_theta = _logit_softmax(eta_full, k)

        sigma_bias = pm.HalfNormal("sigma_bias", priors.bias_sd_scale)
        bias_z = pm.Normal("bias_z", 0.0, 1.0, dims=("claimant", "outcome"))
        bias = pm.Deterministic("bias", sigma_bias * bias_z, dims=("claimant", "outcome"))
        noise_log_mean = pm.Normal("noise_log_mean", priors.noise_log_mean, priors.noise_log_sd)
        noise_spread = pm.HalfNormal("noise_spread", priors.noise_spread_scale)
        noise_z = pm.Normal("noise_z", 0.0, 1.0, dims="claimant")
        noise = pm.Deterministic("noise", pt.exp(noise_log_mean + noise_spread * noise_z), dims="claimant")

        def block(family: str) -> Any:
            """The named inputs of one claim family, as attributes (``block("point").value``)."""
            prefix = f"{family}_"
            return SimpleNamespace(**{k.removeprefix(prefix): v for k, v in inputs.items() if k.startswith(prefix)})

        def located(claims: Any) -> Any:
            return logit_theta[claims.pod, claims.outcome] + bias[claims.author, claims.outcome]

        if len(data.point):
            point = block("point")
            sd = pt.sqrt((noise[point.author] / point.confidence) ** 2 + point.extra**2)
            stated = pm.logp(pm.Normal.dist(located(point), sd), point.value)
            pm.Potential("point_claims", point.weight * stated)

        if len(data.interval):
            interval = block("interval")
            mu = located(interval)
            sd = noise[interval.author] / interval.confidence
            standard = pm.Normal.dist(0.0, 1.0)
            upper = pm.logcdf(standard, (interval.extra - mu) / sd)
            lower = pm.logcdf(standard, (interval.value - mu) / sd)
            pm.Potential("interval_claims", interval.weight * pm.math.logdiffexp(upper, lower))

        if len(data.distribution):
            dist = block("distribution")
            kappa_log_mean = pm.Normal("kappa_log_mean", priors.kappa_log_mean, priors.kappa_log_sd)
            kappa_spread = pm.HalfNormal("kappa_spread", priors.kappa_spread_scale)
            kappa_z = pm.Normal("kappa_z", 0.0, 1.0, dims="claimant")
            kappa = pm.Deterministic("kappa", pt.exp(kappa_log_mean + kappa_spread * kappa_z), dims="claimant")
            concentration = (kappa[dist.author] * dist.confidence)[:, None] * theta[dist.pod]
            pm.Potential("distribution_claims", dist.weight * pm.logp(pm.Dirichlet.dist(a=concentration), dist.vectors))

        if len(data.ordering):
            order = block("ordering")
            gap = logit_theta[order.pod, order.outcome] - logit_theta[order.other_pod, order.outcome]
            pm.Potential(
                "ordering_claims",
                -order.weight * pt.softplus(-order.confidence * gap / priors.ordering_tau),
            )

        if len(data.era):
            era = block("era")
            curve = pt.concatenate([alpha + year_effect, pt.zeros((len(data.knots), 1))], axis=-1)
            gap = (era.contrast * _logit_softmax(curve, k)[:, era.outcome].T).sum(axis=-1)
            pm.Potential("era_claims", -era.weight * pt.softplus(-era.confidence * gap / priors.ordering_tau))
    return model
