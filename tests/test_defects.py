"""The defect corpus: each file in tests/defects/ breaks the small scenario in exactly one way.

A file named ``<case>.<target>.toml`` replaces ``<target>.toml`` (``claims`` replaces
``claims/thread.toml``). Its first line, ``# expect: ...``, is the text the error message must contain.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cfprob.cli import cli
from cfprob.errors import ScenarioError
from cfprob.reading.loader import load_scenario

DEFECTS = sorted((Path(__file__).parent / "defects").glob("*.toml"))
TARGETS = {"claims": "claims/thread.toml", "pods": "pods.toml", "scenario": "scenario.toml"}


def _expectation(defect: Path) -> str:
    first = defect.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert first.startswith("# expect: "), f"{defect.name} must start with '# expect: '"
    return first.removeprefix("# expect: ")


def _broken(weimar: Path, defect: Path) -> Path:
    target = weimar / TARGETS[defect.name.split(".")[-2]]
    shutil.copyfile(defect, target)
    return target


def test_corpus_is_large_enough() -> None:
    assert len(DEFECTS) >= 15


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_defect_is_reported(defect: Path, weimar: Path) -> None:
    target = _broken(weimar, defect)
    with pytest.raises(ScenarioError) as info:
        load_scenario(weimar)
    assert len(info.value.problems) == 1, info.value.problems  # one defect, one message: no cascades
    first = info.value.problems[0]
    assert _expectation(defect) in first
    assert "\n" not in first
    assert first.startswith(str(weimar)), "the message names the file"
    assert str(target) in first or target.name == "thread.toml"  # duplicate ids name the claims folder


@pytest.mark.parametrize("defect", DEFECTS[:5], ids=[d.name for d in DEFECTS[:5]])
def test_cli_reports_defect_in_one_line(defect: Path, weimar: Path) -> None:
    _broken(weimar, defect)
    result = CliRunner().invoke(cli, ["pods", "--scenario", str(weimar)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cfprob: error: ")
    assert _expectation(defect) in lines[0]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="expected a scenario folder, found nothing"):
        load_scenario(tmp_path / "nowhere")


def test_missing_pods_file(weimar: Path) -> None:
    (weimar / "pods.toml").unlink()
    with pytest.raises(ScenarioError, match=r"pods.toml: expected a readable file, found no such file"):
        load_scenario(weimar)


def test_directory_instead_of_file(weimar: Path) -> None:
    (weimar / "pods.toml").unlink()
    (weimar / "pods.toml").mkdir()
    with pytest.raises(ScenarioError, match=r"pods.toml: expected a readable file, found a directory"):
        load_scenario(weimar)


def test_validate_lists_every_problem(weimar: Path) -> None:
    text = (weimar / "claims" / "thread.toml").read_text()
    text = text.replace('outcome = "survives"\nprobability = 0.6', 'outcome = "survive"\nprobability = 0.6')
    text = text.replace('phrase = "likely"', 'phrase = "likley"', 1)
    (weimar / "claims" / "thread.toml").write_text(text)
    result = CliRunner().invoke(cli, ["validate", str(weimar)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert 'found "survive"' in lines[0] and 'found "likley"' in lines[1]
