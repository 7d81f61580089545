"""Writing files a user asked for: never over an existing file by surprise, never half-written."""

from __future__ import annotations

import glob
import os
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from cfprob.errors import CfprobError

__all__ = [
    "check_new_file",
    "write_all_atomically",
    "write_atomically",
    "write_bytes_atomically",
    "write_files_atomically",
]


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
    removed on failure. A file that is replaced keeps its permissions (a private ``0600`` file stays private);
    a new one gets those a new file normally has (the umask applies).
    """
    write_all_atomically({path: write})


def write_all_atomically(writers: Mapping[Path, Callable[[str], None]]) -> None:
    """Write several files all or nothing: every file is written to a temporary beside it first, and only
    when all of them are complete are they renamed into place. A failure (a full disk, an interruption)
    leaves none of the new files and no temporary."""
    temporaries: dict[Path, str] = {}
    try:
        for path, write in writers.items():
            temporaries[path] = _temporary(path)
            try:
                write(temporaries[path])
                os.chmod(temporaries[path], _mode(path))
            except OSError as exc:
                raise CfprobError(
                    f"{path}: expected to write the file, found an error ({exc.strerror or exc})"
                ) from exc
        for path, temporary in temporaries.items():
            os.replace(temporary, path)
    finally:
        for temporary in temporaries.values():
            if os.path.exists(temporary):
                os.unlink(temporary)


def _mode(path: Path) -> int:
    """The permissions ``path`` keeps when it is replaced, or a new file's (the umask applied)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _temporary(path: Path) -> str:
    """A new empty temporary file beside ``path``, named after it and this process."""
    _remove_abandoned(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise CfprobError(f"{path}: expected a writable folder, found {(exc.strerror or str(exc)).lower()}") from exc
    os.close(handle)
    return temporary


def _remove_abandoned(path: Path) -> None:
    """Delete temporary files of earlier writes to ``path`` whose process is gone (killed with SIGKILL or by a
    power cut, which no handler can clean up after)."""
    try:
        leftovers = list(path.parent.glob(f".{glob.escape(path.name)}.*.part"))
    except OSError:
        return
    for leftover in leftovers:
        pid = leftover.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def write_bytes_atomically(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text is written as UTF-8) to ``path`` atomically (:func:`write_atomically`)."""
    write_files_atomically({path: data})


def write_files_atomically(files: Mapping[Path, bytes | str]) -> None:
    """Write each file's ``data`` (text as UTF-8), all or nothing (:func:`write_all_atomically`)."""

    def writer(data: bytes | str) -> Callable[[str], None]:
        encoded = data.encode("utf-8") if isinstance(data, str) else data

        def write(temporary: str) -> None:
            Path(temporary).write_bytes(encoded)

        return write

    write_all_atomically({path: writer(data) for path, data in files.items()})
