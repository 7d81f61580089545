"""Answer questions from a fit with numpy alone: no PyMC, no refit.

A fit holds posterior draws of every divergence point's outcome probabilities (``theta``), of real history's
dated curve (``history``, logits at the knots) and of the model's parameters. A named divergence point is
read off directly and compared with real history *at its year*. Anything else is predicted from the
parameters with the model's own equation (:mod:`cfprob.fitting.world`) — an extrapolation, and labelled so:

- ``--year Y`` with features ``x``: ``history(Y) + exp(era(Y)) * (x @ beta)``: a divergence in year ``Y``
  described by its features alone (its own further effect, which named divergence points have, is set to
  its median, zero); with no features it is real history at ``Y``, exactly.
- a stack (``run A B``): the earliest year (history diverges there), features combined by their maximum and
  the own effects added: ``history(t) + exp(era(t)) * (max(X_A, X_B) @ beta + u_A + u_B)``. Adding the own
  effects assumes they are independent; divergence points that exclude each other should not be stacked.
- features added to named divergence points raise their features (maximum) and keep their year and own
  effects.

Counterfactuals given what happened (``given_history``, Pearl's rung 3): the outcome is modelled as a
Gumbel-max structural model, ``outcome = argmax_k (log p_k + g_k)`` with independent standard Gumbel noise
``g`` shared by the real and the counterfactual world (Oberst and Sontag 2019). The noise is inferred from
the observed outcome under real history's probabilities at the divergence's year, then the divergence's
probabilities are applied to the same noise. A divergence that changes nothing gives the observed outcome
with probability 1.

Worldviews (``worldview``): the answer is at the population's average worldview. ``"low"`` and ``"high"``
see the divergence as a claimant at the population's 10th or 90th percentile of the worldview dimension
would: its logits shifted by ``w * lambda`` with ``w`` = -1.28 or +1.28 and each draw's loadings
``lambda``; real history, which every claimant sees alike, is not shifted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from cfprob.answers.sources import PodSources, Sources
from cfprob.errors import QueryError
from cfprob.fitting.design import interpolation_weights, softmax_last
from cfprob.fitting.provenance import CREDIBLE_MASS, RUNG3_SEMANTICS, SEMANTICS
from cfprob.reading.fields import did_you_mean
from cfprob.reading.scenario import OTL

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "WORLDVIEW_ENDS",
    "Answer",
    "ChainStep",
    "Fit",
    "OutcomeRow",
    "answer",
    "check_outcome",
    "check_pods",
    "check_question",
    "compare",
    "seen_from",
    "simulate_histories",
    "summarise",
]

Floats = NDArray[np.float64]
WORLDVIEW_ENDS = {"low": -1.2816, "high": 1.2816}
"""Positions ``--worldview low|high`` see from: the population's 10th and 90th percentile worldview."""


