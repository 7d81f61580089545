"""Answer questions from a fit with numpy alone: no PyMC, no refit.

A fit holds posterior draws of every divergence point's outcome probabilities (``theta``) and of the
model's parameters. A named divergence point is read off directly. A stack of several (``run A B``)
or a point described only by features is predicted from the parameters — an extrapolation, and labelled
so:

- stack: features combined by their maximum, the year effect of the earliest (history diverges there),
  per-PoD effects added: ``alpha + max(X_A, X_B) @ beta + f(min(year_A, year_B)) + u_A + u_B``.
  Adding the per-PoD effects assumes they are independent; where two divergence points share a cause the
  stack counts it twice, and divergence points that exclude each other (two successors in one year) should
  not be stacked at all.
- features: ``alpha + x @ beta + mean f + sigma_u * z`` with a fresh ``z ~ Normal(0, 1)`` per draw (a
  divergence at no particular time gets the year effect's mean over the knots); features added to named
  divergence points raise their features (maximum) and keep their fitted year and per-PoD effects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from cfprob.errors import QueryError
from cfprob.fitting.design import softmax_last
from cfprob.fitting.provenance import CREDIBLE_MASS, SEMANTICS
from cfprob.reading.fields import did_you_mean
from cfprob.reading.scenario import OTL

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "Answer",
    "Fit",
    "OutcomeRow",
    "answer",
    "check_outcome",
    "check_pods",
    "check_question",
    "compare",
    "simulate_histories",
    "summarise",
]

Floats = NDArray[np.float64]


def _stacked(posterior: xr.Dataset, name: str) -> Floats:
    values = np.asarray(posterior[name].values, dtype=float)
    return values.reshape(-1, *values.shape[2:])


@dataclass(frozen=True)
class Fit:
    """Posterior draws of a fitted scenario (chains stacked), with its provenance attributes."""

    outcomes: tuple[str, ...]
    pods: tuple[str, ...]
    features: tuple[str, ...]
    X: Floats
    theta: Floats
    alpha: Floats
    beta: Floats
    u: Floats
    sigma_u: Floats
    knots: Floats
    """The year effect's knots (years)."""
    year_weights: Floats
    """(pods, knots): each divergence point's year as interpolation weights on the knots (otl: 0)."""
    year_effect: Floats
    """(draws, knots, outcomes - 1): the year effect at the knots."""
    attrs: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_tree(cls, tree: xr.DataTree) -> Fit:
        posterior = tree["posterior"].to_dataset()
        design = tree["design"].to_dataset()
        features = tuple(str(f) for f in design["feature"].values) if "feature" in design.coords else ()
        n_draws = posterior.sizes["chain"] * posterior.sizes["draw"]
        k1 = posterior.sizes["logit_outcome"]
        return cls(
            outcomes=tuple(str(o) for o in posterior["outcome"].values),
            pods=tuple(str(p) for p in posterior["pod"].values),
            features=features,
            X=np.asarray(design["X"].values, dtype=float),
            theta=_stacked(posterior, "theta"),
            alpha=_stacked(posterior, "alpha"),
            beta=_stacked(posterior, "beta") if "beta" in posterior else np.zeros((n_draws, 0, k1)),
            u=_stacked(posterior, "u"),
            sigma_u=_stacked(posterior, "sigma_u"),
            knots=np.asarray(design["knot"].values, dtype=float),
            year_weights=np.asarray(design["year_weights"].values, dtype=float),
            year_effect=_stacked(posterior, "year_effect"),
            attrs={str(k): v for k, v in tree.attrs.items()},
        )

    @property
    def pod_years(self) -> tuple[int | None, ...]:
        """Each divergence point's year, read back from its interpolation weights (otl: None)."""
        return tuple(round(float(w @ self.knots)) if w.sum() > 0.5 else None for w in self.year_weights)

    @property
    def n_draws(self) -> int:
        return int(self.theta.shape[0])

    def index(self, pod: str) -> int:
        check_pods(self.pods, (pod,))
        return self.pods.index(pod)


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome of an answer: probability and its change against real history, with intervals."""

    outcome: str
    mean: float
    low: float
    high: float
    change_mean: float
    change_low: float
    change_high: float
    p_raise: float


@dataclass(frozen=True)
class Answer:
    """What cfprob reports for one question."""

    label: str
    pods: tuple[str, ...]
    features: Mapping[str, float]
    extrapolation: bool
    rows: tuple[OutcomeRow, ...]
    histories: Mapping[str, int]
    n_draws: int

    def row(self, outcome: str) -> OutcomeRow:
        return next(r for r in self.rows if r.outcome == outcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.label,
            "pods": list(self.pods),
            "features": dict(self.features),
            "extrapolation": self.extrapolation,
            "outcomes": {
                r.outcome: {
                    "mean": r.mean,
                    "interval": [r.low, r.high],
                    "change_vs_otl": {"mean": r.change_mean, "interval": [r.change_low, r.change_high]},
                    "p_raises": r.p_raise,
                    "simulated_histories": self.histories[r.outcome],
                }
                for r in self.rows
            },
            "posterior_draws": self.n_draws,
            "credible_interval": f"central {CREDIBLE_MASS:.0%}",
            "semantics": SEMANTICS,
        }


def summarise(
    draws: Floats, baseline: Floats, outcomes: Sequence[str], mass: float = CREDIBLE_MASS
) -> tuple[OutcomeRow, ...]:
    """Mean, central interval, change against ``baseline`` and P(raise), per outcome.

    Both arrays are (draws, outcomes), paired draw by draw.
    """
    tail = (1.0 - mass) / 2.0
    change = draws - baseline
    rows = []
    for k, outcome in enumerate(outcomes):
        low, high = np.quantile(draws[:, k], [tail, 1.0 - tail])
        c_low, c_high = np.quantile(change[:, k], [tail, 1.0 - tail])
        rows.append(
            OutcomeRow(
                outcome=outcome,
                mean=float(draws[:, k].mean()),
                low=float(low),
                high=float(high),
                change_mean=float(change[:, k].mean()),
                change_low=float(c_low),
                change_high=float(c_high),
                p_raise=float((change[:, k] > 0).mean()),
            )
        )
    return tuple(rows)


def simulate_histories(draws: Floats, outcomes: Sequence[str], rng: np.random.Generator) -> dict[str, int]:
    """One simulated history per posterior draw: its outcome drawn from that draw's probabilities."""
    cumulative = np.cumsum(draws, axis=1)
    picks = (rng.random(len(draws))[:, None] > cumulative).sum(axis=1)
    picks = np.minimum(picks, len(outcomes) - 1)
    counts = np.bincount(picks, minlength=len(outcomes))
    return {o: int(c) for o, c in zip(outcomes, counts, strict=True)}


