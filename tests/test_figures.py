"""Every text figure of the README is what its command prints now (`scripts/figures.py`), from a real fit of
the bundled scenario at the default settings: the same words and layout, and every number within Monte Carlo
error of the one shown (a fresh fit in a test session has been seen to differ in the second decimal from the
same seed outside it; the JSON snapshots hold the exact numbers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import REPO, load_script

NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def _masked(lines: list[str]) -> list[str]:
    """The words and their order: numbers (signs included) as 0, runs of spaces as one (a number one digit
    longer widens its column)."""
    return [" ".join(NUMBER.sub("0", line).split()) for line in lines]


def _close(shown: list[str], now: list[str]) -> list[tuple[str, str]]:
    """Numbers of ``shown`` farther from ``now``'s than Monte Carlo error: 0.05 for a probability or other
    decimal, 15% for a whole number (counts of draws, effective sample sizes)."""
    far = []
    for a, b in zip(shown, now, strict=True):
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b), strict=True):
            limit = 0.05 if "." in x else 0.15 * max(float(x), 1.0)
            if abs(float(x) - float(y)) > limit:
                far.append((x, y))
    return far


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
        stale = f"README figure stale: run scripts/figures.py ({figure.command})"
        assert _masked(lines[start:end]) == _masked(now), stale
        assert _close(lines[start:end], now) == [], stale


def test_numbers_beyond_monte_carlo_error_are_stale() -> None:
    """The check can fail: a probability moved by 0.06 or a count by a fifth is reported; MC noise is not."""
    assert _close(["P 0.31 [0.08, 0.62] n=1230"], ["P 0.33 [0.08, 0.63] n=1300"]) == []
    assert _close(["P 0.31 [0.08, 0.62] n=1230"], ["P 0.37 [0.08, 0.62] n=1500"]) == [
        ("0.31", "0.37"),
        ("1230", "1500"),
    ]
    assert _masked(["change vs otl 0.09"]) != _masked(["change from real history 0.09"])


def test_the_check_fails_on_a_stale_figure(tmp_path: Path) -> None:
    """The check can fail: a figure whose command prints something else is reported and exits 1."""
    figures = load_script("figures")
    page = tmp_path / "page.md"
    page.write_text("<!-- figure: echo now -->\n```text\nthen\n```\n", encoding="utf-8")
    differences = figures.regenerate(page, check=True)
    assert len(differences) == 1 and "-then" in differences[0] and "+now" in differences[0]
    assert page.read_text(encoding="utf-8").count("then") == 1  # --check rewrites nothing
    assert figures.regenerate(page, check=False) and "```text\nnow\n```" in page.read_text(encoding="utf-8")
