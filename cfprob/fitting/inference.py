"""Fit a scenario: sample the posterior with PyMC, check the sampler, attach provenance.

The returned ``xarray.DataTree`` keeps the ``posterior`` and ``sample_stats`` groups. Its root
attributes hold the provenance (:func:`cfprob.fitting.provenance.provenance_attrs`) and the sampler diagnostics
(``diag_*``), so that a cached or saved fit can be reported on without PyMC or ArviZ.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable

import numpy as np
import xarray as xr

from cfprob.claims import FAMILIES
from cfprob.errors import CfprobError
from cfprob.fitting.design import ModelData, design, model_coords
from cfprob.fitting.draws import nonfinite_draws
from cfprob.fitting.free import CORE
from cfprob.fitting.priors import Priors
from cfprob.fitting.provenance import (
    NUTPIE_ADAPTATION,
    SamplerSettings,
    model_key,
    nutpie_installed,
    provenance_attrs,
)
from cfprob.fitting.runtime import prepare
from cfprob.reading.scenario import Scenario

__all__ = [
    "DESIGN_ATTRS",
    "ESS_PER_CHAIN",
    "RHAT_LIMIT",
    "design_attrs",
    "diagnose",
    "fit",
    "fit_tree",
    "reported_posterior",
    "sampled_names",
]

RHAT_LIMIT = 1.01
ESS_PER_CHAIN = 100
"""An effective sample size below 100 per chain is reported as low."""


def sampled_names(posterior: xr.Dataset) -> list[str]:
    """The free parameters (what the sampler moves) that ``posterior`` holds, in model order."""
    every = [p.name for p in CORE] + [p.name for family in FAMILIES for p in family.parameters]
    return [name for name in every if name in posterior]


def diagnose(tree: xr.DataTree) -> dict[str, float | int | str]:
    """Divergences, worst r_hat and lowest bulk and tail ESS over every sampled and reported value (values
    that are constant by construction, such as real history's own effect, are skipped)."""
    from arviz_stats import ess, rhat  # type: ignore[attr-defined]

    posterior = tree["posterior"].to_dataset()
    names = [str(n) for n in posterior.data_vars]
    subset = posterior[names]
    worst_rhat, worst_name = 0.0, ""
    min_bulk, min_tail = np.inf, np.inf
    chains = posterior.sizes["chain"]
    # values constant by construction (real history's own effect, a claim spread nobody names) give NaN: skipped
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        r_hat = rhat(subset) if chains > 1 else None
        bulk = ess(subset, method="bulk")
        tail = ess(subset, method="tail")
    for name in names:
        if not np.isfinite(bulk[name].values).any():
            continue
        if r_hat is not None and np.isfinite(r_hat[name].values).any():
            value = float(np.nanmax(r_hat[name].values))
            if value > worst_rhat:
                worst_rhat, worst_name = value, name
        min_bulk = min(min_bulk, float(np.nanmin(bulk[name].values)))
        min_tail = min(min_tail, float(np.nanmin(tail[name].values)))
    stats = tree["sample_stats"].to_dataset()
    return {
        "diag_divergences": int(stats["diverging"].values.sum()),
        # nutpie calls it maxdepth_reached, PyMC reached_max_treedepth
        "diag_max_treedepth_hits": sum(
            int(stats[name].values.sum()) for name in ("maxdepth_reached", "reached_max_treedepth") if name in stats
        ),
        "diag_max_rhat": worst_rhat if r_hat is not None else float("nan"),
        "diag_max_rhat_variable": worst_name,
        "diag_min_ess_bulk": min_bulk,
        "diag_min_ess_tail": min_tail,
        "diag_ess_threshold": ESS_PER_CHAIN * chains,
        "diag_rhat_threshold": RHAT_LIMIT,
    }


DESIGN_ATTRS = ("observed_outcome", "observed_year", "antecedent_pods", "antecedent_after")
"""The attributes of a fit's ``design`` group (:func:`design_attrs`)."""


def design_attrs(data: ModelData) -> dict[str, str | int]:
    """What a fit's design group says besides its arrays: the observed outcome and year, the divergence points
    antecedent claims speak of and the chain steps they name (``pod>previous``), comma-separated."""
    antecedent = data.blocks["antecedent"]
    return {
        "observed_outcome": data.outcomes[data.observed_outcome],
        "observed_year": int(data.observed_year),
        "antecedent_pods": ",".join(sorted({data.pods[i] for i in antecedent.pod})),
        "antecedent_after": ",".join(
            sorted(
                {
                    f"{data.pods[i]}>{data.pods[j]}"
                    for i, j in zip(antecedent.pod, antecedent.other_pod, strict=True)
                    if j >= 0
                }
            )
        ),
    }


def fit_tree(posterior: xr.Dataset, stats: xr.Dataset, data: ModelData) -> xr.DataTree:
    """A fit's DataTree: the posterior, the sampler statistics and the design queries need (``X``, each
    divergence point's ``year_weights`` on the knots; attributes: the observed outcome and year, and the
    divergence points antecedent claims speak of and the chain steps they name, ``pod>previous``, comma-separated)."""
    design_group = xr.Dataset(
        {"X": (("pod", "feature"), data.X), "year_weights": (("pod", "knot"), data.year_weights)},
        coords={"pod": list(data.pods), "feature": list(data.features), "knot": [int(y) for y in data.knots]},
        attrs=design_attrs(data),
    )
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": stats, "design": design_group})


def fit(
    scenario: Scenario,
    settings: SamplerSettings,
    progressbar: bool = False,
    on_stage: Callable[[str], None] | None = None,
    data: ModelData | None = None,
    priors: Priors | None = None,
    cores: int | None = None,
) -> xr.DataTree:
    """Sample every divergence point of ``scenario`` jointly and return the fit as a DataTree.

    ``settings.sampler`` picks nutpie (model code compiled once and cached, :mod:`cfprob.fitting.compiled`) or
    PyMC's own NUTS; both sample the same model from :func:`cfprob.fitting.model.build_model`. ``data`` replaces
    the scenario's arrays (``design(scenario)``) with arrays of the same shapes, for refits with claims
    left out (weight 0) or with simulated data; the compiled model code is reused. ``priors`` gives a model
    variant (the default: the shipped model). ``cores``: how many chains run at once (default: one per core, at
    most one per chain); the draws do not depend on it.
    """
    priors = priors or Priors()
    say = on_stage or (lambda _message: None)
    data = data or design(scenario)
    started = time.perf_counter()
    if settings.sampler == "nutpie":
        posterior, stats, sampling = _sample_nutpie(data, settings, progressbar, say, priors, cores)
    else:
        if not nutpie_installed():
            say("nutpie is not installed (cfprob[fast]): sampling with PyMC's NUTS, which is slower")
        posterior, stats, sampling = _sample_pymc(data, settings, progressbar, say, priors, cores)
    elapsed = time.perf_counter() - started
    if posterior.sizes.get("chain") != settings.chains or posterior.sizes.get("draw") != settings.draws:
        raise CfprobError(
            f"sampling stopped early ({posterior.sizes.get('chain')} chains x {posterior.sizes.get('draw')} "
            f"draws of {settings.label}); nothing was cached"
        )
    broken = nonfinite_draws(posterior)
    if broken:
        raise CfprobError(
            f"sampling did not finish: the sampler returned {broken} ({settings.label}); nothing was cached"
        )
    tree = fit_tree(posterior, _text_as_str(stats), data)
    tree.attrs.update(provenance_attrs(scenario.id, scenario.content_hash, settings, model_key(priors)))
    tree.attrs.update(priors.as_attrs())
    tree.attrs["fit_seconds"] = round(elapsed, 2)
    tree.attrs["sampling_seconds"] = round(sampling, 2)
    tree.attrs.update(diagnose(tree))
    return tree


def _text_as_str(stats: xr.Dataset) -> xr.Dataset:
    """Sampler statistics held as Python objects (nutpie's divergence messages: text or None) as strings, "" for
    none: NetCDF would store an array holding only None as floats, and the saved fit would read back other
    than it was written."""
    import numpy as np

    changed = stats.copy()
    for name in stats.data_vars:
        values = stats[name].values
        if values.dtype == object:
            text = [v if isinstance(v, str) else "" for v in values.ravel().tolist()]
            changed[name] = (stats[name].dims, np.asarray(text, dtype=str).reshape(values.shape))
    return changed


def _sample_nutpie(
    data: ModelData,
    settings: SamplerSettings,
    progressbar: bool,
    say: Callable[[str], None],
    priors: Priors,
    cores: int | None,
) -> tuple[xr.Dataset, xr.Dataset, float]:
    from cfprob.fitting.compiled import compiled_model

    model = compiled_model(data, say, priors)
    import nutpie

    say(f"sampling {settings.label}")
    started = time.perf_counter()
    background = nutpie.sample(
        model,
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=_cores(settings, cores),
        seed=settings.seed,
        target_accept=settings.target_accept,
        adaptation=NUTPIE_ADAPTATION,
        progress_bar=progressbar,
        blocking=False,
    )
    try:
        result = background.wait()
    except KeyboardInterrupt:
        # nutpie's own blocking call swallows Ctrl-C and returns the unfinished chains padded with NaN
        background.cancel()
        raise
    sampling = time.perf_counter() - started
    return (
        reported_posterior(result["posterior"].to_dataset(), data, priors),
        result["sample_stats"].to_dataset(),
        sampling,
    )


def reported_posterior(sampled: xr.Dataset, data: ModelData, priors: Priors) -> xr.Dataset:
    """The posterior as the PyMC model reports it, from nutpie's draws of the free parameters: half-normals on
    their own scale instead of their logs (``sigma_u``, not ``sigma_u_log__``), and every Deterministic."""
    from cfprob.fitting.derived import DIMS, reported
    from cfprob.fitting.free import free_parameters

    parameters = free_parameters(data, priors)
    chains, draws = sampled.sizes["chain"], sampled.sizes["draw"]
    free = {
        p.parameter.sampled_name: np.asarray(sampled[p.parameter.sampled_name].values).reshape(chains * draws, *p.shape)
        for p in parameters
    }
    dims = {p.parameter.name: p.parameter.dims for p in parameters} | DIMS
    posterior = sampled.drop_vars([p.parameter.sampled_name for p in parameters if p.parameter.log])
    for name, values in reported(free, parameters, data, priors).items():
        posterior[name] = (("chain", "draw", *dims[name]), values.reshape(chains, draws, *values.shape[1:]))
    coords = model_coords(data)
    return posterior.assign_coords({d: coords[d] for d in posterior.dims if d in coords})


def _sample_pymc(
    data: ModelData,
    settings: SamplerSettings,
    progressbar: bool,
    say: Callable[[str], None],
    priors: Priors,
    cores: int | None,
) -> tuple[xr.Dataset, xr.Dataset, float]:
    prepare()
    say("loading PyMC")
    import pymc as pm

    from cfprob.fitting.runtime import silence

    silence()  # PyMC sets its own log level on import
    from cfprob.fitting.model import build_model

    model = build_model(data, priors)
    say(f"sampling {settings.label} (compiles model code on first use)")
    started = time.perf_counter()
    result = pm.sample(
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=_cores(settings, cores),
        random_seed=settings.seed,
        target_accept=settings.target_accept,
        nuts_sampler="pymc",
        progressbar=progressbar,
        compute_convergence_checks=False,
        model=model,
    )
    posterior = result["posterior"].to_dataset()
    sampling = float(posterior.attrs.get("sampling_time", time.perf_counter() - started))
    return posterior, result["sample_stats"].to_dataset(), sampling


def _cores(settings: SamplerSettings, cores: int | None) -> int:
    return max(1, min(settings.chains, cores or os.cpu_count() or 1))
