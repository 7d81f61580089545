"""A saved result works with ArviZ as it is: every function of arviz-stats and arviz-plots that takes a whole
tree runs on it (a fake fit of the small scenario, saved and read back as a user would; the real fit in the
mcmc tier)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xarray as xr

from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR
from .fakes import install_fake_fit, invoke

azs = pytest.importorskip("arviz_stats")
azp = pytest.importorskip("arviz_plots")

STATS: dict[str, Callable[[xr.DataTree], Any]] = {
    "summary": lambda dt: azs.summary(dt),
    "loo": lambda dt: azs.loo(dt),
    "loo_pit": lambda dt: azs.loo_pit(dt),
    "psense_summary": lambda dt: azs.psense_summary(dt),
    "compare": lambda dt: azs.compare({"one": dt, "other": dt}),
    "ess": lambda dt: azs.ess(dt),
    "rhat": lambda dt: azs.rhat(dt),
    "mcse": lambda dt: azs.mcse(dt),
    "bfmi": lambda dt: azs.bfmi(dt),
}
PLOTS: dict[str, Callable[[xr.DataTree], Any]] = {
    name: (lambda function: lambda dt: function(dt))(getattr(azp, name))
    for name in (
        "plot_forest",
        "plot_dist",
        "plot_trace_dist",
        "plot_rank",
        "plot_ess",
        "plot_energy",
        "plot_ppc_dist",
        "plot_loo_pit",
        "plot_prior_posterior",
        "plot_psense_dist",
    )
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> xr.DataTree:
    """The small scenario's answer saved with `run --out`, opened with xarray alone."""
    import os

    folder = tmp_path_factory.mktemp("arviz")
    previous = os.environ.get("CFPROB_CACHE_DIR")
    os.environ["CFPROB_CACHE_DIR"] = str(folder / "cache")
    try:
        install_fake_fit(load_scenario(WEIMAR))
        out = folder / "r.nc"
        code, _, err = invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--out", str(out))
        assert code == 0, err
    finally:
        if previous is None:
            os.environ.pop("CFPROB_CACHE_DIR")
        else:
            os.environ["CFPROB_CACHE_DIR"] = previous
    return xr.open_datatree(out, engine="h5netcdf").load()


@pytest.mark.parametrize("name", list(STATS))
def test_every_statistic_runs_on_a_saved_result(saved: xr.DataTree, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ArviZ warns about a fake fit's Pareto k and sensitivity
        STATS[name](saved)


@pytest.mark.parametrize("name", list(PLOTS))
def test_every_plot_runs_on_a_saved_result(saved: xr.DataTree, name: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        PLOTS[name](saved)
    plt.close("all")


def test_the_prior_and_posterior_share_names(saved: xr.DataTree) -> None:
    posterior, prior = saved["posterior"].to_dataset(), saved["prior"].to_dataset()
    assert "p_outcome" in prior and prior["p_outcome"].dims == posterior["p_outcome"].dims
    assert saved["sample_stats"].to_dataset()["lp"].dims == ("chain", "draw")
    assert int(saved.attrs["draws"]) == saved.attrs["draws"] and not isinstance(saved.attrs["draws"], str)


def test_a_name_arviz_keeps_breaks_it(saved: xr.DataTree) -> None:
    """The check can fail: a posterior variable named alpha (power-scaling's dimension) breaks plot_psense_dist."""
    broken = saved.copy()
    broken["posterior"] = xr.DataTree(saved["posterior"].to_dataset().rename({"sigma_u": "alpha"}))
    with pytest.raises(ValueError, match="alpha"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        azp.plot_psense_dist(broken)


def test_a_log_likelihood_named_unlike_what_was_stated_breaks_loo_pit(saved: xr.DataTree) -> None:
    """The check can fail: one variable per family in observed_data (the earlier layout) and loo_pit finds no
    log-likelihood of that name."""
    broken = saved.copy()
    stated = saved["observed_data"].to_dataset()
    broken["observed_data"] = xr.DataTree(stated.rename({"claims": "point"}))
    with pytest.raises(KeyError, match="point"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        azs.loo_pit(broken)


def test_the_saved_result_has_arviz_groups_and_no_duplicates(saved: xr.DataTree) -> None:
    assert set(saved.children) >= {"posterior", "prior", "log_likelihood", "prior_predictive", "constant_data"}
    assert "design" not in saved.children and "theta" not in saved["posterior"].to_dataset()


@pytest.mark.mcmc
def test_every_function_runs_on_a_real_fit(weimar: Path, tmp_path: Path) -> None:
    """The small scenario sampled for real (2 chains x 200 draws), saved, opened with xarray alone."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = tmp_path / "real.nc"
    code, _, err = invoke(
        "run",
        "--scenario",
        str(weimar),
        "no-depression-1929",
        "--draws",
        "200",
        "--tune",
        "200",
        "--chains",
        "2",
        "--out",
        str(out),
    )
    assert code == 0, err
    real = xr.open_datatree(out, engine="h5netcdf").load()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for function in {**STATS, **PLOTS}.values():
            function(real)
            plt.close("all")
