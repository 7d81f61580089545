"""The model's reported values computed from draws of its free parameters, in numpy.

The hand-written sampler (:mod:`cfprob.fitting.density`) draws only the free parameters; everything else the
PyMC model reports (its Deterministics and half-normals on their own scale) is computed here afterwards, for
all draws at once, with the same equations (:mod:`cfprob.fitting.world`), under the same names and
dimensions as the PyMC model's trace (a test holds them equal at random points).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from cfprob.claims import FAMILIES
from cfprob.fitting.design import ModelData, softmax_last
from cfprob.fitting.draws import Draws
from cfprob.fitting.free import FreeParameter
from cfprob.fitting.priors import Priors
from cfprob.fitting.world import NUMPY, divergence_logits, history_logits, stack_logits

__all__ = ["DIMS", "reported"]

Floats = NDArray[np.float64]

DIMS: dict[str, tuple[str, ...]] = {
    "alpha": ("logit_outcome",),
    "history": ("knot", "logit_outcome"),
    "era": ("knot",),
    "u": ("pod", "logit_outcome"),
    "theta": ("pod", "outcome"),
    "history_theta": ("history_year", "outcome"),
    "stack_theta": ("stack", "outcome"),
    "bias": ("claimant", "outcome"),
    "noise": ("claimant",),
    "tendency": ("claimant", "outcome"),
    "worldview_loading": ("logit_outcome",),
    "worldview_shift": ("claimant", "logit_outcome"),
    "claim_spread": ("pod",),
    "kappa": ("claimant",),
    "poll_location": ("poll_claim",),
}
"""The dimensions of every value computed here that is not a free parameter (the PyMC model's)."""


def _sigmoid(x: Floats) -> Floats:
    result: Floats = 1.0 / (1.0 + np.exp(-x))
    return result


def reported(
    free: dict[str, Floats], parameters: list[FreeParameter], data: ModelData, priors: Priors
) -> dict[str, Floats]:
    """Every value the PyMC model reports, from ``free``: each free parameter's draws by its sampled name
    (``sigma_u_log__``), shaped (S, *shape). Half-normals come back on their own scale under their own name."""
    value: dict[str, Any] = {}
    for p in parameters:
        draws = free[p.parameter.sampled_name]
        value[p.parameter.name] = np.exp(draws) if p.parameter.log else draws
    n = len(next(iter(free.values()))) if free else 0
    k = len(data.outcomes)
    out: dict[str, Floats] = {p.parameter.name: value[p.parameter.name] for p in parameters if p.parameter.log}

    history = history_logits(value["history_z"], data.matrices, NUMPY)
    era = value["sigma_era"][:, None] * (value["era_z"] @ data.matrices.era_walk.T)
    u = np.concatenate([np.zeros((n, 1, k - 1)), value["sigma_u"][:, None, None] * value["u_z"]], axis=1)
    effect = u + (np.einsum("pf,sfk->spk", data.X, value["beta"]) if "beta" in value else 0.0)
    theta = softmax_last(divergence_logits(history, era, data.year_weights, effect, NUMPY))
    out |= {"alpha": history[:, 0], "history": history, "era": era, "u": u, "theta": theta}
    rows = theta
    if len(data.history_years):
        out["history_theta"] = softmax_last(np.einsum("ht,stk->shk", data.history_weights, history))
        rows = np.concatenate([theta, out["history_theta"]], axis=1)
    if data.stacks:
        beta = value.get("beta")
        at_stacks = stack_logits(history, era, data.stack_weights, data.stack_X, data.stack_members, beta, u, NUMPY)
        out["stack_theta"] = softmax_last(at_stacks)
        rows = np.concatenate([rows, out["stack_theta"]], axis=1)

    out["bias"] = value["sigma_bias"][:, None, None] * value["bias_z"]
    out["noise"] = np.exp(value["noise_log_mean"][:, None] + value["noise_spread"][:, None] * value["noise_z"])
    a = len(data.claimants)
    tendency = np.zeros((n, a, k))
    if "tendency_z" in value:
        tendency = value["tendency_mean"][:, None, :] + value["sigma_tendency"][:, None, None] * value["tendency_z"]
        out["tendency"] = tendency
    worldview = None
    if "worldview" in value:
        loading = np.concatenate(
            [value["worldview_loading_first"][:, None], value.get("worldview_loading_rest", np.zeros((n, 0)))], axis=1
        )
        out["worldview_loading"] = loading
        out["worldview_shift"] = value["worldview"][:, :, None] * loading[:, None, :]
        worldview = np.concatenate([out["worldview_shift"], np.zeros((n, a, 1))], axis=-1)
    spread = None
    if "unpredictability" in value:
        named = np.zeros(len(data.pods))
        named[data.blocks["uncertain"].pod] = 1.0
        out["claim_spread"] = named * np.concatenate([np.zeros((n, 1)), value["unpredictability"]], axis=1)
        spread = np.concatenate([out["claim_spread"], np.zeros((n, rows.shape[1] - len(data.pods)))], axis=1)

    shared = Draws(rows, out["bias"], out["noise"], tendency=tendency, worldview=worldview, spread=spread)
    for family in FAMILIES:
        if family.derived is not None and len(data.blocks[family.name]):
            own = {p.name: value[p.name] for p in family.parameters}
            out |= family.derived(own, data.blocks[family.name], shared)
    return out
