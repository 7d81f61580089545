"""`cfprob new`: a complete, valid scenario skeleton to edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfprob.claims import KINDS
from cfprob.outputs.skeleton import first_sentence
from cfprob.reading.loader import load_scenario

from .fakes import invoke


def test_new_writes_a_valid_scenario_quoting_its_source(tmp_path: Path) -> None:
    thread = tmp_path / "saved thread.txt"
    thread.write_text("Rome?\nHannibal should have marched on Rome. It is possible it would have fallen.\n")
    code, out, err = invoke("new", str(tmp_path / "carthage"), "--source", str(thread))
    assert code == 0, err
    assert "Created" in out
    scenario = load_scenario(tmp_path / "carthage")
    assert scenario.id == "carthage"
    (claim,) = scenario.claims
    assert claim.quote == "Hannibal should have marched on Rome." and claim.kind == "proposal"
    assert (tmp_path / "carthage" / "sources" / "000-saved-thread.txt").read_text() == thread.read_text()
    # every claim kind is shown, commented out, for the user to copy
    examples = (tmp_path / "carthage" / "claims" / "claims.toml").read_text()
    for kind in KINDS:
        assert f'kind = "{kind}"' in examples, kind


def test_new_without_sources_and_its_refusals(tmp_path: Path) -> None:
    assert invoke("new", str(tmp_path / "blank"))[0] == 0
    assert load_scenario(tmp_path / "blank").claims
    code, _, err = invoke("new", str(tmp_path / "blank"))
    assert code == 1 and "expected a new or empty folder" in err  # nothing is overwritten
    code, _, err = invoke("new", str(tmp_path / "other"), "--source", str(tmp_path / "missing.txt"))
    assert code == 2 and not (tmp_path / "other").exists()


def test_first_sentence_by_hand() -> None:
    assert first_sentence("Hi.\nThe Union could have lasted. Or not.") == "The Union could have lasted."


THREADS = Path(__file__).parent / "threads"


def _drafted(tmp_path: Path) -> Path:
    """A new scenario with drafts from the three sample threads (one per format)."""
    folder = tmp_path / "carthage"
    assert invoke("new", str(folder))[0] == 0
    for thread in ("markdown.md", "reddit.txt", "plain.txt"):
        code, out, err = invoke("draft", str(THREADS / thread), "--scenario", str(folder))
        assert code == 0, err
        assert "draft claims in" in out
    return folder


def test_draft_splits_each_format_and_quotes_exactly(tmp_path: Path) -> None:
    import tomllib

    folder = _drafted(tmp_path)
    drafts = {
        c["quote"]: c
        for f in sorted((folder / "claims").glob("drafts-*.toml"))
        for c in tomllib.loads(f.read_text())["claims"]
    }
    # markdown: the quote of Hanno in Mago's post is not drafted again, Mago's own sentences are
    assert drafts["A siege without engines was highly unlikely to work."]["locator"] == "post 2 (Mago)"
    assert drafts["A siege without engines was highly unlikely to work."]["phrase"] == "highly unlikely"
    talked = "Maybe the Senate would have talked, but it never negotiated while an enemy stood in Italy."
    assert drafts[talked]["locator"] == "post 3 (Hanno)" and drafts[talked]["phrase"] == "Maybe"
    # reddit: the score lines and the quote are dropped; posters are the u/ names
    manpower = drafts["Rome had manpower to spare, so a Carthaginian win was little chance even then."]
    assert manpower["author"] == "scipio_fan" and manpower["locator"] == "post 3 (scipio_fan)"
    spain = "If Carthage had sent reinforcements after Cannae, Rome would probably lose Spain."
    assert drafts[spain]["locator"] == "post 1 (scipio_fan)"  # not the quote of it in post 2
    # plain: the quoted sentence stays Livia's; Marcus's reply after the quote is his
    peace = "A negotiated peace in 215 BC is probable if Hannibal takes Capua early."
    assert drafts[peace]["author"] == "Livia" and drafts[peace]["phrase"] == "probable"
    assert drafts["I would say a peace was unlikely."]["author"] == "Marcus"
    assert all(c["review"] == "todo" for c in drafts.values())
    # the scenario lists the threads and their posters; validate names the drafts still to review
    code, out, _ = invoke("validate", str(folder))
    assert code == 0 and "Drafts to review (" in out
    code, _, err = invoke("run", "example-1950", "--scenario", str(folder))
    assert code == 1 and 'still marked review = "todo"' in err


def _reviewed(folder: Path) -> None:
    """Review every draft programmatically: keep it as drafted (pod and outcome as guessed), drop review."""
    import tomllib

    import tomli_w

    for file in (folder / "claims").glob("drafts-*.toml"):
        data = tomllib.loads(file.read_text())
        for claim in data["claims"]:
            del claim["review"]
        file.write_text(tomli_w.dumps(data))


def test_reviewed_drafts_validate(tmp_path: Path) -> None:
    folder = _drafted(tmp_path)
    _reviewed(folder)
    scenario = load_scenario(folder)
    assert not scenario.drafts and len(scenario.scored_claims) == 9
    assert {"Livia", "Marcus", "scipio_fan", "Hanno", "Mago"} <= {c.name for c in scenario.claimants}


@pytest.mark.mcmc
def test_a_thread_to_a_first_answer(tmp_path: Path) -> None:
    """From three saved threads to an answer: new, draft, review, run."""
    folder = _drafted(tmp_path)
    _reviewed(folder)
    code, out, err = invoke(
        "run", "example-1950", "--scenario", str(folder), "--draws", "200", "--tune", "200", "--chains", "2"
    )
    assert code == 0, err
    assert "P(outcome)" in out and "outcome_a" in out
