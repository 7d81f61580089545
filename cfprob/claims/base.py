"""What a claim kind is made of: its fields and checks, its design block, its PyMC and numpy
log-likelihoods, its replicas and simulation, and the sentence that says what a claim of it states.

A *family* is one likelihood: its claims become one :class:`ClaimBlock` of parallel arrays, and it holds
one or more *kinds* (``probability`` and ``verbal`` share the point family: both state a probability of
one outcome, as a number or as a phrase). The registry (:mod:`cfprob.claims`) lists the families in the
order the model and every per-claim array use; every other module iterates over it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
from numpy.typing import NDArray

from cfprob.fitting.numeric import CREDIBLE_MASS

if TYPE_CHECKING:
    from cfprob.fitting.draws import Draws
    from cfprob.fitting.priors import Priors
    from cfprob.reading.fields import Check, Problems
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim, Scenario

__all__ = [
    "SD_FLOOR",
    "ClaimBlock",
    "ClaimKind",
    "DesignContext",
    "Family",
    "KindContext",
    "ModelTerms",
    "Parameter",
    "about_a_divergence",
    "directional",
    "distinct_pods",
    "draws_spread_squared",
    "fitted_range",
    "make_block",
    "measured",
    "normal_logpdf",
    "seen_logit_theta",
    "seen_theta",
    "sigmoid",
    "spread_squared",
    "stated_as_written",
    "tendency_term",
    "two_sided",
]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

SD_FLOOR = 0.5
"""The least sd (logits) of a claim whose sd is otherwise its claimant's noise alone ("about the same", "cannot
be known"), added in quadrature, as orderings have ``ordering_tau``: without it, a claimant with one such claim
lets the likelihood grow without bound as their noise goes to zero, a ridge where the sampler diverges."""


@dataclass(frozen=True)
class ClaimBlock:
    """Claims of one likelihood family, as parallel arrays (one entry per claim)."""

    ids: tuple[str, ...]
    pod: Ints
    """The pod each claim is about (for an ordering: the `higher` pod)."""
    other_pod: Ints
    """ordering: the `lower` pod; -1 otherwise."""
    outcome: Ints
    author: Ints
    confidence: Floats
    weight: Floats
    value: Floats
    """point: stated logit; interval: lower logit; 0 otherwise."""
    extra: Floats
    """point: lexicon spread of the logit (0 for numbers); interval: upper logit; 0 otherwise."""
    vectors: Floats
    """distribution: the stated K-vectors (n, K); empty otherwise."""
    contrast: Floats
    """era: the window's mean knot weights minus those of the years compared with (n, knots); (n, 0)
    otherwise."""
    direction: Floats
    """+1 where a claim says a divergence does better on its outcome than real history, -1 where it says
    worse, 0 otherwise: the claimant's tendency (:attr:`ModelTerms.tendency`) enters with this sign."""
    seen: Floats
    """1 where ``pod`` is a divergence point, which the claimant sees through their worldview
    (:attr:`ModelTerms.worldview`); 0 for real history and for claims about no divergence point."""
    other_seen: Floats
    """The same for ``other_pod``."""
    bound: Floats
    """point: +1 where the stated probability is a lower bound (at least), -1 an upper bound, 0 a value."""
    edges: Floats
    """poll: each poll's bin edges as probabilities (n, bins + 1), padded with 1; (n, 0) otherwise."""
    votes: Floats
    """poll: each poll's votes per bin (n, bins), padded with 0; (n, 0) otherwise."""

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class KindContext:
    """What a kind's own checks may use while a claim file is read; problems go to ``problems``."""

    problems: Problems
    file: str
    label: str
    lexicon: Lexicon
    outcomes: tuple[str, ...]
    timeline: tuple[int, int] | None
    """The divergence points' first and last year (None while they are broken, and reported)."""


