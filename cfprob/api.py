"""cfprob from Python: load a scenario, fit it, ask it questions, and hand the fit to PyMC and ArviZ.

    >>> import cfprob
    >>> scenario = cfprob.load_scenario()                  # the bundled USSR scenario
    >>> fit = cfprob.fit(scenario)                          # sampled once, then read from the cache
    >>> fit.answer("kosygin-1965").to_dict()["outcomes"]    # P(outcome), intervals, change against history
    >>> fit.compare(by="collapse")                          # every divergence point, ranked
    >>> fit.curve("collapse")                               # real history's curve by year
    >>> tree = fit.to_datatree()                            # an xarray.DataTree for ArviZ
    >>> model = cfprob.build_model(scenario)                # the PyMC model, for pm.sample, pm.do, ...

The command line does the same through these functions' building blocks; what it prints, these return.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cfprob.claims import KINDS
from cfprob.errors import CfprobError
from cfprob.fitting.priors import Priors
from cfprob.fitting.provenance import SamplerSettings
from cfprob.paths import bundled_scenario
from cfprob.reading.lexicon import Lexicon, load_lexicon
from cfprob.reading.loader import load_scenario as _load_scenario
from cfprob.reading.scenario import Scenario

if TYPE_CHECKING:
    import pymc as pm
    import xarray as xr

    from cfprob.answers.curve import Curve
    from cfprob.answers.query import Answer
    from cfprob.answers.query import Fit as Draws

__all__ = [
    "KINDS",
    "Fit",
    "Lexicon",
    "Priors",
    "SamplerSettings",
    "Scenario",
    "build_model",
    "fit",
    "load_lexicon",
    "load_scenario",
]


def load_scenario(path: str | Path | None = None) -> Scenario:
    """A scenario folder, validated: the bundled USSR scenario when ``path`` is None.

    Parameters
    ----------
    path
        A scenario folder (``scenario.toml`` and its claim files).

    Returns
    -------
    Scenario
        Its divergence points, outcomes, claimants and claims. Raises :class:`cfprob.errors.CfprobError`
        with a one-line message naming the file and item on bad input.
    """
    return _load_scenario(Path(path) if path is not None else bundled_scenario())


def fit(
    scenario: Scenario,
    *,
    draws: int = SamplerSettings.draws,
    tune: int = SamplerSettings.tune,
    chains: int = SamplerSettings.chains,
    seed: int = SamplerSettings.seed,
    sampler: str = SamplerSettings.sampler,
    target_accept: float | None = None,
    refit: bool = False,
    priors: Priors | None = None,
    on_stage: Callable[[str], None] | None = None,
    progressbar: bool = False,
) -> Fit:
    """Fit every divergence point of ``scenario`` at once, or read the fit made before from the cache.

    Parameters
    ----------
    scenario
        From :func:`load_scenario`.
    draws, tune, chains, seed
        The sampler's settings; a fit is cached under them (with the scenario's content and the model's code),
        so the same call gives the same draws.
    sampler
        ``"auto"`` (nutpie when installed), ``"nutpie"`` or ``"pymc"``.
    target_accept
        NUTS' target acceptance rate (default: the sampler's own).
    refit
        Sample again even when a cached fit exists.
    priors
        A model variant (default: the shipped model).
    on_stage
        Hears a line at each stage (compiling, sampling, ...).
    progressbar
        Show the sampler's own progress bar.

    Returns
    -------
    Fit
        Raises :class:`cfprob.errors.CfprobError` while draft claims wait for review.
    """
    from cfprob.outputs.store import cached_fit

    refuse_drafts(scenario)
    settings = SamplerSettings(
        draws=draws, tune=tune, chains=chains, seed=seed, sampler=sampler, target_accept=target_accept
    )
    tree, cached = cached_fit(
        scenario, settings, refit=refit, progressbar=progressbar, on_stage=on_stage, priors=priors
    )
    return Fit(scenario, settings, tree, cached)


def refuse_drafts(scenario: Scenario) -> None:
    """No fit while draft claims wait for review (``review = "todo"``): they would silently be left out of it."""
    drafts = scenario.drafts
    if drafts:
        files = sorted({Path(c.file).name for c in drafts})
        raise CfprobError(
            f"{len(drafts)} claim{'s are drafts' if len(drafts) > 1 else ' is a draft'} still marked "
            f'review = "todo" (in {", ".join(files)}; first: {drafts[0].id}): review each (kind, divergence point, '
            "outcome) and delete its review key, or delete the draft, then run again"
        )


def build_model(scenario: Scenario, priors: Priors | None = None) -> pm.Model:
    """The PyMC model of ``scenario``: the specification cfprob's own sampler follows (a test holds the two
    equal), for ``pm.sample``, ``pm.sample_prior_predictive``, ``pm.do`` and the rest of PyMC.

    Parameters
    ----------
    scenario
        From :func:`load_scenario`.
    priors
        A model variant (default: the shipped model).
    """
    from cfprob.fitting.design import design
    from cfprob.fitting.model import build_model as _build_model

    return _build_model(design(scenario), priors)


@dataclass(frozen=True)
class Fit:
    """A fitted scenario: ask it questions, or take its draws to ArviZ.

    Attributes
    ----------
    scenario
        What was fitted.
    settings
        How it was sampled.
    tree
        The fit as cached: ``posterior``, ``sample_stats`` and the design, with provenance and the sampler's
        diagnostics (``diag_*``) in its attributes.
    from_cache
        Whether it was read from the cache rather than sampled by this call.
    """

    scenario: Scenario
    settings: SamplerSettings
    tree: xr.DataTree = field(repr=False)
    from_cache: bool = False

    @cached_property
    def draws(self) -> Draws:
        """The posterior draws answers are computed from (chains stacked)."""
        from cfprob.answers.query import Fit as Draws

        return Draws.from_tree(self.tree)

    @property
    def diagnostics(self) -> dict[str, Any]:
        """The sampler's diagnostics: divergences, worst r_hat, lowest effective sample sizes."""
        return {str(k): v for k, v in self.tree.attrs.items() if str(k).startswith("diag_")}

    def answer(
        self,
        *pods: str,
        features: Mapping[str, float] | None = None,
        year: int | None = None,
        given_history: bool = False,
        worldview: str | None = None,
        seed: int | None = None,
    ) -> Answer:
        """P(outcome) after the divergence point ``pods`` (several: stacked), or after a divergence in ``year``
        described by ``features``.

        Parameters
        ----------
        *pods
            Divergence point ids.
        features
            A divergence described by its mechanisms (``{"reform_leader": 1.0}``), with ``year``.
        year
            A divergence in this year of the timeline.
        given_history
            Condition on what really happened (Pearl's rung 3) instead of intervening (rung 2).
        worldview
            ``"low"`` or ``"high"``: as that end of the claimants' worldview sees it.
        seed
            Seeds the simulated histories (default: the fit's seed).

        Returns
        -------
        Answer
            Rows per outcome (mean, 90% interval, change against real history, P(raises)); ``to_dict()`` for
            JSON.
        """
        from cfprob.answers.query import answer

        return answer(
            self.draws,
            pods,
            features,
            seed=self.settings.seed if seed is None else seed,
            year=year,
            given_history=given_history,
            worldview=worldview,
        )

    def compare(self, *pods: str, by: str | None = None) -> tuple[Answer, ...]:
        """Answers for ``pods`` (every divergence point by default), ranked by P(outcome ``by``) (default: the
        scenario's first outcome)."""
        from cfprob.answers.query import compare

        return compare(self.draws, pods, by=by, seed=self.settings.seed)

    def curve(self, outcome: str) -> Curve:
        """Real history's curve of P(``outcome``) by year, with the scenario's era claims about it marked."""
        from cfprob.answers.curve import era_marks, inevitability_curve

        return inevitability_curve(self.draws, outcome, era_marks(self.scenario, outcome))

    def to_datatree(self) -> xr.DataTree:
        """The fit as a complete ArviZ object: ``posterior`` (with labelled ``p_outcome``), ``sample_stats``,
        ``prior``, ``log_prior``, ``log_likelihood`` (one value per claim), ``posterior_predictive``,
        ``observed_data`` and ``constant_data`` — what ``cfprob run --out FILE.nc`` saves."""
        from cfprob.answers.groups import with_groups
        from cfprob.fitting.design import design

        return with_groups(self.tree, self.scenario, design(self.scenario))
