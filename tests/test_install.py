"""The installed package: the bundled scenario travels with it and the CLI works from any directory."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import cfprob
from cfprob.paths import bundled_scenario

from .conftest import REPO


def test_bundled_scenario_ships_inside_an_installed_package() -> None:
    package = Path(cfprob.__file__).resolve().parent
    if package.parent == REPO:
        pytest.skip("cfprob is imported from the source tree, not from an installation")
    assert bundled_scenario().resolve() == package / "scenarios" / "ussr"
    assert (package / "data" / "lexicon_v1.csv").is_file()


def test_cli_runs_from_another_directory(tmp_path: Path) -> None:
    executable = shutil.which("cfprob")
    if executable is None:
        pytest.skip("no cfprob executable on PATH")
    result = subprocess.run([executable, "validate"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "valid." in result.stdout
    assert result.stderr == ""
