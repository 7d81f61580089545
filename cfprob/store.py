"""Save and load fits as NetCDF, atomically, and keep a cache of fits keyed by what produced them."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import xarray as xr

from .errors import CacheError, CfprobError
from .paths import cache_dir
from .provenance import SamplerSettings, fit_key
from .scenario import Scenario

__all__ = ["cache_path", "cached_fit", "clear_cache", "list_cache", "load_tree", "save_tree"]


def save_tree(tree: xr.DataTree, path: Path, overwrite: bool = False) -> None:
    """Write ``tree`` to ``path`` through a temporary file and a rename: never a partial file.

    Raises :class:`CfprobError` if ``path`` exists and ``overwrite`` is false.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise CfprobError(f"{path}: expected a new file name, found an existing file (use --force to replace it)")
    if path.parent and not path.parent.is_dir():
        raise CfprobError(f"{path}: expected an existing folder to write into, found no folder {path.parent}")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        tree.to_netcdf(temporary, engine="h5netcdf")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def load_tree(path: Path) -> xr.DataTree:
    """Read a fit saved by :func:`save_tree` fully into memory."""
    try:
        with xr.open_datatree(path, engine="h5netcdf") as tree:
            loaded = tree.load()
    except FileNotFoundError as exc:
        raise CacheError(f"{path}: expected a saved cfprob result, found no such file") from exc
    except Exception as exc:  # h5py / h5netcdf raise many kinds of error for a damaged file
        raise CacheError(f"{path}: expected a NetCDF cfprob result, found an unreadable file ({exc})") from exc
    if "posterior" not in loaded.children or "fit_key" not in loaded.attrs:
        raise CacheError(f"{path}: expected a cfprob result with a posterior, found another NetCDF file")
    return loaded


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
    path.parent.mkdir(parents=True, exist_ok=True)
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
