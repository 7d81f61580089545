"""Numba's cache files of cfprob's compiled callbacks, made data rather than code: Numba unpickles them, so
they are read only when they match the keyed checksums written beside them when they were compiled
(:func:`verify_machine_code`); anything else is deleted and compiled again.

The checksums are HMAC-SHA256 under a secret of the user's own (:func:`machine_code_secret`), kept outside the
cache in the configuration folder with permissions ``0600``. Whoever can write the cache but not read that
secret (another user, a process given only the cache folder) cannot make cfprob run code: a file rewritten
together with its checksum fails the check. Whoever can read the secret is the user, who can run code anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from cfprob.paths import cache_dir, cache_folder, config_dir
from cfprob.safe.files import write_atomically

__all__ = [
    "COMPILED_FOLDERS",
    "clear_compiled",
    "compiled_size",
    "machine_code",
    "machine_code_secret",
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


SECRET_FILE = "machine-code.key"
"""The secret's file name in :func:`cfprob.paths.config_dir`."""


def machine_code_secret() -> bytes | None:
    """The user's secret for the machine code's checksums, made (32 random bytes, ``0600``) the first time;
    None when the configuration folder can be neither read nor written (then no machine code is trusted and
    every fit compiles its callbacks afresh)."""
    path = config_dir() / SECRET_FILE
    for _ in range(50):
        try:
            secret = path.read_bytes()
            if len(secret) >= 32:
                return secret
        except FileNotFoundError:
            try:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue  # another process made it just now: read it
            except OSError:
                return None
            with os.fdopen(handle, "wb") as out:
                out.write(secrets.token_bytes(32))
            continue
        except OSError:
            return None
        import time

        time.sleep(0.01)  # another process is writing it
    return None


def _file_checksums(files: list[Path], secret: bytes) -> dict[str, str]:
    return {p.name: hmac.new(secret, p.read_bytes(), hashlib.sha256).hexdigest() for p in files}


def seal_machine_code(key: str) -> None:
    """Record the checksums of a callback's machine code files, written by Numba just now."""
    files, secret = machine_code(key), machine_code_secret()
    if files and secret is not None:
        text = json.dumps(_file_checksums(files, secret), sort_keys=True)

        def write(temporary: str) -> None:
            Path(temporary).write_text(text)

        write_atomically(manifest(key), write)


def verify_machine_code(key: str) -> None:
    """Numba unpickles its cache files: let it read them only when they match the keyed checksums recorded
    when they were written. Files that do not (damaged, replaced, rewritten with their checksums by someone
    without the secret, or never sealed) are deleted, so that Numba finds no cached code and the callback is
    compiled again."""
    files = machine_code(key)
    if not files:
        return
    secret = machine_code_secret()
    try:
        expected = json.loads(manifest(key).read_text())
        found = _file_checksums(files, secret) if secret is not None else {}
        ok = (
            secret is not None
            and isinstance(expected, dict)
            and hmac.compare_digest(json.dumps(found, sort_keys=True), json.dumps(expected, sort_keys=True))
        )
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
