"""Turn a validated scenario into the arrays the model is fitted to.

Pure numpy: everything the PyMC model needs, indexed by position. Probabilities stated by claimants
become logits; verbal phrases become the lexicon's logit mean with its spread kept as extra noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .lexicon import Lexicon, load_lexicon
from .scenario import PROBABILITY_FLOOR, Claim, Scenario, era_years

__all__ = [
    "KNOT_SPACING",
    "ClaimBlock",
    "ModelData",
    "centred_walk",
    "design",
    "interpolation_weights",
    "knot_years",
    "logit",
    "model_inputs",
    "softmax_last",
]

KNOT_SPACING = 5
"""Years between the knots of the year effect (its random walk has one step per knot)."""


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


def knot_years(timeline: tuple[int, int]) -> Floats:
    """The year effect's knots: every :data:`KNOT_SPACING` years on round years, covering ``timeline``."""
    first, last = timeline
    low = KNOT_SPACING * (first // KNOT_SPACING)
    high = KNOT_SPACING * -(-last // KNOT_SPACING)
    return np.arange(low, high + 1, KNOT_SPACING, dtype=float)


def interpolation_weights(years: Floats, knots: Floats) -> Floats:
    """Linear interpolation between knots as a matrix (years, knots): each row sums to 1."""
    eye = np.eye(len(knots))
    return np.stack([np.interp(np.asarray(years, dtype=float), knots, eye[j]) for j in range(len(knots))], axis=-1)


def centred_walk(n_knots: int) -> Floats:
    """The matrix (knots, knots - 1) that turns random-walk steps into a walk centred on its mean."""
    walk = np.tril(np.ones((n_knots, n_knots)), -1)[:, : max(n_knots - 1, 0)]
    result: Floats = walk - walk.mean(axis=0, keepdims=True)
    return result


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

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class ModelData:
    outcomes: tuple[str, ...]
    pods: tuple[str, ...]
    features: tuple[str, ...]
    claimants: tuple[str, ...]
    X: Floats
    knots: Floats
    """The year effect's knots (years)."""
    year_weights: Floats
    """(pods, knots): each divergence point's year as interpolation weights; otl's row is 0."""
    point: ClaimBlock
    interval: ClaimBlock
    distribution: ClaimBlock
    ordering: ClaimBlock
    era: ClaimBlock
    reference_counts: Ints | None
    observed_outcome: int


BLOCK_INPUTS = {
    "point": ("pod", "outcome", "author", "confidence", "weight", "value", "extra"),
    "interval": ("pod", "outcome", "author", "confidence", "weight", "value", "extra"),
    "distribution": ("pod", "author", "confidence", "weight", "vectors"),
    "ordering": ("pod", "other_pod", "outcome", "confidence", "weight"),
    "era": ("outcome", "confidence", "weight", "contrast"),
}
"""The arrays of each claim family that the model reads."""


def model_inputs(data: ModelData) -> dict[str, Floats | Ints]:
    """The data arrays the model reads as inputs rather than constants, by input name.

    ``X`` (when there are features), ``year_weights``, ``history_outcome`` (real history's outcome, as a
    1-vector), ``reference_counts`` (when there is a reference class) and, for every non-empty claim family, its
    arrays named ``<family>_<field>``. Keeping them out of the model's constants lets compiled model code
    be reused when only data values change (:mod:`cfprob.compiled`): an edited claim, or a dataset
    simulated from the prior.
    """
    inputs: dict[str, Floats | Ints] = {"X": data.X} if data.features else {}
    inputs["year_weights"] = data.year_weights
    inputs["history_outcome"] = np.asarray([data.observed_outcome], dtype=np.int64)
    if data.reference_counts is not None:
        inputs["reference_counts"] = data.reference_counts
    for family, fields in BLOCK_INPUTS.items():
        block: ClaimBlock = getattr(data, family)
        if len(block):
            inputs.update({f"{family}_{field}": getattr(block, field) for field in fields})
    return inputs


def _block(
    claims: list[Claim],
    scenario: Scenario,
    value: list[float] | None = None,
    extra: list[float] | None = None,
    vectors: list[list[float]] | None = None,
    contrast: Floats | None = None,
) -> ClaimBlock:
    pods = {p: i for i, p in enumerate(scenario.pod_ids)}
    outcomes = {o: i for i, o in enumerate(scenario.outcome_ids)}
    authors = {a: i for i, a in enumerate(scenario.claimant_ids)}
    k = len(outcomes)

    def ints(values: list[int]) -> Ints:
        return np.asarray(values, dtype=np.int64)

    def floats(values: list[float]) -> Floats:
        return np.asarray(values, dtype=float)

    zeros = [0.0] * len(claims)
    return ClaimBlock(
        ids=tuple(c.id for c in claims),
        pod=ints([-1 if c.kind == "era" else pods[str(c.higher if c.kind == "ordering" else c.pod)] for c in claims]),
        other_pod=ints([pods[c.lower] if c.kind == "ordering" else -1 for c in claims]),  # type: ignore[index]
        outcome=ints([outcomes[c.outcome] if c.outcome else 0 for c in claims]),
        author=ints([authors[c.author] for c in claims]),
        confidence=floats([c.confidence for c in claims]),
        weight=floats([c.weight for c in claims]),
        value=floats(value if value is not None else zeros),
        extra=floats(extra if extra is not None else zeros),
        vectors=np.asarray(vectors, dtype=float).reshape(-1, k) if vectors else np.zeros((0, k)),
        contrast=contrast if contrast is not None else np.zeros((len(claims), 0)),
    )


def _era_contrast(claims: list[Claim], timeline: tuple[int, int], knots: Floats) -> Floats:
    """Each era claim's window, as mean knot weights, minus the mean knot weights of the years it is
    compared with: the claim's gap is this row times the curve's logits at the knots."""
    rows = []
    for c in claims:
        window, compared = era_years(int(c.start or 0), int(c.end or 0), str(c.compared_with), timeline)
        inside = interpolation_weights(np.asarray(window), knots).mean(axis=0)
        outside = interpolation_weights(np.concatenate([np.asarray(r) for r in compared]), knots).mean(axis=0)
        rows.append(inside - outside)
    return np.asarray(rows, dtype=float).reshape(len(claims), len(knots))


def design(scenario: Scenario, lexicon: Lexicon | None = None) -> ModelData:
    """The model's arrays for ``scenario``. Pods keep the scenario's order (``otl`` first)."""
    lexicon = lexicon or load_lexicon()
    groups: dict[str, list[Claim]] = {"point": [], "interval": [], "distribution": [], "ordering": [], "era": []}
    for claim in scenario.claims:
        family = "point" if claim.kind in ("probability", "verbal") else claim.kind
        groups[family].append(claim)

    point_value, point_extra = [], []
    for c in groups["point"]:
        if c.kind == "probability":
            point_value.append(float(logit(c.probability or 0.0)))
            point_extra.append(0.0)
        else:
            entry = lexicon.lookup(str(c.phrase))
            assert entry is not None, "validated scenarios only hold known phrases"
            point_value.append(entry.logit_mu)
            point_extra.append(entry.logit_sd)

    X = np.array([[p.feature_value(f) for f in scenario.feature_ids] for p in scenario.pods], dtype=float)
    X = X.reshape(len(scenario.pods), len(scenario.feature_ids))
    knots = knot_years(scenario.timeline)
    years = np.asarray([p.year or 0 for p in scenario.pods], dtype=float)
    dated = np.asarray([p.year is not None for p in scenario.pods], dtype=float)
    reference = scenario.evidence.reference_class
    return ModelData(
        outcomes=scenario.outcome_ids,
        pods=scenario.pod_ids,
        features=scenario.feature_ids,
        claimants=scenario.claimant_ids,
        X=X,
        knots=knots,
        year_weights=interpolation_weights(years, knots) * dated[:, None],
        point=_block(groups["point"], scenario, point_value, point_extra),
        interval=_block(
            groups["interval"],
            scenario,
            value=[float(logit(c.low or 0.0)) for c in groups["interval"]],
            extra=[float(logit(c.high or 0.0)) for c in groups["interval"]],
        ),
        distribution=_block(
            groups["distribution"], scenario, vectors=[list(c.distribution or ()) for c in groups["distribution"]]
        ),
        ordering=_block(groups["ordering"], scenario),
        era=_block(groups["era"], scenario, contrast=_era_contrast(groups["era"], scenario.timeline, knots)),
        reference_counts=(np.asarray(reference.counts(scenario.outcome_ids), dtype=np.int64) if reference else None),
        observed_outcome=scenario.outcome_ids.index(scenario.evidence.observed_outcome),
    )
