"""Numba's cache files are unpickled, so they are trusted only under a keyed checksum whose secret lives outside
the cache: rewriting a file and its checksum together (what someone who can write the cache can do) runs
nothing; the file is deleted and compiled again. No Numba needed: the files here are stand-ins."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path

import pytest

from cfprob.fitting.machine_code import (
    SECRET_FILE,
    machine_code,
    machine_code_secret,
    manifest,
    seal_machine_code,
    verify_machine_code,
)
from cfprob.paths import cache_dir, config_dir

KEY = "callback-0123abcd"


def _compiled(payload: bytes = b"machine code") -> list[Path]:
    folder = cache_dir() / "numba"
    folder.mkdir(parents=True, exist_ok=True)
    index, data = folder / f"density-{KEY}.nbi", folder / f"density-{KEY}.1.nbc"
    index.write_bytes(b"index")
    data.write_bytes(payload)
    return [index, data]


def _rewrite_with_checksums(files: list[Path], digest: object) -> None:
    """What someone who can write the cache does: new bytes in a file, and checksums recomputed to match."""
    files[1].write_bytes(b"cos\nsystem\n(S'echo owned'\ntR.")  # a pickle that would run a command
    manifest(KEY).write_text(json.dumps({p.name: digest(p.read_bytes()) for p in files}))  # type: ignore[operator]


@pytest.fixture(autouse=True)
def own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CFPROB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CFPROB_CONFIG_DIR", str(tmp_path / "config"))


def test_sealed_machine_code_is_kept_and_the_secret_is_private_and_outside_the_cache() -> None:
    files = _compiled()
    seal_machine_code(KEY)
    verify_machine_code(KEY)
    assert machine_code(KEY) == sorted(files) and manifest(KEY).exists()
    secret = config_dir() / SECRET_FILE
    assert not secret.resolve().is_relative_to(cache_dir().resolve())
    if os.name == "posix":
        assert secret.stat().st_mode & 0o777 == 0o600
    assert machine_code_secret() == secret.read_bytes() and len(secret.read_bytes()) == 32


@pytest.mark.parametrize(
    "digest",
    [
        lambda data: hashlib.sha256(data).hexdigest(),  # the checksum alone (what the cache once held)
        lambda data: hmac.new(b"a guess" * 5, data, hashlib.sha256).hexdigest(),  # a keyed one, another key
    ],
    ids=["plain-sha256", "wrong-key"],
)
def test_a_file_rewritten_with_its_checksum_is_deleted_not_run(digest: object) -> None:
    files = _compiled()
    seal_machine_code(KEY)
    _rewrite_with_checksums(files, digest)
    verify_machine_code(KEY)
    assert machine_code(KEY) == [] and not manifest(KEY).exists()  # Numba finds nothing and compiles again


def test_the_user_who_holds_the_secret_can_reseal() -> None:
    """The check is the secret, not the file: the same rewrite under the user's own key is accepted."""
    files = _compiled()
    secret = machine_code_secret()
    assert secret is not None
    _rewrite_with_checksums(files, lambda data: hmac.new(secret, data, hashlib.sha256).hexdigest())
    verify_machine_code(KEY)
    assert machine_code(KEY) == sorted(files)


def test_without_a_readable_secret_nothing_is_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the configuration folder would be")
    monkeypatch.setenv("CFPROB_CONFIG_DIR", str(blocked / "cfprob"))
    _compiled()
    assert machine_code_secret() is None
    seal_machine_code(KEY)
    verify_machine_code(KEY)
    assert machine_code(KEY) == []
