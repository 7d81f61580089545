"""Reading a file a user names on the command line: the loader's rules, one line when a rule is broken.

Regular files only (a pipe would block, a folder or device is no text), at most :data:`MAX_FILE_BYTES`, UTF-8
(a byte-order mark is dropped); every refusal is a one-line :class:`~cfprob.errors.CfprobError` naming the path,
what was expected and what was found.
"""

from __future__ import annotations

import stat
from pathlib import Path

from cfprob.errors import CfprobError

__all__ = ["MAX_FILE_BYTES", "read_text_file"]

MAX_FILE_BYTES = 50_000_000
"""The largest file cfprob reads (a scenario's files, a thread to draft from, a source to quote)."""


def read_text_file(path: Path) -> str:
    """The text of the regular file ``path``, checked as the loader checks a scenario's files."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CfprobError(f"{path}: expected a readable file, found no such file") from None
    except OSError as exc:
        raise CfprobError(f"{path}: expected a readable file, found an unreadable path ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise CfprobError(f"{path}: expected a readable file, found a directory")
    if not stat.S_ISREG(info.st_mode):
        raise CfprobError(f"{path}: expected a readable file, found a special file (a pipe, socket or device)")
    if info.st_size > MAX_FILE_BYTES:
        raise CfprobError(
            f"{path}: expected a file under {MAX_FILE_BYTES // 1_000_000} MB, found {info.st_size // 1_000_000} MB"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CfprobError(f"{path}: expected a readable file, found an unreadable file ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CfprobError(
            f"{path}: expected UTF-8 text, found bytes that are not UTF-8 (at byte {exc.start})"
        ) from None
