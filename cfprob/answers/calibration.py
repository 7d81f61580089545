"""Simulation-based calibration (Talts et al. 2018) of the model on a scenario's structure.

Each simulation draws parameters from the prior (:func:`cfprob.answers.likelihood.draw_prior`), simulates every
claim and the evidence from them with the scenario's structure (same divergence points, claimants and
claim kinds; :func:`simulate_data`), fits the simulated data with the same compiled model and records the
rank of each true parameter among posterior draws thinned to about its effective sample size (so that
the draws ranked against are close to independent). If the sampler and the model code are right, ranks
are uniform; a chi-square test per parameter checks that.

With ``selection``, the simulated claims meet the structure of real ones: which divergence point a claim (or
a proposal) speaks of is chosen by its claimant (:func:`select_divergences`), favouring the divergences they
see as best for the scenario's first outcome, as forum proposers do. Since model version 7 the model has
this selection in it (:mod:`cfprob.fitting.choices`): at the truth's own selection strength the check is
again one of the code; at a fixed strength (``selection_strength``) it tests the answers' robustness to a
selection stronger or weaker than the prior expects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from cfprob.answers.likelihood import draw_prior, replicate
from cfprob.claims import FAMILIES
from cfprob.fitting.design import ModelData
from cfprob.fitting.draws import Draws
from cfprob.fitting.priors import Priors
from cfprob.fitting.provenance import SamplerSettings
from cfprob.fitting.refits import Refits, refit_all
from cfprob.reading.scenario import Scenario

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["THINNED", "Calibration", "calibrate", "select_divergences", "simulate_data"]

Floats = NDArray[np.float64]
SCALARS = ("sigma_u", "sigma_bias", "noise_log_mean", "sigma_era")
"""Hyperparameters ranked besides ``alpha``, real history's curve at the middle knot, the first feature's
effects, the own effects of the first divergence point and of the one with most claims, the worldview's
loadings, the position of the claimant with most claims, the plausibility of the first divergence point
an antecedent claim is about, the unpredictability of the first one an uncertain claim names, and the first
poll's crowd (location and dispersion), and the selection's strength."""


def _most(counts: Floats, names: tuple[str, ...], skip_first: bool = False) -> int:
    """The index of the name with the most claims (the first such; index 0 excluded with ``skip_first``)."""
    order = np.argsort(-counts, kind="stable")
    return int(next(i for i in order if not (skip_first and i == 0)))


def _claims_per(data: ModelData) -> tuple[Floats, Floats]:
    """How many claims each divergence point (both sides of an ordering) and each claimant has."""
    pods, claimants = np.zeros(len(data.pods)), np.zeros(len(data.claimants))
    for block in data.blocks.values():
        for rows in (block.pod, block.other_pod):
            inside = rows[(rows >= 0) & (rows < len(data.pods))]
            np.add.at(pods, inside, 1.0)
        np.add.at(claimants, block.author, 1.0)
    return pods, claimants


def select_divergences(
    data: ModelData, truth: Draws, rng: np.random.Generator, strength: float | None = None
) -> ModelData:
    """Claims and proposals re-pointed at the divergence points their claimants prefer, under the one draw
    ``truth``: the selection model's own generative story (:mod:`cfprob.fitting.choices`).

    Every choice (a claim about a divergence point, the divergence side of an ordering against real history,
    a proposal) is redrawn among the candidates (the points the scenario's sources put forward) with
    probability proportional to
    ``exp(strength * logit p)``, ``p`` the first outcome's probability there as the claimant sees it (through
    their worldview), and its claim moved there. ``strength`` defaults to the truth's own selection strength.
    Shapes are kept: the compiled model is reused.
    """
    from dataclasses import replace as with_

    from cfprob.fitting.choices import HOPED_OUTCOME
    from cfprob.fitting.draws import seen_logits

    choices = data.choices
    candidates = np.flatnonzero(choices.candidate > 0.5)
    if not len(candidates) or not len(choices):
        return data
    if strength is None:
        assert truth.selection is not None, "a truth drawn for data with choices has a selection strength"
        strength = float(truth.selection[0])
    pods = choices.pod.copy()
    for i in range(len(choices)):
        author = np.full(len(candidates), choices.author[i])
        outcome = np.full(len(candidates), HOPED_OUTCOME)
        hope = seen_logits(truth, candidates, outcome, author, np.ones(len(candidates)))[0]
        weights = np.exp(strength * (hope - hope.max()))
        pods[i] = int(rng.choice(candidates, p=weights / weights.sum()))
    changed = {}
    for f, family in enumerate(FAMILIES):
        mine = np.flatnonzero(choices.family == f)
        if not len(mine):
            continue
        block = data.blocks[family.name]
        pod, other = block.pod.copy(), block.other_pod.copy()
        for chosen in mine:
            (pod if choices.side[chosen] > 0 else other)[choices.row[chosen]] = int(pods[chosen])
        changed[family.name] = with_(block, pod=pod, other_pod=other)
    moved = data.with_blocks(**changed)
    return with_(moved, choices=with_(moved.choices, pod=np.where(moved.choices.family < 0, pods, moved.choices.pod)))


def simulate_data(
    data: ModelData,
    truth: Draws,
    rng: np.random.Generator,
    priors: Priors | None = None,
    selection: bool = False,
    selection_strength: float | None = None,
) -> ModelData:
    """Claims and evidence simulated from the one draw ``truth``, in the shapes of ``data`` (with
    ``selection``, about the divergence points their claimants prefer: :func:`select_divergences`).

    Each claim family simulates its own claims (``Family.simulate``: point claims get a simulated logit,
    intervals keep their width, an ordering or era claim simulated as reversed gets a negative confidence, ...);
    real history's curve prior (from the hazard model) is a fixed part of the model, not simulated.
    """
    if selection:
        data = select_divergences(data, truth, rng, strength=selection_strength)
    reps = replicate(truth, data, rng, priors)
    blocks = {
        family.name: family.simulate(data.blocks[family.name], reps[family.name], rng)
        for family in FAMILIES
        if family.name in reps
    }
    return data.with_blocks(**blocks)


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
    pods, claimants = _claims_per(data)
    if len(data.pods) > 1:
        for i in dict.fromkeys([1, _most(pods, data.pods, skip_first=True)]):
            values.update({f"u[{data.pods[i]}, {o}]": float(truth.extra["u"][0, i, j]) for j, o in enumerate(logits)})
    if "worldview" in truth.extra:
        loading = truth.extra["worldview_loading"][0]
        values.update({f"worldview_loading[{o}]": float(loading[j]) for j, o in enumerate(logits)})
        a = _most(claimants, data.claimants)
        values[f"worldview[{data.claimants[a]}]"] = float(truth.extra["worldview"][0, a])
    antecedent = data.blocks["antecedent"]
    if len(antecedent) and truth.plausibility is not None:
        i = int(antecedent.pod[0])
        values[f"plausibility[{data.pods[i]}]"] = float(truth.plausibility[0, i - 1])
    uncertain = data.blocks["uncertain"]
    if len(uncertain) and truth.extra and "unpredictability" in truth.extra:
        i = int(uncertain.pod[0])
        values[f"unpredictability[{data.pods[i]}]"] = float(truth.extra["unpredictability"][0, i - 1])
    polls = data.blocks["poll"]
    if len(polls) and truth.poll_location is not None and truth.poll_dispersion is not None:
        values[f"poll_location[{polls.ids[0]}]"] = float(truth.poll_location[0, 0])
        values[f"poll_dispersion[{polls.ids[0]}]"] = float(truth.poll_dispersion[0, 0])
    values.update({name: float(truth.extra[name][0]) for name in SCALARS})
    if "selection" in truth.extra:
        values["selection"] = float(truth.extra["selection"][0])
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
    pods, claimants = _claims_per(data)
    if len(data.pods) > 1:
        for i in dict.fromkeys([1, _most(pods, data.pods, skip_first=True)]):
            pod = data.pods[i]
            values.update({f"u[{pod}, {o}]": flat(posterior["u"].sel(pod=pod, logit_outcome=o)) for o in logits})
    if "worldview" in posterior:
        loading = posterior["worldview_loading"]
        values.update({f"worldview_loading[{o}]": flat(loading.sel(logit_outcome=o)) for o in logits})
        name = data.claimants[_most(claimants, data.claimants)]
        values[f"worldview[{name}]"] = flat(posterior["worldview"].sel(claimant=name))
    antecedent = data.blocks["antecedent"]
    if len(antecedent) and "plausibility" in posterior:
        pod = data.pods[int(antecedent.pod[0])]
        values[f"plausibility[{pod}]"] = flat(posterior["plausibility"].sel(cf_pod=pod))
    uncertain = data.blocks["uncertain"]
    if len(uncertain) and "unpredictability" in posterior:
        pod = data.pods[int(uncertain.pod[0])]
        values[f"unpredictability[{pod}]"] = flat(posterior["unpredictability"].sel(cf_pod=pod))
    polls = data.blocks["poll"]
    if len(polls) and "poll_location" in posterior:
        for name in ("poll_location", "poll_dispersion"):
            values[f"{name}[{polls.ids[0]}]"] = flat(posterior[name].isel({posterior[name].dims[-1]: 0}))
    values.update({name: flat(posterior[name]) for name in SCALARS})
    if len(data.choices):
        values["selection"] = flat(posterior["selection"])
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
    errors: Floats | None = None
    """(simulations, pods, outcomes): each divergence point's posterior mean of P(outcome) minus the truth."""

    def bias(self, pod: int | None = None) -> tuple[Floats, Floats]:
        """Mean error of P(outcome) (posterior mean minus truth) per outcome, and its standard error over
        simulations: at divergence point ``pod``, or averaged over every divergence point but real history."""
        assert self.errors is not None, "errors are recorded by calibrate"
        per = self.errors[:, pod] if pod is not None else self.errors[:, 1:].mean(axis=1)
        result: tuple[Floats, Floats] = (per.mean(axis=0), per.std(axis=0, ddof=1) / np.sqrt(len(per)))
        return result

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
    selection: bool = False,
    selection_strength: float | None = None,
    how: Refits | None = None,
) -> Calibration:
    """Run ``simulations`` prior simulations of ``scenario``'s structure, fitting each with ``settings`` (with
    ``selection``, claims about the divergence points their simulated claimants prefer, at the truth's
    selection strength or at ``selection_strength``). Every simulation is drawn first, in order, from one
    generator; the fits are independent and run as ``how`` says (:mod:`cfprob.fitting.refits`), with the
    same ranks however they run."""
    rng = np.random.default_rng(seed)
    truths, datasets = [], []
    for _ in range(simulations):
        truth = draw_prior(data, 1, rng)
        truths.append(truth)
        datasets.append(simulate_data(data, truth, rng, selection=selection, selection_strength=selection_strength))
    seeded = [replace(settings, seed=seed * 100_003 + i) for i in range(simulations)]

    def done(count: int, _total: int) -> None:
        if callable(on_simulation):
            on_simulation(count)

    fitted = refit_all(scenario, datasets, seeded, partial(_kept, data=data), how=how, on_done=done)
    ranks: dict[str, list[tuple[int, int]]] = {}
    divergent, errors = [], []
    for truth, (diverged, theta_mean, posterior) in zip(truths, fitted, strict=True):
        divergent.append(diverged)
        errors.append(theta_mean - truth.theta[0, : len(data.pods)])
        values = _truths(truth, data)
        if selection and selection_strength is not None:
            values.pop("selection", None)  # claims chosen at a fixed strength, not at the drawn one: not ranked
        for name, value in values.items():
            ranks.setdefault(name, []).append(_thinned_rank(posterior[name], settings.chains, value))
    return Calibration(ranks, bins, simulations, divergent, np.asarray(errors))


def _kept(tree: xr.DataTree, data: ModelData) -> tuple[bool, Floats, dict[str, Floats]]:
    """What a simulation's fit is kept for: whether it diverged, its posterior mean of ``theta`` and the draws
    of the parameters ranked."""
    theta = np.asarray(tree["posterior"]["theta"].to_numpy(), dtype=float)
    return (
        bool(tree.attrs["diag_divergences"] > 0),
        theta.reshape(-1, *theta.shape[2:]).mean(axis=0),
        _posterior_values(tree["posterior"].to_dataset(), data),
    )
