"""The bundled USSR scenario: it validates, its quotes are verbatim, it covers the seed arguments."""

from __future__ import annotations

from collections import Counter

import pytest

from cfprob.paths import bundled_scenario
from cfprob.reading.lexicon import load_lexicon
from cfprob.reading.loader import load_scenario
from cfprob.reading.scenario import Scenario

REQUIRED_PODS = [
    "otl",
    "stalin-killed-1920",
    "trotsky-1924",
    "bukharin-1928",
    "contested-elections-1937",
    "sr-path-1917",
    "no-ww2-1939",
    "wartime-opening-1945",
    "draft-programme-1947",
    "army-coup-1946",
    "army-wins-civil-war-1953",
    "beria-1953",
    "malenkov-1953",
    "crypto-democrat-1953",
    "democratise-1953",
    "khrushchev-reform-1956",
    "detente-1960",
    "china-famine-1959",
    "kosygin-1965",
    "brezhnev-dies-1965",
    "prague-spring-1968",
    "early-gorbachev-1975",
]


@pytest.fixture(scope="module")
def ussr() -> Scenario:
    return load_scenario(bundled_scenario())


def test_validates_with_expected_size(ussr: Scenario) -> None:
    assert ussr.outcome_ids == ("stable_democracy", "collapse", "authoritarian")
    assert len(ussr.claims) >= 40
    assert len({c.author for c in ussr.claims}) >= 10
    assert len(ussr.sources) == 5


def test_required_divergence_points_have_passages(ussr: Scenario) -> None:
    assert any(p.startswith("stalin-compromise") for p in ussr.pod_ids)
    for pod_id in REQUIRED_PODS:
        assert pod_id in ussr.pod_ids
        assert ussr.pod(pod_id).passages, f"{pod_id} has no passage"


def test_every_quote_is_verbatim_in_its_source(ussr: Scenario) -> None:
    for claim in ussr.claims:
        assert claim.quote in ussr.source(claim.source).text, claim.id
    for pod in ussr.pods:
        for passage in pod.passages:
            assert passage.quote in ussr.source(passage.source).text, pod.id


def test_every_source_is_quoted(ussr: Scenario) -> None:
    assert {c.source for c in ussr.claims} == {s.id for s in ussr.sources}


def test_alias_is_one_claimant(ussr: Scenario) -> None:
    phalamus = next(c for c in ussr.claimants if c.name == "Phalamus")
    assert "Joao97" in phalamus.aliases
    assert not any(c.name == "Joao97" for c in ussr.claimants)


def test_no_claim_is_counted_twice(ussr: Scenario) -> None:
    keys = Counter((c.author, c.quote, c.pods, c.outcome) for c in ussr.claims)
    assert max(keys.values()) == 1


def test_verbal_claims_become_numbers(ussr: Scenario) -> None:
    lexicon = load_lexicon()
    verbal = [c for c in ussr.scored_claims if c.kind == "verbal"]
    assert verbal
    for claim in verbal:
        entry = lexicon.lookup(str(claim.phrase))
        assert entry is not None and 0 < entry.median_pct < 100


def test_reference_class_leaves_the_ussr_out(ussr: Scenario) -> None:
    reference = ussr.evidence.reference_class
    assert reference is not None
    cases = dict(reference.cases)
    assert "Soviet Union 17-91" not in cases
    assert len(cases) == 24
    assert reference.counts(ussr.outcome_ids) == (9, 4, 11)
    assert ussr.evidence.observed_outcome == "collapse"


def test_content_hash_is_stable(ussr: Scenario) -> None:
    assert load_scenario(bundled_scenario()).content_hash == ussr.content_hash


def test_format_documentation_quotes_are_real(ussr: Scenario) -> None:
    import re

    from .conftest import REPO, WEIMAR

    text = (REPO / "priors" / "README.md").read_text(encoding="utf-8")
    quotes = re.findall(r'^quote = "(.+?)"', text, flags=re.MULTILINE)
    assert len(quotes) >= 2
    # the bundled sources, and the test scenario's thread for the kind they hold no example of (a poll)
    sources = " ".join(s.text for s in ussr.sources) + (WEIMAR / "sources" / "forum.txt").read_text()
    for quote in quotes:
        assert quote in sources, quote


def test_every_claim_kind_has_a_documented_example() -> None:
    """priors/README.md shows a whole claim of every kind, and each example reads as a valid claim of it."""
    import re
    import tomllib

    from cfprob.claims import KINDS

    from .conftest import REPO

    text = (REPO / "priors" / "README.md").read_text(encoding="utf-8")
    examples = [tomllib.loads(b)["claims"][0] for b in re.findall(r"```toml\n(\[\[claims\]\].*?)```", text, re.S)]
    shown = {e["kind"] for e in examples}
    assert shown == set(KINDS), set(KINDS) - shown
    for example in examples:
        fields = set(KINDS[example["kind"]].fields)
        common = {"id", "kind", "author", "source", "locator", "quote", "confidence", "note", "excluded"}
        assert set(example) <= fields | common | {"author_outcome", "year", "weight", "tags"}, example["id"]
