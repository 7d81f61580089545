"""The example scripts run (against a fake cached fit, so no sampling happens here)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

from .conftest import REPO
from .fakes import install_fake_fit

EXAMPLES = sorted((REPO / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[s.name for s in EXAMPLES])
def test_example_runs(script: os.PathLike[str]) -> None:
    install_fake_fit(load_scenario(bundled_scenario()))
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=dict(os.environ), check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()
