"""How the model's parameters become outcome probabilities, written once for numpy and for PyTensor.

Real history is a dated curve. ``history(t)``, the logits of each outcome (against the last) given real
history up to year ``t``, is P(outcome by the horizon | the regime alive at the start of year ``t``) from a
competing-risks hazard model fitted to the reference class's regime-years and the case's own
(:mod:`cfprob.history`). Its posterior, as a normal over the logits at every knot (mean ``history_mean``,
Cholesky factor ``history_chol``), is the curve's prior here: ``history = history_mean + history_chol @ z``,
which claims about real history then update.

A divergence is a change to that curve. A divergence point ``d`` in year ``t_d`` with mechanism features
``X_d`` and its own effect ``u_d`` has logits

    eta_d = history(t_d) + exp(era(t_d)) * (X_d @ beta + u_d)

where ``era(t)`` (a centred random walk over the knots, one per outcome) scales how much a divergence can
change in year ``t``: the quantity claims about "when a divergence could have worked" speak about. A
divergence with no features and no own effect is real history at ``t_d``, exactly. Real history itself
(``otl``) is the curve at the timeline's start.

A stack of divergence points ``S`` (what ``run A B`` asks, and what a claim stated under a condition speaks
of) diverges at its earliest year, with its members' features combined by their maximum and their own
effects added:

    eta_S = history(min t_d) + exp(era(min t_d)) * (max_d X_d @ beta + sum_d u_d)

The functions take an array module ``xp`` (:data:`NUMPY` or :func:`pytensor_ops`) and work on parameter
arrays with any leading batch axes (numpy: draws; PyTensor: none).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "NUMPY",
    "TimelineMatrices",
    "divergence_logits",
    "history_logits",
    "pytensor_ops",
    "stack_logits",
]

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class TimelineMatrices:
    """The fixed matrices of the curve over the knots (years) of a timeline."""

    knots: Floats
    history_mean: Floats
    """(knots, K-1): the prior mean of real history's logits at the knots (from the hazard model)."""
    history_chol: Floats
    """(knots * (K-1), knots * (K-1)): the Cholesky factor of their prior covariance (knot-major)."""
    era_walk: Floats
    """(knots, knots - 1): steps to a walk centred on its mean over the knots."""


def _ops_numpy() -> SimpleNamespace:
    def concat_zero(eta: Any) -> Any:
        return np.concatenate([eta, np.zeros((*eta.shape[:-1], 1))], axis=-1)

    def logsumexp(x: Any) -> Any:
        top = x.max(axis=-1, keepdims=True)
        return (top + np.log(np.exp(x - top).sum(axis=-1, keepdims=True)))[..., 0]

    return SimpleNamespace(
        matmul=np.matmul,
        exp=np.exp,
        log=np.log,
        log1p=np.log1p,
        concat_zero=concat_zero,
        logsumexp=logsumexp,
        unflatten=lambda a, rows, columns: a.reshape(*a.shape[:-1], rows, columns),
    )


NUMPY = _ops_numpy()
"""The array operations in numpy."""


def pytensor_ops() -> SimpleNamespace:
    """The array operations in PyTensor (imported only here, so the pure core never loads it)."""
    import pymc as pm
    import pytensor.tensor as pt

    def concat_zero(eta: Any) -> Any:
        return pt.concatenate([eta, pt.zeros((*eta.shape[:-1], 1))], axis=-1)

    return SimpleNamespace(
        matmul=pt.matmul,
        exp=pt.exp,
        log=pt.log,
        log1p=pt.log1p,
        concat_zero=concat_zero,
        logsumexp=lambda x: pm.math.logsumexp(x, axis=-1),
        unflatten=lambda a, rows, columns: a.reshape((rows, columns)),
    )


def history_logits(z: Any, matrices: TimelineMatrices | Any, xp: Any) -> Any:
    """Real history's logits at the knots (..., knots, K-1) from standard normal ``z`` (..., knots * (K-1))."""
    rows, columns = matrices.history_mean.shape
    return matrices.history_mean + xp.unflatten(xp.matmul(z, matrices.history_chol.T), rows, columns)


def divergence_logits(history: Any, era: Any, year_weights: Floats, effect: Any, xp: Any) -> Any:
    """Logits (..., rows, K-1) of divergences in the years ``year_weights`` (rows, knots) interpolates, each
    changing real history there by ``effect`` (..., rows, K-1), scaled by ``exp(era(t))`` (``era``: (..., knots))."""
    scale = xp.exp(xp.matmul(era, year_weights.T))
    return xp.matmul(year_weights, history) + scale[..., None] * effect


def stack_logits(history: Any, era: Any, year_weights: Floats, X: Any, members: Any, beta: Any, u: Any, xp: Any) -> Any:
    """Logits (..., stacks, K-1) of stacks of divergence points: in the years ``year_weights`` (stacks,
    knots) interpolates, with features ``X`` (stacks, features) and the own effects ``u`` (..., pods, K-1) of
    their ``members`` (stacks, pods) added; ``beta`` (..., features, K-1) is None without features."""
    effect = xp.matmul(members, u)
    if beta is not None:
        effect = effect + xp.matmul(X, beta)
    return divergence_logits(history, era, year_weights, effect, xp)
