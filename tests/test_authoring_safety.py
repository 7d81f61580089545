"""`draft` and `new` write only what loads, read only what the loader would, and print names harmlessly.

Each case was seen failing first (the hostile-input round's list); each ends either in exit 1 with one line and
nothing written, or in a scenario that validates.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from cfprob.reading.loader import load_scenario

from .fakes import invoke


def _thread(tmp_path: Path, first: str, body: str, second: str = "Mago") -> Path:
    thread = tmp_path / "thread.md"
    thread.write_text(f"## {first}\n{body}\n\n## {second}\nA siege was highly unlikely to work.\n", encoding="utf-8")
    return thread


def _scenario(tmp_path: Path) -> Path:
    folder = tmp_path / "carthage"
    assert invoke("new", str(folder))[0] == 0
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _drafts_load(folder: Path) -> None:
    scenario = load_scenario(folder)  # raises on anything the loader refuses
    assert scenario.drafts


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("Hanno\x7f", "It is unlikely the city would have fallen."),  # DEL in a poster's name
        ("Hanno", "It is unlikely the city\x7f would have fallen."),  # DEL inside a sentence
        ("Hanno", "İt is highly unlikely the city would have fallen."),  # lower-casing changes the length
        ("Hanno", "It is unlikely\u202e the city would have fallen."),  # a right-to-left override
    ],
    ids=["del-in-name", "del-in-sentence", "dotted-capital-i", "bidi-override"],
)
def test_drafts_of_hostile_text_load(tmp_path: Path, name: str, sentence: str) -> None:
    folder = _scenario(tmp_path)
    code, _, err = invoke("draft", str(_thread(tmp_path, name, sentence)), "--scenario", str(folder))
    assert code == 0, err
    _drafts_load(folder)
    drafts = (folder / "claims" / "drafts-thread.toml").read_text(encoding="utf-8")
    assert 'phrase = "highly unlikely"' in drafts.lower() or 'phrase = "unlikely"' in drafts.lower()


def test_long_poster_names_give_ids_the_loader_takes(tmp_path: Path) -> None:
    folder = _scenario(tmp_path)
    long = "A" * 70
    thread = _thread(tmp_path, long + "x", "It is unlikely the city would have fallen.", second=long + "y")
    code, _, err = invoke("draft", str(thread), "--scenario", str(folder))
    assert code == 0, err
    ids = {c.id for c in load_scenario(folder).claimants}
    assert all(len(i) <= 64 for i in ids) and len([i for i in ids if i.startswith("aaaa")]) == 2


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("Hanno\x1b]0;owned\x07\x1b[2J", "\\x1b]0;owned\\x07"),  # sets the window title, clears the screen
        ("Hanno\u202eonnaH", "\\u202e"),  # a right-to-left override: reads as another name
        ("Han\u200bno", "Han\\u200bno"),  # a zero-width space: two names that look the same
    ],
    ids=["escape", "bidi-override", "zero-width"],
)
def test_poster_names_are_printed_harmlessly(tmp_path: Path, hostile: str, shown: str) -> None:
    folder = _scenario(tmp_path)
    code, out, err = invoke(
        "draft", str(_thread(tmp_path, hostile, "It is unlikely it fell.")), "--scenario", str(folder)
    )
    assert code == 0, err
    assert not set(hostile) - set("Hano]0;owned[2J") & set(out)  # no control or invisible character printed
    assert shown in out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("command", ["draft", "new"])
def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path, command: str) -> None:
    pipe = tmp_path / "thread.txt"
    os.mkfifo(pipe)
    folder = _scenario(tmp_path) if command == "draft" else tmp_path / "fresh"
    before = _snapshot(folder) if folder.exists() else None
    args = (
        ["draft", str(pipe), "--scenario", str(folder)]
        if command == "draft"
        else ["new", str(folder), "--source", str(pipe)]
    )
    code, _, err = invoke(*args)
    assert (code in (1, 2) and "a special file (a pipe, socket or device)" in err) or "pipe" in err, err
    assert (_snapshot(folder) if folder.exists() else None) == before


def test_a_folder_as_the_thread_is_bad_usage(tmp_path: Path) -> None:
    folder = _scenario(tmp_path)
    code, _, err = invoke("draft", str(tmp_path), "--scenario", str(folder))
    assert code == 2 and "is a directory" in err and "Traceback" not in err


def test_a_file_over_the_loaders_limit_is_refused_before_reading(tmp_path: Path) -> None:
    folder = _scenario(tmp_path)
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(51_000_000)  # sparse: nothing is really written
    before = _snapshot(folder)
    code, _, err = invoke("draft", str(big), "--scenario", str(folder))
    assert code == 1 and "expected a file under 50 MB, found 51 MB" in err
    assert _snapshot(folder) == before


def test_new_quotes_a_control_character_safely(tmp_path: Path) -> None:
    source = tmp_path / "essay.txt"
    source.write_text("Carthage \x01 could have won the war outright.\n", encoding="utf-8")
    code, out, err = invoke("new", str(tmp_path / "c"), "--source", str(source))
    assert code == 0 and "Created" in out, err
    load_scenario(tmp_path / "c")


def test_a_draft_the_loader_would_refuse_is_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: drafts made unloadable on purpose are refused in one line, nothing written."""
    import cfprob.outputs.drafts as drafts

    folder = _scenario(tmp_path)
    before = _snapshot(folder)
    monkeypatch.setattr(drafts, "_drafts_text", lambda *args: "[[claims]]\nid = 3\n")
    code, _, err = invoke(
        "draft", str(_thread(tmp_path, "Hanno", "It is unlikely it fell.")), "--scenario", str(folder)
    )
    assert code == 1 and "draft would write a scenario the loader refuses, so it wrote nothing" in err
    assert len(err.strip().splitlines()) == 1 and _snapshot(folder) == before