def _sources(tree: xr.DataTree) -> Sources | None:
    from cfprob.answers.find_sources import read_sources

    return read_sources(tree)


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
    """The timeline's knots (years)."""
    year_weights: Floats
    """(pods, knots): each divergence point's year as interpolation weights on the knots (otl: the start)."""
    history: Floats
    """(draws, knots, outcomes - 1): real history's logits at the knots."""
    era: Floats
    """(draws, knots): the era scale (log of what a divergence can change) at the knots."""
    observed_outcome: str
    observed_year: int
    attrs: Mapping[str, Any] = field(default_factory=dict)
    worldview_loading: Floats | None = None
    """(draws, outcomes - 1): the worldview dimension's loadings; None for a fit without the factor."""
    plausibility: Floats | None = None
    """(draws, divergence points but otl): how plausible each divergence itself is (logits); None without
    antecedent claims."""
    antecedent_pods: tuple[str, ...] = ()
    """The divergence points antecedent claims speak of (the others' plausibility is only its prior)."""
    antecedent_after: tuple[str, ...] = ()
    """The steps of chains antecedent claims speak of, each ``"pod>previous"``: that point's plausibility is
    P(pod | previous)."""
    sources: Sources | None = None
    """Where each divergence point's answer comes from (None for a fit made without them)."""

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
            history=_stacked(posterior, "history"),
            era=_stacked(posterior, "era"),
            observed_outcome=str(design.attrs["observed_outcome"]),
            observed_year=int(design.attrs["observed_year"]),
            attrs={str(k): v for k, v in tree.attrs.items()},
            worldview_loading=_stacked(posterior, "worldview_loading") if "worldview_loading" in posterior else None,
            plausibility=_stacked(posterior, "plausibility") if "plausibility" in posterior else None,
            antecedent_pods=tuple(p for p in str(design.attrs.get("antecedent_pods", "")).split(",") if p),
            antecedent_after=tuple(p for p in str(design.attrs.get("antecedent_after", "")).split(",") if p),
            sources=_sources(tree),
        )

    @property
    def steps(self) -> dict[str, str]:
        """Divergence point -> the step it follows, where antecedent claims name one."""
        return {pod: previous for pod, previous in (step.split(">", 1) for step in self.antecedent_after)}

    @property
    def pod_years(self) -> tuple[int, ...]:
        """Each divergence point's year, read back from its interpolation weights (otl: the timeline's start)."""
        return tuple(round(float(w @ self.knots)) for w in self.year_weights)

    @property
    def timeline(self) -> tuple[int, int]:
        return int(self.knots[0]), int(self.knots[-1])

    def weights(self, year: int) -> Floats:
        """Interpolation weights of ``year`` on the knots (knots,)."""
        result: Floats = interpolation_weights(np.asarray([float(year)]), self.knots)[0]
        return result

    def history_at(self, year: int) -> Floats:
        """Real history's outcome probabilities given history up to ``year``: (draws, outcomes)."""
        return softmax_last(np.einsum("j,sjk->sk", self.weights(year), self.history))

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
class ChainStep:
    """One step of a chain to a divergence: the point, the step it follows (None for the first), and its
    plausibility given that step (mean, central interval; None when no antecedent claim speaks of it)."""

    pod: str
    after: str | None
    plausibility: tuple[float, float, float] | None

    def to_dict(self) -> dict[str, Any]:
        shown = self.plausibility
        return {
            "pod": self.pod,
            "after": self.after,
            "plausibility": None if shown is None else {"mean": shown[0], "interval": list(shown[1:])},
        }


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
    year: int
    """The year of divergence: real history at this year is what the change is measured against."""
    given_history: bool = False
    """Rung 3: conditioned on real history's observed outcome (Gumbel-max counterfactual)."""
    extrapolation_note: str = ""
    worldview: str | None = None
    """The end of the worldview dimension the divergence is seen from ("low", "high"); None: the average."""
    plausibility: tuple[float, float, float] | None = None
    """How plausible the divergence itself is (mean, central interval), from antecedent claims; None without
    them or for anything but one named divergence point. Not part of the outcome probabilities."""
    sources: PodSources | None = None
    """Where the answer comes from (one named divergence point, rung 2, the average worldview); else None."""
    chain: tuple[ChainStep, ...] = ()
    """The steps to the divergence where antecedent claims make it a chain (a point that follows another,
    ``after``), first step first; empty otherwise."""
    chain_plausibility: tuple[float, float, float] | None = None
    """The chain's plausibility, the product of its steps' (mean, central interval); None without a chain or
    when a step has no antecedent claim (its plausibility would be its prior)."""

    def row(self, outcome: str) -> OutcomeRow:
        return next(r for r in self.rows if r.outcome == outcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.label,
            "pods": list(self.pods),
            "features": dict(self.features),
            "year": self.year,
            "extrapolation": self.extrapolation,
            "extrapolation_note": self.extrapolation_note,
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
            "semantics": RUNG3_SEMANTICS if self.given_history else SEMANTICS,
            "plausibility": (
                None
                if self.plausibility is None
                else {"mean": self.plausibility[0], "interval": [self.plausibility[1], self.plausibility[2]]}
            ),
            "chain": [step.to_dict() for step in self.chain],
            "chain_plausibility": (
                None
                if self.chain_plausibility is None
                else {"mean": self.chain_plausibility[0], "interval": list(self.chain_plausibility[1:])}
            ),
            "worldview": (
                {"end": self.worldview, "position": WORLDVIEW_ENDS[self.worldview]}
                if self.worldview
                else {"end": "average", "position": 0.0}
            ),
            "where_it_comes_from": None if self.sources is None else self.sources.to_dict(self.outcomes),
        }

    @property
    def outcomes(self) -> tuple[str, ...]:
        return tuple(r.outcome for r in self.rows)


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
    known_pods: Sequence[str],
    known_features: Sequence[str],
    pods: Sequence[str],
    features: Mapping[str, float],
    year: int | None = None,
    timeline: tuple[int, int] | None = None,
) -> None:
    """Raise :class:`QueryError` unless the question can be answered (checked before any fitting)."""
    if not pods and year is None:
        raise QueryError("a question needs a divergence point or a year (--year), with features or without")
    if pods and year is not None:
        raise QueryError("a question names divergence points or a year (--year), not both")
    if year is not None and timeline is not None and not timeline[0] <= year <= timeline[1]:
        raise QueryError(f"year {year}: expected a year of the timeline, {timeline[0]} to {timeline[1]}")
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


