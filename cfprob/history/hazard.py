"""Real history from data: a discrete-time competing-risks hazard model over regime-years.

Each year a regime is alive it may end, in one of the scenario's outcomes, or survive the year. For regime
``i`` in year ``y`` at age ``a`` (years since its start), the log odds of ending in outcome ``k`` that year
(against surviving it) are

    eta_k(i, y) = mu_k + period(y) + period_k(y) + age_k * log1p(a) + frailty_i + tilt_ik

- ``mu_k``: the base rate of each ending;
- ``period(y)``: a random walk over 5-year periods shared by every ending (the 1989-91 wave is a period
  effect: 15 of the reference class's 16 endings fall in 1989-93), ``period_k(y)`` each ending's own smaller
  walk around it;
- ``age_k``: how the hazard of each ending changes with the regime's age;
- ``frailty_i`` and ``tilt_ik``: how regime ``i`` differs from its class, in how likely it is to end at all
  and in how it ends. With at most one ending per regime their spreads cannot be learned from the data: they
  are assumptions (:class:`HazardPriors`), stated where the answers are reported.

Every prior is normal with fixed scales, so the log posterior is concave; it is maximised by Newton's method
and the posterior approximated by the normal at its mode (Laplace), whose draws give real history's curve:
``P(outcome by the horizon | alive at the start of year t)``, from the hazards of the case at hand (its own
frailty and tilt included, learned from its observed years and its ending). A case still there at the horizon
counts for the survival outcome.

Pure numpy; a fit of the bundled reference class takes a few hundredths of a second.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import numpy as np
from numpy.typing import NDArray

from cfprob.history.regimes import Regime, RegimeYears, regime_years

__all__ = [
    "PERIOD_YEARS",
    "HazardFit",
    "HazardPriors",
    "HazardSpec",
    "curve_draws",
    "fit_hazards",
    "outcome_probabilities",
]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

PERIOD_YEARS = 5
"""Years per step of the period walks."""


@dataclass(frozen=True)
class HazardPriors:
    """The hazard model's fixed prior scales (log odds per year). Changing a default changes the model:
    bump :data:`cfprob.fitting.provenance.MODEL_VERSION` with it."""

    base_mean: float = -5.0
    """Prior mean of each ending's log odds per year (about 0.7% a year)."""
    base_sd: float = 2.0
    period_step: float = 1.0
    """Sd of the shared period walk's step per 5 years (a tenfold change in the hazard within ten years is
    within two sd)."""
    type_step: float = 0.3
    """Sd of each ending's own walk's step per 5 years, around the shared one."""
    age_sd: float = 0.5
    """Prior sd of each ending's slope on log(1 + age)."""
    frailty_sd: float = 0.5
    """Assumed spread of regimes' overall hazard (not learnable with at most one ending per regime)."""
    tilt_sd: float = 1.0
    """Assumed spread of how a regime's endings lean away from its class's shares (not learnable either)."""

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(v) for f, v in zip(fields(self), astuple(self), strict=True)}


