"""The model's observation side in numpy: prior draws, per-claim log-likelihoods, replicated claims.

Each claim family writes its numpy log-likelihood and replicas beside its PyMC term
(:mod:`cfprob.claims`; a test checks the log-likelihoods against the PyMC model); this module gathers them
in the model's family order (:func:`claim_order`) and draws the model's prior, so that checks, sensitivity
analysis and simulation-based calibration work from draws without PyMC.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from cfprob.claims import FAMILIES
from cfprob.claims.antecedent import PLAUSIBILITY_SD
from cfprob.claims.base import draws_spread_squared
from cfprob.fitting.choices import HOPED_OUTCOME
from cfprob.fitting.design import ModelData, softmax_last
from cfprob.fitting.draws import Draws, located_logits, seen_logits
from cfprob.fitting.free import free_parameters
from cfprob.fitting.priors import Priors, feature_sd
from cfprob.fitting.world import NUMPY, divergence_logits, history_logits, stack_logits

__all__ = [
    "FAMILIES",
    "Draws",
    "Replicas",
    "choice_log_likelihood",
    "claim_contribution",
    "claim_log_likelihood",
    "claim_order",
    "draw_prior",
    "located_logits",
    "log_prior",
    "replicate",
]

Floats = NDArray[np.float64]


def claim_order(data: ModelData) -> tuple[str, ...]:
    """Claim ids in the order of the log-likelihood's last axis."""
    return tuple(i for family in FAMILIES for i in data.blocks[family.name].ids)


def claim_log_likelihood(draws: Draws, data: ModelData, priors: Priors | None = None) -> Floats:
    """Each claim's weighted log-likelihood under each draw: (S, claims), claims in :func:`claim_order`.

    The weight tempers a claim as in the model, so summing a claim's column out of the joint removes the
    claim exactly.
    """
    priors = priors or Priors()
    parts = [
        family.log_likelihood(draws, data.blocks[family.name], priors)
        for family in FAMILIES
        if len(data.blocks[family.name])
    ]
    if not parts:
        return np.zeros((len(draws), 0))
    return np.concatenate(parts, axis=1)


def claim_contribution(draws: Draws, data: ModelData, priors: Priors | None = None) -> Floats:
    """What each claim adds to the model's log density under each draw: its weighted log-likelihood
    (:func:`claim_log_likelihood`) and, for a claim about a divergence point, its choice of that point
    (:func:`choice_log_likelihood`). Leaving a claim out removes both: what importance reweighting removes."""
    result = claim_log_likelihood(draws, data, priors)
    if len(data.choices) and draws.selection is not None:
        mine = data.choices.claim >= 0
        np.add.at(result.T, data.choices.claim[mine], choice_log_likelihood(draws, data)[:, mine].T)
    return result


def choice_log_likelihood(draws: Draws, data: ModelData) -> Floats:
    """Each choice's weighted log probability (:mod:`cfprob.fitting.choices`, over the candidates) under each
    draw: (S, choices).
    A claim's choice is also part of its column of :func:`claim_contribution`; a proposal's is only here."""
    choices = data.choices
    assert draws.selection is not None, "draws of a model with choices carry the selection's strength"
    candidates = np.flatnonzero(choices.candidate > 0.5)
    m = len(candidates)
    # a candidate's hoped-for logit depends on the chooser alone: computed once per claimant, not per choice
    authors, chooser = np.unique(choices.author, return_inverse=True)
    hope = seen_logits(
        draws,
        np.tile(candidates, len(authors)),
        np.full(len(authors) * m, HOPED_OUTCOME),
        np.repeat(authors, m),
        np.ones(len(authors) * m),
    ).reshape(len(draws), len(authors), m)[:, chooser, :]
    scores = draws.selection[:, None, None] * hope
    position = np.searchsorted(candidates, choices.pod)
    picked = np.take_along_axis(scores, position[None, :, None], axis=-1)[..., 0]
    top = scores.max(axis=-1)
    log_norm = top + np.log(np.exp(scores - top[..., None]).sum(axis=-1))
    result: Floats = choices.weight * (picked - log_norm)
    return result


Replicas = dict[str, Floats]
"""Claims replicated from draws, by family: (S, n, ...) each (see each family's ``replicate``); only
non-empty families."""