def _divergence(fit: Fit, year: int, x: Floats, own: Floats | float) -> Floats:
    """The outcome probabilities (draws, outcomes) of a divergence in ``year`` with features ``x`` and own
    effect ``own``: ``history(year) + exp(era(year)) * (x @ beta + own)``."""
    w = fit.weights(year)
    scale = np.exp(fit.era @ w)[:, None]
    eta = np.einsum("j,sjk->sk", w, fit.history) + scale * (np.einsum("f,sfk->sk", x, fit.beta) + own)
    return softmax_last(eta)


def _draws(fit: Fit, pods: Sequence[str], features: Mapping[str, float], year: int | None) -> tuple[Floats, int]:
    """The question's outcome probabilities per draw, and its year of divergence."""
    if year is not None:
        return _divergence(fit, year, _feature_vector(fit, features), 0.0), year
    idx = [fit.index(p) for p in pods]
    years = fit.pod_years
    earliest = min(years[i] for i in idx)
    if len(pods) == 1 and not features:
        return fit.theta[:, idx[0]], earliest
    x = _feature_vector(fit, features)
    for i in idx:
        x = np.maximum(x, fit.X[i])
    return _divergence(fit, earliest, x, fit.u[:, idx].sum(axis=1)), earliest


def _extrapolation(fit: Fit, pods: Sequence[str], features: Mapping[str, float], year: int | None) -> str:
    """Why the answer is an extrapolation ("" when it is read off a fitted divergence point)."""
    if year is None:
        return "" if len(pods) == 1 and not features else "predicted from the fitted parameters, not fitted itself"
    dated = [y for p, y in zip(fit.pods, fit.pod_years, strict=True) if p != OTL]
    if dated and not min(dated) <= year <= max(dated):
        return f"year {year} lies outside the divergence points' years, {min(dated)} to {max(dated)}"
    return "a divergence described by its features alone, predicted from the fitted parameters" if features else ""


def counterfactual_given_history(
    real: Floats, divergence: Floats, observed: int, rng: np.random.Generator, samples: int = 200
) -> Floats:
    """Rung 3: P(outcome in the divergent world | the real world had outcome ``observed``), per draw.

    Gumbel-max structural model shared by both worlds (Oberst and Sontag 2019): for each draw, ``samples``
    noise vectors are drawn from the posterior of the Gumbel noise given that ``argmax(log real + g)`` was
    ``observed`` (the maximum is a standard Gumbel; the other outcomes' perturbed values are Gumbels truncated
    below it), and the divergent world's outcome is ``argmax(log divergence + g)``. Both arrays are
    (draws, outcomes); returns (draws, outcomes).
    """
    s, k = real.shape
    log_real = np.log(np.clip(real, 1e-300, 1.0))
    top = rng.gumbel(size=(s, samples, 1))
    free = log_real[:, None, :] + rng.gumbel(size=(s, samples, k))
    below = -np.log(np.exp(-top) + np.exp(-free))  # Gumbel(log p_k) truncated at the maximum
    perturbed = np.where(np.arange(k) == observed, top, below)
    noise = perturbed - log_real[:, None, :]
    picks = np.argmax(np.log(np.clip(divergence, 1e-300, 1.0))[:, None, :] + noise, axis=-1)
    result: Floats = (picks[..., None] == np.arange(k)).mean(axis=1)
    return result


def seen_from(fit: Fit, draws: Floats, worldview: str) -> Floats:
    """Outcome probabilities of a divergence (draws, outcomes) as seen from an end of the worldview dimension."""
    if worldview not in WORLDVIEW_ENDS:
        raise QueryError(f'worldview "{worldview}": expected one of {", ".join(WORLDVIEW_ENDS)}')
    if fit.worldview_loading is None:
        raise QueryError(f'worldview "{worldview}": this fit has no worldview factor (prior loading sd 0)')
    logits = np.log(np.clip(draws, 1e-300, 1.0))
    logits = logits[:, :-1] - logits[:, -1:] + WORLDVIEW_ENDS[worldview] * fit.worldview_loading
    return softmax_last(logits)


