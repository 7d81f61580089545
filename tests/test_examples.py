"""The example scripts run (against a fake cached fit, so cfprob samples nothing here) and use only cfprob's
public API."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cfprob
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

from .conftest import REPO
from .fakes import install_fake_fit

EXAMPLES = sorted((REPO / "examples").glob("*.py"))
ARGUMENTS = {"pymc_model.py": ["--draws", "20", "--tune", "20", "--chains", "1"]}
"""Arguments that keep an example short here."""
SAMPLES = {"pymc_model.py"}
"""Examples that sample with PyMC themselves (compiling its code): in the mcmc tier."""


@pytest.mark.parametrize(
    "script",
    [pytest.param(s, marks=pytest.mark.mcmc) if s.name in SAMPLES else s for s in EXAMPLES],
    ids=[s.name for s in EXAMPLES],
)
def test_example_runs(script: Path) -> None:
    install_fake_fit(load_scenario(bundled_scenario()))
    result = subprocess.run(
        [sys.executable, str(script), *ARGUMENTS.get(script.name, [])],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()


def private_uses(source: str) -> list[str]:
    """What a script takes from cfprob other than its public API: imports of its modules, and attributes of
    ``cfprob`` not in ``cfprob.__all__``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cfprob"):
            names = [a.name for a in node.names]
            if node.module != "cfprob" or set(names) - set(cfprob.__all__):
                found.append(f"from {node.module} import {', '.join(names)}")
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith("cfprob.")]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "cfprob"
            and node.attr not in cfprob.__all__
        ):
            found.append(f"cfprob.{node.attr}")
    return found


def test_the_check_for_private_names_can_fail() -> None:
    source = "import cfprob\nimport cfprob.outputs.store\nfrom cfprob.answers.query import answer\ncfprob.api\n"
    assert private_uses(source) == [
        "import cfprob.outputs.store",
        "from cfprob.answers.query import answer",
        "cfprob.api",
    ]


@pytest.mark.parametrize("script", EXAMPLES, ids=[s.name for s in EXAMPLES])
def test_examples_use_only_the_public_api(script: Path) -> None:
    assert private_uses(script.read_text(encoding="utf-8")) == []


def test_the_public_api_is_documented_and_loads_on_first_use() -> None:
    """Every public name resolves, has a docstring, and `import cfprob` alone imports neither PyMC nor xarray."""
    for name in cfprob.__all__:
        value = getattr(cfprob, name)
        assert name == "__version__" or name == "KINDS" or (value.__doc__ or "").strip(), name
    code = "import sys, cfprob; print(sorted(m for m in ('pymc', 'xarray', 'cfprob.api') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert "load_scenario" in dir(cfprob)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = cfprob.nothing  # type: ignore[attr-defined]