@dataclass(frozen=True)
class DesignContext:
    """What a family's design block may use: the scenario, the lexicon, the timeline's knots and the rows of
    real history at the years claims about it speak of."""

    scenario: Scenario
    lexicon: Lexicon
    knots: Floats
    history_rows: Mapping[int, int]
    """Year -> row of the model's outcome probabilities holding real history at that year (after the pods)."""
    stack_rows: Mapping[tuple[str, ...], int] = field(default_factory=dict)
    """A conditional claim's stack (:attr:`~cfprob.reading.scenario.Claim.stack`) -> its row (after real
    history's years)."""

    def row(self, claim: Claim, pod: str | None) -> int:
        """The row of ``pod`` for ``claim``: real history at the claim's history year for ``otl``; the stack of
        a claim with a condition for its own pod."""
        from cfprob.reading.scenario import OTL

        if pod is None:
            return -1
        if claim.given and pod == claim.pod:
            return self.stack_rows[claim.stack]
        if pod == OTL:
            return self.history_rows[self.scenario.history_year(claim)]
        return self.scenario.pod_ids.index(pod)


@dataclass(frozen=True)
class ModelTerms:
    """The PyMC model's quantities a family's log-likelihood is written in (PyTensor variables)."""

    theta: Any
    """(rows, outcomes): the pods, then real history at the years claims about it speak of"""
    logit_theta: Any
    """(rows, outcomes): log odds of each outcome, computed stably"""
    bias: Any
    """(claimants, outcomes)"""
    noise: Any
    """(claimants,)"""
    tendency: Any
    """(claimants, outcomes): each claimant's tendency to call divergences better than real history"""
    history: Any
    """(knots, outcomes - 1): real history's logits at the knots"""
    era: Any
    """(knots,): the log scale of what a divergence in each year can change"""
    eta: Any
    """(rows, outcomes): the rows' logits against the last outcome (its 0 included)"""
    worldview: Any
    """(claimants, outcomes) or None: how each claimant's worldview shifts the logits (against the last
    outcome) of every divergence point they speak of; None when the model has no worldview factor"""
    spread: Any
    """(rows,) or None: the unpredictability of each row (0 for real history and for divergence points no
    uncertain claim names), added to the noise of claims about it; None when no claim says a point cannot be
    known (:mod:`cfprob.claims.uncertain`)"""
    n_outcomes: int
    priors: Priors
    logit_softmax: Callable[[Any, int], Any]
    """logit of each outcome from full logits (reference 0 appended), stably."""


def seen_logit_theta(m: ModelTerms, rows: Any, outcome: Any, authors: Any, seen: Any) -> Any:
    """PyMC: the log odds of each claim's outcome in its row as the claim's author sees it, (n,): a divergence
    point (``seen`` 1) through the author's worldview, real history as it is."""
    if m.worldview is None:
        return m.logit_theta[rows, outcome]
    import pytensor.tensor as pt

    full = m.logit_softmax(m.eta[rows] + seen[:, None] * m.worldview[authors], m.n_outcomes)
    return full[pt.arange(full.shape[0]), outcome]


def seen_theta(m: ModelTerms, rows: Any, authors: Any, seen: Any) -> Any:
    """PyMC: the outcome probabilities of ``rows`` as each claim's author sees them, (n, outcomes)."""
    import pytensor.tensor as pt

    if m.worldview is None:
        return m.theta[rows]
    return pt.special.softmax(m.eta[rows] + seen[:, None] * m.worldview[authors], axis=-1)


def spread_squared(m: ModelTerms, *rows: Any) -> Any:
    """PyMC: the squared unpredictability of each claim's rows, summed (0 when the model has none)."""
    if m.spread is None:
        return 0.0
    return sum(m.spread[r] ** 2 for r in rows)


def draws_spread_squared(draws: Draws, *rows: Ints) -> Floats | float:
    """numpy: the squared unpredictability of each claim's rows, summed, per draw: (S, n), or 0."""
    if draws.spread is None:
        return 0.0
    result: Floats = sum(draws.spread[:, r] ** 2 for r in rows)  # type: ignore[assignment]
    return result


def about_a_divergence(clean: dict[str, Any], context: KindContext) -> bool:
    """Whether a claim's ``pod`` is a divergence point, not real history (which has happened: a claim about
    whether it could happen, or whether its outcome can be known, makes no sense); reported when it is not."""
    from cfprob.reading.scenario import OTL

    if clean["pod"] != OTL:
        return True
    expected = "a divergence point (real history has happened)"
    context.problems.add(context.file, f"{context.label}: key 'pod'", expected, f'"{OTL}"')
    return False


