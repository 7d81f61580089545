"""The model's numeric building blocks in numpy: logits, the softmax against a reference outcome, and the
timeline's knots, interpolation weights and centred random walk."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from cfprob.reading.scenario import PROBABILITY_FLOOR

__all__ = [
    "CREDIBLE_MASS",
    "KNOT_SPACING",
    "centred_walk",
    "interpolation_weights",
    "knot_years",
    "logit",
    "softmax_last",
]

CREDIBLE_MASS = 0.90
"""cfprob's one interval convention: central (equal-tailed) 90% posterior intervals, 5% to 95%."""

KNOT_SPACING = 5
"""Years between the round-year knots of the timeline (the curves' random walks step once per knot)."""


Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


def logit(p: float | Floats) -> Floats:
    q = np.clip(np.asarray(p, dtype=float), PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
    result: Floats = np.log(q) - np.log1p(-q)
    return result


def softmax_last(eta: Floats) -> Floats:
    """Append the reference logit 0 to the last axis and take the softmax over it: the model's theta."""
    full = np.concatenate([eta, np.zeros((*eta.shape[:-1], 1))], axis=-1)
    e = np.exp(full - full.max(axis=-1, keepdims=True))
    result: Floats = e / e.sum(axis=-1, keepdims=True)
    return result


def knot_years(timeline: tuple[int, int], observed_year: int) -> Floats:
    """The timeline's knots: its first and last year, the observed year, and every round year
    (a multiple of :data:`KNOT_SPACING`) between them."""
    first, last = timeline
    inside = range(KNOT_SPACING * (first // KNOT_SPACING + 1), last, KNOT_SPACING)
    return np.asarray(sorted({first, last, observed_year, *inside}), dtype=float)


def interpolation_weights(years: Floats, knots: Floats) -> Floats:
    """Linear interpolation between knots as a matrix (years, knots): each row sums to 1."""
    eye = np.eye(len(knots))
    return np.stack([np.interp(np.asarray(years, dtype=float), knots, eye[j]) for j in range(len(knots))], axis=-1)


def centred_walk(n_knots: int) -> Floats:
    """The matrix (knots, knots - 1) that turns random-walk steps into a walk centred on its mean."""
    walk = np.tril(np.ones((n_knots, n_knots)), -1)[:, : max(n_knots - 1, 0)]
    result: Floats = walk - walk.mean(axis=0, keepdims=True)
    return result
