"""Which claims and claimants drive an answer: leave-one-out by importance reweighting.

Leaving out a set of claims G divides the posterior by their likelihood, so each draw gets the weight
``exp(-sum_{i in G} loglik_i)``. The weights are Pareto-smoothed (PSIS, from arviz-stats) and their
Pareto k diagnostic kept: below 0.7 the reweighted answer is reliable; above it, only an exact refit
(claims given weight 0, same compiled model) is. Every claimant (all their claims) and every claim is
left out in turn.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import xarray as xr
from numpy.typing import NDArray

from cfprob.answers.likelihood import claim_contribution, claim_order, log_prior
from cfprob.answers.sources import KHAT_LIMIT
from cfprob.fitting.design import ModelData
from cfprob.fitting.draws import Draws

__all__ = [
    "KHAT_LIMIT",
    "REFIT_DRAWS",
    "Influence",
    "LeaveOneOut",
    "analyse",
    "fit_leave_one_out",
    "influences",
    "influences_of",
    "leave_one_out",
    "power_scaling",
    "psis_weights",
    "theta_mean",
    "without_claims",
]

Floats = NDArray[np.float64]

REFIT_DRAWS = 250
"""Draws per chain of a refit that checks an influence. The refit is kept only for its posterior mean of each
P(outcome), whose Monte Carlo standard error at 4 x 250 draws is at most about 0.01 on the bundled scenario
(measured: effective sample sizes of the means 670 or more, posterior sds up to 0.29, largest error 0.009),
about the last of the two decimals shown; tuning stays as asked, so the sampler adapts as for the headline fit."""


@dataclass(frozen=True)
class Influence:
    """How leaving out a claimant's claims (or one claim) moves the outcome probabilities of one PoD."""

    group: str
    """``claimant`` or ``claim``."""
    id: str
    claims: tuple[str, ...]
    pod: str
    base: tuple[float, ...]
    """Posterior mean P(outcome | pod), every claim in."""
    without: tuple[float, ...]
    """The same, reweighted as if ``claims`` had not been made."""
    khat: float
    refit: tuple[float, ...] | None = None
    """The same from an exact refit without ``claims``, when one was made."""

    @property
    def shift(self) -> tuple[float, ...]:
        source = self.refit if self.refit is not None else self.without
        return tuple(w - b for w, b in zip(source, self.base, strict=True))

    @property
    def size(self) -> float:
        """The largest absolute shift over the outcomes."""
        return max(abs(s) for s in self.shift)

    @property
    def reliable(self) -> bool:
        return self.refit is not None or self.khat <= KHAT_LIMIT


def psis_weights(left_out: Floats, chains: int) -> tuple[Floats, float]:
    """Normalised Pareto-smoothed importance weights (S,) that remove claims of log-likelihood ``left_out``
    (S,) from the posterior (draws of ``chains`` chains, concatenated), and their Pareto k."""
    if not np.any(left_out):
        return np.full(len(left_out), 1.0 / len(left_out)), 0.0
    import arviz_stats  # noqa: F401  (registers the ``.azstats`` accessor)

    shaped = xr.DataArray(left_out.reshape(chains, -1), dims=("chain", "draw"))
    try:
        log_weights, khat = shaped.azstats.psislw(dim=["chain", "draw"])  # takes a log-likelihood, weights by 1/L
        lw = np.asarray(log_weights.values, dtype=float).reshape(-1)
    except ValueError:  # a flat upper tail: the weights are bounded and there is nothing to smooth
        lw, khat = -left_out, 0.0
    w = np.exp(lw - lw.max())
    result: Floats = w / w.sum()
    return result, float(khat)


@dataclass(frozen=True)
class LeaveOneOut:
    """Every claimant's and every claim's leave-one-out weights under one fit: what any divergence point's
    influences are computed from, whichever points are asked about.

    ``groups``: (``claimant`` or ``claim``, id, the claims' positions in ``claim_ids``); ``weights`` (groups,
    S): normalised PSIS weights; ``khat`` (groups,): their Pareto k.
    """

    claim_ids: tuple[str, ...]
    groups: tuple[tuple[str, str, tuple[int, ...]], ...]
    weights: Floats
    khat: Floats


def leave_one_out(log_likelihood: Floats, claim_ids: Sequence[str], authors: Sequence[str], chains: int) -> LeaveOneOut:
    """The weights that leave out each claimant (all their claims) and each claim in turn.

    ``log_likelihood`` (S, claims) holds the draws of one fit, chains concatenated; ``authors`` gives each
    claim's claimant, in ``claim_ids`` order.
    """
    groups: list[tuple[str, str, tuple[int, ...]]] = []
    for author in dict.fromkeys(authors):
        groups.append(("claimant", author, tuple(i for i, a in enumerate(authors) if a == author)))
    groups += [("claim", claim, (i,)) for i, claim in enumerate(claim_ids)]
    weights = np.empty((len(groups), log_likelihood.shape[0]))
    khat = np.empty(len(groups))
    for g, (_, _, index) in enumerate(groups):
        weights[g], khat[g] = psis_weights(log_likelihood[:, list(index)].sum(axis=1), chains)
    return LeaveOneOut(tuple(claim_ids), tuple(groups), weights, khat)


