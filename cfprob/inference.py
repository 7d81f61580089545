"""Fit a scenario: sample the posterior with PyMC, check the sampler, attach provenance.

The returned ``xarray.DataTree`` keeps the ``posterior`` and ``sample_stats`` groups. Its root
attributes hold the provenance (:func:`cfprob.provenance.provenance_attrs`) and the sampler diagnostics
(``diag_*``), so that a cached or saved fit can be reported on without PyMC or ArviZ.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np
import xarray as xr

from .design import design
from .errors import CfprobError
from .provenance import SamplerSettings, provenance_attrs
from .runtime import prepare
from .scenario import Scenario

__all__ = ["ESS_PER_CHAIN", "RHAT_LIMIT", "diagnose", "fit"]

RHAT_LIMIT = 1.01
ESS_PER_CHAIN = 100
"""An effective sample size below 100 per chain is reported as low."""

FREE_AND_REPORTED = (
    "class_logit",
    "offset_z",
    "beta",
    "sigma_u",
    "u_z",
    "sigma_bias",
    "bias_z",
    "noise_log_mean",
    "noise_spread",
    "noise_z",
    "kappa_log_mean",
    "kappa_spread",
    "kappa_z",
    "theta",
)


def diagnose(tree: xr.DataTree) -> dict[str, float | int | str]:
    """Divergences, worst r_hat and lowest bulk and tail ESS over the parameters and ``theta``."""
    from arviz_stats import ess, rhat  # type: ignore[attr-defined]

    posterior = tree["posterior"].to_dataset()
    names = [n for n in FREE_AND_REPORTED if n in posterior]
    subset = posterior[names]
    worst_rhat, worst_name = 0.0, ""
    min_bulk, min_tail = np.inf, np.inf
    chains = posterior.sizes["chain"]
    r_hat = rhat(subset) if chains > 1 else None
    bulk = ess(subset, method="bulk")
    tail = ess(subset, method="tail")
    for name in names:
        if r_hat is not None:
            value = float(np.nanmax(r_hat[name].values))
            if value > worst_rhat:
                worst_rhat, worst_name = value, name
        min_bulk = min(min_bulk, float(np.nanmin(bulk[name].values)))
        min_tail = min(min_tail, float(np.nanmin(tail[name].values)))
    stats = tree["sample_stats"].to_dataset()
    return {
        "diag_divergences": int(stats["diverging"].values.sum()),
        "diag_max_treedepth_hits": int(stats["reached_max_treedepth"].values.sum())
        if "reached_max_treedepth" in stats
        else 0,
        "diag_max_rhat": worst_rhat if r_hat is not None else float("nan"),
        "diag_max_rhat_variable": worst_name,
        "diag_min_ess_bulk": min_bulk,
        "diag_min_ess_tail": min_tail,
        "diag_ess_threshold": ESS_PER_CHAIN * chains,
        "diag_rhat_threshold": RHAT_LIMIT,
    }


def fit(
    scenario: Scenario,
    settings: SamplerSettings,
    progressbar: bool = False,
    on_stage: Callable[[str], None] | None = None,
) -> xr.DataTree:
    """Sample every divergence point of ``scenario`` jointly and return the fit as a DataTree."""
    say = on_stage or (lambda _message: None)
    prepare()
    say("loading PyMC")
    import pymc as pm

    from .runtime import silence

    silence()  # PyMC sets its own log level on import
    from .model import Priors, build_model

    data = design(scenario)
    model = build_model(data, Priors())
    say(f"sampling {settings.label} (compiles model code on first use)")
    started = time.perf_counter()
    result = pm.sample(
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        cores=max(1, min(settings.chains, os.cpu_count() or 1)),
        random_seed=settings.seed,
        target_accept=settings.target_accept,
        progressbar=progressbar,
        compute_convergence_checks=False,
        model=model,
    )
    elapsed = time.perf_counter() - started
    sampled = result["posterior"].sizes
    if sampled.get("chain") != settings.chains or sampled.get("draw") != settings.draws:
        raise CfprobError(
            f"sampling stopped early ({sampled.get('chain')} chains x {sampled.get('draw')} draws of "
            f"{settings.label}); nothing was cached"
        )
    tree = xr.DataTree.from_dict(
        {
            "posterior": result["posterior"].to_dataset(),
            "sample_stats": result["sample_stats"].to_dataset(),
            "design": xr.Dataset(
                {"X": (("pod", "feature"), data.X)}, coords={"pod": list(data.pods), "feature": list(data.features)}
            ),
        }
    )
    tree.attrs.update(provenance_attrs(scenario.id, scenario.content_hash, settings))
    tree.attrs.update(Priors().as_attrs())
    tree.attrs["fit_seconds"] = round(elapsed, 2)
    tree.attrs.update(diagnose(tree))
    return tree
