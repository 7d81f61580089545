"""The scalar arithmetic every claim family's hand-written log density is made of, with its derivatives.

Each family writes its claims' log density and gradient as one function (``density`` in its module) in the
subset of Python that Numba compiles: loops over the block's arrays, ``math``, and the helpers here. The
functions stay plain Python (importing this module loads neither Numba nor PyTensor);
:mod:`cfprob.fitting.density` registers them with Numba when the sampler's machine code is compiled, and the
PyMC model (each family's ``model_term``) is the specification they are tested against.

A family's ``density(b, s, g, own, gown)`` reads its block ``b`` (the :class:`~cfprob.claims.base.ClaimBlock`
arrays), the shared quantities ``s`` and the family's own free parameters ``own``; it adds the derivative of
the log density it returns to ``g`` (the shared quantities' gradients, same names as ``s``) and to ``gown``.
The shared quantities (:class:`~cfprob.fitting.density` builds them):

``E`` (rows, K)
    each row's logits against the last outcome, its 0 included: the divergence points, then real history at
    the years claims about it speak of;
``W`` (claimants, K)
    each claimant's worldview shift of a divergence point's logits (zeros without the worldview factor);
``bias`` (claimants, K), ``noise`` (claimants,), ``tendency`` (claimants, K) (zeros when no claim compares a
divergence with real history), ``spread`` (rows,) (each row's unpredictability, zeros without uncertain
claims), ``history`` (knots, K - 1), real history's logits at the knots, ``era`` (knots,), and ``priors``,
the prior scales in the order of :class:`~cfprob.fitting.priors.Priors` (indexed by :data:`PRIOR`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cfprob.fitting.priors import PRIOR

__all__ = [
    "HELPERS",
    "PRIOR",
    "add_curve_odds_grad",
    "add_located_grad",
    "add_seen_grad",
    "curve_odds",
    "d_log_ndtr",
    "digamma",
    "half_normal_log",
    "log_ndtr",
    "log_normal_pdf",
    "log_phi",
    "normal_prior",
    "seen_logit",
    "seen_softmax",
    "sigmoid",
    "softplus",
]

LOG_2PI = math.log(2.0 * math.pi)
SQRT2 = math.sqrt(2.0)


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def softplus(x: float) -> float:
    """log(1 + exp(x)), stably."""
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def log_phi(z: float) -> float:
    """The standard normal's log density."""
    return -0.5 * z * z - 0.5 * LOG_2PI


def log_ndtr(z: float) -> float:
    """log Phi(z), the standard normal's log cdf, accurate in both tails."""
    if z > 0:
        return math.log1p(-0.5 * math.erfc(z / SQRT2))
    if z > -30.0:
        return math.log(0.5 * math.erfc(-z / SQRT2))
    # asymptotic series of the Mills ratio, where erfc underflows
    inv = 1.0 / (z * z)
    return log_phi(z) - math.log(-z) + math.log1p(-inv + 3.0 * inv * inv - 15.0 * inv * inv * inv)


def d_log_ndtr(z: float) -> float:
    """d/dz log Phi(z) = phi(z) / Phi(z), stably."""
    if z > -30.0:
        return math.exp(log_phi(z) - log_ndtr(z))
    inv = 1.0 / (z * z)
    return -z / (1.0 - inv + 3.0 * inv * inv - 15.0 * inv * inv * inv)


def log_normal_pdf(x: float, mu: float, sd: float) -> float:
    """The Normal log density of ``x``; its derivatives are d/dmu = z / sd and d/dsd = (z^2 - 1) / sd, with
    ``z = (x - mu) / sd``."""
    z = (x - mu) / sd
    return -0.5 * z * z - math.log(sd) - 0.5 * LOG_2PI


def normal_prior(x: float, mu: float, sd: float) -> tuple[float, float]:
    """A Normal prior's log density at ``x`` and its derivative in ``x``."""
    return log_normal_pdf(x, mu, sd), -(x - mu) / (sd * sd)


def half_normal_log(x: float, scale: float) -> tuple[float, float, float]:
    """A half-normal parameter sampled as its log ``x``: its value, its prior's log density with the log
    transform's Jacobian (as PyMC writes it), and that log density's derivative in ``x``."""
    value = math.exp(x)
    z = value / scale
    log_density = 0.5 * math.log(2.0 / math.pi) - math.log(scale) - 0.5 * z * z + x
    return value, log_density, 1.0 - z * z


def digamma(x: float) -> float:
    """The digamma function for ``x > 0`` (recurrence up to 10, then the asymptotic series)."""
    result = 0.0
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    inv = 1.0 / (x * x)
    series = inv * (1.0 / 12 - inv * (1.0 / 120 - inv * (1.0 / 252 - inv * (1.0 / 240 - inv * (1.0 / 132)))))
    return result + math.log(x) - 0.5 / x - series


def _seen(s: Any, r: int, a: int, seen: float, j: int) -> float:
    return s.E[r, j] + seen * s.W[a, j]


