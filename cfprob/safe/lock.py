"""One writer at a time per scenario folder: the commands that change a folder (``draft``) hold its lock from
reading the folder to writing it, so two at once cannot lose each other's changes.

The lock file lives in the cache (``locks/``), named by the folder's resolved path, so the scenario folder
holds nothing but the user's files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cfprob.errors import CfprobError
from cfprob.paths import cache_folder

__all__ = ["LOCK_TIMEOUT", "folder_lock"]

LOCK_TIMEOUT = 60.0
"""Seconds a command waits for another one writing the same folder before it gives up."""


@contextmanager
def folder_lock(folder: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold ``folder``'s lock while the block runs; a one-line error when another command keeps it longer than
    ``timeout`` seconds (default :data:`LOCK_TIMEOUT`)."""
    from filelock import FileLock, Timeout

    timeout = LOCK_TIMEOUT if timeout is None else timeout
    name = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:32]
    lock = FileLock(cache_folder("locks") / f"{name}.lock")
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise CfprobError(
            f"{folder}: expected to write the scenario folder, found another cfprob command writing it "
            f"(waited {timeout:g} s)"
        ) from exc
    try:
        yield
    finally:
        lock.release()
