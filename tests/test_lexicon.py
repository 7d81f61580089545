"""The lexicon: rebuilt from raw survey data, hand-computed fits, idioms."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from cfprob.reading.lexicon import load_lexicon, normalise_phrase
from cfprob.reading.lexicon_build import fit_phrase
from cfprob.reading.scenario import Scenario

from .conftest import REPO


def test_fit_needs_answers() -> None:
    with pytest.raises(ValueError, match="at least two"):
        fit_phrase([50.0])


def test_fit_by_hand() -> None:
    fit = fit_phrase([20.0, 50.0, 80.0])
    z = math.log(0.2 / 0.8)
    assert fit["logit_mu"] == pytest.approx(0.0)
    assert fit["logit_sd"] == pytest.approx(math.sqrt((2 * z * z) / 2))
    assert fit["median_pct"] == pytest.approx(50.0)


def test_fit_clips_certainty() -> None:
    fit = fit_phrase([0.0, 100.0])
    assert math.isfinite(fit["logit_mu"]) and math.isfinite(fit["logit_sd"])


def test_shipped_lexicon_rebuilds_from_raw_data() -> None:
    script = REPO / "scripts" / "build_lexicon.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_lookup_ignores_case_and_spacing() -> None:
    lexicon = load_lexicon()
    assert lexicon.lookup("  Highly   UNLIKELY ") == lexicon.lookup("highly unlikely")
    assert lexicon.lookup("not a phrase at all") is None
    assert normalise_phrase("Better_than  Even") == "better than even"


def test_idioms_map_to_surveyed_phrases() -> None:
    lexicon = load_lexicon()
    for idiom in ("no way in hell", "maybe", "fairly easy", "you may just pull it off"):
        entry = lexicon.lookup(idiom)
        assert entry is not None and entry.idiom == idiom
        assert entry.logit_mu == lexicon.phrases[normalise_phrase(entry.phrase)].logit_mu


def test_phrases_are_ordered_sensibly() -> None:
    lexicon = load_lexicon()
    order = [
        "almost no chance",
        "highly unlikely",
        "unlikely",
        "about even",
        "likely",
        "highly likely",
        "almost certain",
    ]
    medians = [lexicon.phrases[p].median_pct for p in order]
    assert medians == sorted(medians)
    assert "n=5174" in lexicon.lookup("could happen").describe()  # type: ignore[union-attr]


def _carries_a_chance(use: dict[str, str], form: str, scenario: Scenario, left_out: list[dict[str, str]]) -> bool:
    """Whether a rule's use carries a chance: a claim of a kind with a likelihood or a reading (not a proposal)
    in that passage holds the form, or the statement holding it is left out as "a chance statement"."""
    from cfprob.reading.quotes import normalise_text

    def passage(source: str, locator: str) -> tuple[str, str]:
        return source, locator.split(" (")[0]

    here = passage(use["source"], use["locator"])
    form = form.lower()
    claims = [c for c in scenario.claims if passage(c.source, c.locator) == here and c.kind != "proposal"]
    if any(form in normalise_text(c.quote).lower() for c in claims):
        return True
    return any(
        passage(item["source"], item["locator"]) == here
        and form in normalise_text(item["quote"]).lower()
        and "a chance statement" in item["reason"]
        for item in left_out
    )


def test_every_idiom_rule_has_two_uses_in_the_bundled_sources() -> None:
    """An idiom is kept only with a rule in words and at least two uses in different passages of the bundled
    sources (one beyond the passage that prompted it), each verbatim, holding one of the rule's forms and
    carrying a chance (a claim reads it, or it is left out as a chance statement off the question)."""
    import tomllib

    from cfprob.paths import bundled_scenario
    from cfprob.reading.loader import load_scenario
    from cfprob.reading.quotes import normalise_text

    rules = tomllib.loads((REPO / "cfprob" / "data" / "idioms.toml").read_text(encoding="utf-8"))["idioms"]
    scenario = load_scenario(bundled_scenario())
    left_out = tomllib.loads((REPO / "priors" / "encoding" / "settled" / "left_out.toml").read_text())["left_out"]
    sources = {s.id: normalise_text(s.text) for s in scenario.sources}
    forms = [normalise_phrase(f) for rule in rules for f in rule["forms"]]
    assert len(forms) == len(set(forms)), "each idiom belongs to one rule"
    for rule in rules:
        assert len(rule["rule"]) > 30, rule["forms"]
        passages = {(u["source"], u["locator"]) for u in rule["uses"]}
        assert len(passages) >= 2, f"{rule['forms']}: uses in {len(passages)} passage(s)"
        for use in rule["uses"]:
            assert normalise_text(use["quote"]) in sources[use["source"]], use["quote"]
            held = [f for f in rule["forms"] if f.lower() in use["quote"].lower()]
            assert held, (rule["forms"], use["quote"])
            assert _carries_a_chance(use, held[0], scenario, left_out), f"{held[0]!r} carries no chance: {use}"


def test_a_use_that_carries_no_chance_is_caught() -> None:
    """The check above fails on a use whose statement carries no chance (a definition, left out as such)."""
    import tomllib

    from cfprob.paths import bundled_scenario
    from cfprob.reading.loader import load_scenario

    scenario = load_scenario(bundled_scenario())
    left_out = tomllib.loads((REPO / "priors" / "encoding" / "settled" / "left_out.toml").read_text())["left_out"]
    definition = {
        "source": "thread-democratise-after-stalin",
        "locator": "post 36 (Phalamus)",
        "quote": "something comparable to gulags and the KGB, then it definitly wouldn't be a democratic society.",
    }
    assert not _carries_a_chance(definition, "definitly wouldn't", scenario, left_out)
    off_question = {**definition, "quote": 'I don\'t really think a "Democratic Nazi Germany" would be impossible'}
    assert _carries_a_chance(off_question, "impossible", scenario, left_out)
