"""Finding where each answer comes from (:mod:`cfprob.answers.sources`), when a fit is made, and keeping it
with the fit as its ``sources`` group."""

from __future__ import annotations

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from cfprob.answers.likelihood import FAMILIES, claim_contribution, draw_prior
from cfprob.answers.sensitivity import psis_weights
from cfprob.answers.sources import JUDGED_FACTORS, KHAT_LIMIT, Sources
from cfprob.fitting.design import ModelData, softmax_last
from cfprob.fitting.draws import Draws
from cfprob.fitting.priors import Priors

__all__ = ["PRIOR_DRAWS", "compute_sources", "read_sources", "with_sources"]

Floats = NDArray[np.float64]

PRIOR_DRAWS = 4000
"""Prior draws behind the answer with no claims (seeded: the same on every run)."""


def compute_sources(
    draws: Draws, beta: Floats | None, data: ModelData, chains: int, priors: Priors | None = None, seed: int = 0
) -> Sources:
    """Every divergence point's answer under less evidence, from a fit's ``draws`` (chains concatenated) and
    its features' effects ``beta`` (S, features, outcomes - 1)."""
    n_pods = len(data.pods)
    theta = draws.theta[:, :n_pods]
    prior = draw_prior(data, PRIOR_DRAWS, np.random.default_rng(seed), priors)
    features_only = np.full(theta.shape[1:], np.nan)
    assert draws.history is not None and draws.era is not None, "a fit's draws carry the curve and the era"
    at_year = np.einsum("pt,stk->spk", data.year_weights, draws.history)
    scale = np.exp(draws.era @ data.year_weights.T)  # (S, pods)
    for p in range(n_pods):
        if beta is not None and data.X[p].any():
            effect = np.einsum("f,sfk->sk", data.X[p], beta)
            features_only[p] = softmax_last(at_year[:, p] + scale[:, p, None] * effect).mean(axis=0)
    log_likelihood = claim_contribution(draws, data, priors)
    blocks = [data.blocks[family.name] for family in FAMILIES if len(data.blocks[family.name])]
    authors = np.concatenate([b.author for b in blocks]) if blocks else np.zeros(0, dtype=np.int64)
    speaking = [a for a in range(len(data.claimants)) if np.any(authors == a)]
    flat = theta.reshape(len(theta), -1)
    without, khat = [], []
    for a in speaking:
        left_out = log_likelihood[:, authors == a].sum(axis=1)
        if not np.isfinite(left_out).all():  # nothing to reweight with: reported as unreliable (k infinite)
            without.append(theta.mean(axis=0))
            khat.append(np.inf)
            continue
        weights, k = psis_weights(left_out, chains)
        without.append((weights @ flat).reshape(theta.shape[1:]))
        khat.append(k if np.isfinite(k) else np.inf)
    shape = (0, *theta.shape[1:])
    judged_sd, judged, judged_khat = _judged(beta, data, chains, flat, priors or Priors())
    return Sources(
        claimants=tuple(data.claimants[a] for a in speaking),
        no_claims=prior.theta[:, :n_pods].mean(axis=0),
        features_only=features_only,
        every_claim=theta.mean(axis=0),
        without=np.asarray(without) if without else np.zeros(shape),
        khat=np.asarray(khat, dtype=float),
        judged_sd=judged_sd,
        judged=judged.reshape(len(judged_sd), *theta.shape[1:]),
        judged_khat=judged_khat,
    )


def _judged(
    beta: Floats | None, data: ModelData, chains: int, flat: Floats, priors: Priors
) -> tuple[Floats, Floats, Floats]:
    """The answers (flattened per draw in ``flat``) with the judged feature priors' sd at each of
    :data:`JUDGED_FACTORS` times the judgement, by reweighting the draws of their effects ``beta``."""
    judged = np.isnan(data.feature_sd_data)
    if beta is None or not judged.any():
        return np.zeros(0), np.zeros((0, flat.shape[1])), np.zeros(0)
    effects = beta[:, judged]  # (S, judged features, logits)
    squares, count, now = (effects**2).sum(axis=(1, 2)), effects[0].size, priors.beta_sd
    sds, answers, khats = [], [], []
    for factor in JUDGED_FACTORS:
        sd = factor * now
        # log N(effects; 0, now) - log N(effects; 0, sd): what reweighting to the other prior removes
        removed = count * np.log(sd / now) - 0.5 * squares * (1.0 / now**2 - 1.0 / sd**2)
        weights, k = psis_weights(removed, chains)
        sds.append(sd)
        answers.append(weights @ flat)
        khats.append(k if np.isfinite(k) else np.inf)
    return np.asarray(sds), np.asarray(answers), np.asarray(khats, dtype=float)


def with_sources(tree: xr.DataTree, data: ModelData, priors: Priors | None = None) -> xr.DataTree:
    """``tree`` with a ``sources`` group: every divergence point's answer under less evidence."""
    posterior = tree["posterior"].to_dataset()
    beta = None
    if "beta" in posterior:
        values = np.asarray(posterior["beta"].transpose("chain", "draw", ...).values, dtype=float)
        beta = values.reshape(-1, *values.shape[2:])
    found = compute_sources(Draws.from_posterior(posterior), beta, data, posterior.sizes["chain"], priors)
    group = xr.Dataset(
        {
            "no_claims": (("pod", "outcome"), found.no_claims),
            "features_only": (("pod", "outcome"), found.features_only),
            "every_claim": (("pod", "outcome"), found.every_claim),
            "without_claimant": (("speaker", "pod", "outcome"), found.without),
            "pareto_k": (("speaker",), found.khat),
            "judged": (("judged_sd", "pod", "outcome"), found.judged),
            "judged_pareto_k": (("judged_sd",), found.judged_khat),
        },
        coords={
            "pod": list(data.pods),
            "outcome": list(data.outcomes),
            "speaker": list(found.claimants),
            "judged_sd": list(found.judged_sd),
        },
        attrs={"prior_draws": PRIOR_DRAWS, "pareto_k_limit": KHAT_LIMIT},
    )
    changed = tree.copy()
    changed["sources"] = xr.DataTree(group)
    return changed


def read_sources(tree: xr.DataTree) -> Sources | None:
    """The ``sources`` group of a fit (None for a fit without one)."""
    if "sources" not in tree.children:
        return None
    group = tree["sources"].to_dataset()
    return Sources(
        claimants=tuple(str(c) for c in group["speaker"].values),
        no_claims=np.asarray(group["no_claims"].values, dtype=float),
        features_only=np.asarray(group["features_only"].values, dtype=float),
        every_claim=np.asarray(group["every_claim"].values, dtype=float),
        without=np.asarray(group["without_claimant"].values, dtype=float).reshape(
            len(group["speaker"]), len(group["pod"]), len(group["outcome"])
        ),
        khat=np.asarray(group["pareto_k"].values, dtype=float),
        **_judged_read(group),
    )


def _judged_read(group: xr.Dataset) -> dict[str, Floats]:
    """The judged-prior answers of a ``sources`` group (none in a group written before they were)."""
    if "judged" not in group:
        return {}
    return {
        "judged_sd": np.asarray(group["judged_sd"].values, dtype=float),
        "judged": np.asarray(group["judged"].values, dtype=float).reshape(
            len(group["judged_sd"]), len(group["pod"]), len(group["outcome"])
        ),
        "judged_khat": np.asarray(group["judged_pareto_k"].values, dtype=float),
    }