def seen_logit(s: Any, r: int, a: int, seen: float, k: int, slope: Any) -> float:
    """The log odds of outcome ``k`` in row ``r`` as claimant ``a`` sees it (``seen`` 1: through their
    worldview; 0: as it is): ``F_k - log sum_{j != k} exp(F_j)``, ``F = E[r] + seen * W[a]``. Its derivatives
    in ``F`` are written to ``slope`` (K,), for :func:`add_seen_grad`."""
    n = s.E.shape[1]
    top = -math.inf
    for j in range(n):
        if j != k:
            top = max(top, _seen(s, r, a, seen, j))
    total = 0.0
    for j in range(n):
        if j != k:
            slope[j] = math.exp(_seen(s, r, a, seen, j) - top)
            total += slope[j]
    for j in range(n):
        slope[j] = 1.0 if j == k else -slope[j] / total
    return _seen(s, r, a, seen, k) - top - math.log(total)


def add_seen_grad(g: Any, r: int, a: int, seen: float, slope: Any, upstream: float) -> None:
    """Add ``upstream`` times the gradient of a :func:`seen_logit` (its ``slope``) to ``g.E`` and ``g.W``."""
    for j in range(slope.shape[0]):
        g.E[r, j] += upstream * slope[j]
        g.W[a, j] += seen * upstream * slope[j]


def add_located_grad(s: Any, g: Any, b: Any, i: int, slope: Any, d_located: float, d_sd: float, sd: float) -> None:
    """Add the gradient of claim ``i`` of block ``b`` located at its author's seen log odds plus their bias
    (:func:`seen_logit`, its ``slope``) with sd ``sqrt((noise_a / confidence)^2 + ... + spread_r^2)``, given the
    claim's derivatives in its location (``d_located``) and its sd (``d_sd``), weight included."""
    r, a = b.pod[i], b.author[i]
    g.noise[a] += d_sd * s.noise[a] / (sd * b.confidence[i] * b.confidence[i])
    g.spread[r] += d_sd * s.spread[r] / sd
    g.bias[a, b.outcome[i]] += d_located
    add_seen_grad(g, r, a, b.seen[i], slope, d_located)


def seen_softmax(s: Any, r: int, a: int, seen: float, out: Any) -> None:
    """The outcome probabilities of row ``r`` as claimant ``a`` sees them, written to ``out`` (K,)."""
    n = s.E.shape[1]
    top = -math.inf
    for j in range(n):
        top = max(top, _seen(s, r, a, seen, j))
    total = 0.0
    for j in range(n):
        out[j] = math.exp(_seen(s, r, a, seen, j) - top)
        total += out[j]
    for j in range(n):
        out[j] /= total


def _curve(s: Any, t: int, j: int) -> float:
    return s.history[t, j] if j < s.history.shape[1] else 0.0


def curve_odds(s: Any, outcomes: Any) -> tuple[Any, Any, Any]:
    """Real history's log odds at every knot of each outcome in ``outcomes`` (a block's), computed once for
    a family's claims: ``(odds, share, others)``, each (knots, K): ``odds[t, k]``, ``share[t, j] =
    exp(curve_j - top)`` and ``others[t, k]`` the sum of ``share[t, j]`` over ``j != k`` (what
    :func:`add_curve_odds_grad` reads); outcomes no claim names are left unset."""
    n_knots, n = s.history.shape[0], s.history.shape[1] + 1
    wanted = np.zeros(n, dtype=np.bool_)
    for k in outcomes:
        wanted[k] = True
    odds = np.empty((n_knots, n))
    share = np.empty((n_knots, n))
    others = np.empty((n_knots, n))
    for t in range(n_knots):
        top = 0.0
        for j in range(n - 1):
            top = max(top, s.history[t, j])
        for j in range(n):
            share[t, j] = math.exp(_curve(s, t, j) - top)
        for k in range(n):
            if wanted[k]:
                total = 0.0
                for j in range(n):
                    if j != k:
                        total += share[t, j]
                others[t, k] = total
                odds[t, k] = _curve(s, t, k) - top - math.log(total)
    return odds, share, others


def add_curve_odds_grad(g: Any, share: Any, others: Any, t: int, k: int, upstream: float) -> None:
    """Add ``upstream`` times the gradient of real history's log odds of ``k`` at knot ``t`` to ``g.history``."""
    for j in range(g.history.shape[1]):
        g.history[t, j] += upstream if j == k else -upstream * share[t, j] / others[t, k]


HELPERS = (
    sigmoid,
    softplus,
    log_phi,
    log_ndtr,
    d_log_ndtr,
    log_normal_pdf,
    normal_prior,
    half_normal_log,
    digamma,
    _seen,
    seen_logit,
    add_seen_grad,
    add_located_grad,
    seen_softmax,
    _curve,
    curve_odds,
    add_curve_odds_grad,
)
"""Every helper here, for Numba to register before it compiles the families' densities."""
