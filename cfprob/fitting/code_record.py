"""What the compiled-code cache holds, and the checks that make it data rather than code.

A :class:`Record` (JSON, sealed with a checksum) names the callbacks' source templates, which live here and
are never read from the cache; every value of a record that reaches generated source is checked
(:meth:`Record.check`). Numba's cache files, which Numba unpickles, are read only when they match the
checksums written beside them when they were compiled (:func:`verify_machine_code`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from cfprob.outputs.checksum import text_checksum
from cfprob.outputs.files import write_atomically
from cfprob.paths import cache_folder

__all__ = [
    "DTYPES",
    "EXPAND_TEMPLATE",
    "LOGP_TEMPLATE",
    "TEMPLATES",
    "Callback",
    "Damaged",
    "Layout",
    "Record",
    "machine_code",
    "manifest",
    "seal_machine_code",
    "verify_machine_code",
]

LOGP_TEMPLATE = """
def cfprob_logp(dim, x_, out_, logp_, user_data_):
    meta = numba.carray(user_data_, (META,), np.uint64)
{unpack}
    x = numba.carray(x_, (dim,))
    out = numba.carray(out_, (dim,))
    logp = numba.carray(logp_, ())
    logp_val, grad = inner(x{args})
    if grad.shape[0] != dim:
        return -1
    logp[()] = logp_val
    out[...] = grad
    if not np.all(np.isfinite(out)):
        return 3
    if not np.isfinite(logp_val):
        return 4
    return 0
"""

EXPAND_TEMPLATE = """
def cfprob_expand(dim, expanded, x_, out_, user_data_):
    meta = numba.carray(user_data_, (META,), np.uint64)
{unpack}
    x = numba.carray(x_, (dim,))
    out = numba.carray(out_, (expanded,))
    (values,) = inner(x{args})
    if values.shape[0] != expanded:
        return -1
    out[...] = values
    return 0
