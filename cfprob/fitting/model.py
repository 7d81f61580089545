"""The hierarchical pooling model, in PyMC (model version 7).

Claims are noisy measurements of latent outcome probabilities (supra-Bayesian pooling). Real history is a
dated curve and a divergence is a change to it (:mod:`cfprob.fitting.world`, shared with the numpy side):

    history    = history_mean + history_chol @ z                                  (real history, logits)
    eta_d      = history(t_d) + exp(era(t_d)) * (X_d @ beta + u_d),   theta_d = softmax([eta_d, 0])

The curve's prior (``history_mean``, ``history_chol``) is the posterior of a competing-risks hazard model
fitted to the reference class's regime-years and real history's own (:mod:`cfprob.history`); ``alpha`` is the
curve at the timeline's start. ``u_otl = 0`` and ``X_otl = 0``: real history (``otl``) is the curve at the
timeline's start, and a divergence with no features and no own effect is real history at its year, exactly.
All parameters are non-centred.

Each claim family adds its own term, written in its module (:mod:`cfprob.claims`): point claims
(probabilities and verbal phrases), intervals, distributions, orderings and era claims, with claimant ``a``'s
bias ``b_ak`` and noise ``s_a`` (and Dirichlet concentration ``kappa_a``) partially pooled across claimants,
and, for claims that call a divergence better or worse than real history, the claimant's tendency ``t_ak``
(pooled around a shared mean: the selection of hopeful proposers). Each claimant also has a *worldview*: a
position ``w_a`` on one latent dimension with outcome loadings ``lambda``; a claimant sees every divergence
point through it (its logits shifted by ``w_a * lambda``; real history as it is), in every claim kind that
states probabilities or compares a divergence with real history (in comparisons of two divergences the
shifts nearly cancel; era claims compare eras, not worldviews). The answer is at the population's average
worldview, ``w = 0``. A claim about ``otl`` speaks of real
history at a year (its history year); those rows follow the pods in ``theta`` and the claims' indices. A
claim stated under a condition (``given``) speaks of a stack of divergence points (:mod:`cfprob.fitting.world`);
the stacks' rows (``stack_theta``) follow real history's years. A stack's unpredictability is 0: a
claimant who fixes a condition has said more about the history than "what follows cannot be known".
A claim's weight w tempers its likelihood: its log-likelihood is multiplied by w, for every claim kind.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from cfprob.claims import FAMILIES, ModelTerms
from cfprob.fitting.choices import HOPED_OUTCOME
from cfprob.fitting.design import ModelData, model_coords, model_inputs
from cfprob.fitting.priors import Priors, feature_sd
from cfprob.fitting.world import divergence_logits, history_logits, pytensor_ops, stack_logits

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
    xp = pytensor_ops()
    k = len(data.outcomes)
    timeline = data.matrices
    with pm.Model(coords=model_coords(data)) as model:
        dims = {
            "X": ("pod", "feature"),
            "year_weights": ("pod", "knot"),
            "history_weights": ("history_year", "knot"),
            "history_mean": ("knot", "logit_outcome"),
            "history_chol": ("history_coef", "history_coef"),
        }
        inputs = {name: pm.Data(name, value, dims=dims.get(name)) for name, value in model_inputs(data).items()}
        history_z = pm.Normal("history_z", 0.0, 1.0, dims="history_coef")
        curve = SimpleNamespace(history_mean=inputs["history_mean"], history_chol=inputs["history_chol"])
        history = pm.Deterministic("history", history_logits(history_z, curve, xp), dims=("knot", "logit_outcome"))
        pm.Deterministic("alpha", history[0], dims="logit_outcome")
        sigma_era = pm.HalfNormal("sigma_era", priors.era_step_scale)
        era_z = pm.Normal("era_z", 0.0, 1.0, dims="era_step")
        era = pm.Deterministic("era", sigma_era * pt.dot(timeline.era_walk, era_z), dims="knot")

        # lengths of the scenario's dimensions are the model's shared dim lengths, never Python constants
        length = model.dim_lengths
        effect = pt.zeros((length["pod"], k - 1))
        beta = None
        if data.features:
            sd = pm.Data("feature_sd", feature_sd(data.feature_sd_data, priors), dims="feature")
            beta = pm.Normal("beta", 0.0, sd[:, None], dims=("feature", "logit_outcome"))
            effect = effect + pt.dot(inputs["X"], beta)
        sigma_u = pm.HalfNormal("sigma_u", priors.pod_sd_scale)
        u_z = pm.Normal("u_z", 0.0, 1.0, dims=("cf_pod", "logit_outcome"))
        u = pm.Deterministic(
            "u", pt.concatenate([pt.zeros((1, k - 1)), sigma_u * u_z], axis=0), dims=("pod", "logit_outcome")
        )
        eta = divergence_logits(history, era, inputs["year_weights"], effect + u, xp)
        theta = pm.Deterministic("theta", _softmax_last(eta), dims=("pod", "outcome"))
        rows = [eta]
        all_theta = theta
        if len(data.history_years):
            at_years = pt.dot(inputs["history_weights"], history)
            history_theta = pm.Deterministic("history_theta", _softmax_last(at_years), dims=("history_year", "outcome"))
            rows.append(at_years)
            all_theta = pt.concatenate([theta, history_theta], axis=0)
        if data.stacks:
            at_stacks = stack_logits(
                history, era, inputs["stack_weights"], inputs.get("stack_X"), inputs["stack_members"], beta, u, xp
            )
            stack_theta = pm.Deterministic("stack_theta", _softmax_last(at_stacks), dims=("stack", "outcome"))
            rows.append(at_stacks)
            all_theta = pt.concatenate([all_theta, stack_theta], axis=0)
        eta_full = _softmax_input(pt.concatenate(rows, axis=0))
        logit_theta = _logit_softmax(eta_full, k)

        sigma_bias = pm.HalfNormal("sigma_bias", priors.bias_sd_scale)
        bias_z = pm.Normal("bias_z", 0.0, 1.0, dims=("claimant", "outcome"))
        bias = pm.Deterministic("bias", sigma_bias * bias_z, dims=("claimant", "outcome"))
        noise_log_mean = pm.Normal("noise_log_mean", priors.noise_log_mean, priors.noise_log_sd)
        noise_spread = pm.HalfNormal("noise_spread", priors.noise_spread_scale)
        noise_z = pm.Normal("noise_z", 0.0, 1.0, dims="claimant")
        noise = pm.Deterministic("noise", pt.exp(noise_log_mean + noise_spread * noise_z), dims="claimant")
        tendency = _tendency(data, priors, length["claimant"])
        worldview = _worldview(data, priors)
        spread = _unpredictability(data, priors, inputs, length["pod"], length["history_year"] + len(data.stacks))

        terms = ModelTerms(
            theta=all_theta,
            logit_theta=logit_theta,
            bias=bias,
            noise=noise,
            tendency=tendency,
            history=history,
            era=era,
            eta=eta_full,
            worldview=worldview,
            spread=spread,
            n_outcomes=k,
            priors=priors,
            logit_softmax=_logit_softmax,
        )
        _selection(data, priors, inputs, eta_full, worldview, length["pod"])
        for family in FAMILIES:
            if len(data.blocks[family.name]):
                prefix = f"{family.name}_"
                block = SimpleNamespace(
                    **{name.removeprefix(prefix): v for name, v in inputs.items() if name.startswith(prefix)}
                )
                pm.Potential(f"{family.name}_claims", family.model_term(block, terms))
    return model


def _selection(
    data: ModelData, priors: Priors, inputs: dict[str, Any], eta_full: Any, worldview: Any, n_pods: Any
) -> None:
    """The choices of which divergence points to speak about (:mod:`cfprob.fitting.choices`): each choice's
    weighted log probability ``gamma * h_ad - log sum_c exp(gamma * h_ac)`` over the candidates ``c``, ``h_ac``
    the log odds of the first outcome at divergence point ``c`` as claimant ``a`` sees it."""
    if not len(data.choices):
        return
    gamma = pm.Normal("selection", priors.selection_mean, priors.selection_sd)
    authors, chosen = inputs["choice_author"], inputs["choice_pod"]
    candidates = eta_full[1:n_pods]  # (pods - 1, K): every divergence point but real history
    seen = candidates[None, :, :] + (0.0 if worldview is None else worldview[authors][:, None, :])
    others = pt.concatenate([seen[..., :HOPED_OUTCOME], seen[..., HOPED_OUTCOME + 1 :]], axis=-1)
    hope = seen[..., HOPED_OUTCOME] - pm.math.logsumexp(others, axis=-1)
    candidate = inputs["choice_candidate"][1:n_pods]
    scores = pt.switch(pt.gt(candidate, 0.5)[None, :], gamma * hope, -np.inf)
    picked = scores[pt.arange(scores.shape[0]), chosen - 1]
    log_p = picked - pm.math.logsumexp(scores, axis=-1)
    pm.Potential("choices", inputs["choice_weight"] * log_p)


def _softmax_input(eta: Any) -> Any:
    """Logits against the last outcome with the last outcome's 0 appended."""
    return pt.concatenate([eta, pt.zeros((eta.shape[0], 1))], axis=-1)


