"""Content checksums of saved fits and cache records, verified whenever they are read.

A fit is checksummed by its content, not its bytes: every group, variable (values, dtype, dims) and
attribute, so the checksum survives the NetCDF round trip and is stored inside the file it covers
(the root attribute :data:`TREE_ATTR`). A flipped bit in a draw, a coordinate or an attribute makes the
file fail its check; it is then reported and never used.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["TREE_ATTR", "text_checksum", "tree_checksum"]

TREE_ATTR = "content_sha256"
"""The root attribute holding a saved fit's checksum."""


def _plain(value: Any) -> Any:
    """An attribute value as plain JSON data, the same before and after a NetCDF round trip."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _attrs_bytes(attrs: Mapping[Any, Any]) -> bytes:
    plain = {str(k): _plain(v) for k, v in attrs.items() if k != TREE_ATTR}
    return json.dumps(plain, sort_keys=True, default=str).encode()


def _array_bytes(values: np.ndarray) -> bytes:
    if values.dtype.kind in "biufc":
        # one byte order and width per kind, so that storage choices do not change the checksum
        wide = {"b": "<i8", "i": "<i8", "u": "<u8", "f": "<f8", "c": "<c16"}[values.dtype.kind]
        return np.ascontiguousarray(values, dtype=wide).tobytes()
    # text: str and object arrays alike; a missing value (None or NaN) is stored as an empty string
    return json.dumps([_text(v) for v in values.ravel().tolist()]).encode()


def _text(value: Any) -> str:
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return "" if missing else str(value)


def tree_checksum(tree: xr.DataTree) -> str:
    """SHA-256 of everything in ``tree`` but its own checksum attribute."""
    digest = hashlib.sha256()
    for node in sorted(tree.subtree, key=lambda n: n.path):
        digest.update(f"node {node.path}\0".encode())
        digest.update(_attrs_bytes(node.attrs))
        dataset = node.to_dataset(inherit=False)
        for name in sorted(map(str, dataset.variables)):
            variable = dataset.variables[name]
            values = np.asarray(variable.values)
            kind = values.dtype.kind if values.dtype.kind in "biufc" else "text"
            digest.update(f"var {name} {variable.dims} {values.shape} {kind}\0".encode())
            digest.update(_array_bytes(values))
            digest.update(_attrs_bytes(variable.attrs))
    return digest.hexdigest()


def text_checksum(text: str) -> str:
    """SHA-256 of a text record (UTF-8)."""
    return hashlib.sha256(text.encode()).hexdigest()
