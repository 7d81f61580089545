"""Shared fixtures: paths to the repository's test data and an isolated cache per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
WEIMAR = TESTS / "scenarios" / "weimar"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own cfprob cache (fits, answers) but shares machine code.

    PyTensor's and Numba's compile caches are shared by the whole session: compiling is the slow part.
    """
    cache = tmp_path_factory.mktemp("cfprob-cache")
    monkeypatch.setenv("CFPROB_CACHE_DIR", str(cache))
    monkeypatch.delenv("COLUMNS", raising=False)  # outputs fit 100 columns unless a test asks for another width
    for folder in ("pytensor", "numba"):
        shared = tmp_path_factory.getbasetemp() / f"{folder}-shared"
        shared.mkdir(exist_ok=True)
        (cache / folder).symlink_to(shared)
    return cache


@pytest.fixture
def weimar(tmp_path: Path) -> Path:
    """A writable copy of the small second scenario."""
    target = tmp_path / "weimar"
    shutil.copytree(WEIMAR, target)
    return target
