"""Turn a validated scenario into the arrays the model is fitted to.

Pure numpy: everything the PyMC model needs, indexed by position. Probabilities stated by claimants
become logits; verbal phrases become the lexicon's logit mean with its spread kept as extra noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .lexicon import Lexicon, load_lexicon
from .scenario import PROBABILITY_FLOOR, Claim, Scenario

__all__ = ["ClaimBlock", "ModelData", "design", "logit", "model_inputs", "softmax_last"]


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

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class ModelData:
    outcomes: tuple[str, ...]
    pods: tuple[str, ...]
    features: tuple[str, ...]
    claimants: tuple[str, ...]
    X: Floats
    point: ClaimBlock
    interval: ClaimBlock
    distribution: ClaimBlock
    ordering: ClaimBlock
    reference_counts: Ints | None
    observed_outcome: int


BLOCK_INPUTS = {
    "point": ("pod", "outcome", "author", "confidence", "weight", "value", "extra"),
    "interval": ("pod", "outcome", "author", "confidence", "weight", "value", "extra"),
    "distribution": ("pod", "author", "confidence", "weight", "vectors"),
    "ordering": ("pod", "other_pod", "outcome", "confidence", "weight"),
}
"""The arrays of each claim family that the model reads."""


def model_inputs(data: ModelData) -> dict[str, Floats | Ints]:
    """The data arrays the model reads as inputs rather than constants, by input name.

    ``X`` (when there are features), ``history_outcome`` (real history's outcome, as a 1-vector),
    ``reference_counts`` (when there is a reference class) and, for every non-empty claim family, its
    arrays named ``<family>_<field>``. Keeping them out of the model's constants lets compiled model code
    be reused when only data values change (:mod:`cfprob.compiled`): an edited claim, or a dataset
    simulated from the prior.
    """
    inputs: dict[str, Floats | Ints] = {"X": data.X} if data.features else {}
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
        pod=ints([pods[c.higher if c.kind == "ordering" else c.pod] for c in claims]),  # type: ignore[index]
        other_pod=ints([pods[c.lower] if c.kind == "ordering" else -1 for c in claims]),  # type: ignore[index]
        outcome=ints([outcomes[c.outcome] if c.outcome else 0 for c in claims]),
        author=ints([authors[c.author] for c in claims]),
        confidence=floats([c.confidence for c in claims]),
        weight=floats([c.weight for c in claims]),
        value=floats(value if value is not None else zeros),
        extra=floats(extra if extra is not None else zeros),
        vectors=np.asarray(vectors, dtype=float).reshape(-1, k) if vectors else np.zeros((0, k)),
    )


def design(scenario: Scenario, lexicon: Lexicon | None = None) -> ModelData:
    """The model's arrays for ``scenario``. Pods keep the scenario's order (``otl`` first)."""
    lexicon = lexicon or load_lexicon()
    groups: dict[str, list[Claim]] = {"point": [], "interval": [], "distribution": [], "ordering": []}
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
    reference = scenario.evidence.reference_class
    return ModelData(
        outcomes=scenario.outcome_ids,
        pods=scenario.pod_ids,
        features=scenario.feature_ids,
        claimants=scenario.claimant_ids,
        X=X,
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
        reference_counts=(np.asarray(reference.counts(scenario.outcome_ids), dtype=np.int64) if reference else None),
        observed_outcome=scenario.outcome_ids.index(scenario.evidence.observed_outcome),
    )
