"""The installed package: the command reads this checkout, a wheel carries the bundled scenario, and the CLI
works from any directory.

The test suite itself imports cfprob from the source tree; these tests look at the installation that the
``cfprob`` command on PATH belongs to (the editable one ``scripts/with-env.sh`` creates).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.install


@pytest.fixture
def executable() -> Path:
    found = shutil.which("cfprob")
    if found is None:
        pytest.skip("no installed cfprob command on PATH")
    return Path(found)


def test_the_installed_command_reads_this_checkouts_priors(executable: Path, tmp_path: Path) -> None:
    """scripts/with-env.sh installs cfprob editable: `.venv/bin/cfprob` reads priors/ussr of this checkout, so
    an edited claim file changes the content hash, and so the next answer (the fit cache is keyed by it)."""
    import json

    from cfprob.reading.loader import load_scenario

    from .conftest import REPO

    result = subprocess.run(
        [str(executable), "validate", "--json"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert Path(payload["path"]).resolve() == (REPO / "priors" / "ussr").resolve()
    assert payload["content_hash"] == load_scenario(REPO / "priors" / "ussr").content_hash


def test_the_wheel_carries_the_bundled_scenario(executable: Path, tmp_path: Path) -> None:
    """A wheel built from the checkout ships priors/ussr inside the package (cfprob/scenarios/ussr)."""
    import zipfile

    from .conftest import REPO

    python = executable.parent / "python"
    command = [str(python), "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path)]
    result = subprocess.run([*command, str(REPO)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("cfprob-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "cfprob/scenarios/ussr/scenario.toml" in names
    assert any(n.startswith("cfprob/scenarios/ussr/claims/") for n in names)
    assert "cfprob/data/idioms.toml" in names


def test_cli_runs_from_another_directory(executable: Path, tmp_path: Path) -> None:
    result = subprocess.run([str(executable), "validate"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "valid." in result.stdout
    assert result.stderr == ""
