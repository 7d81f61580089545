"""Simulation-based calibration (Talts et al. 2018) of the model on a scenario's structure.

Each simulation draws parameters from the prior (:func:`cfprob.answers.likelihood.draw_prior`), simulates every
claim and the evidence from them with the scenario's structure (same divergence points, claimants and
claim kinds; :func:`simulate_data`), fits the simulated data with the same compiled model and records the
rank of each true parameter among posterior draws thinned to about its effective sample size (so that
the draws ranked against are close to independent). If the sampler and the model code are right, ranks
are uniform; a chi-square test per parameter checks that.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from cfprob.answers.likelihood import draw_prior, replicate
from cfprob.claims import FAMILIES
from cfprob.fitting.design import ModelData
from cfprob.fitting.draws import Draws
from cfprob.fitting.priors import Priors
from cfprob.fitting.provenance import SamplerSettings
from cfprob.reading.scenario import Scenario

__all__ = ["THINNED", "Calibration", "calibrate", "simulate_data"]

Floats = NDArray[np.float64]
SCALARS = ("sigma_u", "sigma_bias", "noise_log_mean", "sigma_history", "sigma_era", "p_end")
"""Hyperparameters ranked besides ``alpha``, real history's curve at the middle knot, the first feature's
effects and the first divergence point's own effects."""


def simulate_data(data: ModelData, truth: Draws, rng: np.random.Generator, priors: Priors | None = None) -> ModelData:
    """Claims and evidence simulated from the one draw ``truth``, in the shapes of ``data``.

    Each claim family simulates its own claims (``Family.simulate``: point claims get a simulated logit,
    intervals keep their width, an ordering or era claim simulated as reversed gets a negative confidence, ...);
    real history's outcome and the reference class's counts are drawn too.
    """
    reps = replicate(truth, data, rng, priors)
    blocks = {
        family.name: family.simulate(data.blocks[family.name], reps[family.name], rng)
        for family in FAMILIES
        if family.name in reps
    }
    counts = data.reference_counts
    if counts is not None and truth.class_logit is not None:
        p = np.append(np.exp(truth.class_logit[0]), 1.0)
        counts = rng.multinomial(int(counts.sum()), p / p.sum()).astype(np.int64)
    # real history's outcome is a condition of the model (the curve ends at it), not simulated
    return replace(data.with_blocks(**blocks), reference_counts=counts)


def _middle(data: ModelData) -> int:
    return len(data.knots) // 2


def _truths(truth: Draws, data: ModelData) -> dict[str, float]:
    assert truth.extra is not None and truth.history is not None, "prior draws carry their parameters"
    logits = data.outcomes[:-1]
    values = {f"alpha[{o}]": float(truth.extra["alpha"][0, j]) for j, o in enumerate(logits)}
    middle = _middle(data)
    values.update(
        {f"history[{int(data.knots[middle])}, {o}]": float(truth.history[0, middle, j]) for j, o in enumerate(logits)}
    )
    if data.features:
        values.update(
            {f"beta[{data.features[0]}, {o}]": float(truth.extra["beta"][0, 0, j]) for j, o in enumerate(logits)}
        )
    if len(data.pods) > 1:
        values.update({f"u[{data.pods[1]}, {o}]": float(truth.extra["u"][0, 1, j]) for j, o in enumerate(logits)})
    values.update({name: float(truth.extra[name][0]) for name in SCALARS})
    return values


def _posterior_values(posterior: object, data: ModelData) -> dict[str, Floats]:
    import xarray as xr

    assert isinstance(posterior, xr.Dataset)

    def flat(da: xr.DataArray) -> Floats:
        return np.asarray(da.transpose("chain", "draw").values, dtype=float).reshape(-1)

    logits = data.outcomes[:-1]
    values = {f"alpha[{o}]": flat(posterior["alpha"].sel(logit_outcome=o)) for o in logits}
    knot = int(data.knots[_middle(data)])
    values.update({f"history[{knot}, {o}]": flat(posterior["history"].sel(knot=knot, logit_outcome=o)) for o in logits})
    if data.features:
        first = data.features[0]
        values.update(
            {f"beta[{first}, {o}]": flat(posterior["beta"].sel(feature=first, logit_outcome=o)) for o in logits}
        )
    if len(data.pods) > 1:
        pod = data.pods[1]
        values.update({f"u[{pod}, {o}]": flat(posterior["u"].sel(pod=pod, logit_outcome=o)) for o in logits})
    values.update({name: flat(posterior[name]) for name in SCALARS})
    return values


THINNED = (19, 39, 59, 79, 99)
"""How many posterior draws a true value is ranked against: the largest of these not above the draws'
bulk effective sample size (at least 19). Each gives ranks 0..n that split evenly into 10 bins."""


@dataclass(frozen=True)
class Calibration:
    """Each parameter's true value ranked among thinned posterior draws: ``(rank, draws ranked against)``,
    one per simulation."""

    ranks: dict[str, list[tuple[int, int]]]
    bins: int
    simulations: int
    divergent: list[bool]
    """Whether each simulation's fit had divergent transitions."""

    @property
    def divergent_fits(self) -> int:
        return sum(self.divergent)

    def histogram(self, name: str) -> list[int]:
        """How many of ``name``'s ranks fall in each of the ``bins`` equal bins, lowest ranks first."""
        counts = [0] * self.bins
        for rank, of in self.ranks[name]:
            counts[rank * self.bins // (of + 1)] += 1
        return counts

    def tests(self) -> dict[str, tuple[float, float]]:
        """Chi-square statistic and p-value of rank uniformity, per parameter."""
        return {name: _chi_square(self.histogram(name)) for name in self.ranks}


def _thinned_rank(draws: Floats, chains: int, value: float) -> tuple[int, int]:
    """The rank of ``value`` among draws thinned to about their bulk ESS (:data:`THINNED`), and how many."""
    import arviz_stats  # noqa: F401  (registers the ``.azstats`` accessor)
    import xarray as xr

    ess = float(
        xr.DataArray(draws.reshape(chains, -1), dims=("chain", "draw")).azstats.ess(sample_dims=["chain", "draw"])
    )
    of = max([n for n in THINNED if n <= ess] or [THINNED[0]])
    thinned = draws[np.linspace(0, len(draws) - 1, of).astype(int)]
    return int((thinned < value).sum()), of


def _chi_square(counts: list[int]) -> tuple[float, float]:
    statistic, p = stats.chisquare(counts)
    return float(statistic), float(p)


def calibrate(
    scenario: Scenario,
    data: ModelData,
    simulations: int,
    settings: SamplerSettings,
    seed: int = 1,
    bins: int = 10,
    on_simulation: object = None,
) -> Calibration:
    """Run ``simulations`` prior simulations of ``scenario``'s structure, fitting each with ``settings``."""
    from cfprob.fitting.inference import fit

    rng = np.random.default_rng(seed)
    ranks: dict[str, list[tuple[int, int]]] = {}
    divergent = []
    for i in range(simulations):
        truth = draw_prior(data, 1, rng)
        simulated = simulate_data(data, truth, rng)
        tree = fit(scenario, replace(settings, seed=seed * 100_003 + i), data=simulated)
        divergent.append(bool(tree.attrs["diag_divergences"] > 0))
        posterior = _posterior_values(tree["posterior"].to_dataset(), data)
        for name, value in _truths(truth, data).items():
            ranks.setdefault(name, []).append(_thinned_rank(posterior[name], settings.chains, value))
        if callable(on_simulation):
            on_simulation(i + 1)
    return Calibration(ranks, bins, simulations, divergent)
