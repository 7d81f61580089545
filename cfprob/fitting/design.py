"""Turn a validated scenario into the arrays the model is fitted to.

Pure numpy: everything the PyMC model needs, indexed by position. Each claim family makes its own block
(:mod:`cfprob.claims`); the numeric building blocks (logits, the year effect's knots) live in
:mod:`cfprob.fitting.numeric` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from cfprob.claims import FAMILIES, ClaimBlock, DesignContext, family_of
from cfprob.fitting.numeric import KNOT_SPACING, centred_walk, interpolation_weights, knot_years, logit, softmax_last
from cfprob.reading.lexicon import Lexicon, load_lexicon
from cfprob.reading.scenario import Scenario

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

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class ModelData:
    """The model's arrays for one scenario; ``blocks`` holds each claim family's :class:`ClaimBlock` by name
    (also readable as an attribute: ``data.point``)."""

    outcomes: tuple[str, ...]
    pods: tuple[str, ...]
    features: tuple[str, ...]
    claimants: tuple[str, ...]
    X: Floats
    knots: Floats
    """The year effect's knots (years)."""
    year_weights: Floats
    """(pods, knots): each divergence point's year as interpolation weights; otl's row is 0."""
    blocks: Mapping[str, ClaimBlock]
    reference_counts: Ints | None
    observed_outcome: int

    def __getattr__(self, name: str) -> ClaimBlock:
        blocks = self.__dict__.get("blocks")
        if blocks is not None and name in blocks:
            return blocks[name]  # type: ignore[no-any-return]
        raise AttributeError(name)

    def with_blocks(self, **changed: ClaimBlock) -> ModelData:
        """A copy with some families' blocks replaced (same shapes: the compiled model code is reused)."""
        return replace(self, blocks={**self.blocks, **changed})


def model_inputs(data: ModelData) -> dict[str, Floats | Ints]:
    """The data arrays the model reads as inputs rather than constants, by input name.

    ``X`` (when there are features), ``year_weights``, ``history_outcome`` (real history's outcome, as a
    1-vector), ``reference_counts`` (when there is a reference class) and, for every non-empty claim family, its
    arrays named ``<family>_<field>``. Keeping them out of the model's constants lets compiled model code
    be reused when only data values change (:mod:`cfprob.fitting.compiled`): an edited claim, or a dataset
    simulated from the prior.
    """
    inputs: dict[str, Floats | Ints] = {"X": data.X} if data.features else {}
    inputs["year_weights"] = data.year_weights
    inputs["history_outcome"] = np.asarray([data.observed_outcome], dtype=np.int64)
    if data.reference_counts is not None:
        inputs["reference_counts"] = data.reference_counts
    for family in FAMILIES:
        block = data.blocks[family.name]
        if len(block):
            inputs.update({f"{family.name}_{field}": getattr(block, field) for field in family.inputs})
    return inputs


def design(scenario: Scenario, lexicon: Lexicon | None = None) -> ModelData:
    """The model's arrays for ``scenario``. Pods keep the scenario's order (``otl`` first)."""
    lexicon = lexicon or load_lexicon()
    knots = knot_years(scenario.timeline)
    context = DesignContext(scenario, lexicon, knots)
    X = np.array([[p.feature_value(f) for f in scenario.feature_ids] for p in scenario.pods], dtype=float)
    X = X.reshape(len(scenario.pods), len(scenario.feature_ids))
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
        blocks={
            family.name: family.block([c for c in scenario.claims if family_of(c.kind) is family], context)
            for family in FAMILIES
        },
        reference_counts=(np.asarray(reference.counts(scenario.outcome_ids), dtype=np.int64) if reference else None),
        observed_outcome=scenario.outcome_ids.index(scenario.evidence.observed_outcome),
    )