def influences(
    theta: Floats,
    log_likelihood: Floats,
    claim_ids: Sequence[str],
    authors: Sequence[str],
    pods: Sequence[str],
    pod_ids: Sequence[str],
    chains: int,
) -> list[Influence]:
    """Every claimant's and every claim's influence on each of ``pods``, largest first per PoD.

    ``theta`` (S, pods, outcomes) and ``log_likelihood`` (S, claims) are draws of one fit, chains
    concatenated; ``authors`` gives each claim's claimant, in ``claim_ids`` order.
    """
    return influences_of(leave_one_out(log_likelihood, claim_ids, authors, chains), theta, pods, pod_ids)


def influences_of(loo: LeaveOneOut, theta: Floats, pods: Sequence[str], pod_ids: Sequence[str]) -> list[Influence]:
    """:func:`influences` from the fit's leave-one-out weights: each PoD's moves are its draws reweighted."""
    result = []
    for pod in pods:
        t = theta[:, list(pod_ids).index(pod), :]
        base = tuple(float(x) for x in t.mean(axis=0))
        moved = loo.weights @ t
        rows = [
            Influence(
                group,
                gid,
                tuple(loo.claim_ids[i] for i in index),
                pod,
                base,
                tuple(float(x) for x in moved[g]),
                float(loo.khat[g]),
            )
            for g, (group, gid, index) in enumerate(loo.groups)
        ]
        result += sorted(rows, key=lambda r: -r.size)
    return result


def without_claims(data: ModelData, claims: Sequence[str]) -> ModelData:
    """``data`` with ``claims`` given weight 0: the model as if they had not been made, same shapes."""
    changed = {}
    for name, block in data.blocks.items():
        drop = np.isin(np.asarray(block.ids, dtype=object), list(claims))
        if drop.any():
            changed[name] = replace(block, weight=np.where(drop, 0.0, block.weight))
    return data.with_blocks(**changed)


def analyse(
    tree: xr.DataTree,
    data: ModelData,
    pods: Sequence[str],
    refits: int = 0,
    refit: Callable[[list[ModelData]], list[Floats]] | None = None,
    loo: LeaveOneOut | None = None,
) -> dict[str, list[Influence]]:
    """Influences on each of ``pods`` from one fit; the ``refits`` largest per PoD checked by exact refits.

    ``refit`` samples the model for each of several changed data (same shapes) and returns each fit's
    posterior mean of ``theta`` (:func:`theta_mean`); the refits are independent and may run at once. ``loo``:
    the fit's leave-one-out weights when already known (:func:`fit_leave_one_out`).
    """
    posterior = tree["posterior"].to_dataset()
    theta = np.asarray(posterior["theta"].transpose("chain", "draw", ...).values, dtype=float)
    loo = loo or fit_leave_one_out(tree, data)
    rows = influences_of(loo, theta.reshape(-1, *theta.shape[2:]), pods, data.pods)
    by_pod: dict[str, list[Influence]] = {pod: [r for r in rows if r.pod == pod] for pod in pods}
    if refits and refit is not None:
        wanted = list(dict.fromkeys(r.claims for pod in pods for r in by_pod[pod][:refits]))
        means = dict(zip(wanted, refit([without_claims(data, claims) for claims in wanted]), strict=True))
        for pod in pods:
            i = list(data.pods).index(pod)
            updated = [
                replace(r, refit=tuple(float(x) for x in means[r.claims][i])) if r.claims in means else r
                for r in by_pod[pod]
            ]
            by_pod[pod] = sorted(updated, key=lambda r: -r.size)
    return by_pod


def fit_leave_one_out(tree: xr.DataTree, data: ModelData) -> LeaveOneOut:
    """The leave-one-out weights of every claimant and claim under the fit ``tree`` (of ``data``)."""
    posterior = tree["posterior"].to_dataset()
    draws = Draws.from_posterior(posterior)
    ids = claim_order(data)
    authors_by_claim = {
        i: data.claimants[a] for block in data.blocks.values() for i, a in zip(block.ids, block.author, strict=False)
    }
    return leave_one_out(
        claim_contribution(draws, data), ids, [authors_by_claim[i] for i in ids], posterior.sizes["chain"]
    )


def theta_mean(tree: xr.DataTree) -> Floats:
    """A fit's posterior mean of ``theta`` (pods, outcomes): what a sensitivity refit is kept for."""
    return np.asarray(tree["posterior"]["theta"].mean(("chain", "draw")).values, dtype=float)


def power_scaling(tree: xr.DataTree, data: ModelData, pod: str) -> dict[str, tuple[float, float, str]]:
    """Prior and likelihood power-scaling sensitivity of each P(outcome | pod), with arviz-stats' diagnosis."""
    from arviz_stats import psense_summary  # type: ignore[attr-defined]

    posterior = tree["posterior"].to_dataset()
    draws = Draws.from_posterior(posterior)
    chains, per_chain = posterior.sizes["chain"], posterior.sizes["draw"]
    ll = claim_contribution(draws, data).reshape(chains, per_chain, -1)
    subset = xr.DataTree.from_dict(
        {
            "posterior": posterior[["theta"]].sel(pod=[pod]),
            "log_prior": xr.Dataset({"prior": log_prior(posterior, data)}),
            "log_likelihood": xr.Dataset({"claims": (("chain", "draw", "claim"), ll)}),
        }
    )
    with contextlib.redirect_stdout(io.StringIO()):  # it prints advice on its own; the table says it all
        table = psense_summary(subset, var_names=["theta"])
    result = {}
    for outcome, (_, row) in zip(data.outcomes, table.iterrows(), strict=True):
        result[outcome] = (float(row["prior"]), float(row["likelihood"]), str(row["diagnosis"]))
    return result