@dataclass(frozen=True)
class HazardSpec:
    """The layout of the hazard model's parameters for a set of regimes."""

    n_outcomes: int
    n_regimes: int
    first_year: int
    n_periods: int

    @property
    def sizes(self) -> dict[str, int]:
        k, steps = self.n_outcomes, self.n_periods - 1
        return {
            "base": k,
            "period": steps,
            "period_type": k * steps,
            "age": k,
            "frailty": self.n_regimes,
            "tilt": self.n_regimes * k,
        }

    @property
    def size(self) -> int:
        return sum(self.sizes.values())

    def offsets(self) -> dict[str, slice]:
        out, at = {}, 0
        for name, n in self.sizes.items():
            out[name] = slice(at, at + n)
            at += n
        return out

    def period(self, years: Ints) -> Ints:
        return np.clip((np.asarray(years) - self.first_year) // PERIOD_YEARS, 0, self.n_periods - 1)

    def design(self, regime: Ints, year: Ints, age: Ints) -> Floats:
        """The design matrices (outcomes, rows, parameters): row ``r``'s log odds of ending ``k`` is
        ``design[k, r] @ parameters``. Rows of regime -1 (one not in the fit) get no frailty or tilt."""
        k, rows = self.n_outcomes, len(year)
        at = self.offsets()
        walk = np.tril(np.ones((self.n_periods, self.n_periods)), -1)[:, 1:] if self.n_periods > 1 else None
        z = np.zeros((k, rows, self.size))
        steps = self.n_periods - 1
        for j in range(k):
            z[j, :, at["base"].start + j] = 1.0
            if walk is not None:
                w = walk[self.period(year)]
                z[j, :, at["period"]] = w
                z[j, :, at["period_type"].start + j * steps : at["period_type"].start + (j + 1) * steps] = w
            z[j, :, at["age"].start + j] = np.log1p(age)
            mine = np.flatnonzero(np.asarray(regime) >= 0)  # a new regime (-1) has no effects of its own here
            z[j, mine, at["frailty"].start + regime[mine]] = 1.0
            z[j, mine, at["tilt"].start + regime[mine] * k + j] = 1.0
        return z

    def prior(self, priors: HazardPriors) -> tuple[Floats, Floats]:
        """Prior means and precisions of the parameters."""
        at = self.offsets()
        mean, sd = np.zeros(self.size), np.ones(self.size)
        mean[at["base"]] = priors.base_mean
        sd[at["base"]] = priors.base_sd
        sd[at["period"]] = priors.period_step
        sd[at["period_type"]] = priors.type_step
        sd[at["age"]] = priors.age_sd
        sd[at["frailty"]] = priors.frailty_sd
        sd[at["tilt"]] = priors.tilt_sd
        return mean, 1.0 / sd**2


@dataclass(frozen=True)
class HazardFit:
    """The posterior mode and the Laplace approximation's Cholesky factor of the precision."""

    spec: HazardSpec
    mode: Floats
    precision_chol: Floats
    regimes: tuple[Regime, ...]
    iterations: int

    def draws(self, n: int, seed: int) -> Floats:
        """``n`` draws (n, parameters) from the normal approximation of the posterior."""
        z = np.random.default_rng(seed).standard_normal((n, self.spec.size))
        # precision = L L^T, so L^-T z has covariance (L L^T)^-1
        offsets = np.linalg.solve(self.precision_chol.T, z.T).T
        return self.mode + offsets


def _probabilities(eta: Floats) -> Floats:
    """(…, K) log odds against surviving → (…, K + 1) probabilities of each ending and (last) of surviving."""
    full = np.concatenate([eta, np.zeros((*eta.shape[:-1], 1))], axis=-1)
    top = full.max(axis=-1, keepdims=True)
    e = np.exp(full - top)
    result: Floats = e / e.sum(axis=-1, keepdims=True)
    return result


def fit_hazards(
    regimes: list[Regime], n_outcomes: int, last_year: int, priors: HazardPriors | None = None
) -> HazardFit:
    """The posterior mode of the hazard model for ``regimes`` (Newton's method on the concave log posterior)
    and its Laplace approximation. ``last_year``: the last year the period walks must reach (the horizon)."""
    priors = priors or HazardPriors()
    rows: RegimeYears = regime_years(regimes)
    first = min([r.start for r in regimes])
    last = max([last_year, *[r.last for r in regimes]])
    spec = HazardSpec(n_outcomes, len(regimes), first, (last - first) // PERIOD_YEARS + 1)
    z = spec.design(rows.regime, rows.year, rows.age)
    y = np.zeros((n_outcomes, len(rows.year)))
    ended = rows.event >= 0
    y[rows.event[ended], np.flatnonzero(ended)] = 1.0
    prior_mean, precision = spec.prior(priors)

    def log_posterior(theta: Floats) -> float:
        eta = np.einsum("krp,p->rk", z, theta)
        log_norm = np.logaddexp.reduce(np.concatenate([eta, np.zeros((len(eta), 1))], axis=1), axis=1)
        return float((y.T * eta).sum() - log_norm.sum() - 0.5 * (precision * (theta - prior_mean) ** 2).sum())

    def slope_and_curvature(theta: Floats) -> tuple[Floats, Floats]:
        """The log posterior's gradient and its negative Hessian (the posterior precision at ``theta``)."""
        p = _probabilities(np.einsum("krp,p->rk", z, theta))[:, :n_outcomes]
        gradient = np.einsum("krp,rk->p", z, y.T - p) - precision * (theta - prior_mean)
        curvature = np.diag(precision)
        for k in range(n_outcomes):
            for j in range(n_outcomes):
                weight = p[:, k] * ((k == j) - p[:, j])
                curvature = curvature + (z[k] * weight[:, None]).T @ z[j]
        return gradient, curvature

    theta = prior_mean.copy()
    current = log_posterior(theta)
    iterations = 0
    for iterations in range(1, 101):  # noqa: B007 (reported)
        gradient, curvature = slope_and_curvature(theta)
        step = np.linalg.solve(curvature, gradient)
        size = 1.0
        while True:
            proposal = theta + size * step
            value = log_posterior(proposal)
            if value >= current - 1e-12 or size < 1e-6:
                break
            size /= 2
        theta, change, current = proposal, value - current, value
        if abs(change) < 1e-10 and np.max(np.abs(size * step)) < 1e-8:
            break
    _, curvature = slope_and_curvature(theta)
    return HazardFit(spec, theta, np.linalg.cholesky(curvature), tuple(regimes), iterations)


def outcome_probabilities(
    fit: HazardFit,
    parameters: Floats,
    regime: int,
    start: int,
    years: Floats,
    horizon: int,
    survival: int,
    effects: Floats | None = None,
) -> Floats:
    """P(outcome by the horizon | alive at the start of each year in ``years``) for regime number ``regime``
    (first year ``start``), one row per draw of ``parameters`` (S, P): (S, years, K).

    A regime alive at the start of year ``t`` ends in ``k`` in year ``u`` (t <= u <= horizon) with probability
    ``S(t, u) h_k(u)``, where ``S(t, u)`` is the probability of surviving the years t..u-1; still there after
    the horizon, it counts for ``survival``. ``regime`` -1 is a regime not in the fit, whose frailty and tilt
    are ``effects`` (S, K), added to every year's log odds (drawn from their priors by the caller).
    """
    spec = fit.spec
    k = spec.n_outcomes
    first = int(min(np.min(years), horizon))
    span = np.arange(first, horizon + 1)
    z = spec.design(np.full(len(span), regime), span, np.maximum(span - start, 0))
    eta = np.einsum("krp,sp->srk", z, parameters)
    if effects is not None:
        eta = eta + effects[:, None, :]
    probabilities = _probabilities(eta)
    hazard, survive = probabilities[..., :k], probabilities[..., k]
    # log S(first, u) for u = first .. horizon + 1
    log_alive = np.concatenate([np.zeros((len(parameters), 1)), np.cumsum(np.log(survive), axis=1)], axis=1)
    ending = np.exp(log_alive[:, :-1, None]) * hazard  # ends in year u, alive at `first`
    from_end = np.cumsum(ending[:, ::-1], axis=1)[:, ::-1]  # ends in year u or later
    index = np.clip(np.asarray(years, dtype=int) - first, 0, len(span))
    at = np.concatenate([from_end, np.zeros((len(parameters), 1, k))], axis=1)[:, index]
    alive_at = np.exp(log_alive[:, index])
    result = at / alive_at[..., None]
    result[..., survival] += np.exp(log_alive[:, -1][:, None] - log_alive[:, index])
    return result


def curve_draws(fit: HazardFit, knots: Floats, horizon: int, survival: int, n: int = 4000, seed: int = 0) -> Floats:
    """Draws (n, knots, K) of real history's curve: the case at hand (the last regime) at each knot."""
    case = fit.regimes[-1]
    return outcome_probabilities(fit, fit.draws(n, seed), len(fit.regimes) - 1, case.start, knots, horizon, survival)
