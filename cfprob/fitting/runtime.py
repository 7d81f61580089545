"""Quiet, cached set-up of PyTensor and PyMC; call :func:`prepare` before importing them."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from cfprob.paths import cache_folder

__all__ = ["one_blas_thread", "prepare", "silence"]


def prepare() -> None:
    """Point PyTensor's compile cache into cfprob's cache and switch off its BLAS probe.

    Must run before the first ``import pytensor``; compiled model code then survives between runs.
    """
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    if "base_compiledir" not in flags:
        compiledir = cache_folder("pytensor")
        extra = f"base_compiledir={compiledir}"
        if "blas__ldflags" not in flags:
            extra += ",blas__ldflags="
        os.environ["PYTENSOR_FLAGS"] = f"{flags},{extra}" if flags else extra
    silence()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Linear algebra on one thread while the block runs (threadpoolctl). Several BLAS threads split sums in
    an order that depends on their number, so the last bits, and from them a sampler's path, would depend on
    the machine's cores or ``OMP_NUM_THREADS`` (a local Dask cluster sets it to 1 in the process that starts
    it): with one, the same seed gives the same draws wherever the fit runs, in a worker process or not. Chains
    already run one per core."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def silence() -> None:
    """Keep library warnings and log chatter of PyMC, PyTensor and ArviZ off the terminal."""
    for name in ("pymc", "pytensor", "arviz", "arviz_base", "arviz_stats", "arviz_plots", "matplotlib", "numba"):
        logging.getLogger(name).setLevel(logging.ERROR)
    for module in (
        "pymc",
        "pytensor",
        "arviz",
        "arviz_base",
        "arviz_stats",
        "arviz_plots",
        "xarray",
        "numpy",
        "matplotlib",
        "h5netcdf",
        "numba",
        "scipy",
    ):
        warnings.filterwarnings("ignore", module=module)