def _worldview(data: ModelData, priors: Priors) -> Any:
    """How each claimant's worldview shifts the logits of the divergence points they speak of: (claimant,
    outcome), the last outcome's column 0; None without the factor.

    Claimant ``a`` sits at ``w_a ~ Normal(0, 1)`` on one dimension with outcome loadings ``lambda`` (the first
    outcome's half-normal, so that "high" means the end that makes divergences better for it, and the sign is
    identified); the shift is ``w_a * lambda``. The answer is at ``w = 0``, the population's average worldview.
    """
    if not priors.has_worldview or not data.claimants:
        return None
    sd = priors.worldview_loading_sd
    position = pm.Normal("worldview", 0.0, 1.0, dims="claimant")
    first = pm.HalfNormal("worldview_loading_first", sd)
    parts = [first.reshape((1,))]
    if len(data.outcomes) > 2:
        parts.append(pm.Normal("worldview_loading_rest", 0.0, sd, shape=len(data.outcomes) - 2))
    loading = pm.Deterministic("worldview_loading", pt.concatenate(parts), dims="logit_outcome")
    shift = pm.Deterministic(
        "worldview_shift", position[:, None] * loading[None, :], dims=("claimant", "logit_outcome")
    )
    return pt.concatenate([shift, pt.zeros((position.shape[0], 1))], axis=1)