def distinct_pods(first: str, second: str) -> Callable[[dict[str, Any], KindContext], dict[str, Any] | None]:
    """A kind's check that its two divergence-point keys name two different divergence points."""

    def check(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
        if clean[first] == clean[second]:
            expected = f"two different divergence points in '{first}' and '{second}'"
            context.problems.add(context.file, context.label, expected, f'"{clean[first]}" twice')
            return None
        return {}

    return check


def normal_logpdf(x: Floats, mu: Floats, sd: Floats) -> Floats:
    """The Normal log density of ``x`` (arrays broadcast)."""
    result: Floats = -0.5 * ((x - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)
    return result


def no_check(clean: dict[str, Any], context: KindContext) -> dict[str, Any] | None:
    """A kind whose fields need no check beyond their own: nothing to add."""
    return {}


def claim_pods(claim: Claim) -> tuple[str, ...]:
    """The divergence point a claim names in ``pod``."""
    return (str(claim.pod),)


@dataclass(frozen=True)
class ClaimKind:
    """One ``kind = "..."`` of claim files."""

    name: str
    fields: Mapping[str, Check]
    """The kind's own keys (besides the keys every claim has) and their checks."""
    says: Callable[[Claim, Lexicon, Sequence[str]], str]
    """What a claim states, in words and numbers (``claims`` listing, report, run)."""
    check: Callable[[dict[str, Any], KindContext], dict[str, Any] | None] = no_check
    """Checks across fields; returns further values for the :class:`Claim` (``{}`` for none), or None once it
    has reported a problem."""
    pods: Callable[[Claim], tuple[str, ...]] = claim_pods
    """The divergence points a claim is about."""
    pod_keys: tuple[str, ...] = ("pod",)
    """Fields that name a divergence point (checked against pods.toml by the loader)."""
    about: Callable[[Claim], str] = lambda claim: str(claim.pod)
    """What a claim is about, in a few words (the ``claims`` listing)."""


@dataclass(frozen=True)
class Parameter:
    """A free parameter of the model (its PyMC name), as the hand-written log density samples it."""

    name: str
    dims: tuple[str, ...]
    """Its dimensions (the model's coordinates, :func:`~cfprob.fitting.design.model_coords`)."""
    start: Callable[[Priors], float]
    """Its initial value on the sampled scale, PyMC's: the prior's mean, or the log of a half-normal's scale."""
    log: bool = False
    """A half-normal, sampled as its log (PyMC's ``<name>_log__``)."""

    @property
    def sampled_name(self) -> str:
        return f"{self.name}_log__" if self.log else self.name


@dataclass(frozen=True)
class Family:
    """One likelihood and the kinds it reads. Every function sees only its own block."""

    name: str
    kinds: tuple[ClaimKind, ...]
    inputs: tuple[str, ...]
    """The block's arrays the model reads as inputs (named ``<family>_<field>`` in the model)."""
    block: Callable[[list[Claim], DesignContext], ClaimBlock]
    model_term: Callable[[Any, ModelTerms], Any]
    """PyMC: each claim's weighted log-likelihood, from the block's model inputs (attributes by field)."""
    log_likelihood: Callable[[Draws, ClaimBlock, Priors], Floats]
    """numpy: each claim's weighted log-likelihood under each draw, (S, n); tested against ``model_term``."""
    replicate: Callable[[Draws, ClaimBlock, np.random.Generator, Priors], Floats]
    """Claims as the model would generate them under each draw: (S, n, ...)."""
    p_values: Callable[[Floats, ClaimBlock], Floats]
    """Each claim's predictive p-value among replicas."""
    simulate: Callable[[ClaimBlock, Floats, np.random.Generator], ClaimBlock]
    """The block with its claims replaced by one replica (``replicas[0]``), for simulation-based calibration."""
    describe: Callable[[Draws, ClaimBlock, Sequence[str]], list[tuple[str, str]]]
    """(stated, fitted) in words for each claim: what it says and what the fit makes of it."""
    uses_draws: tuple[str, ...] = field(default=())
    """Optional :class:`Draws` fields the family needs (``kappa``)."""
    density: Callable[..., float] | None = None
    """Hand-written (for Numba): the block's weighted log density, adding its gradient to the shared
    quantities' and its own parameters' (:mod:`cfprob.claims.density`); tested against ``model_term``."""
    parameters: tuple[Parameter, ...] = ()
    """The free parameters the family's ``model_term`` adds to the model, in the order it adds them."""
    derived: Callable[[dict[str, Floats], ClaimBlock, Draws], dict[str, Floats]] | None = None
    """numpy: the deterministic values the family's ``model_term`` reports, per draw, from its own parameters'
    draws (by name, on their natural scale) and the shared draws."""
    observed: Callable[[ClaimBlock], Floats] | None = None
    """What each claim stated as one number (n,): the quantity :attr:`statistic` reads off a replica, so that
    leave-one-out PIT and predictive plots compare like with like (every family defines it; a test checks)."""
    statistic: Callable[[Floats, ClaimBlock], Floats] = field(default=lambda replicas, block: replicas)
    """The same number read off replicas (S, n, ...) → (S, n); as they are where a replica is one number."""


def sigmoid(x: Floats) -> Floats:
    result: Floats = 1.0 / (1.0 + np.exp(-x))
    return result


def make_block(
    claims: list[Claim],
    context: DesignContext,
    *,
    pod: list[str | None] | None = None,
    other_pod: list[str | None] | None = None,
    value: list[float] | None = None,
    extra: list[float] | None = None,
    vectors: list[list[float]] | None = None,
    contrast: Floats | None = None,
    direction: list[float] | None = None,
    bound: list[float] | None = None,
    edges: Floats | None = None,
    votes: Floats | None = None,
) -> ClaimBlock:
    """A block of ``claims``: ids, indices, confidences and weights from the claims, the rest as given.

    ``pod`` defaults to each claim's ``pod`` (None gives -1: a claim about no divergence point; ``otl`` the row
    of real history at the claim's history year), ``other_pod`` to -1 for every claim, ``value``, ``extra`` and
    ``direction`` to zeros, ``vectors`` and ``contrast`` to empty rows.
    """
    from cfprob.reading.scenario import OTL

    scenario = context.scenario
    outcomes = {o: i for i, o in enumerate(scenario.outcome_ids)}
    authors = {a: i for i, a in enumerate(scenario.claimant_ids)}
    k = len(outcomes)

    def ints(values: list[int]) -> Ints:
        return np.asarray(values, dtype=np.int64)

    def floats(values: list[float]) -> Floats:
        return np.asarray(values, dtype=float)

    def indices(names: list[str | None]) -> Ints:
        return ints([context.row(c, name) for c, name in zip(claims, names, strict=True)])

    def divergences(names: list[str | None]) -> Floats:
        return floats([float(name is not None and name != OTL) for name in names])

    pods: list[str | None] = pod if pod is not None else [c.pod for c in claims]
    others: list[str | None] = other_pod if other_pod is not None else [None] * len(claims)
    zeros = [0.0] * len(claims)
    return ClaimBlock(
        ids=tuple(c.id for c in claims),
        pod=indices(pods),
        other_pod=indices(others),
        outcome=ints([outcomes[c.outcome] if c.outcome else 0 for c in claims]),
        author=ints([authors[c.author] for c in claims]),
        confidence=floats([c.confidence for c in claims]),
        weight=floats([c.weight for c in claims]),
        value=floats(value if value is not None else zeros),
        extra=floats(extra if extra is not None else zeros),
        vectors=np.asarray(vectors, dtype=float).reshape(-1, k) if vectors else np.zeros((0, k)),
        contrast=contrast if contrast is not None else np.zeros((len(claims), 0)),
        direction=floats(direction if direction is not None else zeros),
        seen=divergences(pods),
        other_seen=divergences(others),
        bound=floats(bound if bound is not None else zeros),
        edges=edges if edges is not None else np.zeros((len(claims), 0)),
        votes=votes if votes is not None else np.zeros((len(claims), 0)),
    )


def two_sided(replicas: Floats, stated: Floats) -> Floats:
    """Two-sided predictive p-value of each stated value among replicas (first axis)."""
    below = (replicas <= stated).mean(axis=0)
    above = (replicas >= stated).mean(axis=0)
    result: Floats = np.minimum(1.0, 2.0 * np.minimum(below, above))
    return result


def stated_as_written(gap: Floats, rng: np.random.Generator) -> Floats:
    """1 where a replica of a claim with log-odds ``gap`` of being stated as written is stated so, else 0."""
    return (rng.random(gap.shape) < 1.0 / (1.0 + np.exp(-gap))).astype(float)


class NumpySide(TypedDict):
    """A family's numpy functions made by :func:`measured` or :func:`directional` (``Family(**parts)``)."""

    log_likelihood: Callable[[Draws, ClaimBlock, Priors], Floats]
    replicate: Callable[[Draws, ClaimBlock, np.random.Generator, Priors], Floats]
    p_values: Callable[[Floats, ClaimBlock], Floats]
    simulate: Callable[[ClaimBlock, Floats, np.random.Generator], ClaimBlock]
    observed: Callable[[ClaimBlock], Floats]


def directional(
    gap: Callable[[Draws, ClaimBlock, Priors], Floats],
) -> NumpySide:
    """The numpy side of a claim that states a direction (A above B) with log-odds ``gap`` of being stated so
    (the claimant's tendency included): ``Bernoulli(sigmoid(gap)) = 1``. Replicas are 1 where stated as
    written; the p-value is the share of replicas stated so; a claim simulated as reversed gets a negative
    confidence and direction (the reversed statement's likelihood). Orderings and era claims differ only in
    their gap."""
    from dataclasses import replace

    def log_likelihood(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
        result: Floats = -block.weight * np.logaddexp(0.0, -gap(draws, block, priors))
        return result

    def replicate(draws: Draws, block: ClaimBlock, rng: np.random.Generator, priors: Priors) -> Floats:
        return stated_as_written(gap(draws, block, priors), rng)

    def p_values(replicas: Floats, block: ClaimBlock) -> Floats:
        result: Floats = replicas.mean(axis=0)
        return result

    def simulate(block: ClaimBlock, replicas: Floats, rng: np.random.Generator) -> ClaimBlock:
        sign = np.where(replicas[0] > 0, 1.0, -1.0)
        return replace(block, confidence=block.confidence * sign, direction=block.direction * sign)

    def observed(block: ClaimBlock) -> Floats:
        return np.ones(len(block))  # each claim was stated as written (replicas: 1 where stated so)

    return {
        "log_likelihood": log_likelihood,
        "replicate": replicate,
        "p_values": p_values,
        "simulate": simulate,
        "observed": observed,
    }


def measured(location: Callable[[Draws, ClaimBlock], Floats], sd: Callable[[Draws, ClaimBlock], Floats]) -> NumpySide:
    """The numpy side of a claim that states a value (:attr:`ClaimBlock.value`) measured with Normal noise:
    ``value ~ Normal(location, sd)``, both (S, n) per draw. Replicas are stated values; the p-value is
    two-sided; a simulated claim states its first replica. Families differ only in location and sd."""
    from dataclasses import replace

    def log_likelihood(draws: Draws, block: ClaimBlock, priors: Priors) -> Floats:
        result: Floats = block.weight * normal_logpdf(block.value, location(draws, block), sd(draws, block))
        return result

    def replicate(draws: Draws, block: ClaimBlock, rng: np.random.Generator, priors: Priors) -> Floats:
        result: Floats = rng.normal(location(draws, block), sd(draws, block))
        return result

    def p_values(replicas: Floats, block: ClaimBlock) -> Floats:
        return two_sided(replicas, block.value)

    def simulate(block: ClaimBlock, replicas: Floats, rng: np.random.Generator) -> ClaimBlock:
        return replace(block, value=replicas[0])

    def observed(block: ClaimBlock) -> Floats:
        return block.value

    return {
        "log_likelihood": log_likelihood,
        "replicate": replicate,
        "p_values": p_values,
        "simulate": simulate,
        "observed": observed,
    }


def tendency_term(draws: Draws, block: ClaimBlock) -> Floats:
    """The claimant's tendency with each claim's direction, per draw: (S, n)."""
    if draws.tendency is None:
        return np.zeros((len(draws), len(block)))
    result: Floats = block.direction * draws.tendency[:, block.author, block.outcome]
    return result


def fitted_range(values: Floats) -> str:
    """A probability's posterior mean and central interval, as percentages."""
    tail = (1 - CREDIBLE_MASS) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return f"{values.mean():.0%} [{low:.0%}, {high:.0%}]"
