"""Shared fixtures: paths to the repository's test data and an isolated cache per test."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
WEIMAR = TESTS / "scenarios" / "weimar"


def load_script(name: str) -> ModuleType:
    """The module of ``scripts/<name>.py`` (scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the script runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own cfprob cache (fits, answers) but shares machine code.

    PyTensor's and Numba's compile caches are shared by the whole session: compiling is the slow part.
    """
    cache = tmp_path_factory.mktemp("cfprob-cache")
    monkeypatch.setenv("CFPROB_CACHE_DIR", str(cache))
    # one secret for the session's shared machine code (it lives outside the cache, as the user's would)
    monkeypatch.setenv("CFPROB_CONFIG_DIR", str(tmp_path_factory.getbasetemp() / "config-shared"))
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
