"""Cross-validation that can fail: how well a model predicts claims it did not see.

Claims are held out in groups (every claim of one claimant, of one source, or one claim at a time). The score
of a group is its expected log predictive density, ``elpd_g = log E[p(y_g | theta)]`` over the posterior
fitted without it: by Pareto-smoothed importance sampling of the full fit (:func:`psis_elpd`) where the Pareto
k allows (at most 0.7), by an exact refit with the group at weight 0 (:func:`refit_elpd`) where it does not.
A claim's weight tempers its density as in the model. Models are compared by the sum over groups and the
standard error of the paired differences, ``sqrt(G * var(d_g))`` (Vehtari, Gelman and Gabry 2017).

Two baselines ship beside the model. :func:`no_pooling_elpd` reads every claim at its stated value (a
phrase at its lexicon median) and predicts a held-out claim from the other claims about the same divergence
point and outcome alone, with no pooling across divergence points, claimants or years: their mean logit (1/K
without any), a noise level from the spread of claims about one divergence point, an ordering from the two
sides' means (even odds without both), an era claim at even odds. The other baseline is the model without
the worldview factor (:class:`~cfprob.fitting.priors.Priors` with ``worldview_loading_sd = 0``), scored the
same way as the model. PIT values of held-out point claims (the predictive probability of a stated logit
at most the one stated) should be uniform when the predictions are calibrated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from cfprob.answers.likelihood import claim_log_likelihood, claim_order
from cfprob.answers.sensitivity import KHAT_LIMIT, psis_weights, without_claims
from cfprob.claims.base import ClaimBlock
from cfprob.claims.point import stated_sd
from cfprob.fitting.design import ModelData
from cfprob.fitting.draws import Draws, located_logits
from cfprob.fitting.priors import Priors
from cfprob.reading.scenario import Scenario

__all__ = [
    "GROUPINGS",
    "Comparison",
    "GroupScore",
    "ModelScore",
    "compare_scores",
    "groups_of",
    "no_pooling_elpd",
    "pit_uniformity",
    "score_fit",
]

Floats = NDArray[np.float64]
GROUPINGS = ("claimant", "source", "claim")
"""What a held-out group is made of."""


@dataclass(frozen=True)
class GroupScore:
    """One held-out group's expected log predictive density."""

    group: str
    claims: tuple[str, ...]
    elpd: float
    khat: float
    """Pareto k of the importance weights (0 for a refit or a baseline)."""
    method: str
    """``psis``, ``refit``, ``psis (k > 0.7)`` when no refit was allowed, or ``baseline``."""
    pit: tuple[float, ...] = ()
    """PIT values of the group's point claims."""


@dataclass(frozen=True)
class ModelScore:
    """A model's held-out scores, group by group."""

    name: str
    groups: tuple[GroupScore, ...]

    @property
    def elpd(self) -> float:
        return float(sum(g.elpd for g in self.groups))

    @property
    def se(self) -> float:
        values = np.asarray([g.elpd for g in self.groups])
        return float(np.sqrt(len(values) * values.var(ddof=1))) if len(values) > 1 else float("nan")

    @property
    def pit(self) -> Floats:
        return np.asarray([p for g in self.groups for p in g.pit], dtype=float)


@dataclass(frozen=True)
class Comparison:
    """``other`` against the reference model: the sum of paired differences (other minus reference)."""

    name: str
    difference: float
    se: float


def groups_of(scenario: Scenario, data: ModelData, by: str) -> dict[str, list[int]]:
    """Held-out groups: indices into :func:`~cfprob.answers.likelihood.claim_order`, by group name."""
    if by not in GROUPINGS:
        raise ValueError(f"expected one of {', '.join(GROUPINGS)}, found {by!r}")
    claims = {c.id: c for c in scenario.claims}
    groups: dict[str, list[int]] = {}
    for index, claim_id in enumerate(claim_order(data)):
        claim = claims[claim_id]
        name = {"claimant": claim.author, "source": claim.source, "claim": claim.id}[by]
        groups.setdefault(name, []).append(index)
    return groups


