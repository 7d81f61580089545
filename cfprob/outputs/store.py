"""Save and load fits as NetCDF, atomically, and keep a cache of fits keyed by what produced them."""

from __future__ import annotations

import contextlib
import gc
import io
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cfprob.errors import CacheError, CfprobError
from cfprob.fitting.draws import nonfinite_draws
from cfprob.fitting.priors import Priors
from cfprob.fitting.provenance import SamplerSettings, fit_key, model_key
from cfprob.outputs.answer_file import SUFFIX as ANSWERS_SUFFIX
from cfprob.outputs.answer_file import answers_path, read_answers, write_answers
from cfprob.paths import cache_dir, cache_folder
from cfprob.reading.fields import one_line
from cfprob.reading.scenario import Scenario
from cfprob.safe.checksum import TREE_ATTR, tree_checksum
from cfprob.safe.files import check_new_file, write_bytes_atomically
from cfprob.safe.seal import SEAL_PREFIX, seal_bytes, unsealed

if TYPE_CHECKING:
    import xarray as xr

    from cfprob.answers.query import Fit
    from cfprob.answers.sensitivity import LeaveOneOut
    from cfprob.fitting.design import ModelData

__all__ = [
    "SEAL_PREFIX",
    "cache_path",
    "cached_answers",
    "cached_fit",
    "cached_leave_one_out",
    "clear_cache",
    "list_cache",
    "load_tree",
    "put_in_cache",
    "save_tree",
    "seal_bytes",
]

"""Cache folders of compiled model code: Numba's machine code of the sampler, PyTensor's (``--sampler pymc``), and
the model records earlier versions kept."""


def save_tree(tree: xr.DataTree, path: Path, overwrite: bool = False) -> None:
    """Write ``tree`` to ``path`` as NetCDF, atomically; an existing file only with ``overwrite``."""
    path = Path(path)
    check_new_file(path, overwrite)
    broken = nonfinite_draws(tree["posterior"].to_dataset())
    if broken:
        raise CfprobError(f"{path}: not written: the fit holds {broken} (an interrupted or failed fit)")
    sealed = tree.copy()
    sealed.attrs[TREE_ATTR] = tree_checksum(sealed)
    # serialised in memory, then written as plain bytes: a full disk is then an ordinary write error,
    # never an HDF5 file left open half-written (which crashed the interpreter at exit)
    write_bytes_atomically(path, seal_bytes(bytes(sealed.to_netcdf(engine="h5netcdf"))))


def load_tree(path: Path) -> xr.DataTree:
    """Read a fit saved by :func:`save_tree` fully into memory; a :class:`CacheError` for anything else."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise CacheError(f"{path}: expected a saved cfprob result, found no such file") from exc
    except OSError as exc:
        raise CacheError(f"{path}: expected a saved cfprob result, found an unreadable path ({exc.strerror})") from exc
    if not stat.S_ISREG(info.st_mode):
        found = "a folder" if stat.S_ISDIR(info.st_mode) else "a special file (a pipe, socket or device)"
        raise CacheError(f"{path}: expected a saved cfprob result, found {found}")
    try:
        body = unsealed(path.read_bytes())
    except OSError as exc:
        raise CacheError(f"{path}: expected a saved cfprob result, found an unreadable file ({exc.strerror})") from exc
    if isinstance(body, str):
        raise CacheError(f"{path}: expected a saved cfprob result, found {body}")
    with _quiet_library_cleanup():
        loaded = _read_netcdf(body)
    if isinstance(loaded, str):
        raise CacheError(f"{path}: expected a NetCDF cfprob result, found an unreadable file ({loaded})")
    stored = loaded.attrs.get(TREE_ATTR)
    if stored is None:
        raise CacheError(f"{path}: expected a cfprob result with a content checksum, found none (refit to replace it)")
    if tree_checksum(loaded) != stored:
        raise CacheError(f"{path}: expected content matching its checksum, found other content (the file is damaged)")
    from cfprob.answers.groups import as_fit  # xarray's: not on the path of cached answers

    try:
        loaded = as_fit(loaded)  # a result saved with ArviZ's groups, read under cfprob's own names
    except CfprobError as exc:
        raise CacheError(f"{path}: {exc}") from None
    problem = _missing_part(loaded)
    if problem:
        raise CacheError(f"{path}: expected a cfprob result, found a NetCDF file without {problem}")
    broken = nonfinite_draws(loaded["posterior"].to_dataset())
    if broken:
        raise CacheError(f"{path}: expected a complete cfprob fit, found {broken} (an interrupted or failed fit)")
    return loaded


def _read_netcdf(body: bytes) -> xr.DataTree | str:
    """The tree in the NetCDF bytes ``body``, or why it could not be read (the error itself is dropped here, with the
    half-opened objects its traceback holds, so that they are cleaned up inside the quiet block)."""
    import xarray as xr

    try:
        with xr.open_datatree(io.BytesIO(body), engine="h5netcdf") as tree:
            # every node's data read now, while the file is open (DataTree.load can leave a node lazy)
            nodes = {node.path: node.to_dataset(inherit=False).load() for node in tree.subtree}
            loaded = xr.DataTree.from_dict(nodes)
            loaded.attrs = dict(tree.attrs)
            return loaded
    except Exception as exc:  # h5py / h5netcdf raise many kinds of error for a damaged file
        return one_line(str(exc)) or type(exc).__name__


@contextmanager
def _quiet_library_cleanup() -> Iterator[None]:
    """A damaged file leaves a half-opened h5netcdf object whose cleanup fails; Python would print that
    ("Exception ignored in ...") after cfprob's own one-line message. Collect it here, silently."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        origin = getattr(unraisable.object, "__module__", "") or type(unraisable.object).__module__
        if not str(origin).startswith(("h5netcdf", "h5py")):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        gc.collect()
        sys.unraisablehook = previous


