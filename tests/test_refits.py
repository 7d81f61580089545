"""Refits at once (cfprob.fitting.refits): errors first, then the same draws however the refits run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from cfprob.answers.calibration import calibrate
from cfprob.answers.sensitivity import without_claims
from cfprob.errors import CfprobError
from cfprob.fitting.design import design
from cfprob.fitting.provenance import SamplerSettings
from cfprob.fitting.refits import Refits, refit_all
from cfprob.reading.loader import load_scenario

from .fakes import invoke

SMALL = SamplerSettings(draws=100, tune=100, chains=2, seed=5)


def test_unknown_executor_is_refused() -> None:
    with pytest.raises(CfprobError, match="--executor: expected one of processes, dask, found 'threads'"):
        Refits(executor="threads")


def test_no_jobs_is_refused() -> None:
    with pytest.raises(CfprobError, match="--jobs: expected a whole number of at least 1, found 0"):
        Refits(jobs=0)


def test_a_scheduler_needs_the_dask_executor() -> None:
    with pytest.raises(CfprobError, match="--scheduler: expected only with --executor dask"):
        Refits(scheduler="tcp://127.0.0.1:8786")


def test_the_command_line_refuses_a_bad_executor_before_fitting() -> None:
    code, _, err = invoke("sensitivity", "kosygin-1965", "--executor", "threads")
    assert code == 2 and "'threads' is not one of 'processes', 'dask'" in err


def test_one_setting_per_refit(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    data = design(scenario)
    with pytest.raises(ValueError, match=r"one sampler setting per refit \(2\), found 1"):
        refit_all(scenario, [data, data], [SMALL], _theta)


def test_no_refits_start_nothing(weimar: Path) -> None:
    assert refit_all(load_scenario(weimar), [], SMALL, _theta, how=Refits(executor="dask")) == []


def _theta(tree: xr.DataTree) -> np.ndarray:
    return np.asarray(tree["posterior"]["theta"].values)


@pytest.mark.mcmc
def test_workers_give_the_draws_of_the_serial_run(weimar: Path) -> None:
    """Three refits, one after another here and two at a time in worker processes: identical draws."""
    scenario = load_scenario(weimar)
    data = design(scenario)
    claims = [c.id for c in scenario.claims if c.scored and not c.excluded][:3]
    datasets = [without_claims(data, [claim]) for claim in claims]
    serial = refit_all(scenario, datasets, SMALL, _theta, how=Refits(jobs=1))
    done: list[tuple[int, int]] = []
    parallel = refit_all(scenario, datasets, SMALL, _theta, how=Refits(jobs=2), on_done=lambda *step: done.append(step))
    assert done == [(1, 3), (2, 3), (3, 3)]
    for one, other in zip(serial, parallel, strict=True):
        np.testing.assert_array_equal(one, other)
    assert not np.array_equal(serial[0], serial[1])  # the refits differ: the check could fail


@pytest.mark.mcmc
def test_sbc_on_a_local_dask_cluster_gives_the_serial_ranks(weimar: Path) -> None:
    """An SBC batch on a two-worker Dask LocalCluster ranks every parameter as the serial run does."""
    pytest.importorskip("distributed")
    scenario = load_scenario(weimar)
    data = design(scenario)
    serial = calibrate(scenario, data, 4, SMALL, seed=2, how=Refits(jobs=1))
    cluster = calibrate(scenario, data, 4, SMALL, seed=2, how=Refits(jobs=2, executor="dask"))
    assert cluster.ranks == serial.ranks
    assert cluster.divergent == serial.divergent
    np.testing.assert_array_equal(cluster.errors, serial.errors)


def test_an_unreachable_scheduler_is_one_line() -> None:
    pytest.importorskip("distributed")
    code, _, err = invoke(
        "crossval", "--refits", "1", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1", "--draws", "100"
    )
    assert code == 1 and "expected a Dask scheduler at tcp://127.0.0.1:1, found none" in err, err


def test_by_default_a_refit_gets_a_core_per_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers only where cores are to spare: 2 cores and 4 chains run refits one at a time, 16 cores four."""
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert Refits().workers(4) == 1 and Refits(jobs=3).workers(4) == 3
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert Refits().workers(4) == 4 and Refits().workers(1) == 16
