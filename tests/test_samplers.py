"""The two samplers: the same posterior on both scenarios, nutpie's one compiled code cached between runs and
serving every edit of a scenario, the PyMC fallback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from cfprob.fitting.inference import fit
from cfprob.fitting.provenance import SamplerSettings
from cfprob.reading.loader import load_scenario

from .conftest import REPO, WEIMAR

pytestmark = pytest.mark.mcmc

NEW_POD = """
[[pods]]
id = "another-divergence-1931"
year = 1931
title = "Another divergence"
description = "Added by a test."
features = { economy_spared = 0.5 }
"""

NEW_CLAIMANT = """
[[claimants]]
id = "dora"
name = "Dora"
"""

NEW_CLAIMS = """
[[claims]]
id = "dora-another"
kind = "verbal"
author = "Dora"
source = "fixture-thread"
locator = "post 4"
quote = "It is possible the Republic survives a Hindenburg refusal, I'd say."
pod = "another-divergence-1931"
outcome = "survives"
phrase = "possible"
"""

SMALL = {"draws": 500, "tune": 500, "chains": 2, "seed": 3}
AGREEMENT = {"draws": 500, "tune": 500, "chains": 4, "seed": 3}
"""Four chains: with two, the effective sample sizes behind the standard errors are themselves too uncertain
(on the bundled scenario at 4 x 1,000 draws the largest of 81 differences was 3.0 standard errors)."""


def _theta_with_error(tree: xr.DataTree) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean of every theta cell and its Monte Carlo standard error (sd / sqrt(bulk ESS))."""
    from arviz_stats import ess  # type: ignore[attr-defined]

    theta = tree["posterior"]["theta"]
    mean = theta.mean(("chain", "draw")).values
    sd = theta.std(("chain", "draw")).values
    effective = ess(tree["posterior"].to_dataset()[["theta"]], method="bulk")["theta"].values
    return mean, sd / np.sqrt(effective)


@pytest.mark.parametrize("folder", [REPO / "priors" / "ussr", WEIMAR], ids=["ussr", "weimar"])
def test_nutpie_and_pymc_agree_within_monte_carlo_error(folder: Path) -> None:
    scenario = load_scenario(folder)
    fast = fit(scenario, SamplerSettings(**AGREEMENT, sampler="nutpie"))
    reference = fit(scenario, SamplerSettings(**AGREEMENT, sampler="pymc"))
    assert fast.attrs["sampler"] == "nutpie" and reference.attrs["sampler"] == "pymc"
    assert fast.attrs["fit_key"] != reference.attrs["fit_key"]
    assert set(fast["posterior"].data_vars) == set(reference["posterior"].data_vars)
    (m1, e1), (m2, e2) = _theta_with_error(fast), _theta_with_error(reference)
    z = np.abs(m1 - m2) / np.sqrt(e1**2 + e2**2)
    # 4 standard errors: with a few dozen cells a true difference this large is very unlikely by chance
    assert z.max() < 4, f"posterior means differ by up to {z.max():.1f} Monte Carlo standard errors"
    # the scenarios have a funnel that both samplers diverge in a little at these settings
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
        "print(json.dumps({'pymc': 'pymc' in sys.modules or 'pytensor' in sys.modules, 'said': said,\n"
        "                  'sum': float(theta.sum()),\n"
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
    assert first["pymc"] is False and again["pymc"] is False, "nutpie's fits import neither PyMC nor PyTensor"
    assert again["sum"] == first["sum"], "the same seed must give the same draws"

    # an edited claim, a new claimant with a claim of a kind the scenario had none of, a new divergence point:
    # new data for the same machine code, never compiled again
    claims = next((weimar / "claims").glob("*.toml"))
    text = claims.read_text()
    changed = text.replace("probability = 0.", "probability = 0.0", 1)
    assert changed != text
    claims.write_text(changed)
    (weimar / "pods.toml").write_text((weimar / "pods.toml").read_text() + NEW_POD)
    (weimar / "claims" / "newcomer.toml").write_text(NEW_CLAIMS)
    settings = weimar / "scenario.toml"
    settings.write_text(settings.read_text().replace("[evidence]", NEW_CLAIMANT + "\n[evidence]"))
    edited = _fit_in_new_process(weimar, isolated_cache)
    assert "compiled model code loaded from the cache" in edited["said"]
    assert not any("compiling" in message for message in edited["said"]), edited["said"]
    assert edited["mean"] != first["mean"]


def test_damaged_machine_code_is_compiled_again(weimar: Path, isolated_cache: Path) -> None:
    shared = (isolated_cache / "numba").resolve()
    (isolated_cache / "numba").unlink()
    shutil.copytree(shared, isolated_cache / "numba")  # a private copy of the machine code, to damage
    scenario = load_scenario(weimar)
    settings = SamplerSettings(**SMALL)
    before = fit(scenario, settings)
    for manifest in (isolated_cache / "numba").glob("*.sha256.json"):
        manifest.write_text("{not json")
    said: list[str] = []
    tree = fit(scenario, settings, on_stage=said.append, data=None)
    assert any("compiling" in message for message in said), said
    np.testing.assert_array_equal(tree["posterior"]["theta"].values, before["posterior"]["theta"].values)
