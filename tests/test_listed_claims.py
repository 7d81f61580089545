"""Claims listed but not fitted: proposals, and claims kept out of the fit with a reason."""

from __future__ import annotations

from pathlib import Path

from cfprob.answers.likelihood import claim_order
from cfprob.fitting.design import design
from cfprob.reading.loader import load_scenario

from .fakes import invoke

LISTED = """
[[claims]]
id = "ada-proposes"
kind = "proposal"
author = "Ada"
source = "fixture-thread"
locator = "post 1"
quote = "Without the Depression I'd say the Republic survives"
pod = "no-depression-1929"

[[claims]]
id = "bert-kept-out"
kind = "verbal"
author = "Bert"
source = "fixture-thread"
locator = "post 2"
quote = "a military dictatorship is likely instead"
pod = "grand-coalition-1930"
outcome = "dictatorship"
phrase = "likely"
author_outcome = "a presidential cabinet ruling by decree"
excluded = "his 'dictatorship' is rule by decree under the constitution, not the scenario's dictatorship"
"""


def _with_listed(weimar: Path) -> Path:
    with (weimar / "claims" / "thread.toml").open("a") as claims:
        claims.write(LISTED)
    return weimar


def test_listed_claims_are_read_but_never_fitted(weimar: Path) -> None:
    scenario = load_scenario(_with_listed(weimar))
    ids = {c.id for c in scenario.claims}
    assert {"ada-proposes", "bert-kept-out"} <= ids
    assert {c.id for c in scenario.scored_claims} == ids - {"ada-proposes", "bert-kept-out"}
    order = claim_order(design(scenario))
    assert "ada-proposes" not in order and "bert-kept-out" not in order
    assert sorted(order) == sorted(c.id for c in scenario.scored_claims)


def test_the_fit_does_not_change_when_listed_claims_are_added(weimar: Path, tmp_path: Path) -> None:
    """The design's arrays are the same with and without the listed claims (history rows included)."""
    before = design(load_scenario(weimar))
    after = design(load_scenario(_with_listed(weimar)))
    assert claim_order(before) == claim_order(after)
    assert list(before.history_years) == list(after.history_years)


def test_listings_say_why_a_claim_is_not_fitted(weimar: Path) -> None:
    path = _with_listed(weimar)
    code, out, err = invoke("claims", "--scenario", str(path))
    assert code == 0, err
    assert "proposes no-depression-1929 (no view on its outcome; not in the fit)" in out
    assert "not in the fit: his 'dictatorship' is rule by decree" in out
    assert "the author's outcome: a presidential cabinet ruling by decree" in out
    code, out, _ = invoke("validate", str(path))
    assert code == 0
    assert "(2 listed but not fitted: proposals, excluded claims and drafts)" in out
