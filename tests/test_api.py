"""The public API (cfprob.api): errors first, then answers from a fake fit through the API alone."""

from __future__ import annotations

from pathlib import Path

import pytest

import cfprob
from cfprob.errors import CfprobError

from .conftest import WEIMAR
from .fakes import install_fake_fit, invoke

THREADS = Path(__file__).parent / "threads"


def test_no_fit_while_drafts_wait_for_review(tmp_path: Path) -> None:
    folder = tmp_path / "carthage"
    assert invoke("new", str(folder))[0] == 0
    assert invoke("draft", str(THREADS / "markdown.md"), "--scenario", str(folder))[0] == 0
    with pytest.raises(CfprobError, match='still marked review = "todo"'):
        cfprob.fit(cfprob.load_scenario(folder))


def test_a_fit_answers_compares_and_draws_a_curve() -> None:
    scenario = cfprob.load_scenario(WEIMAR)
    install_fake_fit(scenario)
    fit = cfprob.fit(scenario)
    assert fit.from_cache and fit.diagnostics["diag_divergences"] == 0
    answer = fit.answer("no-depression-1929")
    assert answer.pods == ("no-depression-1929",) and set(answer.to_dict()) >= {"outcomes", "semantics"}
    ranked = fit.compare(by="survives")
    assert [a.row("survives").mean for a in ranked] == sorted((a.row("survives").mean for a in ranked), reverse=True)
    assert fit.curve("survives").outcome == "survives"
    with pytest.raises(CfprobError):
        fit.answer("no-such-point")
