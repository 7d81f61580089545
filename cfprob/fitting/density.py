"""The model's log density and its gradient, written by hand for Numba: what nutpie samples.

The PyMC model (:mod:`cfprob.fitting.model`) is the specification; this is the same density over the same
free vector (:mod:`cfprob.fitting.free`), with normalising constants and the log transforms' Jacobians, so the
two agree in value and gradient at every point (``tests/test_density.py`` checks it for every claim family on
the bundled and the test scenario). The forward pass computes the shared quantities every family reads
(:mod:`cfprob.claims.density` names them), each family adds its claims' terms and gradients to them (its
``density``), and the backward pass here carries those gradients to the free parameters.

Every size and every data value is read at run time from two flat arrays (:func:`pack`): one compiled code
serves every scenario, every edit and every model variant (prior scales are data too). A change to the
model changes this module or a family's ``density``, and its test; the machine code's key is the hash of
their source (:func:`source_key`).

The functions below are plain Python in the subset Numba compiles; :func:`register` lets Numba compile them
(it imports Numba, which nothing else here does).
"""

from __future__ import annotations

import hashlib
import inspect
import math
from collections import namedtuple
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cfprob.claims import FAMILIES
from cfprob.claims import density as dn
from cfprob.fitting.choices import HOPED_OUTCOME
from cfprob.fitting.design import ModelData
from cfprob.fitting.free import CORE, FreeParameter
from cfprob.fitting.priors import PRIOR, Priors, feature_sd

