"""How the model's parameters become outcome probabilities, written once for numpy and for PyTensor.

Real history is a dated curve. ``history(t)``, the logits of each outcome (against the last) given real
history up to year ``t``, starts at the reference class's logits ``alpha`` at the timeline's start and ends
at the observed outcome at its observed year, where that outcome has probability ``p_end >= 0.95``. Between
them it is the straight line in logit space plus a Brownian bridge pinned at both ends
(``sigma_history * bridge @ z``), whose shape claims about real history learn; after the observed year it
stays at its end.

A divergence is a change to that curve. A divergence point ``d`` in year ``t_d`` with mechanism features
``X_d`` and its own effect ``u_d`` has logits

    eta_d = history(t_d) + exp(era(t_d)) * (X_d @ beta + u_d)

where ``era(t)`` (a centred random walk over the knots, one per outcome) scales how much a divergence can
change in year ``t``: the quantity claims about "when a divergence could have worked" speak about. A
divergence with no features and no own effect is real history at ``t_d``, exactly. Real history itself
(``otl``) is the curve at the timeline's start.

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
    "END_FLOOR",
    "NUMPY",
    "TimelineMatrices",
    "divergence_logits",
    "end_logits",
    "history_logits",
    "pytensor_ops",
]

Floats = NDArray[np.float64]

END_FLOOR = 0.95
"""Real history's probability of the observed outcome at its observed year is at least this."""


@dataclass(frozen=True)
class TimelineMatrices:
    """The fixed matrices of the curve over the knots (years) of a timeline."""

    knots: Floats
    progress: Floats
    """(knots,): the share of the way from the timeline's start to the observed year (1 after it)."""
    bridge: Floats
    """(knots, steps): random-walk steps to a bridge pinned at 0 at the start and from the observed year on."""
    era_walk: Floats
    """(knots, knots - 1): steps to a walk centred on its mean over the knots."""


def _ops_numpy() -> SimpleNamespace:
    def concat_zero(eta: Any) -> Any:
        return np.concatenate([eta, np.zeros((*eta.shape[:-1], 1))], axis=-1)

    def logsumexp(x: Any) -> Any:
        top = x.max(axis=-1, keepdims=True)
        return (top + np.log(np.exp(x - top).sum(axis=-1, keepdims=True)))[..., 0]

    return SimpleNamespace(
        matmul=np.matmul, exp=np.exp, log=np.log, log1p=np.log1p, concat_zero=concat_zero, logsumexp=logsumexp
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
    )


def end_logits(alpha: Any, p_end: Any, observed: Floats, xp: Any) -> Any:
    """Logits (..., K-1) where the observed outcome (one-hot ``observed``, K) has probability ``p_end`` and the
    other outcomes share the rest in the proportions ``alpha`` gives them."""
    full = xp.concat_zero(alpha)
    others = xp.logsumexp(full - 1e4 * observed)
    log_p = observed * xp.log(p_end)[..., None] + (1.0 - observed) * (
        xp.log1p(-p_end)[..., None] + full - others[..., None]
    )
    return log_p[..., :-1] - log_p[..., -1][..., None]


def history_logits(alpha: Any, end: Any, sigma_history: Any, steps: Any, matrices: TimelineMatrices, xp: Any) -> Any:
    """Real history's logits at the knots (..., knots, K-1): the line from ``alpha`` to ``end`` plus the bridge."""
    r = matrices.progress[:, None]
    line = (1.0 - r) * alpha[..., None, :] + r * end[..., None, :]
    return line + sigma_history[..., None, None] * xp.matmul(matrices.bridge, steps)


def divergence_logits(history: Any, era: Any, year_weights: Floats, effect: Any, xp: Any) -> Any:
    """Logits (..., rows, K-1) of divergences in the years ``year_weights`` (rows, knots) interpolates, each
    changing real history there by ``effect`` (..., rows, K-1), scaled by ``exp(era(t))`` (``era``: (..., knots))."""
    scale = xp.exp(xp.matmul(era, year_weights.T))
    return xp.matmul(year_weights, history) + scale[..., None] * effect
