"""Quote errors that help: the closest passage, the characters that differ, quote style, another source."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from cfprob.errors import ScenarioError
from cfprob.reading.loader import load_scenario
from cfprob.reading.quotes import closest_passage, normalise_text

QUOTE = "Highly unlikely that a grand coalition in 1930 saves anything"


def _with_quote(weimar: Path, quote: str) -> str:
    """The one problem the small scenario has when bert-coalition quotes ``quote``."""
    claims = weimar / "claims" / "thread.toml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(f'"{QUOTE}"', f'"{quote}"'), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(weimar)
    (problem,) = info.value.problems
    return problem


def test_a_dropped_word_shows_the_closest_passage_and_where_it_differs(weimar: Path) -> None:
    problem = _with_quote(weimar, "Highly unlikely that a grand coalition in 1930 save anything")
    assert 'at character 52 the quote has nothing, the source "s" (U+0073)' in problem  # "save" for "saves"
    assert 'the source there reads "a grand coalition in 1930 saves anythin' in problem


def test_an_invisible_character_is_named(weimar: Path) -> None:
    problem = _with_quote(weimar, "Highly unlikely that a\u200b grand coalition in 1930 saves anything")
    assert "U+200B ZERO WIDTH SPACE" in problem


def test_curly_quotes_get_a_hint(weimar: Path) -> None:
    source = weimar / "sources" / "forum.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("I'd say", "I\u2019d say"), encoding="utf-8")
    claims = weimar / "claims" / "thread.toml"
    text = claims.read_text(encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(weimar)
    assert any("only the quote style differs" in p for p in info.value.problems)
    assert "I'd say" in text  # the claim file kept its straight apostrophe


def test_the_normalisation_form_does_not_matter(weimar: Path) -> None:
    source = weimar / "sources" / "forum.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\nCafé society would have survived.\n", encoding="utf-8")
    decomposed = unicodedata.normalize("NFD", "Café society would have survived.")
    assert decomposed != "Café society would have survived."
    assert normalise_text(decomposed) in normalise_text(source.read_text(encoding="utf-8"))


def test_a_quote_from_another_source_names_it(weimar: Path) -> None:
    (weimar / "sources" / "other.txt").write_text("A second thread: " + QUOTE + ".\n", encoding="utf-8")
    scenario = weimar / "scenario.toml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8")
        + '\n[[sources]]\nid = "other-thread"\nfile = "sources/other.txt"\ntitle = "Another"\nkind = "forum thread"\n',
        encoding="utf-8",
    )
    text = scenario.read_text(encoding="utf-8")
    assert text.count("[[sources]]") == 2
    forum = weimar / "sources" / "forum.txt"
    forum.write_text(forum.read_text(encoding="utf-8").replace(QUOTE, "Something else entirely"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(weimar)
    assert any('(it is in source "other-thread", sources/other.txt)' in p for p in info.value.problems)


def test_closest_passage_by_hand() -> None:
    passage, difference, at = closest_passage("the cat sat", "well, the cot sat down")
    assert passage == "the cot sat" and at == 5
    assert difference == 'at character 6 the quote has "a" (U+0061), the source "o" (U+006F)'
