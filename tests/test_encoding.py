"""The two-reader protocol's files and its agreement measures (scripts/encoding_agreement.py)."""

from __future__ import annotations

import tomllib

import pytest

from .conftest import REPO, load_script

ROUND = REPO / "priors" / "encoding" / "round-1"
SOURCES = {
    s["id"]: (REPO / "priors" / "ussr" / s["file"]).read_text(encoding="utf-8")
    for s in tomllib.loads((REPO / "priors" / "ussr" / "scenario.toml").read_text())["sources"]
}


def _script():  # type: ignore[no-untyped-def]
    return load_script("encoding_agreement")


def _counts():  # type: ignore[no-untyped-def]
    return load_script("settlement_counts")


def test_kappa_by_hand() -> None:
    kappa = _script().kappa
    # 10 pairs, 8 agree; marginals A: x 5, y 5; B: x 5, y 5 -> pe = 0.5, po = 0.8, kappa = 0.6
    labels = [("x", "x")] * 4 + [("y", "y")] * 4 + [("x", "y"), ("y", "x")]
    assert kappa(labels) == pytest.approx(0.6)
    assert kappa([("x", "y"), ("y", "x")]) == pytest.approx(-1.0)


def test_readings_pair_by_shared_passage() -> None:
    pair = _script().pair
    a = [{"source": "s", "quote": "the Union could never reform itself", "kind": "verbal"}]
    b = [
        {"source": "s", "quote": "could never reform itself, he said", "kind": "verbal"},
        {"source": "t", "quote": "the Union could never reform itself", "kind": "verbal"},
    ]
    pairs = pair(a, b)
    assert (a[0], b[0]) in pairs  # the same source and a shared stretch of quote
    assert (None, b[1]) in pairs  # another source: read by one reader only


@pytest.mark.parametrize("reader", ["a", "b"])
def test_every_quote_is_verbatim_and_every_phrase_is_the_authors(reader: str) -> None:
    data = tomllib.loads((ROUND / reader / "claims.toml").read_text(encoding="utf-8"))
    for entry in [*data["claims"], *data.get("left_out", [])]:
        assert entry["quote"] in SOURCES[entry["source"]], entry["quote"]
    for claim in data["claims"]:
        if "phrase" in claim:
            assert claim["phrase"] in claim["quote"], claim["id"]


def test_the_settled_reading_lists_what_it_leaves_out_verbatim() -> None:
    """Every statement the settled reading leaves out is quoted verbatim with its reason; none is also a
    shipped claim (the same passage at the same place: a quoted repeat of a claim's words is left out)."""
    from cfprob.reading.loader import load_scenario
    from cfprob.reading.quotes import normalise_text

    left_out = tomllib.loads((REPO / "priors" / "encoding" / "settled" / "left_out.toml").read_text())["left_out"]
    assert len(left_out) > 100
    sources = {k: normalise_text(v) for k, v in SOURCES.items()}
    claimed = {(c.locator, normalise_text(c.quote)) for c in load_scenario(REPO / "priors" / "ussr").claims}
    for entry in left_out:
        assert normalise_text(entry["quote"]) in sources[entry["source"]], entry["quote"]
        assert entry["reason"].strip() and entry["locator"].strip()
        assert (entry["locator"], normalise_text(entry["quote"])) not in claimed, entry["quote"]


def test_every_phrase_in_the_bundled_claims_is_the_authors() -> None:
    from cfprob.reading.loader import load_scenario

    for claim in load_scenario(REPO / "priors" / "ussr").claims:
        if claim.phrase:
            assert claim.phrase.lower() in claim.quote.lower(), claim.id


def test_settlement_counts_are_the_files() -> None:
    """settlement.md's counts are the claims' and the left-out list's own (python scripts/settlement_counts.py
    --write regenerates them)."""
    counts = _counts()
    written = counts.written_block(counts.SETTLEMENT.read_text(encoding="utf-8"))
    assert written, "settlement.md holds a generated counts block"
    assert written == counts.current_block(), "run python scripts/settlement_counts.py --write"


def test_settlement_counts_catch_a_claim_added_without_updating(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A claim added to a copy of the scenario changes the counts, so the comparison above would fail."""
    import shutil

    from cfprob.reading.loader import load_scenario

    counts = _counts()
    folder = tmp_path / "ussr"
    shutil.copytree(REPO / "priors" / "ussr", folder)
    claims = folder / "claims" / "002-ussr-without-stalin.toml"
    claims.write_text(
        claims.read_text() + '\n[[claims]]\nid = "added-by-a-test"\nkind = "proposal"\nauthor = "sillygoose"\n'
        'source = "thread-ussr-without-stalin"\nlocator = "post 2 (sillygoose)"\n'
        'quote = "he\'d likely be less willing to cut a deal with Hitler in 1939"\npod = "no-ww2-1939"\n'
    )
    left_out = len(tomllib.loads((counts.LEFT_OUT).read_text(encoding="utf-8"))["left_out"])
    changed = counts.counts_block(load_scenario(folder), left_out)
    written = counts.written_block(counts.SETTLEMENT.read_text(encoding="utf-8"))
    assert changed != written
    assert "| proposal | 21 |" in changed and "| proposal | 20 |" in written
