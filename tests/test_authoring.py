"""`cfprob new`: a complete, valid scenario skeleton to edit."""

from __future__ import annotations

from pathlib import Path

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
