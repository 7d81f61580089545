"""Every text figure of the README is what its command prints now (`scripts/figures.py`), from a real fit of
the bundled scenario at the default settings; on a CPU other than the snapshots' the draws may differ in the last
bits, so there the figures are compared with their digits masked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import REPO, load_script
from .test_snapshot import _same_cpu


def _masked(lines: list[str]) -> list[str]:
    return [re.sub(r"\d", "0", line) for line in lines]


@pytest.mark.mcmc
def test_the_readme_figures_are_what_their_commands_print() -> None:
    figures = load_script("figures")
    readme = REPO / "README.md"
    lines = readme.read_text(encoding="utf-8").split("\n")
    marked = [f for f in figures.figures(readme) if f.lines is not None]
    assert [f.command for f in marked] == ["cfprob run kosygin-1965"]
    for figure in marked:
        start, end = figure.lines
        now = figures.output(figure.command).split("\n")
        if _same_cpu():
            assert lines[start:end] == now, f"README figure stale: run scripts/figures.py ({figure.command})"
        else:
            assert _masked(lines[start:end]) == _masked(now), figure.command


def test_the_check_fails_on_a_stale_figure(tmp_path: Path) -> None:
    """The check can fail: a figure whose command prints something else is reported and exits 1."""
    figures = load_script("figures")
    page = tmp_path / "page.md"
    page.write_text("<!-- figure: echo now -->\n```text\nthen\n```\n", encoding="utf-8")
    differences = figures.regenerate(page, check=True)
    assert len(differences) == 1 and "-then" in differences[0] and "+now" in differences[0]
    assert page.read_text(encoding="utf-8").count("then") == 1  # --check rewrites nothing
    assert figures.regenerate(page, check=False) and "```text\nnow\n```" in page.read_text(encoding="utf-8")