def replicate(draws: Draws, data: ModelData, rng: np.random.Generator, priors: Priors | None = None) -> Replicas:
    """Claims as the model would generate them under each draw."""
    priors = priors or Priors()
    return {
        family.name: family.replicate(draws, data.blocks[family.name], rng, priors)
        for family in FAMILIES
        if len(data.blocks[family.name])
    }


def draw_prior(data: ModelData, n: int, rng: np.random.Generator, priors: Priors | None = None) -> Draws:
    """``n`` draws from the model's prior, before any claim or evidence, through the same equations as the
    model (:mod:`cfprob.fitting.world`).

    ``extra`` holds the parameters :mod:`cfprob.answers.calibration` ranks and that :class:`Draws` has no
    field for: ``alpha``, ``beta``, ``u``, ``sigma_era``, ``sigma_u``,
    ``sigma_bias``, ``noise_log_mean``, ``noise_spread``, ``sigma_tendency`` and, with the worldview factor,
    ``worldview`` (claimants' positions) and ``worldview_loading``.
    """
    priors = priors or Priors()
    d, f, k, a = len(data.pods), len(data.features), len(data.outcomes), len(data.claimants)
    timeline = data.matrices
    history = history_logits(rng.normal(size=(n, timeline.history_chol.shape[0])), timeline, NUMPY)
    sigma_era = np.abs(rng.normal(0.0, priors.era_step_scale, n))
    era = sigma_era[:, None] * (rng.normal(size=(n, len(data.knots) - 1)) @ timeline.era_walk.T)
    beta = rng.normal(0.0, 1.0, (n, f, k - 1)) * feature_sd(data.feature_sd_data, priors)[None, :, None]
    sigma_u = np.abs(rng.normal(0.0, priors.pod_sd_scale, n))
    u = sigma_u[:, None, None] * rng.normal(size=(n, d, k - 1))
    u[:, 0] = 0.0
    effect = np.einsum("pf,sfk->spk", data.X, beta) + u
    eta = divergence_logits(history, era, data.year_weights, effect, NUMPY)
    rows = [eta, data.history_weights @ history]
    if data.stacks:
        beta_or_none = beta if f else None
        rows.append(
            stack_logits(history, era, data.stack_weights, data.stack_X, data.stack_members, beta_or_none, u, NUMPY)
        )
    theta = softmax_last(np.concatenate(rows, axis=1))
    sigma_bias = np.abs(rng.normal(0.0, priors.bias_sd_scale, n))
    bias = sigma_bias[:, None, None] * rng.normal(size=(n, a, k))
    noise_log_mean = rng.normal(priors.noise_log_mean, priors.noise_log_sd, n)
    noise_spread = np.abs(rng.normal(0.0, priors.noise_spread_scale, n))
    noise = np.exp(noise_log_mean[:, None] + noise_spread[:, None] * rng.normal(size=(n, a)))
    sigma_tendency = np.abs(rng.normal(0.0, priors.tendency_sd_scale, n))
    tendency_mean = rng.normal(0.0, priors.tendency_mean_sd, (n, k))
    tendency = tendency_mean[:, None, :] + sigma_tendency[:, None, None] * rng.normal(size=(n, a, k))
    if not data.has_tendency:
        tendency = np.zeros_like(tendency)
    loading = rng.normal(0.0, priors.worldview_loading_sd, (n, k - 1))
    loading[:, 0] = np.abs(loading[:, 0])
    position = rng.normal(size=(n, a))
    worldview = None
    if priors.has_worldview and a:
        shift = position[:, :, None] * loading[:, None, :]
        worldview = np.concatenate([shift, np.zeros((n, a, 1))], axis=-1)
    plausibility = None
    if len(data.blocks["antecedent"]):
        plausibility = rng.normal(0.0, PLAUSIBILITY_SD, (n, d - 1))
    spread = None
    if len(data.blocks["uncertain"]):
        unpredictability = np.abs(rng.normal(0.0, priors.unpredictability_scale, (n, d - 1)))
        named = np.zeros(theta.shape[1])
        named[data.blocks["uncertain"].pod] = 1.0
        spread = named * np.concatenate([np.zeros((n, 1)), unpredictability, np.zeros((n, theta.shape[1] - d))], axis=1)
    poll_location = poll_dispersion = None
    polls = data.blocks["poll"]
    if len(polls):
        z = rng.normal(size=(n, len(polls)))
        poll_dispersion = np.abs(rng.normal(0.0, priors.poll_dispersion_scale, (n, len(polls))))
        probe = Draws(theta, bias, noise, worldview=worldview, spread=spread)
        sd = np.sqrt((noise[:, polls.author] / polls.confidence) ** 2 + draws_spread_squared(probe, polls.pod))
        seen = seen_logits(probe, polls.pod, polls.outcome, polls.author, polls.seen)
        poll_location = seen + bias[:, polls.author, polls.outcome] + z * sd
    kappa = None
    if len(data.distribution):
        kappa_log_mean = rng.normal(priors.kappa_log_mean, priors.kappa_log_sd, n)
        kappa_spread = np.abs(rng.normal(0.0, priors.kappa_spread_scale, n))
        kappa = np.exp(kappa_log_mean[:, None] + kappa_spread[:, None] * rng.normal(size=(n, a)))
    selection = None
    if len(data.choices):
        selection = rng.normal(priors.selection_mean, priors.selection_sd, n)
    extra = {
        "alpha": history[:, 0],
        "beta": beta,
        "u": u,
        "sigma_era": sigma_era,
        "sigma_u": sigma_u,
        "sigma_bias": sigma_bias,
        "noise_log_mean": noise_log_mean,
        "noise_spread": noise_spread,
        "sigma_tendency": sigma_tendency,
    }
    if worldview is not None:
        extra |= {"worldview": position, "worldview_loading": loading}
    if spread is not None:
        extra["unpredictability"] = unpredictability
    if poll_location is not None:
        extra["poll_z"] = z
    if selection is not None:
        extra["selection"] = selection
    return Draws(
        theta,
        bias,
        noise,
        kappa,
        history,
        era,
        tendency,
        extra,
        worldview,
        plausibility,
        spread,
        poll_location,
        poll_dispersion,
        selection,
    )