def _unpredictability(data: ModelData, priors: Priors, inputs: dict[str, Any], n_pods: Any, n_other_rows: Any) -> Any:
    """Each row's unpredictability (rows: the divergence points, then real history's years and the stacks):
    half-normal at
    the divergence points uncertain claims name, 0 elsewhere (:mod:`cfprob.claims.uncertain`); None when no
    claim says a point cannot be known."""
    if not len(data.blocks["uncertain"]):
        return None
    value = pm.HalfNormal("unpredictability", priors.unpredictability_scale, dims="cf_pod")
    named = pt.set_subtensor(pt.zeros(n_pods)[inputs["uncertain_pod"]], 1.0)
    at_pods = pm.Deterministic("claim_spread", named * pt.concatenate([pt.zeros(1), value]), dims="pod")
    return pt.concatenate([at_pods, pt.zeros(n_other_rows)])


def _tendency(data: ModelData, priors: Priors, n_claimants: Any) -> Any:
    """Claimants' tendency to call divergences better than real history (claimant, outcome), pooled around a
    shared mean; zeros when no claim compares a divergence with real history."""
    if not data.has_tendency:
        return pt.zeros((n_claimants, len(data.outcomes)))
    mean = pm.Normal("tendency_mean", 0.0, priors.tendency_mean_sd, dims="outcome")
    spread = pm.HalfNormal("sigma_tendency", priors.tendency_sd_scale)
    z = pm.Normal("tendency_z", 0.0, 1.0, dims=("claimant", "outcome"))
    return pm.Deterministic("tendency", mean + spread * z, dims=("claimant", "outcome"))
