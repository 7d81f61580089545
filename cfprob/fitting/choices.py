"""Which divergence points claimants chose to speak about: the data of the selection model.

People write about the divergences they expect to help. The model treats each such choice as data (model
version 7): claimant ``a`` speaking about divergence point ``d`` rather than another chose it with
probability ``softmax_c(gamma * logit theta^a_c1)[d]`` over the candidates ``c``: the divergence points
someone in the sources put forward (at least one claim or proposal is about it; a point the scenario adds
with none, such as the placebo check's, was not among the choices and does not lean),
``theta^a_c1`` the chance of the scenario's first outcome (the one its question hopes for) at ``c`` as the
claimant sees it (through their worldview) and ``gamma`` the strength of the selection, fitted with an
informative prior (:class:`~cfprob.fitting.priors.Priors`: ``selection_mean``, ``selection_sd``). With
``gamma = 0`` choices say nothing; with ``gamma > 0`` the divergence points nobody chose are read as less
hopeful than the chosen ones, and what claims say about the chosen points is no longer taken for a sample of
all of them.

A choice is made by every fitted claim about a divergence point that the claimant sees through their
worldview (the divergence side of an ordering that compares one with real history; orderings of two
divergences choose neither), and by every proposal ("what about Bukharin?"), which has no other likelihood.
A claim's choice is part of its log-likelihood (leaving the claim out leaves its choice out too); a
proposal's choice stands alone. The same rule re-points claims when data are simulated with selection
(:func:`cfprob.answers.calibration.select_divergences`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cfprob.claims import FAMILIES, ClaimBlock

__all__ = ["HOPED_OUTCOME", "Choices", "choice_events", "chosen_side"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

HOPED_OUTCOME = 0
"""The outcome whose chance claimants are taken to choose divergence points by: the scenario's first."""


@dataclass(frozen=True)
class Choices:
    """One row per choice: who chose which divergence point, and where the choice comes from."""

    author: Ints
    pod: Ints
    weight: Floats
    """The claim's weight (a choice is tempered with its claim); 1 for a proposal."""
    claim: Ints
    """The claim's column in the per-claim log-likelihood (:func:`cfprob.answers.likelihood.claim_order`); -1
    for a proposal."""
    family: Ints
    """The claim's family (index into :data:`~cfprob.claims.FAMILIES`); -1 for a proposal."""
    row: Ints
    """The claim's row in its family's block; for a proposal, its index among the proposals."""
    side: Ints
    """+1: the claim's ``pod`` is the choice; -1: its ``other_pod`` (an ordering that puts real history
    first); 0 for a proposal."""
    candidate: Floats
    """(pods,): 1 for a divergence point the choices are among, 0 for real history and the points nobody put
    forward."""

    def __len__(self) -> int:
        return len(self.author)


def chosen_side(family: str, block: ClaimBlock, j: int) -> int:
    """Which side of claim ``j`` of ``block`` (of ``family``) is a choice of a divergence point: +1 its pod, -1
    its other pod, 0 none."""
    if family == "ordering":
        if block.direction[j] > 0:
            return 1 if block.seen[j] == 1.0 else 0
        if block.direction[j] < 0:
            return -1 if block.other_seen[j] == 1.0 else 0
        return 0
    return 1 if len(block.seen) and block.seen[j] == 1.0 else 0


def choice_events(
    blocks: Mapping[str, ClaimBlock],
    n_pods: int,
    proposals: Sequence[tuple[int, int, float]] = (),
    candidate: Floats | None = None,
    row_pods: Mapping[int, int] | None = None,
) -> Choices:
    """Every choice in ``blocks`` (in family order) and ``proposals`` ((author, pod, weight) each), keeping
    only choices of a divergence point (index 1 to ``n_pods - 1``); the candidates are the points chosen at
    least once, unless ``candidate`` gives them (to keep a scenario's candidates for data simulated or
    reweighted from it). ``row_pods`` maps the rows of claims with a condition (a stack) to the divergence
    point the claim is about: its choice."""
    row_pods = row_pods or {}
    rows: list[tuple[int, int, float, int, int, int, int]] = []
    column = 0
    for f, family in enumerate(FAMILIES):
        block = blocks[family.name]
        for j in range(len(block)):
            side = chosen_side(family.name, block, j)
            pod = int(block.pod[j] if side > 0 else block.other_pod[j])
            pod = row_pods.get(pod, pod)
            if side != 0 and 0 < pod < n_pods:
                rows.append((int(block.author[j]), pod, float(block.weight[j]), column + j, f, j, side))
        column += len(block)
    for i, (author, pod, weight) in enumerate(proposals):
        if 0 < pod < n_pods:
            rows.append((author, pod, weight, -1, -1, i, 0))
    columns = list(zip(*rows, strict=True)) if rows else [()] * 7
    ints = [np.asarray(c, dtype=np.int64) for c in columns]
    if candidate is None:
        candidate = np.zeros(n_pods)
        candidate[ints[1]] = 1.0
    return Choices(
        author=ints[0],
        pod=ints[1],
        weight=np.asarray(columns[2], dtype=float),
        claim=ints[3],
        family=ints[4],
        row=ints[5],
        side=ints[6],
        candidate=np.asarray(candidate, dtype=float),
    )
