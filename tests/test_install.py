"""The installed package: the bundled scenario travels with it and the CLI works from any directory.

The test suite itself imports cfprob from the source tree; these tests look at the installation that the
``cfprob`` command on PATH belongs to (the one ``scripts/with-env.sh`` creates).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def executable() -> Path:
    found = shutil.which("cfprob")
    if found is None:
        pytest.skip("no installed cfprob command on PATH")
    return Path(found)


def test_bundled_scenario_ships_inside_the_installed_package(executable: Path, tmp_path: Path) -> None:
    python = executable.parent / "python"
    code = (
        "import cfprob, pathlib; from cfprob.paths import bundled_scenario; "
        "package = pathlib.Path(cfprob.__file__).resolve().parent; "
        "print(bundled_scenario().resolve() == package / 'scenarios' / 'ussr', 'site-packages' in str(package))"
    )
    result = subprocess.run([str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_cli_runs_from_another_directory(executable: Path, tmp_path: Path) -> None:
    result = subprocess.run([str(executable), "validate"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "valid." in result.stdout
    assert result.stderr == ""