def test_bbcode_attributes_cannot_be_broken_out_of() -> None:
    from cfprob.safe.neutralise import for_bbcode_attribute

    hostile = 'Ripper"] [url=http://evil.example]click[/url] [quote="x'
    attribute = for_bbcode_attribute(hostile)
    quoted = f'[quote="{attribute}"]text[/quote]'
    # the attribute ends only where it was opened to end: one '"]' in all, no tag of its own
    assert quoted.count('"]') == 1 and not re.search(r"\[/?(url|quote)\b", attribute, re.IGNORECASE)


def test_drafting_the_same_thread_again_is_refused_and_force_replaces_its_drafts(tmp_path: Path) -> None:
    """The same text again (even under another file name) is the source it already is: refused with nothing
    written; with --force its drafts are replaced, not added to, and no source or claimant is copied again."""
    folder = _scenario(tmp_path)
    thread = _thread(tmp_path, "Hanno", "It is unlikely it fell.")
    assert invoke("draft", str(thread), "--scenario", str(folder))[0] == 0
    first = _snapshot(folder)
    again = tmp_path / "renamed copy.md"
    again.write_bytes(thread.read_bytes())
    code, out, err = invoke("draft", str(again), "--scenario", str(folder))
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert "found the same text as source thread" in err and _snapshot(folder) == first
    code, _, err = invoke("draft", str(again), "--scenario", str(folder), "--force")
    assert code == 0, err
    scenario = load_scenario(folder)
    assert [s.id for s in scenario.sources].count("thread") == 1 and len(scenario.sources) == len(
        load_scenario(folder).sources
    )
    assert _snapshot(folder).keys() == first.keys()  # no new source file or drafts file
    assert len(scenario.claimants) == len({c.name for c in scenario.claimants})
    assert len(scenario.drafts) == len([c for c in scenario.claims if c.source == "thread"])


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_private_scenario_file_stays_private(tmp_path: Path) -> None:
    folder = _scenario(tmp_path)
    (folder / "scenario.toml").chmod(0o600)
    code, _, err = invoke(
        "draft", str(_thread(tmp_path, "Hanno", "It is unlikely it fell.")), "--scenario", str(folder)
    )
    assert code == 0, err
    assert (folder / "scenario.toml").stat().st_mode & 0o777 == 0o600
    assert "Hanno" in (folder / "scenario.toml").read_text(encoding="utf-8")  # it was rewritten


def test_two_drafts_at_once_both_land(tmp_path: Path) -> None:
    """Two `cfprob draft` processes into one folder at the same moment (three rounds): the folder's lock makes
    the second wait, so each thread's source and posters are kept (unlocked, one update was lost in 3 of 11)."""
    import subprocess
    import sys

    folder = _scenario(tmp_path)
    for round_ in range(3):
        threads = []
        for side in ("a", "b"):
            thread = tmp_path / f"t{round_}{side}.md"
            thread.write_text(f"## Poster {round_}{side}\nIt is unlikely that {round_}{side} fell.\n", encoding="utf-8")
            threads.append(thread)
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "cfprob", "draft", str(t), "--scenario", str(folder)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for t in threads
        ]
        for run in runs:
            _, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
    scenario = load_scenario(folder)
    names = {c.name for c in scenario.claimants}
    assert {f"Poster {r}{s}" for r in range(3) for s in "ab"} <= names
    assert {f"t{r}{s}" for r in range(3) for s in "ab"} <= {s.id for s in scenario.sources}


def test_a_folder_another_command_is_writing_is_one_line_after_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cfprob.safe import lock

    folder = _scenario(tmp_path)
    before = _snapshot(folder)
    thread = _thread(tmp_path, "Hanno", "It is unlikely it fell.")
    monkeypatch.setattr(lock, "LOCK_TIMEOUT", 0.2)
    with lock.folder_lock(folder):
        code, _, err = invoke("draft", str(thread), "--scenario", str(folder))
    assert code == 1 and "found another cfprob command writing it (waited 0.2 s)" in err
    assert _snapshot(folder) == before
