"""Sampler diagnostics, computed on fake draws and reported in plain words."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cfprob.fitting.inference import diagnose
from cfprob.outputs.tables import diagnostics_lines, diagnostics_problems
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR
from .fakes import fake_fit


def _with_stats(tree: xr.DataTree, diverging: np.ndarray) -> xr.DataTree:
    tree["sample_stats"] = xr.DataTree(
        xr.Dataset(
            {
                "diverging": (("chain", "draw"), diverging),
                "reached_max_treedepth": (("chain", "draw"), np.zeros_like(diverging)),
            }
        )
    )
    return tree


def test_stuck_chain_and_divergences_are_caught() -> None:
    tree = fake_fit(load_scenario(WEIMAR))
    posterior = tree["posterior"].to_dataset()
    theta = posterior["theta"].values.copy()
    theta[1] = theta[1] * 0.5 + 0.2  # the second chain sits somewhere else
    tree["posterior"] = xr.DataTree(posterior.assign(theta=(posterior["theta"].dims, theta)))
    diverging = np.zeros(theta.shape[:2], dtype=bool)
    diverging[0, :3] = True
    result = diagnose(_with_stats(tree, diverging))
    assert result["diag_divergences"] == 3
    assert result["diag_max_rhat"] > 1.01 and result["diag_max_rhat_variable"] == "theta"
    words = " ".join(diagnostics_problems(result))
    assert "3 divergent transitions" in words and "chains disagree" in words


def test_healthy_fit_says_so() -> None:
    attrs = {
        "chains": 4,
        "draws": 1000,
        "seed": 1,
        "diag_divergences": 0,
        "diag_max_rhat": 1.003,
        "diag_min_ess_bulk": 1500.0,
        "diag_min_ess_tail": 1200.0,
        "diag_ess_threshold": 400,
        "diag_rhat_threshold": 1.01,
    }
    lines = diagnostics_lines(attrs)
    assert len(lines) == 1 and lines[0].endswith("no problems found.")
    low = {**attrs, "diag_min_ess_tail": 120.0}
    assert "too few effective draws (120 < 400)" in diagnostics_lines(low)[1]
