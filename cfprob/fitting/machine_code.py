"""Numba's cache files of cfprob's compiled callbacks, made data rather than code: Numba unpickles them, so
they are read only when they match the checksums written beside them when they were compiled
(:func:`verify_machine_code`); anything else is deleted and compiled again."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cfprob.paths import cache_dir, cache_folder
from cfprob.safe.files import write_atomically

__all__ = [
    "COMPILED_FOLDERS",
    "clear_compiled",
    "compiled_size",
    "machine_code",
    "manifest",
    "seal_machine_code",
    "verify_machine_code",
]

COMPILED_FOLDERS = ("compiled", "numba", "pytensor")
"""The cache's folders of compiled model code (cfprob's records, Numba's machine code, PyTensor's C)."""


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

        def write(temporary: str) -> None:
            Path(temporary).write_text(text)

        write_atomically(manifest(key), write)


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
