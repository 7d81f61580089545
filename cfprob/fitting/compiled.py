"""nutpie's model for a scenario: cfprob's hand-written log density, its machine code kept between runs.

nutpie samples through two C callbacks: the log density with its gradient (:mod:`cfprob.fitting.density`)
and the *expand* function, here a copy of the free vector (every reported value is computed afterwards, in
numpy, by :mod:`cfprob.fitting.derived`). Both are compiled by Numba from fixed source and read every size
and value at run time from the data nutpie hands them (``user_data``: the addresses and lengths of the two
arrays of :func:`~cfprob.fitting.density.pack`). One machine code therefore serves every scenario, every
edit of one (a new claim, claim kind, claimant or divergence point) and every model variant; it is compiled
once per installation and found again in Numba's on-disk cache, under a key made of the hash of the source
compiled into it (:func:`~cfprob.fitting.density.source_key`) and the library versions.

Neither PyMC nor PyTensor is imported on this path.
"""

from __future__ import annotations

import hashlib
import platform
import sys
import warnings
from collections.abc import Callable
from importlib.metadata import version
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np

from cfprob.errors import CfprobError
from cfprob.fitting.design import ModelData, model_coords
from cfprob.fitting.free import FreeParameter, free_parameters, initial_point, lengths
from cfprob.fitting.machine_code import clear_compiled, machine_code, manifest, seal_machine_code, verify_machine_code
from cfprob.fitting.priors import Priors
from cfprob.paths import cache_folder

__all__ = ["LIBRARIES", "code_key", "compiled_model"]

LIBRARIES = ("nutpie", "numba", "llvmlite", "numpy")
"""Libraries whose versions are part of the compiled code's key."""

_KEYS: WeakKeyDictionary[Callable[..., Any], str] = WeakKeyDictionary()
"""Cache key of each callback's Python function, read by the cache locator."""

LOGP_SOURCE = """
def cfprob_logp(dim, x_, out_, logp_, user_data_):
    meta = numba.carray(user_data_, (4,), np.uint64)
    floats = numba.carray(as_pointer(meta[0]), (int(meta[1]),), np.float64)
    ints = numba.carray(as_pointer(meta[2]), (int(meta[3]),), np.int64)
    x = numba.carray(x_, (dim,))
    out = numba.carray(out_, (dim,))
    logp = numba.carray(logp_, ())
    if dim != free_length(ints):
        return -1
    value = log_density(x, out, floats, ints, families)
    logp[()] = value
    if not np.all(np.isfinite(out)):
        return 3
    if not np.isfinite(value):
        return 4
    return 0
"""

EXPAND_SOURCE = """
def cfprob_expand(dim, expanded, x_, out_, user_data_):
    if expanded != dim:
        return -1
    x = numba.carray(x_, (dim,))
    out = numba.carray(out_, (expanded,))
    out[:] = x
    return 0
"""

_SOURCES = {"logp": LOGP_SOURCE, "expand": EXPAND_SOURCE}


def code_key() -> str:
    """The compiled code's key: the source compiled into it, Python's and the libraries' versions."""
    from cfprob.fitting.density import source_key

    parts = [source_key(), *_SOURCES.values(), sys.version, platform.machine(), *(version(n) for n in LIBRARIES)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def compiled_model(data: ModelData, say: Callable[[str], None], priors: Priors | None = None) -> Any:
    """A ``nutpie`` compiled model for ``data`` under ``priors``, its machine code from the cache when possible.

    Anything unusable in the cache is reported through ``say`` and compiled again. New code is compiled in a
    child process and then loaded from the cache like every later run: machine code compiled in the sampling
    process itself can give other draws for the same seed than the same code read back from the cache, so
    the first fit on an empty cache would differ from every later one.
    """
    priors = priors or Priors()
    key = code_key()
    callbacks = _from_cache(key, say)
    if callbacks is None:
        say("compiling the model's log density and gradient with Numba (once per installation)")
        try:
            _compile_in_child(key, say)
        except CfprobError as exc:
            # a damaged Numba cache can break compiling itself: start from an empty one, once
            say(f"{exc}; clearing the compiled-code cache and compiling again")
            clear_compiled()
            _compile_in_child(key, say)
        callbacks = _from_cache(key, say)
        if callbacks is None:  # Numba could not cache the machine code: this process compiles it, as every run will
            callbacks = _callbacks(key, may_compile=True)
    return _assemble(data, priors, callbacks)


def _from_cache(key: str, say: Callable[[str], None]) -> tuple[Any, Any] | None:
    """Both callbacks from Numba's cache; None (said why) when either is missing or unusable."""
    try:
        callbacks = _callbacks(key, may_compile=False)
    except _Miss:
        return None
    except Exception as exc:  # anything wrong with cached code: never fatal, compiled again
        say(f"cached model code unusable ({type(exc).__name__}); compiling")
        for name in _SOURCES:
            for path in [*machine_code(_key(key, name)), manifest(_key(key, name))]:
                path.unlink(missing_ok=True)
        return None
    say("compiled model code loaded from the cache")
    return callbacks


def _key(key: str, name: str) -> str:
    return f"{name}{key[:40]}"


def _compile_in_child(key: str, say: Callable[[str], None]) -> None:
    """Compile both callbacks in a new process, which caches their machine code; its messages go to ``say``.
    A :class:`CfprobError` when it fails."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(key, send), daemon=True)
    child.start()
    send.close()
    failure = ""
    try:
        while True:
            try:
                kind, message = receive.recv()
            except EOFError:
                break
            if kind == "say":
                say(message)
            else:
                failure = message
        child.join()
    finally:
        receive.close()
        if child.is_alive():  # interrupted: the child's partial work is never used
            child.terminate()
            child.join()
    if child.exitcode != 0 or failure:
        raise CfprobError(f"compiling the model failed ({failure or f'exit code {child.exitcode}'})")


def _child(key: str, send: Any) -> None:
    """The compiling process: compile both callbacks, caching and sealing their machine code."""
    from cfprob.fitting.runtime import silence

    warnings.simplefilter("ignore")
    silence()
    try:
        _callbacks(key, may_compile=True)
    except BaseException as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        send.send(("error", f"{type(exc).__name__}: {first}"))
        raise SystemExit(1) from None
    finally:
        send.close()


class _Miss(Exception):
    """Numba's cache holds no machine code for a callback."""


def _numba() -> Any:
    """Numba, with cfprob's cache locator registered (once)."""
    import numba
    from numba.core.caching import CacheImpl, _CacheLocator

    if not any(getattr(c, "cfprob", False) for c in CacheImpl._locator_classes):

        class _Locator(_CacheLocator):
            """Keep Numba's cache of cfprob's callbacks in cfprob's cache, named by their key."""

            cfprob = True

            def __init__(self, key: str) -> None:
                self._key = key
                self._folder = str(cache_folder("numba"))
                self._py_file = f"<cfprob callback {key[:12]}>"  # named by Numba's "cannot cache" warning

            def ensure_cache_path(self) -> None:
                pass

            def get_cache_path(self) -> str:
                return self._folder

            def get_source_stamp(self) -> int:
                return 0

            def get_disambiguator(self) -> str:
                return self._key

            @classmethod
            def from_function(cls, py_func: Callable[..., Any], py_file: str) -> _Locator | None:
                key = _KEYS.get(py_func)
                return cls(key) if key else None

        CacheImpl._locator_classes.insert(0, _Locator)  # type: ignore[arg-type]
    return numba


def _as_pointer(numba: Any) -> Any:
    """A Numba intrinsic turning an integer address into a ``void*``."""
    from numba.core import cgutils, types

    @numba.extending.intrinsic  # type: ignore[untyped-decorator]
    def as_pointer(typingctx: Any, address: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.inttoptr(args[0], cgutils.voidptr_t)

        return types.voidptr(address), codegen

    return as_pointer


def _callbacks(key: str, may_compile: bool) -> tuple[Any, Any]:
    """Both callbacks: their machine code from Numba's cache, or compiled (and cached) if ``may_compile``."""
    numba = _numba()
    from numba.core import sigutils

    from cfprob.fitting.density import free_length, log_density, register

    families = register()
    t = numba.types
    pointer = t.CPointer(t.double)
    signatures = {
        "logp": t.int64(t.uint64, pointer, pointer, pointer, t.voidptr),
        "expand": t.int64(t.uint64, t.uint64, pointer, pointer, t.voidptr),
    }
    env = {"numba": numba, "np": np, "as_pointer": _as_pointer(numba), "log_density": log_density}
    env["free_length"] = free_length
    env["families"] = families
    compiled = []
    for name, source in _SOURCES.items():
        callback_key = _key(key, name)
        verify_machine_code(callback_key)
        namespace: dict[str, Any] = {}
        exec(
            compile(source, f"<cfprob callback {callback_key[:12]}>", "exec"), {"__name__": __name__, **env}, namespace
        )
        (function,) = namespace.values()
        _KEYS[function] = callback_key
        callback = _callback_class()(
            function, sigutils.normalize_signature(signatures[name]), locals={}, options={"error_model": "numpy"}
        )
        callback.enable_caching()
        callback.may_compile = may_compile
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", numba.NumbaWarning)
            callback.compile()
        if may_compile:
            seal_machine_code(callback_key)
        compiled.append(callback)
    return compiled[0], compiled[1]


def _callback_class() -> Any:
    """Numba's ``CFunc``, made to raise :class:`_Miss` instead of compiling unless allowed."""
    from numba.core.ccallback import CFunc

    base: Any = CFunc  # untyped internals: ``_compile_uncached`` is what ``compile`` calls on a cache miss

    class Callback(base):  # type: ignore[misc]
        may_compile = False

        def _compile_uncached(self) -> Any:
            if not self.may_compile:
                raise _Miss(self.__qualname__)
            return super()._compile_uncached()

    return Callback


def trace_layout(parameters: list[FreeParameter]) -> tuple[list[str], list[tuple[int, ...]], dict[str, list[str]]]:
    """The names, shapes and dimensions of the sampled trace: the free parameters on their sampled scale."""
    names = [p.parameter.sampled_name for p in parameters]
    shapes = [p.shape for p in parameters]
    dims = {p.parameter.sampled_name: list(p.parameter.dims) for p in parameters if p.parameter.dims}
    return names, shapes, dims


def _assemble(data: ModelData, priors: Priors, callbacks: tuple[Any, Any]) -> Any:
    """nutpie's model object from the data and the two callbacks."""
    import pandas as pd
    from nutpie.compile_pymc import CompiledPyMCModel

    from cfprob.fitting.density import pack

    parameters = free_parameters(data, priors)
    n_dim = parameters[-1].stop
    floats, ints = pack(data, priors, parameters)  # ints holds the free vector's length, which the callback checks
    for array in (floats, ints):
        array.flags.writeable = False
    user_data = np.asarray([floats.ctypes.data, len(floats), ints.ctypes.data, len(ints)], dtype=np.uint64)
    start = np.asarray(initial_point(parameters, priors), dtype=float)
    names, shapes, dims = trace_layout(parameters)
    coords = model_coords(data) | {"worldview_rest": list(range(lengths(data)["worldview_rest"]))}

    def initial(seed: int) -> np.ndarray:
        """PyMC's default start: the support point, jittered uniformly by up to 1 in unconstrained space."""
        return start + np.random.default_rng(seed).uniform(-1.0, 1.0, size=start.shape)

    return CompiledPyMCModel(
        _n_dim=n_dim,
        dims=dims,
        _coords={k: pd.Index(v) for k, v in coords.items()},
        _shapes=dict(zip(names, shapes, strict=True)),
        compiled_logp_func=callbacks[0],
        compiled_expand_func=callbacks[1],
        initial_point_func=initial,
        shared_data={"floats": floats, "ints": ints},
        shared_var_keys={},
        user_data=user_data,
        n_expanded=n_dim,
        shape_info=(names, [], shapes),
        logp_func=None,
        expand_func=None,
        reparameterized_names=[],
    )
