"""The seal of every file cfprob saves: a last line with the SHA-256 of the bytes before it, checked before
anything parses them."""

from __future__ import annotations

import hashlib

__all__ = ["SEAL_PREFIX", "seal_bytes", "unsealed"]

SEAL_PREFIX = b"\n%cfprob-sha256 "
"""Starts the line appended to every saved fit: the SHA-256 of the NetCDF bytes before it.

HDF5 readers ignore bytes after the end of the file they describe, so a sealed file is still an ordinary
NetCDF file for xarray, ArviZ or h5py. cfprob checks the seal *before* the HDF5 library parses anything:
that library can loop forever on some damaged files, so it is only ever given bytes cfprob wrote.
"""
_SEAL_LENGTH = len(SEAL_PREFIX) + 64 + 1


def seal_bytes(body: bytes) -> bytes:
    """``body`` followed by its seal line."""
    return body + SEAL_PREFIX + hashlib.sha256(body).hexdigest().encode() + b"\n"


def unsealed(data: bytes) -> bytes | str:
    """The bytes of a sealed file before its seal, or what is wrong with the seal."""
    seal = data[-_SEAL_LENGTH:]
    if len(data) <= _SEAL_LENGTH or not seal.startswith(SEAL_PREFIX) or not seal.endswith(b"\n"):
        return "a file without cfprob's checksum line at its end (not written by cfprob, or cut short)"
    body = data[:-_SEAL_LENGTH]
    if hashlib.sha256(body).hexdigest().encode() != seal[len(SEAL_PREFIX) : -1]:
        return "bytes that do not match their checksum (the file is damaged)"
    return body
