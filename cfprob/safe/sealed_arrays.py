"""Named numpy arrays in one sealed ``.npz`` file (:mod:`cfprob.safe.seal`): what the cache keeps beside a fit.

Written atomically; read back only when the file is whole (its seal matches) and numpy can read it without
unpickling anything; otherwise None, and the caller computes the arrays again.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from cfprob.safe.files import write_bytes_atomically
from cfprob.safe.seal import seal_bytes, unsealed

__all__ = ["read_sealed_arrays", "write_sealed_arrays"]


def write_sealed_arrays(path: Path, arrays: Mapping[str, Any]) -> None:
    """``arrays`` (numpy arrays or what numpy makes one of) to ``path``, sealed, atomically."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes_atomically(path, seal_bytes(buffer.getvalue()))


def read_sealed_arrays(path: Path) -> dict[str, np.ndarray] | None:
    """The arrays in ``path`` when it is whole and readable without unpickling, else None."""
    try:
        body = unsealed(path.read_bytes())
    except OSError:
        return None
    if isinstance(body, str):
        return None
    try:
        with np.load(io.BytesIO(body), allow_pickle=False) as stored:
            return {name: np.asarray(stored[name]) for name in stored.files}
    except (OSError, ValueError, KeyError):
        return None