__all__ = ["Block", "Shared", "families_source", "log_density", "pack", "register", "source_key"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

Block = namedtuple(
    "Block",
    "pod other_pod outcome author confidence weight value extra vectors contrast direction seen other_seen "
    "bound edges votes",
)
"""A family's :class:`~cfprob.claims.base.ClaimBlock` arrays, as its ``density`` reads them."""
Shared = namedtuple("Shared", "E W bias noise tendency spread history era priors")
"""The quantities families read (:mod:`cfprob.claims.density`), and, with the same names, their gradients."""

_BLOCK_INTS = ("pod", "other_pod", "outcome", "author")
_BLOCK_FLOATS = tuple(f for f in Block._fields if f not in _BLOCK_INTS)
_ARRAYS = (
    "priors",
    "X",
    "year_weights",
    "history_weights",
    "history_mean",
    "history_chol",
    "era_walk",
    "named",
    "choices",
    "candidate",
    "stack_weights",
    "stack_X",
    "stack_members",
    "feature_sd",
)
_SIZES = ("K", "P", "A", "H", "T", "NF", "S", "has_tendency", "has_worldview", "has_spread", "free")
_CORE = tuple(p.name for p in CORE)

# positions in the int array: sizes, core offsets, families' (offset, length), then each array's
# (offset, rows, columns): the float arrays, each family's float fields, each family's int fields
_N_FAMILIES = len(FAMILIES)
_AT_CORE = len(_SIZES)
_AT_OWN = _AT_CORE + len(_CORE)
_AT_TABLE = _AT_OWN + 2 * _N_FAMILIES
_N_ENTRIES = len(_ARRAYS) + _N_FAMILIES * (len(_BLOCK_FLOATS) + len(_BLOCK_INTS))
_AT_DATA = _AT_TABLE + 3 * _N_ENTRIES

(K_, P_, A_, H_, T_, NF_, S_, HAS_TENDENCY, HAS_WORLDVIEW, HAS_SPREAD, FREE) = range(len(_SIZES))
(
    HISTORY_Z,
    SIGMA_ERA,
    ERA_Z,
    BETA,
    SIGMA_U,
    U_Z,
    SIGMA_BIAS,
    BIAS_Z,
    NOISE_LOG_MEAN,
    NOISE_SPREAD,
    NOISE_Z,
    TENDENCY_MEAN,
    SIGMA_TENDENCY,
    TENDENCY_Z,
    WORLDVIEW,
    LOADING_FIRST,
    LOADING_REST,
    UNPREDICTABILITY,
    SELECTION,
) = range(len(_CORE))
(
    PRIORS,
    X_,
    YEAR_WEIGHTS,
    HISTORY_WEIGHTS,
    HISTORY_MEAN,
    HISTORY_CHOL,
    ERA_WALK,
    NAMED,
    CHOICES,
    CANDIDATE,
    STACK_WEIGHTS,
    STACK_X,
    STACK_MEMBERS,
    FEATURE_SD,
) = range(len(_ARRAYS))


def pack(data: ModelData, priors: Priors, parameters: list[FreeParameter]) -> tuple[Floats, Ints]:
    """Everything :func:`log_density` reads, as one float and one int array."""
    k, p = len(data.outcomes), len(data.pods)
    uncertain = data.blocks["uncertain"]
    named = np.zeros(p)
    named[uncertain.pod] = 1.0
    arrays: dict[str, np.ndarray] = {
        "priors": priors.as_array(),
        "X": data.X,
        "year_weights": data.year_weights,
        "history_weights": data.history_weights,
        "history_mean": data.matrices.history_mean,
        "history_chol": data.matrices.history_chol,
        "era_walk": data.matrices.era_walk,
        "named": named,
        "choices": np.stack([data.choices.author, data.choices.pod, data.choices.weight], axis=1).reshape(-1, 3),
        "candidate": data.choices.candidate,
        "stack_weights": data.stack_weights,
        "stack_X": data.stack_X,
        "stack_members": data.stack_members,
        "feature_sd": feature_sd(data.feature_sd_data, priors),
    }
    by_name = {f.parameter.name: f for f in parameters}
    core = [by_name[name].start if name in by_name else -1 for name in _CORE]
    own = []
    for family in FAMILIES:
        mine = [by_name[q.name] for q in family.parameters if q.name in by_name]
        own += [mine[0].start, mine[-1].stop - mine[0].start] if mine else [0, 0]
    sizes = [
        k,
        p,
        len(data.claimants),
        len(data.history_years),
        len(data.knots),
        len(data.features),
        len(data.stacks),
        int(data.has_tendency),
        int("worldview" in by_name),
        int(len(uncertain) > 0),
        parameters[-1].stop,
    ]
    floats = [np.asarray(arrays[name], dtype=float) for name in _ARRAYS]
    floats += [
        np.asarray(getattr(data.blocks[f.name], field), dtype=float) for f in FAMILIES for field in _BLOCK_FLOATS
    ]
    ints = [np.asarray(getattr(data.blocks[f.name], field), dtype=np.int64) for f in FAMILIES for field in _BLOCK_INTS]
    table: list[int] = []
    float_data: list[Floats] = []
    int_data: list[Ints] = []
    for pool, arrays_in in ((float_data, floats), (int_data, ints)):
        offset = 0
        for array in arrays_in:
            shape = (*array.shape, 1, 1)[:2] if array.ndim < 2 else array.shape
            table += [offset, shape[0], shape[1]]
            pool.append(array.ravel())
            offset += array.size
    header = np.asarray([*sizes, *core, *own, *table], dtype=np.int64)
    assert len(header) == _AT_DATA
    flat_floats = np.concatenate([*float_data, np.zeros(1)])
    flat_ints = np.concatenate([header, *[a.astype(np.int64) for a in int_data]])
    return np.ascontiguousarray(flat_floats), np.ascontiguousarray(flat_ints)


def _floats(floats: Floats, ints: Ints, entry: int) -> Floats:
    at = _AT_TABLE + 3 * entry
    return floats[ints[at] : ints[at] + ints[at + 1] * ints[at + 2]]


def _floats2(floats: Floats, ints: Ints, entry: int) -> Floats:
    at = _AT_TABLE + 3 * entry
    return floats[ints[at] : ints[at] + ints[at + 1] * ints[at + 2]].reshape((ints[at + 1], ints[at + 2]))


def _ints(ints: Ints, entry: int) -> Ints:
    at = _AT_TABLE + 3 * entry
    return ints[_AT_DATA + ints[at] : _AT_DATA + ints[at] + ints[at + 1]]


def block(floats: Floats, ints: Ints, family: int) -> Any:
    """Family number ``family``'s block."""
    f = len(_ARRAYS) + family * len(_BLOCK_FLOATS)
    i = len(_ARRAYS) + _N_FAMILIES * len(_BLOCK_FLOATS) + family * len(_BLOCK_INTS)
    return Block(
        _ints(ints, i),
        _ints(ints, i + 1),
        _ints(ints, i + 2),
        _ints(ints, i + 3),
        _floats(floats, ints, f),
        _floats(floats, ints, f + 1),
        _floats(floats, ints, f + 2),
        _floats(floats, ints, f + 3),
        _floats2(floats, ints, f + 4),
        _floats2(floats, ints, f + 5),
        _floats(floats, ints, f + 6),
        _floats(floats, ints, f + 7),
        _floats(floats, ints, f + 8),
        _floats(floats, ints, f + 9),
        _floats2(floats, ints, f + 10),
        _floats2(floats, ints, f + 11),
    )


def free_length(ints: Ints) -> int:
    """The length of the free vector the data was packed for."""
    return int(ints[FREE])


def claims(ints: Ints, family: int) -> int:
    """How many claims family number ``family`` has (its block's length)."""
    return int(ints[_AT_TABLE + 3 * (len(_ARRAYS) + family * len(_BLOCK_FLOATS)) + 1])


def own_slice(ints: Ints, family: int) -> tuple[int, int]:
    """Where family number ``family``'s own parameters sit in the free vector: (start, stop)."""
    start = ints[_AT_OWN + 2 * family]
    return start, start + ints[_AT_OWN + 2 * family + 1]


def _normal_block(x: Floats, grad: Floats, start: int, n: int, sd: float) -> float:
    """Normal(0, sd) priors of ``n`` values from ``start``."""
    total = 0.0
    for i in range(start, start + n):
        value, slope = dn.normal_prior(x[i], 0.0, sd)
        total += value
        grad[i] += slope
    return total


def _scale(x: Floats, grad: Floats, at: int, scale: float) -> tuple[float, float]:
    """A half-normal scale sampled as its log at ``at``: its value and its prior (the gradient added)."""
    value, prior, slope = dn.half_normal_log(x[at], scale)
    grad[at] += slope
    return value, prior


def log_density(x: Floats, grad: Floats, floats: Floats, ints: Ints, families: Callable[..., float]) -> float:
    """The log density at ``x``, its gradient written to ``grad``; ``families`` adds the claims' terms."""
    K, P, A, H, T, NF, S = ints[K_], ints[P_], ints[A_], ints[H_], ints[T_], ints[NF_], ints[S_]
    L = K - 1
    R = P + H + S
    at = ints[_AT_CORE : _AT_CORE + len(_CORE)]
    pr = _floats(floats, ints, PRIORS)
    grad[:] = 0.0
    total = 0.0

    # real history's curve: the hazard model's prior, history = mean + chol @ z (chol lower triangular)
    total += _normal_block(x, grad, at[HISTORY_Z], T * L, 1.0)
    history_mean = _floats2(floats, ints, HISTORY_MEAN)
    history_chol = _floats2(floats, ints, HISTORY_CHOL)
    history = np.empty((T, L))
    for t in range(T):
        for j in range(L):
            row = t * L + j
            value = history_mean[t, j]
            for c in range(row + 1):
                value += history_chol[row, c] * x[at[HISTORY_Z] + c]
            history[t, j] = value

    # the era scale
    sigma_era, prior = _scale(x, grad, at[SIGMA_ERA], pr[PRIOR.era_step_scale])
    total += prior
    total += _normal_block(x, grad, at[ERA_Z], T - 1, 1.0)
    walk = _floats2(floats, ints, ERA_WALK)
    walked = np.zeros(T)
    era = np.empty(T)
    for t in range(T):
        for step in range(T - 1):
            walked[t] += walk[t, step] * x[at[ERA_Z] + step]
        era[t] = sigma_era * walked[t]

    # divergences: real history at their year, changed by features and their own effect, scaled by the era
    X = _floats2(floats, ints, X_)
    if NF > 0:
        sd_of_feature = _floats(floats, ints, FEATURE_SD)
        for f in range(NF):
            total += _normal_block(x, grad, at[BETA] + f * L, L, sd_of_feature[f])
    sigma_u, prior = _scale(x, grad, at[SIGMA_U], pr[PRIOR.pod_sd_scale])
    total += prior
    total += _normal_block(x, grad, at[U_Z], (P - 1) * L, 1.0)
    year_weights = _floats2(floats, ints, YEAR_WEIGHTS)
    history_weights = _floats2(floats, ints, HISTORY_WEIGHTS)
    effect = np.zeros((P, L))
    scale = np.empty(P)
    E = np.zeros((R, K))
    for p in range(P):
        log_scale = 0.0
        for t in range(T):
            log_scale += year_weights[p, t] * era[t]
        scale[p] = math.exp(log_scale)
        for j in range(L):
            for f in range(NF):
                effect[p, j] += X[p, f] * x[at[BETA] + f * L + j]
            if p > 0:
                effect[p, j] += sigma_u * x[at[U_Z] + (p - 1) * L + j]
            for t in range(T):
                E[p, j] += year_weights[p, t] * history[t, j]
            E[p, j] += scale[p] * effect[p, j]
    for h in range(H):
        for j in range(L):
            for t in range(T):
                E[P + h, j] += history_weights[h, t] * history[t, j]
    # stacks (claims with a condition): the earliest year, the features' maximum, the members' own effects added
    stack_weights = _floats2(floats, ints, STACK_WEIGHTS)
    stack_X = _floats2(floats, ints, STACK_X)
    members = _floats2(floats, ints, STACK_MEMBERS)
    stack_effect = np.zeros((S, L))
    stack_scale = np.empty(S)
    for q in range(S):
        log_scale = 0.0
        for t in range(T):
            log_scale += stack_weights[q, t] * era[t]
        stack_scale[q] = math.exp(log_scale)
        for j in range(L):
            for f in range(NF):
                stack_effect[q, j] += stack_X[q, f] * x[at[BETA] + f * L + j]
            for p in range(1, P):
                stack_effect[q, j] += members[q, p] * sigma_u * x[at[U_Z] + (p - 1) * L + j]
            for t in range(T):
                E[P + H + q, j] += stack_weights[q, t] * history[t, j]
            E[P + H + q, j] += stack_scale[q] * stack_effect[q, j]

    # claimants: bias, noise, tendency, worldview; divergence points' unpredictability
    sigma_bias, prior = _scale(x, grad, at[SIGMA_BIAS], pr[PRIOR.bias_sd_scale])
    total += prior
    total += _normal_block(x, grad, at[BIAS_Z], A * K, 1.0)
    bias = np.empty((A, K))
    for a in range(A):
        for k in range(K):
            bias[a, k] = sigma_bias * x[at[BIAS_Z] + a * K + k]
    value, slope = dn.normal_prior(x[at[NOISE_LOG_MEAN]], pr[PRIOR.noise_log_mean], pr[PRIOR.noise_log_sd])
    total += value
    grad[at[NOISE_LOG_MEAN]] += slope
    noise_spread, prior = _scale(x, grad, at[NOISE_SPREAD], pr[PRIOR.noise_spread_scale])
    total += prior
    total += _normal_block(x, grad, at[NOISE_Z], A, 1.0)
    noise = np.empty(A)
    for a in range(A):
        noise[a] = math.exp(x[at[NOISE_LOG_MEAN]] + noise_spread * x[at[NOISE_Z] + a])
    tendency = np.zeros((A, K))
    sigma_tendency = 0.0
    if ints[HAS_TENDENCY]:
        total += _normal_block(x, grad, at[TENDENCY_MEAN], K, pr[PRIOR.tendency_mean_sd])
        sigma_tendency, prior = _scale(x, grad, at[SIGMA_TENDENCY], pr[PRIOR.tendency_sd_scale])
        total += prior
        total += _normal_block(x, grad, at[TENDENCY_Z], A * K, 1.0)
        for a in range(A):
            for k in range(K):
                tendency[a, k] = x[at[TENDENCY_MEAN] + k] + sigma_tendency * x[at[TENDENCY_Z] + a * K + k]
    W = np.zeros((A, K))
    loading = np.zeros(L)
    if ints[HAS_WORLDVIEW]:
        total += _normal_block(x, grad, at[WORLDVIEW], A, 1.0)
        loading[0], prior = _scale(x, grad, at[LOADING_FIRST], pr[PRIOR.worldview_loading_sd])
        total += prior
        total += _normal_block(x, grad, at[LOADING_REST], L - 1, pr[PRIOR.worldview_loading_sd])
        for j in range(1, L):
            loading[j] = x[at[LOADING_REST] + j - 1]
        for a in range(A):
            for j in range(L):
                W[a, j] = x[at[WORLDVIEW] + a] * loading[j]
    spread = np.zeros(R)
    named = _floats(floats, ints, NAMED)
    if ints[HAS_SPREAD]:
        for p in range(1, P):
            v, prior = _scale(x, grad, at[UNPREDICTABILITY] + p - 1, pr[PRIOR.unpredictability_scale])
            total += prior
            spread[p] = named[p] * v

    s = Shared(E, W, bias, noise, tendency, spread, history, era, pr)
    g = Shared(
        np.zeros((R, K)), np.zeros((A, K)), np.zeros((A, K)), np.zeros(A), np.zeros((A, K)), np.zeros(R),
        np.zeros((T, L)), np.zeros(T), pr,
    )  # fmt: skip
    total += families(floats, ints, x, grad, s, g)
    if at[SELECTION] >= 0:
        choices, candidate = _floats2(floats, ints, CHOICES), _floats(floats, ints, CANDIDATE)
        total += _choices(x, grad, at[SELECTION], choices, candidate, P, s, g)

    # backward: the shared quantities' gradients to the free parameters
    if ints[HAS_SPREAD]:
        for p in range(1, P):
            grad[at[UNPREDICTABILITY] + p - 1] += named[p] * g.spread[p] * spread[p]
    if ints[HAS_WORLDVIEW]:
        d_loading = np.zeros(L)
        for a in range(A):
            for j in range(L):
                grad[at[WORLDVIEW] + a] += g.W[a, j] * loading[j]
                d_loading[j] += g.W[a, j] * x[at[WORLDVIEW] + a]
        grad[at[LOADING_FIRST]] += d_loading[0] * loading[0]
        for j in range(1, L):
            grad[at[LOADING_REST] + j - 1] += d_loading[j]
    if ints[HAS_TENDENCY]:
        d_sigma = 0.0
        for a in range(A):
            for k in range(K):
                grad[at[TENDENCY_MEAN] + k] += g.tendency[a, k]
                grad[at[TENDENCY_Z] + a * K + k] += sigma_tendency * g.tendency[a, k]
                d_sigma += g.tendency[a, k] * x[at[TENDENCY_Z] + a * K + k]
        grad[at[SIGMA_TENDENCY]] += d_sigma * sigma_tendency
    d_sigma = 0.0
    for a in range(A):
        d_log_noise = g.noise[a] * noise[a]
        grad[at[NOISE_LOG_MEAN]] += d_log_noise
        grad[at[NOISE_Z] + a] += noise_spread * d_log_noise
        d_sigma += d_log_noise * x[at[NOISE_Z] + a]
    grad[at[NOISE_SPREAD]] += d_sigma * noise_spread
    d_sigma = 0.0
    for a in range(A):
        for k in range(K):
            grad[at[BIAS_Z] + a * K + k] += sigma_bias * g.bias[a, k]
            d_sigma += g.bias[a, k] * x[at[BIAS_Z] + a * K + k]
    grad[at[SIGMA_BIAS]] += d_sigma * sigma_bias

    d_history = g.history
    d_era = g.era
    for h in range(H):
        for j in range(L):
            for t in range(T):
                d_history[t, j] += history_weights[h, t] * g.E[P + h, j]
    d_sigma = 0.0
    for p in range(P):
        d_log_scale = 0.0
        for j in range(L):
            d_eta = g.E[p, j]
            d_effect = scale[p] * d_eta
            d_log_scale += d_effect * effect[p, j]
            for t in range(T):
                d_history[t, j] += year_weights[p, t] * d_eta
            for f in range(NF):
                grad[at[BETA] + f * L + j] += X[p, f] * d_effect
            if p > 0:
                grad[at[U_Z] + (p - 1) * L + j] += sigma_u * d_effect
                d_sigma += d_effect * x[at[U_Z] + (p - 1) * L + j]
        for t in range(T):
            d_era[t] += year_weights[p, t] * d_log_scale
    for q in range(S):
        d_log_scale = 0.0
        for j in range(L):
            d_eta = g.E[P + H + q, j]
            d_effect = stack_scale[q] * d_eta
            d_log_scale += d_effect * stack_effect[q, j]
            for t in range(T):
                d_history[t, j] += stack_weights[q, t] * d_eta
            for f in range(NF):
                grad[at[BETA] + f * L + j] += stack_X[q, f] * d_effect
            for p in range(1, P):
                if members[q, p] != 0.0:
                    grad[at[U_Z] + (p - 1) * L + j] += members[q, p] * sigma_u * d_effect
                    d_sigma += members[q, p] * d_effect * x[at[U_Z] + (p - 1) * L + j]
        for t in range(T):
            d_era[t] += stack_weights[q, t] * d_log_scale
    grad[at[SIGMA_U]] += d_sigma * sigma_u

    d_sigma = 0.0
    for t in range(T):
        d_sigma += d_era[t] * walked[t]
        for s_ in range(T - 1):
            grad[at[ERA_Z] + s_] += sigma_era * walk[t, s_] * d_era[t]
    grad[at[SIGMA_ERA]] += d_sigma * sigma_era

    for t in range(T):
        for j in range(L):
            row = t * L + j
            for c in range(row + 1):
                grad[at[HISTORY_Z] + c] += history_chol[row, c] * d_history[t, j]
    return total


def _choices(x: Floats, grad: Floats, at: int, choices: Floats, candidate: Floats, P: int, s: Any, g: Any) -> float:
    """The selection model (:mod:`cfprob.fitting.choices`): each choice's weighted log probability
    ``gamma * h_ad - log sum_c exp(gamma * h_ac)`` over the candidates ``c`` with its gradient, and gamma's
    normal prior. Each chooser's view of every candidate (``h``) is computed once, however many choices they
    made."""
    pr = s.priors
    gamma = x[at]
    total, slope = dn.normal_prior(gamma, pr[PRIOR.selection_mean], pr[PRIOR.selection_sd])
    grad[at] += slope
    A, K = s.W.shape[0], s.E.shape[1]
    seen = np.zeros(A, dtype=np.bool_)
    hope = np.zeros((A, P))
    slopes = np.zeros((A, P, K))
    d_hope = np.zeros((A, P))
    weights = np.zeros(P)
    for i in range(choices.shape[0]):
        a = int(choices[i, 0])
        if not seen[a]:
            seen[a] = True
            for c in range(1, P):
                if candidate[c] > 0.5:
                    hope[a, c] = dn.seen_logit(s, c, a, 1.0, HOPED_OUTCOME, slopes[a, c])
    for i in range(choices.shape[0]):
        a, chosen, w = int(choices[i, 0]), int(choices[i, 1]), choices[i, 2]
        top = -math.inf
        for c in range(1, P):
            if candidate[c] > 0.5:
                top = max(top, gamma * hope[a, c])
        norm = 0.0
        for c in range(1, P):
            if candidate[c] > 0.5:
                weights[c] = math.exp(gamma * hope[a, c] - top)
                norm += weights[c]
        total += w * (gamma * hope[a, chosen] - top - math.log(norm))
        mean_hope = 0.0
        for c in range(1, P):
            if candidate[c] > 0.5:
                p = weights[c] / norm
                mean_hope += p * hope[a, c]
                d_hope[a, c] -= w * gamma * p
        d_hope[a, chosen] += w * gamma
        grad[at] += w * (hope[a, chosen] - mean_hope)
    for a in range(A):
        if seen[a]:
            for c in range(1, P):
                if candidate[c] > 0.5:
                    dn.add_seen_grad(g, c, a, 1.0, slopes[a, c], d_hope[a, c])
    return total


def families_source() -> str:
    """The source of the function that adds every family's claims (one call per family, in model order)."""
    lines = ["def families(floats, ints, x, grad, s, g):", "    total = 0.0"]
    for i in range(len(FAMILIES)):
        lines += [
            f"    if claims(ints, {i}) > 0:",
            f"        start, stop = own_slice(ints, {i})",
            f"        total += density_{i}(block(floats, ints, {i}), s, g, x[start:stop], grad[start:stop])",
        ]
    return "\n".join([*lines, "    return total", ""])


def _plain_functions() -> list[Any]:
    """Every plain function Numba compiles into the log density."""
    kernels = [family.density for family in FAMILIES]
    assert all(k is not None for k in kernels), "every family has a hand-written density"
    return [
        *dn.HELPERS,
        *kernels,
        _floats,
        _floats2,
        _ints,
        block,
        claims,
        own_slice,
        free_length,
        _normal_block,
        _scale,
        _choices,
        log_density,
    ]


@cache
def source_key() -> str:
    """The hash of everything compiled into the log density: this module's source and the families' (read once
    per process)."""
    from cfprob.claims import base
    from cfprob.fitting import choices

    modules = {m for m in (inspect.getmodule(f) for f in _plain_functions()) if m is not None} | {base, choices}
    text = "\n".join(inspect.getsource(m) for m in sorted(modules, key=lambda m: m.__name__))
    return hashlib.sha256((text + families_source()).encode()).hexdigest()


def families_function() -> Any:
    """The plain function :func:`families_source` writes (it runs in Python too, slowly: for tests)."""
    env: dict[str, Any] = {"own_slice": own_slice, "block": block, "claims": claims}
    env.update({f"density_{i}": family.density for i, family in enumerate(FAMILIES)})
    namespace: dict[str, Any] = {}
    exec(compile(families_source(), "<cfprob families>", "exec"), env, namespace)
    return namespace["families"]


_REGISTERED: list[Any] = []
"""The families function once :func:`register` has run in this process (registering twice would add a second
overload of every function)."""


def register() -> Any:
    """Let Numba compile the plain functions (once per process); returns the function that adds the families'
    terms."""
    if _REGISTERED:
        return _REGISTERED[0]
    from numba.extending import register_jitable

    # numpy's error model: a division by zero far out in the tails gives inf or nan, which the callback reports
    # to nutpie as a point of zero density, instead of raising an exception nothing can catch
    for function in [*_plain_functions(), families := families_function()]:
        register_jitable(error_model="numpy")(function)
    _REGISTERED.append(families)
    return families