def log_prior(posterior: xr.Dataset, data: ModelData, priors: Priors | None = None) -> xr.DataArray:
    """The model's log prior density of each posterior draw (chain, draw), over its free parameters.

    Half-normal scales are on their own (positive) scale, as the model states them. A free parameter with no
    prior here is an error (a power-scaling that skipped it would be wrong without a word).
    """
    priors = priors or Priors()
    half = np.log(2.0)
    each_feature = xr.DataArray(feature_sd(data.feature_sd_data, priors), dims="feature")
    terms: dict[str, tuple[float, float | xr.DataArray, float]] = {
        "beta": (0.0, each_feature, 0.0),
        "history_z": (0.0, 1.0, 0.0),
        "sigma_era": (0.0, priors.era_step_scale, half),
        "era_z": (0.0, 1.0, 0.0),
        "tendency_mean": (0.0, priors.tendency_mean_sd, 0.0),
        "sigma_tendency": (0.0, priors.tendency_sd_scale, half),
        "tendency_z": (0.0, 1.0, 0.0),
        "worldview": (0.0, 1.0, 0.0),
        "plausibility": (0.0, PLAUSIBILITY_SD, 0.0),
        "unpredictability": (0.0, priors.unpredictability_scale, half),
        "poll_z": (0.0, 1.0, 0.0),
        "poll_dispersion": (0.0, priors.poll_dispersion_scale, half),
        "worldview_loading_first": (0.0, priors.worldview_loading_sd, half),
        "worldview_loading_rest": (0.0, priors.worldview_loading_sd, 0.0),
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
        "selection": (priors.selection_mean, priors.selection_sd, 0.0),
    }
    unknown = [p.parameter.name for p in free_parameters(data, priors) if p.parameter.name not in terms]
    if unknown:
        raise ValueError(f"log_prior has no prior for the free parameter(s) {', '.join(unknown)}")
    total = xr.zeros_like(posterior["theta"].isel(pod=0, outcome=0), dtype=float).drop_vars(["pod", "outcome"])
    for name, (mu, sd, extra) in terms.items():
        if name in posterior:
            values = posterior[name]
            # a normal log density in xarray's arithmetic, which broadcasts a per-feature sd
            density = -0.5 * ((values - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi) + extra
            total = total + density.sum([d for d in values.dims if d not in ("chain", "draw")])
    return total
