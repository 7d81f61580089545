"""Quiet, cached set-up of PyTensor and PyMC; call :func:`prepare` before importing them."""

from __future__ import annotations

import logging
import os
import warnings

from cfprob.paths import cache_folder

__all__ = ["prepare", "silence"]


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
