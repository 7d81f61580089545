"""A fit's draws for answers, kept beside each cached fit as a sealed ``.npz``: cached answers need numpy alone.

Opening a fit's NetCDF takes xarray, pandas and HDF5 (about half a second of imports and reading); the
arrays :class:`cfprob.answers.query.Fit` holds are a few megabytes that numpy reads directly. The file is
written with the cached fit, sealed like it (:mod:`cfprob.safe.seal`) and holds the fit's key: a file
that is damaged, cut short or made for other inputs is never used (the NetCDF is read instead, and the
file written again).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from cfprob.answers.query import Fit
from cfprob.answers.sources import Sources
from cfprob.safe.sealed_arrays import read_sealed_arrays, write_sealed_arrays

__all__ = ["SUFFIX", "answers_path", "read_answers", "write_answers"]

SUFFIX = ".answers.npz"

_ARRAYS = ("X", "theta", "alpha", "beta", "u", "sigma_u", "knots", "year_weights", "history", "era")
_OPTIONAL = ("worldview_loading", "plausibility")
_NAMES = ("outcomes", "pods", "features", "antecedent_pods", "antecedent_after")
_SOURCES = ("no_claims", "features_only", "every_claim", "without", "khat", "judged_sd", "judged", "judged_khat")
"""The arrays of :class:`cfprob.answers.sources.Sources`, stored as ``sources_<name>`` (with
``sources_claimants``)."""


def answers_path(fit_path: Path) -> Path:
    """Where the answers file of the cached fit at ``fit_path`` (``….nc``) lives."""
    return fit_path.with_name(fit_path.stem + SUFFIX)


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_answers(fit: Fit, path: Path) -> None:
    """``fit``'s arrays, names and attributes to ``path``, sealed, atomically."""
    arrays: dict[str, Any] = {name: getattr(fit, name) for name in _ARRAYS}
    arrays |= {name: getattr(fit, name) for name in _OPTIONAL if getattr(fit, name) is not None}
    arrays |= {name: np.asarray(getattr(fit, name), dtype=str) for name in _NAMES}
    if fit.sources is not None:
        arrays |= {f"sources_{name}": getattr(fit.sources, name) for name in _SOURCES}
        arrays["sources_claimants"] = np.asarray(fit.sources.claimants, dtype=str)
    meta = {
        "observed_outcome": fit.observed_outcome,
        "observed_year": fit.observed_year,
        "attrs": {str(k): _plain(v) for k, v in fit.attrs.items()},
    }
    arrays["meta"] = np.asarray(json.dumps(meta, allow_nan=True))
    write_sealed_arrays(path, arrays)


def read_answers(path: Path, key: str) -> Fit | None:
    """The :class:`Fit` in ``path`` when it is whole and was made for the fit key ``key``, else None."""
    arrays = read_sealed_arrays(path)
    if arrays is None or "meta" not in arrays:
        return None
    meta = json.loads(str(arrays.pop("meta")))
    attrs = meta["attrs"]
    if attrs.get("fit_key") != key or not all(name in arrays for name in (*_ARRAYS, *_NAMES)):
        return None
    draws = [arrays[name] for name in (*_ARRAYS, *_OPTIONAL) if name in arrays]
    if any(not np.isfinite(values).all() for values in draws if values.dtype.kind == "f"):
        return None
    names = {name: tuple(str(x) for x in arrays[name]) for name in _NAMES}
    sources = None
    if "sources_claimants" in arrays and all(f"sources_{name}" in arrays for name in _SOURCES):
        sources = Sources(
            tuple(str(x) for x in arrays["sources_claimants"]),
            **{name: arrays[f"sources_{name}"].astype(float) for name in _SOURCES},
        )
    return Fit(
        outcomes=names["outcomes"],
        pods=names["pods"],
        features=names["features"],
        **{name: arrays[name].astype(float) for name in _ARRAYS},
        observed_outcome=str(meta["observed_outcome"]),
        observed_year=int(meta["observed_year"]),
        attrs=attrs,
        worldview_loading=arrays.get("worldview_loading"),
        plausibility=arrays.get("plausibility"),
        antecedent_pods=names["antecedent_pods"],
        antecedent_after=names["antecedent_after"],
        sources=sources,
    )
