"""The compiled-code cache is data, never code: tampered or damaged entries are rebuilt, and the same seed gives
the same draws whatever the state of the cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from cfprob.fitting.inference import fit
from cfprob.fitting.provenance import SamplerSettings
from cfprob.reading.loader import load_scenario

from .fakes import invoke

pytestmark = pytest.mark.mcmc

SMALL = SamplerSettings(draws=200, tune=200, chains=2, seed=11)


def _theta(tree) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(tree["posterior"]["theta"].values)


def test_cache_state_never_changes_the_draws_and_nothing_in_it_runs(weimar: Path, isolated_cache: Path) -> None:
    (isolated_cache / "numba").unlink()  # a private, empty machine-code cache: this test compiles afresh
    scenario = load_scenario(weimar)
    said: list[str] = []
    first = fit(scenario, SMALL, on_stage=said.append)
    assert any("compiling the model's log density" in m for m in said)

    said.clear()
    cached = fit(scenario, SMALL, on_stage=said.append)
    assert "compiled model code loaded from the cache" in said
    np.testing.assert_array_equal(_theta(cached), _theta(first))  # same seed, same draws: cold or cached

    # damaged machine code (Numba would unpickle it): detected by its checksum, deleted and compiled again
    for machine_code in (isolated_cache / "numba").glob("*.nb*"):
        data = bytearray(machine_code.read_bytes())
        data[len(data) // 2] ^= 0xFF
        machine_code.write_bytes(bytes(data))
    said.clear()
    rebuilt = fit(scenario, SMALL, on_stage=said.append)
    assert any("compiling" in m for m in said), said
    np.testing.assert_array_equal(_theta(rebuilt), _theta(first))


def test_refit_recovers_from_garbage_in_every_cache_file(weimar: Path, isolated_cache: Path) -> None:
    args = ["run", "no-depression-1929", "--scenario", str(weimar), "--draws", "100", "--tune", "100", "--chains", "2"]
    shared = (isolated_cache / "numba").resolve()
    (isolated_cache / "numba").unlink()
    shutil.copytree(shared, isolated_cache / "numba")  # a private copy of the machine code, to damage
    code, _, err = invoke(*args)
    assert code == 0, err
    for path in [*(isolated_cache / "numba").glob("*"), *(isolated_cache / "fits").glob("*")]:
        path.write_bytes(b"\x80\x04garbage")
    code, out, err = invoke(*args, "--refit")
    assert code == 0, err
    assert "internal error" not in err and "P(outcome)" in out