"""


@dataclass(frozen=True)
class Layout:
    """How the model's inputs sit in the ``user_data`` array: names, ranks and dtypes, in order."""

    names: tuple[str, ...]
    ranks: tuple[int, ...]
    dtypes: tuple[str, ...]

    def source(self, template: str, args: tuple[str, ...]) -> str:
        """The source of a callback that passes the inputs ``args``, in this order, to the compiled graph."""
        offsets, offset = {}, 0
        for name, rank in zip(self.names, self.ranks, strict=True):
            offsets[name] = offset
            offset += 1 + rank
        lines = []
        for i, name in enumerate(args):
            at, rank = offsets[name], self.ranks[self.names.index(name)]
            shape = "".join(f"int(meta[{at + 1 + d}]), " for d in range(rank))
            dtype = self.dtypes[self.names.index(name)]
            lines.append(f"    d{i} = numba.carray(as_pointer(meta[{at}]), ({shape}), np.{dtype})")
        call_args = "".join(f", d{i}" for i in range(len(args)))
        return template.format(unpack="\n".join(lines), args=call_args).replace("META", str(max(offset, 1)))

    def user_data(self, inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        """The ``user_data`` array for ``inputs`` and the arrays it points to (keep them alive)."""
        arrays, words = [], []
        for name, rank, dtype in zip(self.names, self.ranks, self.dtypes, strict=True):
            array = np.require(inputs[name], dtype=dtype, requirements="C")  # keeps a 0-d input 0-d
            if array.ndim != rank:
                raise ValueError(f"model input {name}: expected rank {rank}, found {array.ndim}")
            array.flags.writeable = False
            arrays.append(array)
            words += [array.ctypes.data, *array.shape]
        return np.asarray(words or [0], dtype=np.uint64), arrays


TEMPLATES = {"logp": LOGP_TEMPLATE, "expand": EXPAND_TEMPLATE}
"""The callbacks' source templates, by name: records name a template and never carry source."""

DTYPES = ("float64", "float32", "int64", "int32", "int8", "uint64", "uint8", "bool")
"""Dtypes a model input may have (a record naming another is refused)."""


@dataclass(frozen=True)
class Callback:
    """One callback: its template's name, the inputs it reads (in argument order) and its cache key."""

    template: str
    args: tuple[str, ...]
    key: str


@dataclass(frozen=True)
class Record:
    """What nutpie needs besides the machine code; saved as JSON for level-1 loads."""

    n_dim: int
    n_expanded: int
    names: list[str]
    shapes: list[list[int]]
    dims: dict[str, list[str]]
    coords: dict[str, list[str | int]]
    initial_point: list[float]
    layout: Layout
    logp: Callback
    expand: Callback

    def to_json(self) -> str:
        """The record as JSON, sealed with the checksum of its content."""
        content = json.dumps(asdict(self), sort_keys=True)
        return json.dumps({"sha256": text_checksum(content), "record": content})

    @classmethod
    def from_json(cls, text: str) -> Record:
        """A record from :meth:`to_json`'s text; :class:`Damaged` unless every field is what cfprob writes."""
        try:
            sealed = json.loads(text)
            content = sealed["record"]
            if not isinstance(content, str) or text_checksum(content) != sealed["sha256"]:
                raise Damaged("checksum")
            payload = json.loads(content)
            layout = Layout(**{k: tuple(v) for k, v in payload["layout"].items()})
            payload["layout"] = layout
            for part in ("logp", "expand"):
                payload[part] = Callback(**{**payload[part], "args": tuple(payload[part]["args"])})
            record = cls(**payload)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Damaged(type(exc).__name__) from exc
        record.check()
        return record

    def check(self) -> None:
        """Every value that reaches generated source is of the kind cfprob writes (names never do)."""
        layout = self.layout
        sizes_ok = all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (self.n_dim, self.n_expanded))
        ranks_ok = all(isinstance(r, int) and not isinstance(r, bool) and 0 <= r <= 8 for r in layout.ranks)
        dtypes_ok = all(d in DTYPES for d in layout.dtypes)
        names_ok = all(isinstance(n, str) for n in layout.names) and len(set(layout.names)) == len(layout.names)
        lengths_ok = len(layout.names) == len(layout.ranks) == len(layout.dtypes)
        callbacks_ok = all(
            TEMPLATES.get(c.template) is not None
            and all(a in layout.names for a in c.args)
            and isinstance(c.key, str)
            and c.key.isalnum()
            for c in (self.logp, self.expand)
        )
        if not (sizes_ok and ranks_ok and dtypes_ok and names_ok and lengths_ok and callbacks_ok):
            raise Damaged("fields")


class Damaged(Exception):
    """A cached record or machine code is not what cfprob wrote."""


def machine_code(key: str) -> list[Path]:
    """Numba's cache files of the callback with ``key`` (its index and data files carry the key in their names)."""
    return sorted(p for p in cache_folder("numba").glob(f"*{key}*") if p.suffix in (".nbi", ".nbc"))


def manifest(key: str) -> Path:
    return cache_folder("numba") / f"{key}.sha256.json"


def _file_checksums(files: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def seal_machine_code(key: str) -> None:
    """Record the checksums of a callback's machine code files, written by Numba just now."""
    files = machine_code(key)
    if files:
        text = json.dumps(_file_checksums(files), sort_keys=True)
        write_atomically(manifest(key), lambda temporary: Path(temporary).write_text(text))


def verify_machine_code(key: str) -> None:
    """Numba unpickles its cache files: let it read them only when they match the checksums recorded when
    they were written. Files that do not (damaged, replaced, or never sealed) are deleted, so that Numba
    finds no cached code and the callback is compiled again."""
    files = machine_code(key)
    if not files:
        return
    try:
        expected = json.loads(manifest(key).read_text())
        ok = isinstance(expected, dict) and _file_checksums(files) == expected
    except (OSError, ValueError):
        ok = False
    if not ok:
        for path in [*files, manifest(key)]:
            path.unlink(missing_ok=True)
