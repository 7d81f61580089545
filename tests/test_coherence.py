"""Coherence warnings: cycles, sums above 1, self-contradictions and unpacking, checked by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from cfprob.reading.coherence import (
    COHERENCE_KINDS,
    POINT_GAP,
    SUM_TOLERANCE,
    CoherenceWarning,
    coherence_warnings,
    describe,
)
from cfprob.reading.lexicon import Lexicon, load_lexicon
from cfprob.reading.loader import load_scenario
from cfprob.reading.scenario import Scenario

from .conftest import REPO

QUOTE = "I keep changing my mind about all of this."
LONG_QUOTE = "It goes on and on: " + "the republic might survive, or it might not, who can say " * 4 + "in the end."

NO_DEP, COALITION, HINDENBURG = "no-depression-1929", "grand-coalition-1930", "hindenburg-refuses-1933"


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def scenario_with(folder: Path, *claims: dict[str, Any]) -> Scenario:
    """The Weimar copy in ``folder`` with ``claims`` appended (quoting QUOTE unless told)."""
    with (folder / "sources" / "forum.txt").open("a", encoding="utf-8") as f:
        f.write(f"\n## Dora\n{QUOTE}\n{LONG_QUOTE}\n")
    lines = []
    for claim in claims:
        full = {"source": "fixture-thread", "locator": "test", "quote": QUOTE, **claim}
        lines += ["", "[[claims]]", *(f"{k} = {_toml(v)}" for k, v in full.items())]
    with (folder / "claims" / "thread.toml").open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return load_scenario(folder)


def prob(id: str, author: str, pod: str, outcome: str, p: float) -> dict[str, Any]:
    return {"id": id, "kind": "probability", "author": author, "pod": pod, "outcome": outcome, "probability": p}


def interval(id: str, author: str, pod: str, outcome: str, low: float, high: float) -> dict[str, Any]:
    return {"id": id, "kind": "interval", "author": author, "pod": pod, "outcome": outcome, "low": low, "high": high}


def verbal(id: str, author: str, pod: str, outcome: str, phrase: str) -> dict[str, Any]:
    return {"id": id, "kind": "verbal", "author": author, "pod": pod, "outcome": outcome, "phrase": phrase}


def ordering(id: str, author: str, higher: str, lower: str, outcome: str = "survives") -> dict[str, Any]:
    return {"id": id, "kind": "ordering", "author": author, "higher": higher, "lower": lower, "outcome": outcome}


def summary(warnings: tuple[CoherenceWarning, ...]) -> list[tuple[str, str | None, str | None, tuple[str, ...]]]:
    return [(w.kind, w.claimant, w.pod, w.claims) for w in warnings]


def median(phrase: str) -> float:
    entry = load_lexicon().lookup(phrase)
    assert entry is not None
    return 1 / (1 + math.exp(-entry.logit_mu))


# -- edge cases first ----------------------------------------------------------------------------
def test_constants() -> None:
    assert COHERENCE_KINDS == ("cycle", "sum_above_one", "contradiction", "unpacking", "far_year")
    assert SUM_TOLERANCE == 0.05
    assert POINT_GAP == 0.25


def test_small_scenario_is_coherent(weimar: Path) -> None:
    # Bert's "likely" dictatorship (0.74) and the mean of Cleo's 0.2 survival stay under 1 + tolerance.
    assert coherence_warnings(load_scenario(weimar)) == ()


def test_warning_is_frozen() -> None:
    w = CoherenceWarning("cycle", "ada", None, "m", ("a",))
    with pytest.raises(AttributeError):
        w.kind = "unpacking"  # type: ignore[misc]


def test_sum_exactly_at_tolerance_is_not_warned(weimar: Path) -> None:
    s = scenario_with(weimar, prob("ada-dict", "Ada", NO_DEP, "dictatorship", 0.45))
    assert coherence_warnings(s) == ()  # 0.60 + 0.45 = 1.05


def test_probabilities_exactly_point_gap_apart_do_not_contradict(weimar: Path) -> None:
    s = scenario_with(weimar, prob("ada-lower", "Ada", NO_DEP, "survives", 0.35))
    assert coherence_warnings(s) == ()  # 0.60 - 0.35 = 0.25


def test_touching_and_containing_ranges_do_not_contradict(weimar: Path) -> None:
    s = scenario_with(
        weimar,
        interval("cleo-touching", "Cleo", HINDENBURG, "survives", 0.4, 0.5),  # touches [0.2, 0.4]
        interval("ada-around", "Ada", NO_DEP, "survives", 0.5, 0.7),  # holds Ada's 0.6
    )
    assert coherence_warnings(s) == ()


def test_distribution_claims_are_not_read(weimar: Path) -> None:
    # Read as numbers, its survives 0.05 would contradict Ada's 0.6; a distribution sums to 1 by itself.
    claim = {
        "id": "ada-distribution",
        "kind": "distribution",
        "author": "Ada",
        "pod": NO_DEP,
        "distribution": {"survives": 0.05, "dictatorship": 0.9, "civil_war": 0.05},
    }
    assert coherence_warnings(scenario_with(weimar, claim)) == ()


def test_phrase_unknown_to_the_lexicon_is_left_out(weimar: Path) -> None:
    s = scenario_with(weimar, verbal("bert-likely", "Bert", COALITION, "survives", "likely"))
    assert [w.kind for w in coherence_warnings(s)] == ["contradiction"]
    assert coherence_warnings(s, Lexicon(phrases={}, idioms={})) == ()


def test_ordering_without_numbers_on_both_sides_is_not_checked(weimar: Path) -> None:
    s = scenario_with(weimar, prob("cleo-low", "Cleo", NO_DEP, "survives", 0.1))
    assert coherence_warnings(s) == ()  # Cleo gives no number for survival under the coalition


def test_orderings_of_different_claimants_or_outcomes_make_no_cycle(weimar: Path) -> None:
    s = scenario_with(
        weimar,
        ordering("bert-reverse", "Bert", COALITION, NO_DEP),  # Cleo said the opposite, Bert did not
        ordering("cleo-reverse-dictatorship", "Cleo", COALITION, NO_DEP, "dictatorship"),
    )
    assert coherence_warnings(s) == ()


# -- cycles --------------------------------------------------------------------------------------
def test_two_cycle(weimar: Path) -> None:
    s = scenario_with(
        weimar,
        ordering("cleo-reverse", "Cleo", COALITION, NO_DEP),
        ordering("cleo-again", "Cleo", NO_DEP, COALITION),  # a repeat: same cycle, one more claim
    )
    (w,) = coherence_warnings(s)
    assert (w.kind, w.claimant, w.pod) == ("cycle", "cleo", None)
    assert w.claims == ("cleo-ordering", "cleo-reverse", "cleo-again")
    assert w.message == (
        "Cleo's orderings on survives form a cycle: no-depression-1929 > grand-coalition-1930 > "
        "no-depression-1929 (no probabilities can satisfy them all)"
    )


def test_three_cycle(weimar: Path) -> None:
    s = scenario_with(
        weimar,
        ordering("ada-1", "Ada", HINDENBURG, NO_DEP),
        ordering("ada-2", "Ada", NO_DEP, COALITION),
        ordering("ada-3", "Ada", COALITION, HINDENBURG),
    )
    (w,) = coherence_warnings(s)
    assert (w.kind, w.claimant, w.claims) == ("cycle", "ada", ("ada-1", "ada-2", "ada-3"))
    assert f"cycle: {NO_DEP} > {COALITION} > {HINDENBURG} > {NO_DEP} (" in w.message


def test_two_and_three_cycle_sharing_an_edge(weimar: Path) -> None:
    s = scenario_with(
        weimar,
        ordering("cleo-back", "Cleo", COALITION, NO_DEP),
        ordering("cleo-on", "Cleo", COALITION, HINDENBURG),
        ordering("cleo-round", "Cleo", HINDENBURG, NO_DEP),
    )
    assert summary(coherence_warnings(s)) == [
        ("cycle", "cleo", None, ("cleo-ordering", "cleo-back")),
        ("cycle", "cleo", None, ("cleo-ordering", "cleo-on", "cleo-round")),
    ]


# -- sums above 1 --------------------------------------------------------------------------------
def test_sum_above_one_takes_each_outcomes_lowest_statement(weimar: Path) -> None:
    s = scenario_with(
        weimar,
        prob("ada-higher", "Ada", NO_DEP, "survives", 0.7),  # above her 0.6: not used
        interval("ada-dict", "Ada", NO_DEP, "dictatorship", 0.5, 0.9),  # commits to 0.5
    )
    (w,) = coherence_warnings(s)  # one claimant alone: no unpacking warning on top
    assert (w.kind, w.claimant, w.pod) == ("sum_above_one", "ada", NO_DEP)
    assert w.claims == ("ada-no-depression", "ada-dict")
    assert w.message == (
        f"Ada's probabilities for the outcomes of {NO_DEP} sum to 1.10, above 1 "
        "(survives 0.60, dictatorship 0.50; each outcome's lowest statement)"
    )


def test_sum_above_one_reads_verbal_medians(weimar: Path) -> None:
    s = scenario_with(weimar, prob("bert-survives", "Bert", HINDENBURG, "survives", 0.35))
    total = 0.35 + median("likely")  # 0.35 + 0.742 = 1.092
    assert total == pytest.approx(1.0921, abs=1e-4)
    # Unpacking: survives is the mean of Cleo's 0.2 and Bert's 0.35, 0.275 + 0.742 = 1.017: not warned.
    (w,) = coherence_warnings(s)
    assert (w.kind, w.claimant, w.pod, w.claims) == (
        "sum_above_one",
        "bert",
        HINDENBURG,
        ("bert-hindenburg", "bert-survives"),
    )
    assert f"sum to {total:.2f}, above 1 (survives 0.35, dictatorship 0.74;" in w.message


# -- contradictions ------------------------------------------------------------------------------
def test_probability_outside_interval(weimar: Path) -> None:
    s = scenario_with(weimar, interval("ada-interval", "Ada", NO_DEP, "survives", 0.2, 0.4))
    (w,) = coherence_warnings(s)
    assert (w.kind, w.claimant, w.pod, w.claims) == (
        "contradiction",
        "ada",
        NO_DEP,
        ("ada-no-depression", "ada-interval"),
    )
    assert w.message == (f"Ada gives P(survives | {NO_DEP}) as 0.60 and as [0.20, 0.40]: the ranges do not overlap")


def test_disjoint_intervals(weimar: Path) -> None:
    s = scenario_with(weimar, interval("cleo-higher", "Cleo", HINDENBURG, "survives", 0.5, 0.6))
    (w,) = coherence_warnings(s)
    assert (w.kind, w.claimant, w.pod, w.claims) == (
        "contradiction",
        "cleo",
        HINDENBURG,
        ("cleo-interval", "cleo-higher"),
    )
    assert "as [0.20, 0.40] and as [0.50, 0.60]: the ranges do not overlap" in w.message


def test_probabilities_too_far_apart(weimar: Path) -> None:
    s = scenario_with(weimar, prob("ada-lower", "Ada", NO_DEP, "survives", 0.3))
    (w,) = coherence_warnings(s)
    assert (w.kind, w.claims) == ("contradiction", ("ada-no-depression", "ada-lower"))
    assert w.message == f"Ada gives P(survives | {NO_DEP}) as 0.60 and as 0.30: more than 0.25 apart"


def test_verbal_ranges_are_the_lexicons_90_percent(weimar: Path) -> None:
    # "highly unlikely" covers 0.01-0.22 for 90% of readers: 0.5 is outside it, [0.2, 0.5] overlaps it.
    s = scenario_with(
        weimar,
        prob("bert-even", "Bert", COALITION, "survives", 0.5),
        interval("bert-wide", "Bert", COALITION, "survives", 0.2, 0.5),
    )
    (w,) = coherence_warnings(s)
    assert (w.kind, w.claimant, w.pod, w.claims) == (
        "contradiction",
        "bert",
        COALITION,
        ("bert-coalition", "bert-even"),
    )
    assert w.message == (
        f'Bert gives P(survives | {COALITION}) as "highly unlikely" 0.06 (90%: 0.01-0.22) and as 0.50: '
        "the ranges do not overlap"
    )


def test_two_verbal_phrases(weimar: Path) -> None:
    s = scenario_with(weimar, verbal("bert-likely", "Bert", COALITION, "survives", "likely"))
    (w,) = coherence_warnings(s)
    assert w.claims == ("bert-coalition", "bert-likely")
    assert '"highly unlikely" 0.06 (90%: 0.01-0.22) and as "likely" 0.74 (90%: 0.53-0.88)' in w.message


def test_ordering_against_own_numbers(weimar: Path) -> None:
    # Cleo ranks no-depression above the coalition for survival, yet gives it 0.1 against [0.3, 0.5].
    s = scenario_with(
        weimar,
        prob("cleo-no-dep", "Cleo", NO_DEP, "survives", 0.1),
        interval("cleo-coalition", "Cleo", COALITION, "survives", 0.3, 0.5),
    )
    (w,) = coherence_warnings(s)
    assert (w.kind, w.claimant, w.pod) == ("contradiction", "cleo", None)
    assert w.claims == ("cleo-ordering", "cleo-no-dep", "cleo-coalition")
    assert w.message == (
        f"Cleo says P(survives) is higher under {NO_DEP} than under {COALITION}, "
        f"but gives it at most 0.10 under {NO_DEP} and at least 0.30 under {COALITION}"
    )


def test_ordering_with_overlapping_numbers_is_coherent(weimar: Path) -> None:
    s = scenario_with(
        weimar,
        prob("cleo-no-dep", "Cleo", NO_DEP, "survives", 0.35),
        interval("cleo-coalition", "Cleo", COALITION, "survives", 0.3, 0.5),
    )
    assert coherence_warnings(s) == ()


# -- unpacking -----------------------------------------------------------------------------------
def test_unpacking_by_hand(weimar: Path) -> None:
    # survives: mean(Ada 0.6, Cleo 0.4) = 0.5; dictatorship: Bert 0.5; civil war: Cleo 0.1 -> 1.10.
    # No one claimant is incoherent: Cleo's own sum is 0.4 + 0.1 = 0.5.
    s = scenario_with(
        weimar,
        prob("bert-dict", "Bert", NO_DEP, "dictatorship", 0.5),
        interval("cleo-survives", "Cleo", NO_DEP, "survives", 0.4, 0.8),
        prob("cleo-survives-again", "Cleo", NO_DEP, "survives", 0.7),  # above her 0.4: not used
        prob("cleo-war", "Cleo", NO_DEP, "civil_war", 0.1),
    )
    (w,) = coherence_warnings(s)
    assert (w.kind, w.claimant, w.pod) == ("unpacking", None, NO_DEP)
    assert w.claims == ("ada-no-depression", "bert-dict", "cleo-survives", "cleo-war")
    assert w.message == (
        f"claims about {NO_DEP} unpack to a total of 1.10 across outcomes (survives 0.50 from 2 claimants, "
        "dictatorship 0.50 from 1 claimant, civil_war 0.10 from 1 claimant); "
        "Tetlock & Lebow found that unpacking a history into its outcomes inflates their total"
    )


def test_warnings_are_sorted_by_kind_then_claimant(weimar: Path) -> None:
    s = scenario_with(
        weimar,
        prob("bert-dict", "Bert", NO_DEP, "dictatorship", 0.8),  # unpacking: Ada's lowest 0.3 + 0.8 = 1.10
        prob("ada-lower", "Ada", NO_DEP, "survives", 0.3),  # contradiction with her 0.6
        prob("cleo-a", "Cleo", HINDENBURG, "dictatorship", 0.9),  # sum: 0.2 + 0.9 = 1.10
        prob("ada-a", "Ada", HINDENBURG, "dictatorship", 0.1),
        prob("ada-b", "Ada", HINDENBURG, "civil_war", 0.1),
        ordering("cleo-reverse", "Cleo", COALITION, NO_DEP),  # cycle
    )
    assert summary(coherence_warnings(s)) == [
        ("cycle", "cleo", None, ("cleo-ordering", "cleo-reverse")),
        ("sum_above_one", "cleo", HINDENBURG, ("cleo-interval", "cleo-a")),
        ("contradiction", "ada", NO_DEP, ("ada-no-depression", "ada-lower")),
        ("unpacking", None, NO_DEP, ("bert-dict", "ada-lower")),
    ]
    # hindenburg: survives 0.2 (Cleo), dictatorship mean(0.74, 0.9, 0.1) = 0.58, civil war 0.1 -> 0.88.


# -- describe ------------------------------------------------------------------------------------
def test_describe_quotes_each_claim(weimar: Path) -> None:
    s = scenario_with(weimar, interval("ada-interval", "Ada", NO_DEP, "survives", 0.2, 0.4))
    (w,) = coherence_warnings(s)
    assert describe(w, s) == [
        w.message,
        '  - ada-no-depression (Ada): "maybe 60% it lasts to 1945"',
        f'  - ada-interval (Ada): "{QUOTE}"',
    ]


def test_describe_cuts_long_quotes(weimar: Path) -> None:
    s = scenario_with(weimar, {**prob("ada-lower", "Ada", NO_DEP, "survives", 0.2), "quote": LONG_QUOTE})
    (w,) = coherence_warnings(s)
    line = describe(w, s)[2]
    assert len(LONG_QUOTE) > 160
    assert line.startswith('  - ada-lower (Ada): "It goes on and on: the republic might survive')
    assert line.endswith('..."')
    assert len(line) - len('  - ada-lower (Ada): ""') <= 160


# -- the bundled scenario ------------------------------------------------------------------------
def test_bundled_scenario() -> None:
    """The settled reading has no warning: the one it had (claims about kosygin-1965 unpacking to just over 1)
    counted Phalamus's floor, which is about Kosygin with the Prague Spring spared, a stack."""
    s = load_scenario(REPO / "priors" / "ussr")
    assert summary(coherence_warnings(s)) == []