REQUIRED_ATTRS = ("fit_key", "scenario_id", "scenario_hash", "cfprob_version", "seed", "draws", "chains")
REQUIRED_POSTERIOR = {
    "theta": ("chain", "draw", "pod", "outcome"),
    "alpha": ("chain", "draw", "logit_outcome"),
    "u": ("chain", "draw", "pod", "logit_outcome"),
    "sigma_u": ("chain", "draw"),
    "history": ("chain", "draw", "knot", "logit_outcome"),
    "era": ("chain", "draw", "knot"),
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


def cache_path(scenario: Scenario, settings: SamplerSettings, priors: Priors | None = None) -> Path:
    key = fit_key(scenario.content_hash, settings, model_key(priors))
    return cache_dir() / "fits" / f"{scenario.id}-{key[:24]}.nc"


def cached_fit(
    scenario: Scenario,
    settings: SamplerSettings,
    refit: bool = False,
    progressbar: bool = False,
    on_stage: Callable[[str], None] | None = None,
    priors: Priors | None = None,
) -> tuple[xr.DataTree, bool]:
    """The fit for ``scenario`` and ``settings`` (and a model variant's ``priors``): from the cache when
    possible, else sampled and cached.

    Returns the fit and whether it came from the cache. A damaged entry or one whose key does not
    match is reported through ``on_stage`` and recomputed, never used.
    """
    say = on_stage or (lambda _message: None)
    path = cache_path(scenario, settings, priors)
    key = fit_key(scenario.content_hash, settings, model_key(priors))
    if path.exists() and not refit:
        try:
            tree = load_tree(path)
            if tree.attrs.get("fit_key") == key:
                if read_answers(answers_path(path), key) is None:
                    _write_answers(tree, path)
                return tree, True
            say(f"cached fit {path.name} was made for other inputs; refitting")
        except CacheError as exc:
            say(f"cached fit unusable ({exc}); refitting")
    from cfprob.answers.find_sources import with_sources
    from cfprob.fitting.design import design
    from cfprob.fitting.inference import fit

    data = design(scenario)
    tree = fit(scenario, settings, progressbar=progressbar, on_stage=on_stage, priors=priors, data=data)
    say("finding where each answer comes from (each claimant's claims left out in turn)")
    tree = with_sources(tree, data, priors)
    cache_folder("fits")
    put_in_cache(tree, path)
    return tree, False


def put_in_cache(tree: xr.DataTree, path: Path) -> None:
    """Cache ``tree`` at ``path`` with its answers file. The old answers file goes first: one left from an
    earlier fit is never read beside a new one, even when the writing is cut short."""
    answers_path(path).unlink(missing_ok=True)
    save_tree(tree, path, overwrite=True)
    _write_answers(tree, path)


def _write_answers(tree: xr.DataTree, path: Path) -> None:
    from cfprob.answers.query import Fit

    write_answers(Fit.from_tree(tree), answers_path(path))


def cached_answers(scenario: Scenario, settings: SamplerSettings, priors: Priors | None = None) -> Fit | None:
    """The cached fit's draws for answers (:mod:`cfprob.outputs.answer_file`, numpy only), or None when there
    is no whole one made for these inputs (then :func:`cached_fit` reads or makes the fit, and writes it)."""
    path = cache_path(scenario, settings, priors)
    return read_answers(answers_path(path), fit_key(scenario.content_hash, settings, model_key(priors)))


def cached_leave_one_out(tree: xr.DataTree, data: ModelData) -> LeaveOneOut:
    """The fit's leave-one-out weights (:mod:`cfprob.outputs.loo_file`): from the cache, else computed and kept."""
    from cfprob.answers.sensitivity import fit_leave_one_out
    from cfprob.outputs.loo_file import leave_one_out_path, read_leave_one_out, write_leave_one_out

    key = str(tree.attrs["fit_key"])
    path = leave_one_out_path(key)
    loo = read_leave_one_out(path, key)
    if loo is None or len(loo.weights[0]) != tree["posterior"].sizes["chain"] * tree["posterior"].sizes["draw"]:
        loo = fit_leave_one_out(tree, data)
        with contextlib.suppress(OSError, CacheError):  # a read-only cache: computed again next time
            write_leave_one_out(loo, path, key)
    return loo


def list_cache() -> list[Path]:
    """The cached fits: regular files only (a write in progress, or one cut short by a kill, is a hidden file
    and not a fit; a folder, link or pipe where a fit would be is none either)."""
    folder = cache_dir() / "fits"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.nc") if not p.name.startswith(".") and _regular(p))


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _remove(path: Path) -> None:
    """Delete whatever is at ``path`` in the cache: a file, link, pipe or folder."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def clear_cache() -> int:
    """Delete every cached fit, its answers file and leave-one-out weights, and any leftover partial write or
    stray entry where those go (folders, links, pipes); the number of fits removed."""
    removed = len(list_cache())
    fits = cache_dir() / "fits"
    if fits.is_dir():
        for entry in [*fits.glob("*.nc"), *fits.glob(".*"), *fits.glob(f"*{ANSWERS_SUFFIX}")]:
            _remove(entry)
    weights = cache_dir() / "leave-one-out"
    if weights.is_dir():
        for entry in weights.iterdir():
            _remove(entry)
    return removed
