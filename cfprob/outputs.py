"""Writing files a user asked for: never over an existing file by surprise, never half-written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import CfprobError

__all__ = ["check_new_file", "write_atomically", "write_bytes_atomically"]


def check_new_file(path: Path, overwrite: bool) -> None:
    """Refuse a path that is a folder, lies in a missing folder or, without ``overwrite``, already exists."""
    if path.is_dir():
        raise CfprobError(f"{path}: expected a file name, found a folder")
    if path.exists() and not overwrite:
        raise CfprobError(f"{path}: expected a new file name, found an existing file (use --force to replace it)")
    if not path.parent.is_dir():
        raise CfprobError(f"{path}: expected an existing folder to write into, found no folder {path.parent}")


def write_atomically(path: Path, write: Callable[[str], None]) -> None:
    """Call ``write(temporary_name)`` beside ``path``, then rename it into place.

    An interruption leaves either the old file or the new one, never a partial file; the temporary file is
    removed on failure. The result gets the permissions a new file normally has (the umask applies).
    """
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise CfprobError(f"{path}: expected a writable folder, found {(exc.strerror or str(exc)).lower()}") from exc
    os.close(handle)
    try:
        write(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as exc:
        raise CfprobError(f"{path}: expected to write the file, found an error ({exc.strerror or exc})") from exc
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_bytes_atomically(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text is written as UTF-8) to ``path`` atomically (:func:`write_atomically`)."""
    encoded = data.encode("utf-8") if isinstance(data, str) else data

    def write(temporary: str) -> None:
        Path(temporary).write_bytes(encoded)

    write_atomically(path, write)