def psis_elpd(log_likelihood: Floats, chains: int) -> tuple[float, float, Floats]:
    """``log E[p(y_g)]`` under the posterior without the group, by PSIS: (elpd, Pareto k, weights).

    ``log_likelihood`` (S,) is the group's summed log-likelihood under each draw of the full fit.
    """
    weights, khat = psis_weights(log_likelihood, chains)
    elpd = float(special.logsumexp(np.log(np.clip(weights, 1e-300, None)) + log_likelihood))
    return elpd, khat, weights


def refit_elpd(log_likelihood: Floats) -> float:
    """``log E[p(y_g)]`` from draws of a fit without the group: ``log mean_s p(y_g | theta_s)``."""
    return float(special.logsumexp(log_likelihood) - np.log(len(log_likelihood)))


def _point_pit(draws: Draws, block: ClaimBlock, weights: Floats, rows: Sequence[int]) -> tuple[float, ...]:
    """PIT of point claims ``rows`` of ``block``: the weighted predictive P(stated logit <= as stated)."""
    if not rows:
        return ()
    index = np.asarray(rows)
    mu = located_logits(draws, block)[:, index]
    sd = stated_sd(draws, block)[:, index]
    below = stats.norm.cdf((block.value[index] - mu) / sd)
    return tuple(float(x) for x in weights @ below)


def score_fit(
    name: str,
    draws: Draws,
    data: ModelData,
    groups: Mapping[str, Sequence[int]],
    chains: int,
    priors: Priors | None = None,
    refit: Callable[[list[ModelData]], list[Draws]] | None = None,
    max_refits: int | None = None,
) -> ModelScore:
    """Every group's held-out score under one fit: PSIS, and exact refits (``refit`` samples several changed
    data of the same shapes, independently, and returns each fit's draws) for the groups with the largest Pareto
    k above 0.7, at most ``max_refits`` of them. A refit keeps the headline's draws: its score is a log mean of
    likelihoods, which leans on the draws in the tails."""
    ll = claim_log_likelihood(draws, data, priors)
    ids = claim_order(data)
    point = data.blocks["point"]
    point_rows = {claim_id: j for j, claim_id in enumerate(point.ids)}
    scored: dict[str, GroupScore] = {}
    for group, index in groups.items():
        elpd, khat, weights = psis_elpd(ll[:, index].sum(axis=1), chains)
        rows = [point_rows[ids[i]] for i in index if ids[i] in point_rows]
        claims = tuple(ids[i] for i in index)
        scored[group] = GroupScore(group, claims, elpd, khat, "psis", _point_pit(draws, point, weights, rows))
    bad = sorted((g for g in scored.values() if g.khat > KHAT_LIMIT), key=lambda g: -g.khat)
    allowed = len(bad) if max_refits is None else max_refits
    checked = bad[:allowed] if refit is not None else []
    for score in bad[len(checked) :]:
        scored[score.group] = GroupScore(score.group, score.claims, score.elpd, score.khat, "psis (k > 0.7)", score.pit)
    refitted_all = refit([without_claims(data, score.claims) for score in checked]) if refit and checked else []
    for score, refitted in zip(checked, refitted_all, strict=True):
        index = list(groups[score.group])
        held = claim_log_likelihood(refitted, data, priors)[:, index].sum(axis=1)
        rows = [point_rows[ids[i]] for i in index if ids[i] in point_rows]
        uniform = np.full(len(refitted), 1.0 / len(refitted))
        pit = _point_pit(refitted, point, uniform, rows)
        scored[score.group] = GroupScore(score.group, score.claims, refit_elpd(held), score.khat, "refit", pit)
    return ModelScore(name, tuple(scored[g] for g in groups))


