"""The two samplers: the same posterior, nutpie's compiled code cached between runs, the PyMC fallback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from cfprob.fitting.inference import fit
from cfprob.fitting.provenance import SamplerSettings
from cfprob.reading.loader import load_scenario

pytestmark = pytest.mark.mcmc

SMALL = {"draws": 500, "tune": 500, "chains": 2, "seed": 3}


def _theta_with_error(tree: xr.DataTree) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean of every theta cell and its Monte Carlo standard error (sd / sqrt(bulk ESS))."""
    from arviz_stats import ess  # type: ignore[attr-defined]

    theta = tree["posterior"]["theta"]
    mean = theta.mean(("chain", "draw")).values
    sd = theta.std(("chain", "draw")).values
    effective = ess(tree["posterior"].to_dataset()[["theta"]], method="bulk")["theta"].values
    return mean, sd / np.sqrt(effective)


def test_nutpie_and_pymc_agree_within_monte_carlo_error(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    fast = fit(scenario, SamplerSettings(**SMALL, sampler="nutpie"))
    reference = fit(scenario, SamplerSettings(**SMALL, sampler="pymc"))
    assert fast.attrs["sampler"] == "nutpie" and reference.attrs["sampler"] == "pymc"
    assert fast.attrs["fit_key"] != reference.attrs["fit_key"]
    assert set(fast["posterior"].data_vars) == set(reference["posterior"].data_vars)
    (m1, e1), (m2, e2) = _theta_with_error(fast), _theta_with_error(reference)
    z = np.abs(m1 - m2) / np.sqrt(e1**2 + e2**2)
    # 4 standard errors: with a few dozen cells a true difference this large is very unlikely by chance
    assert z.max() < 4, f"posterior means differ by up to {z.max():.1f} Monte Carlo standard errors"
    # this small scenario has a funnel that both samplers diverge in a little at these settings
    assert fast.attrs["diag_max_rhat"] < 1.05 and reference.attrs["diag_max_rhat"] < 1.05


def _fit_in_new_process(scenario: Path, cache: Path) -> dict[str, object]:
    """Fit in a fresh interpreter; report what it imported, what it said and a digest of the draws."""
    script = (
        "import json, sys\n"
        "from cfprob.fitting.inference import fit\n"
        "from cfprob.reading.loader import load_scenario\n"
        "from cfprob.fitting.provenance import SamplerSettings\n"
        "said = []\n"
        f"tree = fit(load_scenario({str(scenario)!r}), SamplerSettings(**{SMALL!r}), on_stage=said.append)\n"
        "theta = tree['posterior']['theta'].values\n"
        "print(json.dumps({'pymc': 'pymc' in sys.modules, 'said': said, 'sum': float(theta.sum()),\n"
        "                  'mean': theta.mean(axis=(0, 1)).ravel().tolist()}))\n"
    )
    env = {**os.environ, "CFPROB_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_compiled_code_is_reused_across_processes(weimar: Path, isolated_cache: Path) -> None:
    first = _fit_in_new_process(weimar, isolated_cache)
    again = _fit_in_new_process(weimar, isolated_cache)
    assert "compiled model code loaded from the cache" in again["said"]
    assert again["pymc"] is False, "a fit of a known model must not import PyMC"
    assert again["sum"] == first["sum"], "the same seed must give the same draws"

    # one claim's stated value changes: new content, so PyMC builds the model, but the machine code is reused
    claims = next((weimar / "claims").glob("*.toml"))
    text = claims.read_text()
    changed = text.replace("probability = 0.", "probability = 0.0", 1)
    assert changed != text
    claims.write_text(changed)
    edited = _fit_in_new_process(weimar, isolated_cache)
    assert not any("compiling model code" in message for message in edited["said"])
    assert edited["mean"] != first["mean"]


def test_damaged_compiled_record_is_rebuilt(weimar: Path, isolated_cache: Path) -> None:
    scenario = load_scenario(weimar)
    settings = SamplerSettings(**SMALL)
    fit(scenario, settings)
    (record,) = (isolated_cache / "compiled").glob("*.json")
    record.write_text("{not json")
    said: list[str] = []
    tree = fit(scenario, settings, on_stage=said.append)
    assert any("cached model code unusable" in message for message in said)
    assert json.loads(json.loads(record.read_text())["record"])["n_dim"] > 0
    assert tree["posterior"].sizes["draw"] == SMALL["draws"]
