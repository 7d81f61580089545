"""Who is speaking: each claimant's worldview position, and how much their claims move the answer.

A claimant's position ``w_a`` on the worldview dimension (:mod:`cfprob.fitting.model`) is read off the
posterior with its central interval. Their influence is what leaving all their claims out does to an
answer, by Pareto-smoothed importance reweighting (:func:`cfprob.answers.sensitivity.psis_weights`; its
Pareto k says when only a refit would be reliable): on P(outcome | pod) for a chosen divergence point, or,
without one, the largest shift over every divergence point and outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from cfprob.answers.likelihood import claim_contribution, claim_order
from cfprob.answers.sensitivity import psis_weights
from cfprob.fitting.design import ModelData
from cfprob.fitting.draws import Draws
from cfprob.fitting.provenance import CREDIBLE_MASS
from cfprob.reading.scenario import OTL

__all__ = ["ClaimantView", "claimant_views", "claims_by_claimant", "loadings"]

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class ClaimantView:
    """One claimant: worldview position, number of claims, and influence on the answer."""

    claimant: str
    claims: int
    position: float | None
    """Posterior mean of the worldview position (None for a fit without the factor)."""
    low: float | None
    high: float | None
    pod: str
    """The divergence point the influence is measured on."""
    outcome: str
    shift: float
    """P(outcome | pod) without the claimant's claims minus with them (importance reweighted)."""
    khat: float
    """Pareto k of the reweighting; above 0.7 the shift is unreliable."""


def claims_by_claimant(data: ModelData) -> dict[str, list[int]]:
    """Each claimant's claims, as indices into :func:`~cfprob.answers.likelihood.claim_order`."""
    ids = claim_order(data)
    author = {i: data.claimants[a] for b in data.blocks.values() for i, a in zip(b.ids, b.author, strict=True)}
    groups: dict[str, list[int]] = {name: [] for name in data.claimants}
    for index, claim in enumerate(ids):
        groups[author[claim]].append(index)
    return groups


def claimant_views(tree: xr.DataTree, data: ModelData, pod: str | None = None) -> list[ClaimantView]:
    """Every claimant who made a claim, from the lowest worldview position to the highest (by claims made,
    for a fit without the factor)."""
    posterior = tree["posterior"].to_dataset()
    draws = Draws.from_posterior(posterior)
    ll = claim_contribution(draws, data)
    chains = posterior.sizes["chain"]
    pods = [i for i, p in enumerate(data.pods) if p != OTL] if pod is None else [list(data.pods).index(pod)]
    theta = draws.theta[:, pods, :]  # (S, pods, outcomes)
    base = theta.mean(axis=0)
    position = _positions(posterior)
    rows = []
    for name, index in claims_by_claimant(data).items():
        if not index:
            continue
        weights, khat = psis_weights(ll[:, index].sum(axis=1), chains)
        shift = np.einsum("s,spk->pk", weights, theta) - base
        p, k = np.unravel_index(int(np.argmax(np.abs(shift))), shift.shape)
        mean, low, high = position.get(name, (None, None, None))
        rows.append(
            ClaimantView(
                name, len(index), mean, low, high, data.pods[pods[p]], data.outcomes[k], float(shift[p, k]), khat
            )
        )
    if position:
        return sorted(rows, key=lambda r: (r.position, r.claimant))
    return sorted(rows, key=lambda r: (-r.claims, r.claimant))


def _positions(posterior: xr.Dataset) -> dict[str, tuple[float, float, float]]:
    return _by_coordinate(posterior["worldview"], "claimant") if "worldview" in posterior else {}


def loadings(posterior: xr.Dataset) -> dict[str, tuple[float, float, float]]:
    """The worldview dimension's loading on each outcome's logit (against the last outcome): mean, interval."""
    if "worldview_loading" not in posterior:
        return {}
    return _by_coordinate(posterior["worldview_loading"], "logit_outcome")


def _by_coordinate(values: xr.DataArray, dim: str) -> dict[str, tuple[float, float, float]]:
    """Posterior mean and central interval of ``values`` at each coordinate of ``dim``."""
    tail = (1 - CREDIBLE_MASS) / 2
    result = {}
    for name in values.coords[dim].values:
        v = np.asarray(values.sel({dim: name}).values, dtype=float).reshape(-1)
        low, high = np.quantile(v, [tail, 1 - tail])
        result[str(name)] = (float(v.mean()), float(low), float(high))
    return result
