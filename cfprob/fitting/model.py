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
observation of ``theta_otl``. All other parameters are non-centred.

Each claim family adds its own term, written in its module (:mod:`cfprob.claims`): point claims
(probabilities and verbal phrases), intervals, distributions, orderings and era claims, with claimant ``a``'s
bias ``b_ak`` and noise ``s_a`` (and Dirichlet concentration ``kappa_a``) partially pooled across claimants.
A claim's weight w tempers its likelihood: its log-likelihood is multiplied by w, for every claim kind.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pymc as pm
import pytensor.tensor as pt

from cfprob.claims import FAMILIES, ModelTerms
from cfprob.fitting.design import ModelData, centred_walk, model_inputs
from cfprob.fitting.priors import Priors

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

        terms = ModelTerms(
            theta=theta,
            logit_theta=logit_theta,
            bias=bias,
            noise=noise,
            alpha=alpha,
            year_effect=year_effect,
            n_knots=len(data.knots),
            n_outcomes=k,
            priors=priors,
            logit_softmax=_logit_softmax,
        )
        for family in FAMILIES:
            if len(data.blocks[family.name]):
                prefix = f"{family.name}_"
                block = SimpleNamespace(
                    **{name.removeprefix(prefix): v for name, v in inputs.items() if name.startswith(prefix)}
                )
                pm.Potential(f"{family.name}_claims", family.model_term(block, terms))
    return model
