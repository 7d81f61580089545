"""Fake posteriors (fits with known draws, for everything that is not the sampler) and a CLI runner."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cfprob.answers.likelihood import draw_prior
from cfprob.fitting.design import design
from cfprob.fitting.inference import fit_tree
from cfprob.fitting.priors import Priors
from cfprob.fitting.provenance import SamplerSettings, provenance_attrs
from cfprob.reading.scenario import Scenario


def fake_fit(
    scenario: Scenario, settings: SamplerSettings | None = None, seed: int = 1, worldview: bool = True
) -> xr.DataTree:
    """A fit-shaped DataTree whose draws are prior draws through the model's own equations
    (:func:`cfprob.answers.likelihood.draw_prior`); with or without the worldview factor."""
    settings = settings or SamplerSettings(draws=50, tune=10, chains=2)
    data = design(scenario)
    c, s = settings.chains, settings.draws
    # narrower than the model's priors, like a posterior: no draw puts an outcome near 0 or 1 by accident
    narrow = Priors(
        beta_sd=0.5,
        pod_sd_scale=0.3,
        worldview_loading_sd=0.5 if worldview else 0.0,
    )
    prior = draw_prior(data, c * s, np.random.default_rng(seed), narrow)
    assert prior.extra is not None and prior.history is not None and prior.era is not None

    def shaped(values: np.ndarray) -> np.ndarray:
        return values.reshape(c, s, *values.shape[1:])

    n_pods = len(data.pods)
    variables = {
        "alpha": (("logit_outcome",), prior.extra["alpha"]),
        "beta": (("feature", "logit_outcome"), prior.extra["beta"]),
        "sigma_u": ((), prior.extra["sigma_u"]),
        "u": (("pod", "logit_outcome"), prior.extra["u"]),
        "history": (("knot", "logit_outcome"), prior.history),
        "era": (("knot",), prior.era),
        "theta": (("pod", "outcome"), prior.theta[:, :n_pods]),
        "bias": (("claimant", "outcome"), prior.bias),
        "noise": (("claimant",), prior.noise),
        "kappa": (
            ("claimant",),
            np.exp(np.random.default_rng(seed).normal(np.log(10), 0.3, (c * s, len(data.claimants)))),
        ),
        "tendency": (("claimant", "outcome"), prior.tendency),
    }
    if prior.worldview is not None:
        variables["worldview"] = (("claimant",), prior.extra["worldview"])
        variables["worldview_loading"] = (("logit_outcome",), prior.extra["worldview_loading"])
        variables["worldview_shift"] = (("claimant", "logit_outcome"), prior.worldview[..., :-1])
    if prior.plausibility is not None:
        variables["plausibility"] = (("cf_pod",), prior.plausibility)
    if prior.spread is not None:
        variables["unpredictability"] = (("cf_pod",), prior.extra["unpredictability"])
        variables["claim_spread"] = (("pod",), prior.spread[:, :n_pods])
    if prior.poll_location is not None:
        variables["poll_location"] = (("poll",), prior.poll_location)
        variables["poll_dispersion"] = (("poll",), prior.poll_dispersion)
    if prior.selection is not None:
        variables["selection"] = ((), prior.selection)
    first_stack = n_pods + len(data.history_years)
    if len(data.history_years):
        variables["history_theta"] = (("history_year", "outcome"), prior.theta[:, n_pods:first_stack])
    if data.stacks:
        variables["stack_theta"] = (("stack", "outcome"), prior.theta[:, first_stack:])
    posterior = xr.Dataset(
        {name: (("chain", "draw", *dims), shaped(np.asarray(v))) for name, (dims, v) in variables.items()},
        coords={
            "chain": np.arange(c),
            "draw": np.arange(s),
            "pod": list(data.pods),
            "cf_pod": list(data.pods[1:]),
            "outcome": list(data.outcomes),
            "logit_outcome": list(data.outcomes[:-1]),
            "feature": list(data.features),
            "claimant": list(data.claimants),
            "knot": [int(y) for y in data.knots],
            "history_year": [int(y) for y in data.history_years],
            "stack": [" + ".join(stack) for stack in data.stacks],
        },
    )
    rng = np.random.default_rng(seed + 1)
    stats = xr.Dataset(  # nutpie's statistics, under its names
        {
            "diverging": (("chain", "draw"), np.zeros((c, s), dtype=bool)),
            "energy": (("chain", "draw"), rng.normal(100.0, 5.0, (c, s))),
            "logp": (("chain", "draw"), rng.normal(-90.0, 5.0, (c, s))),
            "depth": (("chain", "draw"), rng.integers(2, 5, (c, s))),
            "maxdepth_reached": (("chain", "draw"), np.zeros((c, s), dtype=bool)),
            "step_size": (("chain", "draw"), np.full((c, s), 0.3)),
            "mean_tree_accept": (("chain", "draw"), rng.uniform(0.7, 1.0, (c, s))),
        }
    )
    tree = fit_tree(posterior, stats, data)
    tree.attrs.update(provenance_attrs(scenario.id, scenario.content_hash, settings))
    tree.attrs.update(
        {
            "diag_divergences": 0,
            "diag_max_rhat": 1.002,
            "diag_max_rhat_variable": "theta",
            "diag_min_ess_bulk": 900.0,
            "diag_min_ess_tail": 800.0,
            "diag_ess_threshold": 100 * c,
            "diag_rhat_threshold": 1.01,
            "fit_seconds": 0.0,
        }
    )
    return tree


def install_fake_fit(
    scenario: Scenario, settings: SamplerSettings | None = None, priors: Priors | None = None
) -> xr.DataTree:
    """Put a fake fit into the cache where `cfprob run` will look for it (for a model variant's ``priors``:
    where commands that fit that variant look; only the worldview factor's presence is followed)."""
    from cfprob.fitting.provenance import model_key
    from cfprob.outputs.store import cache_path, put_in_cache

    settings = settings or SamplerSettings()
    from cfprob.answers.find_sources import with_sources

    tree = fake_fit(scenario, settings, worldview=(priors or Priors()).has_worldview)
    tree = with_sources(tree, design(scenario), priors)
    tree.attrs.update(provenance_attrs(scenario.id, scenario.content_hash, settings, model_key(priors)))
    path = cache_path(scenario, settings, priors)
    path.parent.mkdir(parents=True, exist_ok=True)
    put_in_cache(tree, path)
    return tree


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``cfprob ARGS`` in-process: exit code, stdout, stderr."""
    from click.testing import CliRunner

    from cfprob.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr
