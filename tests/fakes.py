"""Fake posteriors (fits with known draws, for everything that is not the sampler) and a CLI runner."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cfprob.fitting.design import design, softmax_last
from cfprob.fitting.inference import fit_tree
from cfprob.fitting.provenance import SamplerSettings, provenance_attrs
from cfprob.reading.scenario import Scenario


def fake_fit(scenario: Scenario, settings: SamplerSettings | None = None, seed: int = 1) -> xr.DataTree:
    """A fit-shaped DataTree whose draws follow the model's equations with random parameters."""
    settings = settings or SamplerSettings(draws=50, tune=10, chains=2)
    rng = np.random.default_rng(seed)
    data = design(scenario)
    c, s = settings.chains, settings.draws
    d, f, k = len(data.pods), len(data.features), len(data.outcomes)
    alpha = rng.normal(0, 0.5, (c, s, k - 1))
    beta = rng.normal(0, 0.5, (c, s, f, k - 1))
    sigma_u = np.abs(rng.normal(0, 0.5, (c, s)))
    u = rng.normal(0, 1, (c, s, d, k - 1)) * sigma_u[..., None, None]
    u[:, :, 0] = 0.0
    year_effect = np.cumsum(rng.normal(0, 0.2, (c, s, len(data.knots), k - 1)), axis=2)
    eta = alpha[:, :, None, :] + np.einsum("pf,csfk->cspk", data.X, beta) + u
    theta = softmax_last(eta + np.einsum("pj,csjk->cspk", data.year_weights, year_effect))
    a = len(data.claimants)
    bias = rng.normal(0, 0.3, (c, s, a, k))
    noise = np.exp(rng.normal(0, 0.3, (c, s, a)))
    kappa = np.exp(rng.normal(np.log(10), 0.3, (c, s, a)))
    posterior = xr.Dataset(
        {
            "alpha": (("chain", "draw", "logit_outcome"), alpha),
            "beta": (("chain", "draw", "feature", "logit_outcome"), beta),
            "sigma_u": (("chain", "draw"), sigma_u),
            "u": (("chain", "draw", "pod", "logit_outcome"), u),
            "year_effect": (("chain", "draw", "knot", "logit_outcome"), year_effect),
            "theta": (("chain", "draw", "pod", "outcome"), theta),
            "bias": (("chain", "draw", "claimant", "outcome"), bias),
            "noise": (("chain", "draw", "claimant"), noise),
            "kappa": (("chain", "draw", "claimant"), kappa),
        },
        coords={
            "chain": np.arange(c),
            "draw": np.arange(s),
            "pod": list(data.pods),
            "outcome": list(data.outcomes),
            "logit_outcome": list(data.outcomes[:-1]),
            "feature": list(data.features),
            "claimant": list(data.claimants),
            "knot": [int(y) for y in data.knots],
        },
    )
    stats = xr.Dataset({"diverging": (("chain", "draw"), np.zeros((c, s), dtype=bool))})
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


def install_fake_fit(scenario: Scenario, settings: SamplerSettings | None = None) -> xr.DataTree:
    """Put a fake fit into the cache where `cfprob run` will look for it."""
    from cfprob.outputs.store import cache_path, save_tree

    settings = settings or SamplerSettings()
    tree = fake_fit(scenario, settings)
    path = cache_path(scenario, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_tree(tree, path, overwrite=True)
    return tree


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``cfprob ARGS`` in-process: exit code, stdout, stderr."""
    from click.testing import CliRunner

    from cfprob.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr
