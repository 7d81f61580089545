"""nutpie's compiled model for a scenario, with its machine code kept between runs.

nutpie samples through two C callbacks that Numba compiles from PyTensor's graph of the model: the log
density with its gradient, and the *expand* function that turns an unconstrained draw into every reported
variable. ``nutpie.compile_pymc_model`` compiles both afresh in every process (about 20 s for the bundled
scenario on a 2-core machine). Here the callbacks are compiled from fixed source with Numba's on-disk
cache, under a key made of PyTensor's own hash of the compiled graph, and are found again at two levels:

1. **Same scenario content and library versions** (a refit, another seed, more draws): a small record in
   ``<cache>/compiled/`` holds everything else nutpie needs (sizes, variable names and shapes, coordinates,
   the initial point), so the callbacks load without importing PyMC or PyTensor.
2. **New content**: PyMC builds the model and PyTensor rewrites its graph (a few seconds). Claim data and the
   lengths of the scenario's dimensions are inputs of the graph (:func:`cfprob.fitting.design.model_inputs`,
   :func:`~cfprob.fitting.design.dim_lengths`), not constants, and the free vector is split at offsets
   computed from those lengths (:func:`_functions`), so an edited claim, a new claim of a kind the scenario
   already has, or a new divergence point leave the graph, its hash and therefore the cached machine code as
   they are. A new claim kind (or anything else that adds a term to the model) compiles again.

The callbacks read the data through nutpie's ``user_data`` pointer, laid out as one ``uint64`` array:
for each input, its address followed by its shape.
"""

from __future__ import annotations

import hashlib
import platform
import sys
import warnings
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any
from uuid import uuid4
from weakref import WeakKeyDictionary

import numpy as np

from cfprob.errors import CfprobError
from cfprob.fitting.code_record import (
    TEMPLATES,
    Callback,
    Layout,
    Record,
    machine_code,
    manifest,
    seal_machine_code,
    verify_machine_code,
)
from cfprob.fitting.design import ModelData, dim_lengths, model_inputs
from cfprob.fitting.priors import Priors
from cfprob.outputs.files import write_atomically
from cfprob.paths import cache_folder

__all__ = ["LIBRARIES", "compiled_model"]

LIBRARIES = ("nutpie", "numba", "llvmlite", "pytensor", "pymc", "numpy")
"""Libraries whose versions are part of every compiled-code key."""

_KEYS: WeakKeyDictionary[Callable[..., Any], str] = WeakKeyDictionary()
"""Cache key of each generated callback source, read by :class:`_Locator`."""


def content_key(content_hash: str, model_version: str) -> str:
    """Key of a level-1 record: scenario content, model version, Python and library versions."""
    parts = [content_hash, model_version, sys.version, platform.machine(), *(version(n) for n in LIBRARIES)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def compiled_model(
    data: ModelData, content_hash: str, model_version: str, say: Callable[[str], None], priors: Priors | None = None
) -> Any:
    """A ``nutpie`` compiled model for ``data``, its machine code from the cache when possible.

    ``content_hash`` and ``model_version`` identify ``data`` and the model exactly (a variant's
    ``priors`` included: :func:`~cfprob.fitting.provenance.model_key`): they key the level-1 record.
    Anything unusable in the cache is reported through ``say`` and compiled again.

    New code is compiled in a child process and then loaded from the cache like every later run: machine
    code compiled in the sampling process itself gives other draws for the same seed than the same code
    read back from the cache, so the first fit on an empty cache would differ from every later one.
    """
    record_path = cache_folder("compiled") / f"{content_key(content_hash, model_version)[:32]}.json"
    inputs = {**model_inputs(data), **dim_lengths(data)}
    model = _from_cache(record_path, inputs, say)
    if model is not None:
        return model
    try:
        _compile_in_child(data, record_path, say, priors)
    except CfprobError as exc:
        # a damaged PyTensor or Numba cache can break compiling itself: start from an empty one, once
        say(f"{exc}; clearing the compiled-code cache and compiling again")
        from cfprob.outputs.store import clear_compiled

        clear_compiled()
        _compile_in_child(data, record_path, say, priors)
    model = _from_cache(record_path, inputs, say)
    if model is None:  # Numba could not cache the machine code: this process compiles it, as every run will
        record, callbacks = _compile(data, say, priors)
        model = _assemble(record, inputs, callbacks)
    return model


def _from_cache(record_path: Path, inputs: dict[str, np.ndarray], say: Callable[[str], None]) -> Any | None:
    """The model from a level-1 record and its cached machine code; None (said why) when either is unusable."""
    if not record_path.exists():
        return None
    try:
        record = Record.from_json(record_path.read_text())
        callbacks = (_load(record, record.logp, None), _load(record, record.expand, None))
    except _Miss:
        say("compiled machine code missing from the cache")
        return None
    except Exception as exc:  # anything wrong with cached code: never fatal, compiled again
        say(f"cached model code unusable ({type(exc).__name__}); compiling")
        record_path.unlink(missing_ok=True)
        return None
    say("compiled model code loaded from the cache")
    return _assemble(record, inputs, callbacks)


def _compile_in_child(
    data: ModelData, record_path: Path, say: Callable[[str], None], priors: Priors | None = None
) -> None:
    """Compile the model's callbacks in a new process, which caches their machine code and writes the record;
    its stage messages are passed on to ``say``. A :class:`CfprobError` when it fails."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(data, str(record_path), send, priors), daemon=True)
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


def _child(data: ModelData, record_path: str, send: Any, priors: Priors | None = None) -> None:
    """The compiling process: compile, cache the machine code, write the record."""
    import warnings

    from cfprob.fitting.runtime import silence

    warnings.simplefilter("ignore")
    silence()
    try:
        record, _ = _compile(data, lambda message: send.send(("say", message)), priors)
        text = record.to_json()
        write_atomically(Path(record_path), lambda temporary: Path(temporary).write_text(text))
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


def _load(record: Record, callback: Callback, inner: Any) -> Any:
    """The callback's machine code from Numba's cache; compiled from ``inner`` if given and not cached."""
    numba = _numba()
    from numba.core import sigutils

    verify_machine_code(callback.key)
    t = numba.types
    pointer = t.CPointer(t.double)
    if callback.template == "logp":
        sig = t.int64(t.uint64, pointer, pointer, pointer, t.voidptr)
    else:
        sig = t.int64(t.uint64, t.uint64, pointer, pointer, t.voidptr)
    env = {
        "__name__": __name__,
        "numba": numba,
        "np": np,
        "inner": inner,
        "as_pointer": _as_pointer(numba),
    }
    namespace: dict[str, Any] = {}
    source = record.layout.source(TEMPLATES[callback.template], callback.args)
    exec(compile(source, f"<cfprob callback {callback.key[:12]}>", "exec"), env, namespace)
    (function,) = namespace.values()
    _KEYS[function] = callback.key
    compiled = _callback_class()(function, sigutils.normalize_signature(sig), locals={}, options={})
    compiled.enable_caching()
    compiled.may_compile = inner is not None
    with warnings.catch_warnings():
        # Code that embeds large constants cannot be cached; it is then compiled again on the next run.
        warnings.simplefilter("ignore", numba.NumbaWarning)
        compiled.compile()
    if inner is not None:
        seal_machine_code(callback.key)
    return compiled


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


def _compile(
    data: ModelData, say: Callable[[str], None], priors: Priors | None = None
) -> tuple[Record, tuple[Any, Any]]:
    """Build the PyMC model, let PyTensor rewrite it and compile (or find) the two callbacks."""
    from cfprob.fitting.runtime import prepare

    prepare()
    say("building the model (PyMC and PyTensor)")
    from nutpie.compile_pymc import _prepare_dims_and_coords
    from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS

    from cfprob.fitting.model import Priors, build_model

    model = build_model(data, priors or Priors())
    start = model.initial_point()
    (n_dim, n_expanded, logp_fn, expand_fn, shape_info, reparameterized) = _functions(model)
    names, _, shapes = shape_info  # every variable of the trace
    free = [model.rvs_to_values[v].name for v in model.free_RVs]  # the unconstrained point, in order
    shared = {v.name: v for v in [*logp_fn.get_shared(), *expand_fn.get_shared()]}
    layout = Layout(
        names=tuple(shared),
        ranks=tuple(v.ndim for v in shared.values()),
        dtypes=tuple(str(v.dtype) for v in shared.values()),
    )

    def describe(function: Any, template: str) -> Callback:
        args = tuple(v.name for v in function.get_shared())
        graph_key = CACHED_SRC_FUNCTIONS.get(function.vm.jit_fn.py_func)
        source = layout.source(TEMPLATES[template], args)
        # sizes are read at run time (the scenario's dimension lengths are inputs): the key is the graph alone
        text = "\n".join([str(graph_key), source, *(version(n) for n in LIBRARIES)])
        key = hashlib.sha256(text.encode()).hexdigest()
        # PyTensor could not hash the graph: a key nobody else can hit, so the code is compiled afresh
        return Callback(template, args, key if graph_key else f"{key[:32]}{uuid4().hex}")

    dims, coords = _prepare_dims_and_coords(model, shape_info, reparameterized)
    record = Record(
        n_dim=int(n_dim),
        n_expanded=int(n_expanded),
        names=list(names),
        shapes=[[int(n) for n in s] for s in shapes],
        dims={k: list(v) for k, v in dims.items()},
        coords={k: [_plain(x) for x in v] for k, v in coords.items()},
        initial_point=[float(x) for name in free for x in np.asarray(start[name], dtype=float).ravel()],
        layout=layout,
        logp=describe(logp_fn, "logp"),
        expand=describe(expand_fn, "expand"),
    )
    callbacks = []
    parts = (("log density and gradient", record.logp, logp_fn), ("draw expansion", record.expand, expand_fn))
    for what, callback, function in parts:
        try:
            callbacks.append(_load(record, callback, None))
        except Exception as exc:  # _Miss, or machine code Numba could not load: compiled again
            if not isinstance(exc, _Miss):
                for path in [*machine_code(callback.key), manifest(callback.key)]:
                    path.unlink(missing_ok=True)
            say(f"compiling the model's {what} with Numba (once per model structure)")
            callbacks.append(_load(record, callback, function.vm.jit_fn))
    return record, (callbacks[0], callbacks[1])


def _functions(
    model: Any,
) -> tuple[int, int, Any, Any, tuple[list[str], list[slice], list[tuple[int, ...]]], list[str]]:
    """The log density with its gradient and the draw expansion, as nutpie's ``_make_functions`` compiles them
    (PyTensor's Numba mode), but with the free vector split at offsets computed from the model's dim lengths,
    which are inputs: the compiled graph is the same for every number of divergence points, claimants or
    history years, so adding one loads the cached machine code instead of compiling it again.

    Returns the free vector's length, the expansion's length, the two compiled functions, (names, slices,
    shapes) of every variable in the trace and the names of transformed free variables.
    """
    from math import prod

    import pytensor.tensor as pt
    from nutpie.compile_pymc import _compute_shapes
    from pymc.pytensorf import compile as compile_pymc
    from pytensor.graph import clone_replace, rewrite_graph

    shapes = _compute_shapes(model)
    rewrites = ["canonicalize", "stabilize"] + ([] if model.check_bounds else ["local_remove_check_parameter"])
    logp = rewrite_graph(model.logp(), include=rewrites)
    value_vars = [model.rvs_to_values[v] for v in model.free_RVs]
    grad = pt.concatenate([pt.as_tensor(g).ravel() for g in pt.grad(logp, value_vars)])

    joined = pt.dvector("_unconstrained_point")
    names: list[str] = []
    slices: list[slice] = []
    trace_shapes: list[tuple[int, ...]] = []
    replacements, free = {}, []
    offset: Any = 0
    for var, value in zip(model.free_RVs, value_vars, strict=True):
        shape = tuple(int(n) for n in shapes[value.name])
        dims = model.named_vars_to_dims.get(var.name)
        symbolic: list[Any] = list(shape)
        if dims and tuple(int(model.dim_lengths[d].get_value()) for d in dims) == shape:
            symbolic = [model.dim_lengths[d] for d in dims]  # a size read at run time
        length = pt.prod(pt.stack(symbolic)) if symbolic else 1
        piece = joined[offset : offset + length].reshape(symbolic if symbolic else ()).astype(var.dtype)
        replacements[value] = piece
        free.append(piece)
        offset = offset + length
        start = slices[-1].stop if slices else 0
        names.append(value.name)
        slices.append(slice(start, start + prod(shape)))
        trace_shapes.append(shape)
    n_dim = slices[-1].stop if slices else 0

    logp, grad = clone_replace([logp, grad], replacements)
    with model:
        logp_fn = compile_pymc((joined,), (logp, grad), mode="NUMBA")
    remaining = [v for v in model.unobserved_value_vars if v.name not in names]
    for var in remaining:
        shape = tuple(int(n) for n in shapes[var.name])
        names.append(var.name)
        slices.append(slice(slices[-1].stop, slices[-1].stop + prod(shape)))
        trace_shapes.append(shape)
    expanded = pt.concatenate([*(v.ravel() for v in free), *(pt.as_tensor(v).ravel() for v in remaining)])
    with model:
        expand_fn = compile_pymc((joined,), [expanded], givens=list(replacements.items()), mode="NUMBA")
    transformed = [model.rvs_to_values[v].name for v in model.free_RVs if model.rvs_to_transforms.get(v) is not None]
    return n_dim, slices[-1].stop, logp_fn, expand_fn, (names, slices, trace_shapes), transformed


def _plain(value: Any) -> str | int:
    return int(value) if isinstance(value, int | np.integer) else str(value)


def _assemble(record: Record, inputs: dict[str, np.ndarray], callbacks: tuple[Any, Any]) -> Any:
    """nutpie's model object from a record, the data and the two callbacks."""
    import pandas as pd
    from nutpie.compile_pymc import CompiledPyMCModel

    user_data, arrays = record.layout.user_data(inputs)
    start = np.asarray(record.initial_point, dtype=float)

    def initial_point(seed: int) -> np.ndarray:
        """PyMC's default start: the support point, jittered uniformly by up to 1 in unconstrained space."""
        return start + np.random.default_rng(seed).uniform(-1.0, 1.0, size=start.shape)

    return CompiledPyMCModel(
        _n_dim=record.n_dim,
        dims=record.dims,
        _coords={k: pd.Index(v) for k, v in record.coords.items()},
        _shapes={n: tuple(s) for n, s in zip(record.names, record.shapes, strict=True)},
        compiled_logp_func=callbacks[0],
        compiled_expand_func=callbacks[1],
        initial_point_func=initial_point,
        shared_data=dict(zip(record.layout.names, arrays, strict=True)),
        shared_var_keys={},
        user_data=user_data,
        n_expanded=record.n_expanded,
        shape_info=(record.names, [], [tuple(s) for s in record.shapes]),
        logp_func=None,
        expand_func=None,
        reparameterized_names=[],
    )