def check_pods(known_pods: Sequence[str], pods: Sequence[str]) -> None:
    """Raise :class:`QueryError` for the first of ``pods`` that is not a known divergence point."""
    for pod in pods:
        if pod not in known_pods:
            raise QueryError(f'divergence point "{pod}": not in this scenario{did_you_mean(pod, known_pods)}')


def check_outcome(known_outcomes: Sequence[str], outcome: str) -> None:
    """Raise :class:`QueryError` unless ``outcome`` is one of the scenario's outcomes."""
    if outcome not in known_outcomes:
        raise QueryError(f'outcome "{outcome}": not in this scenario{did_you_mean(outcome, known_outcomes)}')


def check_question(
    known_pods: Sequence[str], known_features: Sequence[str], pods: Sequence[str], features: Mapping[str, float]
) -> None:
    """Raise :class:`QueryError` unless the question can be answered (checked before any fitting)."""
    if not pods and not features:
        raise QueryError("a question needs at least one divergence point or feature")
    check_pods(known_pods, pods)
    if len(set(pods)) > 1 and OTL in pods:
        raise QueryError(f'divergence point "{OTL}" (real history) cannot be stacked with others')
    if features and OTL in pods:
        raise QueryError(f'divergence point "{OTL}" (real history) cannot be given features')
    for name, value in features.items():
        if name not in known_features:
            raise QueryError(f'feature "{name}": not in this scenario{did_you_mean(name, known_features)}')
        if not (np.isfinite(value) and 0.0 <= value <= 1.0):
            raise QueryError(f'feature "{name}": expected a number in [0, 1], found {value:g}')


def _feature_vector(fit: Fit, features: Mapping[str, float]) -> Floats:
    x = np.zeros(len(fit.features))
    for name, value in features.items():
        x[fit.features.index(name)] = value
    return x


def _year_term(fit: Fit, idx: Sequence[int]) -> Floats:
    """The year effect of the earliest of the divergence points ``idx``; its mean when there are none."""
    if not idx:
        result: Floats = fit.year_effect.mean(axis=1)
        return result
    years = fit.pod_years
    earliest = min(idx, key=lambda i: years[i] or 0)
    result = np.einsum("j,sjk->sk", fit.year_weights[earliest], fit.year_effect)
    return result


def _draws(
    fit: Fit, pods: Sequence[str], features: Mapping[str, float], rng: np.random.Generator
) -> tuple[Floats, bool]:
    if len(pods) == 1 and not features:
        return fit.theta[:, fit.index(pods[0])], False
    idx = [fit.index(p) for p in pods]
    x = _feature_vector(fit, features)
    for i in idx:
        x = np.maximum(x, fit.X[i])
    # named divergence points bring their own fitted effects; a new one a fresh effect from the fitted spread
    own = fit.u[:, idx].sum(axis=1) if pods else fit.sigma_u[:, None] * rng.standard_normal(fit.alpha.shape)
    eta = fit.alpha + np.einsum("f,sfk->sk", x, fit.beta) + _year_term(fit, idx) + own
    return softmax_last(eta), True


def answer(
    fit: Fit,
    pods: Sequence[str] = (),
    features: Mapping[str, float] | None = None,
    seed: int = 0,
) -> Answer:
    """The answer for a divergence point, a stack of them, or one described by features."""
    features = dict(features or {})
    pods = tuple(dict.fromkeys(pods))
    check_question(fit.pods, fit.features, pods, features)
    rng = np.random.default_rng(seed)
    draws, extrapolation = _draws(fit, pods, features, rng)
    baseline = fit.theta[:, fit.index(OTL)]
    parts = list(pods) + [f"{k}={v:g}" for k, v in features.items()]
    return Answer(
        label=" + ".join(parts),
        pods=pods,
        features=features,
        extrapolation=extrapolation,
        rows=summarise(draws, baseline, fit.outcomes),
        histories=simulate_histories(draws, fit.outcomes, rng),
        n_draws=fit.n_draws,
    )


def compare(fit: Fit, pods: Sequence[str] = (), by: str | None = None, seed: int = 0) -> tuple[Answer, ...]:
    """Answers for ``pods`` (all, by default), ranked by the mean probability of outcome ``by``."""
    by = by or fit.outcomes[0]
    check_outcome(fit.outcomes, by)
    chosen = tuple(pods) or fit.pods
    answers = [answer(fit, (p,), seed=seed) for p in chosen]
    return tuple(sorted(answers, key=lambda a: -a.row(by).mean))