def answer(
    fit: Fit,
    pods: Sequence[str] = (),
    features: Mapping[str, float] | None = None,
    seed: int = 0,
    year: int | None = None,
    given_history: bool = False,
    worldview: str | None = None,
) -> Answer:
    """The answer for a divergence point, a stack of them, or a divergence in a year described by features;
    with ``given_history``, conditioned on what really happened (rung 3); with ``worldview`` ("low", "high"),
    as seen from that end of the claimants' worldview dimension (:func:`seen_from`)."""
    features = dict(features or {})
    pods = tuple(dict.fromkeys(pods))
    check_question(fit.pods, fit.features, pods, features, year, fit.timeline)
    rng = np.random.default_rng(seed)
    draws, at = _draws(fit, pods, features, year)
    if worldview is not None and pods != (OTL,):
        draws = seen_from(fit, draws, worldview)
    baseline = fit.history_at(at)
    if given_history:
        observed = fit.outcomes.index(fit.observed_outcome)
        draws = counterfactual_given_history(baseline, draws, observed, rng)
        baseline = np.eye(len(fit.outcomes))[np.full(len(draws), observed)]
    note = _extrapolation(fit, pods, features, year)
    parts = list(pods) + ([f"year {year}"] if year is not None else []) + [f"{k}={v:g}" for k, v in features.items()]
    seen = f" (seen from the {worldview} end of the worldview)" if worldview else ""
    return Answer(
        label=" + ".join(parts) + seen,
        pods=pods,
        features=features,
        extrapolation=bool(note),
        rows=summarise(draws, baseline, fit.outcomes),
        histories=simulate_histories(draws, fit.outcomes, rng),
        n_draws=fit.n_draws,
        year=at,
        given_history=given_history,
        extrapolation_note=note,
        worldview=worldview,
        plausibility=_plausibility(fit, pods) if year is None and not features else None,
        **(_chain(fit, pods) if year is None and not features else {}),
        sources=(
            fit.sources.at(fit.index(pods[0]))
            if fit.sources is not None
            and len(pods) == 1
            and year is None
            and not features
            and not given_history
            and worldview is None
            and pods[0] != OTL
            else None
        ),
    )


def _summary(p: Floats) -> tuple[float, float, float]:
    tail = (1.0 - CREDIBLE_MASS) / 2.0
    low, high = np.quantile(p, [tail, 1.0 - tail])
    return float(p.mean()), float(low), float(high)


def _chain(fit: Fit, pods: Sequence[str]) -> dict[str, Any]:
    """The chain of steps to ``pods`` (each point after the step its antecedent claims name, recursively) and
    its plausibility, the product of the steps' per draw (``chain`` and ``chain_plausibility`` of
    :class:`Answer`); nothing when no asked point follows another."""
    steps, order = fit.steps, []

    def visit(pod: str) -> None:
        if pod in order:
            return
        if pod in steps:
            visit(steps[pod])
        order.append(pod)

    for pod in pods:
        visit(pod)
    if len(order) < 2 or not any(p in steps for p in order):
        return {}
    known = fit.plausibility is not None
    draws = {
        p: 1.0 / (1.0 + np.exp(-fit.plausibility[:, fit.index(p) - 1]))  # type: ignore[index]
        for p in order
        if known and p in fit.antecedent_pods
    }
    chain = tuple(ChainStep(p, steps.get(p), _summary(draws[p]) if p in draws else None) for p in order)
    together = _summary(np.prod([draws[p] for p in order], axis=0)) if len(draws) == len(order) else None
    return {"chain": chain, "chain_plausibility": together}


def _plausibility(fit: Fit, pods: Sequence[str]) -> tuple[float, float, float] | None:
    """The plausibility of one named divergence point that antecedent claims speak of: mean and central
    interval of its probability (None for any other: its plausibility would be its prior)."""
    if fit.plausibility is None or len(pods) != 1 or pods[0] not in fit.antecedent_pods:
        return None
    return _summary(1.0 / (1.0 + np.exp(-fit.plausibility[:, fit.index(pods[0]) - 1])))


def compare(fit: Fit, pods: Sequence[str] = (), by: str | None = None, seed: int = 0) -> tuple[Answer, ...]:
    """Answers for ``pods`` (all, by default), ranked by the mean probability of outcome ``by``."""
    by = by or fit.outcomes[0]
    check_outcome(fit.outcomes, by)
    chosen = tuple(pods) or fit.pods
    answers = [answer(fit, (p,), seed=seed) for p in chosen]
    return tuple(sorted(answers, key=lambda a: -a.row(by).mean))
