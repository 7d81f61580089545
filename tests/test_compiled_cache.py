"""The compiled-code cache is data, never code: tampered or damaged entries are rebuilt, and the same seed gives
the same draws whatever the state of the cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cfprob.fitting.inference import fit
from cfprob.fitting.provenance import SamplerSettings
from cfprob.outputs.checksum import text_checksum
from cfprob.reading.loader import load_scenario

from .fakes import invoke

pytestmark = pytest.mark.mcmc

SMALL = SamplerSettings(draws=200, tune=200, chains=2, seed=11)


def _theta(tree) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(tree["posterior"]["theta"].values)


def _reseal(record_path: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Edit the record as an attacker who also recomputes its checksum would."""
    sealed = json.loads(record_path.read_text())
    record = json.loads(sealed["record"])
    change(record)
    content = json.dumps(record, sort_keys=True)
    record_path.write_text(json.dumps({"sha256": text_checksum(content), "record": content}))


def test_cache_state_never_changes_the_draws_and_nothing_in_it_runs(
    weimar: Path, isolated_cache: Path, tmp_path: Path
) -> None:
    (isolated_cache / "numba").unlink()  # a private, empty machine-code cache: this test compiles afresh
    scenario = load_scenario(weimar)
    said: list[str] = []
    first = fit(scenario, SMALL, on_stage=said.append)
    assert any("compiling the model's log density" in m for m in said)

    said.clear()
    cached = fit(scenario, SMALL, on_stage=said.append)
    assert "compiled model code loaded from the cache" in said
    np.testing.assert_array_equal(_theta(cached), _theta(first))  # same seed, same draws: cold or cached

    (record_path,) = (isolated_cache / "compiled").glob("*.json")
    marker = tmp_path / "ran"
    payloads = {
        "template": lambda r: r["logp"].update(template=f"import pathlib\npathlib.Path({str(marker)!r}).touch()"),
        "dtype": lambda r: r["layout"].update(
            dtypes=[f"float64), __import__('pathlib').Path({str(marker)!r}).touch(), (", *r["layout"]["dtypes"][1:]]
        ),
        "rank": lambda r: r["layout"].update(
            ranks=["1) or __import__('os').system('true') or (1", *r["layout"]["ranks"][1:]]
        ),
    }
    for name, payload in payloads.items():
        _reseal(record_path, payload)
        said.clear()
        again = fit(scenario, SMALL, on_stage=said.append)
        assert not marker.exists(), f"code from the record's {name} ran"
        assert any("cached model code unusable (Damaged)" in m for m in said), said
        np.testing.assert_array_equal(_theta(again), _theta(first))

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
    code, _, err = invoke(*args)
    assert code == 0, err
    for path in [*(isolated_cache / "compiled").glob("*"), *(isolated_cache / "fits").glob("*")]:
        path.write_bytes(b"\x80\x04garbage")
    code, out, err = invoke(*args, "--refit")
    assert code == 0, err
    assert "internal error" not in err and "P(outcome)" in out
