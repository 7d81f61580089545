"""Turn a validated scenario into the arrays the model is fitted to.

Pure numpy: everything the PyMC model needs, indexed by position. Each claim family makes its own block
(:mod:`cfprob.claims`); real history's curve prior comes from the hazard model (:mod:`cfprob.history`); the
numeric building blocks (logits, the timeline's knots) live in :mod:`cfprob.fitting.numeric` and are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from cfprob.claims import FAMILIES, ClaimBlock, DesignContext, family_of
from cfprob.fitting.choices import Choices, choice_events
from cfprob.fitting.numeric import (
    KNOT_SPACING,
    centred_walk,
    interpolation_weights,
    knot_years,
    logit,
    softmax_last,
)
from cfprob.fitting.world import TimelineMatrices
from cfprob.history.leaders import feature_scales
from cfprob.history.prior import history_prior
from cfprob.reading.lexicon import Lexicon, load_lexicon
from cfprob.reading.scenario import OTL, Scenario

__all__ = [
    "KNOT_SPACING",
    "ClaimBlock",
    "ModelData",
    "centred_walk",
    "design",
    "interpolation_weights",
    "knot_years",
    "logit",
    "model_coords",
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
    feature_sd_data: Floats
    """(features,): the prior sd of each feature's effect the scenario's evidence gives, NaN where it gives none
    (the model's judgement then: :func:`cfprob.fitting.priors.feature_sd`)."""
    knots: Floats
    """The timeline's knots (years)."""
    year_weights: Floats
    """(pods, knots): each divergence point's year as interpolation weights (otl: the timeline's start)."""
    history_years: Ints
    """The years of real history claims about ``otl`` speak of: rows after the pods in the claims' indices."""
    history_weights: Floats
    """(history years, knots): those years as interpolation weights."""
    matrices: TimelineMatrices
    stacks: tuple[tuple[str, ...], ...]
    """The stacks claims with a condition speak of (each: the claim's pod, then its ``given``): rows after real
    history's years in the claims' indices, modelled as ``run A B`` answers a stack (:mod:`cfprob.fitting.world`)."""
    stack_weights: Floats
    """(stacks, knots): each stack's year (its earliest divergence point's) as interpolation weights."""
    stack_X: Floats
    """(stacks, features): each stack's features (the maximum over its divergence points)."""
    stack_members: Floats
    """(stacks, pods): 1 for the divergence points in each stack (their own effects add up)."""
    blocks: Mapping[str, ClaimBlock]
    choices: Choices
    """Which divergence points claimants chose to speak about (the selection model's data)."""
    observed_outcome: int
    observed_year: int

    @property
    def stack_start(self) -> int:
        """The first stack's row in the claims' indices (after the pods and real history's years)."""
        return len(self.pods) + len(self.history_years)

    @property
    def n_rows(self) -> int:
        """How many rows the claims' indices address: the pods, real history's years, the stacks."""
        return self.stack_start + len(self.stacks)

    @property
    def row_pods(self) -> dict[int, int]:
        """Each stack's row -> the divergence point its claims chose to speak of (the stack's first)."""
        return {self.stack_start + i: self.pods.index(stack[0]) for i, stack in enumerate(self.stacks)}

    def __getattr__(self, name: str) -> ClaimBlock:
        blocks = self.__dict__.get("blocks")
        if blocks is not None and name in blocks:
            return blocks[name]  # type: ignore[no-any-return]
        raise AttributeError(name)

    @property
    def has_tendency(self) -> bool:
        """Whether any claim calls a divergence better or worse than real history (the model then has
        claimants' tendencies; otherwise they are zero)."""
        return any(bool(np.any(block.direction != 0)) for block in self.blocks.values() if len(block))

    def with_blocks(self, **changed: ClaimBlock) -> ModelData:
        """A copy with some families' blocks replaced (same shapes: the compiled model code is reused); the
        choices follow the claims (their pods and weights), proposals' choices stay."""
        blocks = {**self.blocks, **changed}
        proposals = self.choices.family < 0
        kept = [
            (int(a), int(p), float(w))
            for a, p, w in zip(
                self.choices.author[proposals], self.choices.pod[proposals], self.choices.weight[proposals], strict=True
            )
        ]
        choices = choice_events(blocks, len(self.pods), kept, self.choices.candidate, self.row_pods)
        return replace(self, blocks=blocks, choices=choices)


def model_inputs(data: ModelData) -> dict[str, Floats | Ints]:
    """The data arrays the model reads as inputs rather than constants, by input name.

    ``X`` (when there are features), ``year_weights``, ``history_weights`` (when claims speak of real history),
    ``stack_weights``, ``stack_members`` and ``stack_X`` (when claims carry a condition),
    ``history_mean`` and ``history_chol`` (real history's curve prior) and, for every non-empty claim family,
    its arrays named ``<family>_<field>``. Keeping them out of the
    model's constants lets compiled model code be reused when only data values change
    (``--sampler pymc``, and the tests that hold the hand-written density to the model): an edited claim, or
    a dataset simulated from the prior.
    """
    inputs: dict[str, Floats | Ints] = {"X": data.X} if data.features else {}
    inputs["year_weights"] = data.year_weights
    if len(data.history_years):
        inputs["history_weights"] = data.history_weights
    if data.stacks:
        inputs |= {"stack_weights": data.stack_weights, "stack_members": data.stack_members}
        if data.features:
            inputs["stack_X"] = data.stack_X
    inputs["history_mean"] = data.matrices.history_mean
    inputs["history_chol"] = data.matrices.history_chol
    if len(data.choices):
        inputs |= {"choice_author": data.choices.author, "choice_pod": data.choices.pod}
        inputs["choice_weight"] = data.choices.weight
        inputs["choice_candidate"] = data.choices.candidate
    for family in FAMILIES:
        block = data.blocks[family.name]
        if len(block):
            inputs.update({f"{family.name}_{field}": getattr(block, field) for field in family.inputs})
    return inputs


def model_coords(data: ModelData) -> dict[str, list[str] | list[int]]:
    """The model's dimensions and their coordinates (``poll_claim``: the polls, whose crowds have latents)."""
    polls: dict[str, list[str] | list[int]] = (
        {"poll_claim": list(data.blocks["poll"].ids)} if len(data.blocks["poll"]) else {}
    )
    return polls | {
        "outcome": list(data.outcomes),
        "logit_outcome": list(data.outcomes[:-1]),
        "pod": list(data.pods),
        "cf_pod": list(data.pods[1:]),
        "feature": list(data.features),
        "claimant": list(data.claimants),
        "knot": [int(y) for y in data.knots],
        "history_coef": list(range(data.matrices.history_chol.shape[0])),
        "era_step": [int(y) for y in data.knots[1:]],
        "history_year": [int(y) for y in data.history_years],
        "stack": [" + ".join(stack) for stack in data.stacks],
    }


def design(scenario: Scenario, lexicon: Lexicon | None = None) -> ModelData:
    """The model's arrays for ``scenario``. Pods keep the scenario's order (``otl`` first)."""
    lexicon = lexicon or load_lexicon()
    observed_year = scenario.evidence.observed_year
    knots = knot_years(scenario.timeline, observed_year)
    history_years = sorted({scenario.history_year(c) for c in scenario.scored_claims if OTL in c.pods})
    rows = {year: len(scenario.pods) + i for i, year in enumerate(history_years)}
    stacks = list(dict.fromkeys(c.stack for c in scenario.scored_claims if c.stack))
    first_stack = len(scenario.pods) + len(history_years)
    context = DesignContext(scenario, lexicon, knots, rows, {s: first_stack + i for i, s in enumerate(stacks)})
    X = np.array([[p.feature_value(f) for f in scenario.feature_ids] for p in scenario.pods], dtype=float)
    X = X.reshape(len(scenario.pods), len(scenario.feature_ids))
    years = np.asarray([p.year if p.year is not None else scenario.timeline[0] for p in scenario.pods], dtype=float)
    members = np.zeros((len(stacks), len(scenario.pods)))
    for i, stack in enumerate(stacks):
        members[i, [scenario.pod_ids.index(p) for p in stack]] = 1.0
    stack_years = np.asarray([years[m > 0].min() for m in members], dtype=float)
    stack_X = np.asarray([X[m > 0].max(axis=0) for m in members], dtype=float).reshape(len(stacks), X.shape[1])
    curve = history_prior(scenario, knots)
    blocks = {
        family.name: family.block([c for c in scenario.scored_claims if family_of(c.kind) is family], context)
        for family in FAMILIES
    }
    proposals = [
        (scenario.claimant_ids.index(c.author), scenario.pod_ids.index(c.pod), c.weight)
        for c in scenario.claims
        if c.kind == "proposal" and not c.excluded and not c.review and c.pod is not None
    ]
    return ModelData(
        outcomes=scenario.outcome_ids,
        pods=scenario.pod_ids,
        features=scenario.feature_ids,
        claimants=scenario.claimant_ids,
        X=X,
        feature_sd_data=np.asarray(feature_scales(scenario, np.nan).sd, dtype=float).reshape(X.shape[1]),
        knots=knots,
        year_weights=interpolation_weights(years, knots),
        history_years=np.asarray(history_years, dtype=np.int64),
        history_weights=interpolation_weights(np.asarray(history_years, dtype=float), knots).reshape(-1, len(knots)),
        matrices=TimelineMatrices(knots, curve.mean, curve.chol, centred_walk(len(knots))),
        stacks=tuple(stacks),
        stack_weights=interpolation_weights(stack_years, knots).reshape(-1, len(knots)),
        stack_X=stack_X,
        stack_members=members,
        blocks=blocks,
        choices=choice_events(
            blocks,
            len(scenario.pods),
            proposals,
            row_pods={first_stack + i: scenario.pod_ids.index(s[0]) for i, s in enumerate(stacks)},
        ),
        observed_outcome=scenario.outcome_ids.index(scenario.evidence.observed_outcome),
        observed_year=observed_year,
    )
