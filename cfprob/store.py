"""Save and load fits as NetCDF, atomically, and keep a cache of fits keyed by what produced them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import xarray as xr

from .errors import CacheError
from .outputs import check_new_file, write_atomically
from .paths import cache_dir, cache_folder
from .provenance import SamplerSettings, fit_key
from .scenario import Scenario

__all__ = [
    "COMPILED_FOLDERS",
    "cache_path",
    "cached_fit",
    "clear_cache",
    "clear_compiled",
    "compiled_size",
    "list_cache",
    "load_tree",
    "save_tree",
]

COMPILED_FOLDERS = ("compiled", "numba", "pytensor")
"""Cache folders of compiled model code: nutpie model records, Numba's and PyTensor's machine code."""


def save_tree(tree: xr.DataTree, path: Path, overwrite: bool = False) -> None:
    """Write ``tree`` to ``path`` as NetCDF, atomically; an existing file only with ``overwrite``."""
    path = Path(path)
    check_new_file(path, overwrite)
    write_atomically(path, lambda temporary: tree.to_netcdf(temporary, engine="h5netcdf"))


def load_tree(path: Path) -> xr.DataTree:
    """Read a fit saved by :func:`save_tree` fully into memory."""
    try:
        with xr.open_datatree(path, engine="h5netcdf") as tree:
            loaded = tree.load()
    except FileNotFoundError as exc:
        raise CacheError(f"{path}: expected a saved cfprob result, found no such file") from exc
    except Exception as exc:  # h5py / h5netcdf raise many kinds of error for a damaged file
        raise CacheError(f"{path}: expected a NetCDF cfprob result, found an unreadable file ({exc})") from exc
    problem = _missing_part(loaded)
    if problem:
        raise CacheError(f"{path}: expected a cfprob result, found a NetCDF file without {problem}")
    return loaded


REQUIRED_ATTRS = ("fit_key", "scenario_id", "scenario_hash", "cfprob_version", "seed", "draws", "chains")
REQUIRED_POSTERIOR = {
    "theta": ("chain", "draw", "pod", "outcome"),
    "alpha": ("chain", "draw", "logit_outcome"),
    "u": ("chain", "draw", "pod", "logit_outcome"),
    "sigma_u": ("chain", "draw"),
    "year_effect": ("chain", "draw", "knot", "logit_outcome"),
}


def _missing_part(tree: xr.DataTree) -> str:
    """What a loaded tree lacks to be a cfprob fit ("" when nothing is missing)."""
    for name in ("posterior", "design"):
        if name not in tree.children:
            return f"a {name} group"
    for attr in REQUIRED_ATTRS:
        if attr not in tree.attrs:
            return f"the attribute {attr}"
    posterior = tree["posterior"].to_dataset()
    for name, dims in REQUIRED_POSTERIOR.items():
        if name not in posterior or posterior[name].dims != dims:
            return f"the posterior variable {name}{dims}"
    if "X" not in tree["design"].to_dataset():
        return "the design matrix X"
    return ""


def cache_path(scenario: Scenario, settings: SamplerSettings) -> Path:
    key = fit_key(scenario.content_hash, settings)
    return cache_dir() / "fits" / f"{scenario.id}-{key[:24]}.nc"


def cached_fit(
    scenario: Scenario,
    settings: SamplerSettings,
    refit: bool = False,
    progressbar: bool = False,
    on_stage: Callable[[str], None] | None = None,
) -> tuple[xr.DataTree, bool]:
    """The fit for ``scenario`` and ``settings``: from the cache when possible, else sampled and cached.

    Returns the fit and whether it came from the cache. A damaged entry or one whose key does not
    match is reported through ``on_stage`` and recomputed, never used.
    """
    say = on_stage or (lambda _message: None)
    path = cache_path(scenario, settings)
    if path.exists() and not refit:
        try:
            tree = load_tree(path)
            if tree.attrs.get("fit_key") == fit_key(scenario.content_hash, settings):
                return tree, True
            say(f"cached fit {path.name} was made for other inputs; refitting")
        except CacheError as exc:
            say(f"cached fit unusable ({exc}); refitting")
    from .inference import fit

    tree = fit(scenario, settings, progressbar=progressbar, on_stage=on_stage)
    cache_folder("fits")
    save_tree(tree, path, overwrite=True)
    return tree, False


def list_cache() -> list[Path]:
    folder = cache_dir() / "fits"
    return sorted(folder.glob("*.nc")) if folder.is_dir() else []


def clear_cache() -> int:
    entries = list_cache()
    for entry in entries:
        entry.unlink()
    return len(entries)


def _compiled_files() -> list[Path]:
    files = []
    for name in COMPILED_FOLDERS:
        folder = cache_dir() / name
        if folder.is_dir():
            files += [p for p in folder.resolve().rglob("*") if p.is_file()]
    return files


def compiled_size() -> tuple[int, int]:
    """Number of files and bytes of compiled model code in the cache."""
    files = _compiled_files()
    return len(files), sum(p.stat().st_size for p in files)


def clear_compiled() -> int:
    """Delete the compiled model code (the next fit compiles again); the number of files removed."""
    import shutil

    count = len(_compiled_files())
    for name in COMPILED_FOLDERS:
        folder = cache_dir() / name
        if folder.is_symlink():
            folder.unlink()
        elif folder.is_dir():
            shutil.rmtree(folder)
    return count