def no_pooling_elpd(data: ModelData, groups: Mapping[str, Sequence[int]], priors: Priors | None = None) -> ModelScore:
    """The no-pooling baseline's held-out scores (see the module's description)."""
    priors = priors or Priors()
    ids = claim_order(data)
    family_of = {claim_id: (name, j) for name, b in data.blocks.items() for j, claim_id in enumerate(b.ids)}
    scored = []
    for group, index in groups.items():
        held = {ids[i] for i in index}
        means, spread = _training_means(data, held)
        total, pits = 0.0, []
        for i in index:
            name, j = family_of[ids[i]]
            density, pit = _baseline_claim(data.blocks[name], name, j, means, spread, len(data.outcomes), priors)
            total += density
            if pit is not None:
                pits.append(pit)
        scored.append(GroupScore(group, tuple(ids[i] for i in index), total, 0.0, "baseline", tuple(pits)))
    return ModelScore("no pooling (claims at their stated values)", tuple(scored))


def _training_means(data: ModelData, held: set[str]) -> tuple[dict[tuple[int, int], float], float]:
    """Mean stated logit of the training point claims per (row, outcome), and the claims' spread about them
    (the root mean square deviation where a row and outcome have several claims; 1 without any)."""
    point = data.blocks["point"]
    cells: dict[tuple[int, int], list[float]] = {}
    for j, claim_id in enumerate(point.ids):
        if claim_id not in held:
            cells.setdefault((int(point.pod[j]), int(point.outcome[j])), []).append(float(point.value[j]))
    means = {cell: float(np.mean(values)) for cell, values in cells.items()}
    deviations = [v - means[cell] for cell, values in cells.items() if len(values) > 1 for v in values]
    dof = sum(len(values) - 1 for values in cells.values() if len(values) > 1)
    spread = float(np.sqrt(np.sum(np.square(deviations)) / dof)) if dof else 1.0
    return means, spread


def _baseline_claim(
    block: ClaimBlock,
    family: str,
    j: int,
    means: Mapping[tuple[int, int], float],
    spread: float,
    k: int,
    priors: Priors,
) -> tuple[float, float | None]:
    """One held-out claim's weighted log predictive density under the baseline, and its PIT (point claims)."""
    weight = float(block.weight[j])
    centre = means.get((int(block.pod[j]), int(block.outcome[j])), float(np.log(1.0 / (k - 1))))
    sd = float(np.hypot(spread / block.confidence[j], block.extra[j]))
    if family == "point":
        value = float(block.value[j])
        return weight * float(stats.norm.logpdf(value, centre, sd)), float(stats.norm.cdf((value - centre) / sd))
    if family == "interval":
        mass = stats.norm.cdf(block.extra[j], centre, sd) - stats.norm.cdf(block.value[j], centre, sd)
        return weight * float(np.log(max(mass, 1e-300))), None
    if family == "ordering":
        higher = means.get((int(block.pod[j]), int(block.outcome[j])))
        lower = means.get((int(block.other_pod[j]), int(block.outcome[j])))
        gap = 0.0 if higher is None or lower is None else block.confidence[j] * (higher - lower) / priors.ordering_tau
        return -weight * float(np.logaddexp(0.0, -gap)), None
    if family == "distribution":
        return weight * float(special.gammaln(k)), None  # a flat Dirichlet
    return weight * float(np.log(0.5)), None  # era claims: even odds


def compare_scores(reference: ModelScore, others: Sequence[ModelScore]) -> list[Comparison]:
    """Each of ``others`` against ``reference``: summed paired differences and their standard error."""
    result = []
    for other in others:
        d = np.asarray([o.elpd - r.elpd for o, r in zip(other.groups, reference.groups, strict=True)])
        se = float(np.sqrt(len(d) * d.var(ddof=1))) if len(d) > 1 else float("nan")
        result.append(Comparison(other.name, float(d.sum()), se))
    return result


def pit_uniformity(pit: Floats, bins: int = 5) -> tuple[list[int], float]:
    """Counts of PIT values per bin and the Kolmogorov-Smirnov p-value against the uniform distribution."""
    counts = np.histogram(pit, bins=bins, range=(0.0, 1.0))[0]
    p = float(stats.kstest(pit, "uniform").pvalue) if len(pit) else float("nan")
    return [int(c) for c in counts], p
