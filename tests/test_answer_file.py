"""The answers file beside each cached fit: read with numpy alone, never used when damaged, stale or foreign."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from cfprob.answers.query import Fit
from cfprob.fitting.provenance import SamplerSettings
from cfprob.outputs.answer_file import answers_path, read_answers, write_answers
from cfprob.outputs.store import cache_path, cached_answers, clear_cache, put_in_cache
from cfprob.reading.loader import load_scenario

from .fakes import fake_fit, install_fake_fit, invoke

WEIMAR = Path(__file__).parent / "scenarios" / "weimar"


def test_the_answers_file_holds_the_fit_as_it_is(tmp_path: Path) -> None:
    scenario = load_scenario(WEIMAR)
    tree = install_fake_fit(scenario)
    fit = cached_answers(scenario, SamplerSettings())
    assert fit is not None
    expected = Fit.from_tree(tree)
    for field in fields(Fit):  # every field: one added to Fit but not to the answers file fails here
        ours, theirs = getattr(fit, field.name), getattr(expected, field.name)
        if isinstance(theirs, np.ndarray):
            assert np.array_equal(ours, theirs), field.name
        elif field.name == "sources":  # where each answer comes from: arrays, NaN where a point has no features
            assert theirs is not None and ours is not None
            for part in fields(theirs):
                mine, kept = getattr(ours, part.name), getattr(theirs, part.name)
                if isinstance(kept, np.ndarray):
                    assert np.array_equal(mine, kept, equal_nan=True), part.name
                else:
                    assert mine == kept, part.name
        elif field.name == "attrs":
            assert ours.keys() == theirs.keys()
            assert all(str(ours[k]) == str(getattr(theirs[k], "item", lambda v=theirs[k]: v)()) for k in ours)
        else:
            assert ours == theirs, field.name


def test_a_damaged_or_foreign_answers_file_is_never_read(tmp_path: Path) -> None:
    scenario = load_scenario(WEIMAR)
    tree = install_fake_fit(scenario)
    path = answers_path(cache_path(scenario, SamplerSettings()))
    key = str(tree.attrs["fit_key"])
    assert read_answers(path, key) is not None
    assert read_answers(path, "another key") is None
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert read_answers(path, key) is None
    assert read_answers(tmp_path / "missing.npz", key) is None


def test_run_reads_the_cache_anew_when_the_answers_file_is_damaged_and_rewrites_it() -> None:
    scenario = load_scenario(WEIMAR)
    install_fake_fit(scenario)
    path = answers_path(cache_path(scenario, SamplerSettings()))
    before = invoke("run", "no-depression-1929", "--scenario", str(WEIMAR), "--json")[1]
    path.write_bytes(path.read_bytes()[:-10])  # cut short
    code, after, err = invoke("run", "no-depression-1929", "--scenario", str(WEIMAR), "--json")
    assert code == 0, err
    assert after == before
    assert cached_answers(scenario, SamplerSettings()) is not None  # written again


def test_a_new_fit_drops_the_old_answers_file_before_it_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cut-short write of a new fit leaves no answers file of the old one beside it."""
    from cfprob.outputs import store

    scenario = load_scenario(WEIMAR)
    install_fake_fit(scenario)
    path = cache_path(scenario, SamplerSettings())

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "save_tree", interrupted)
    with pytest.raises(KeyboardInterrupt):
        put_in_cache(fake_fit(scenario), path)
    assert not answers_path(path).exists()


def test_clearing_the_cache_removes_the_answers_files(tmp_path: Path) -> None:
    scenario = load_scenario(WEIMAR)
    install_fake_fit(scenario)
    stray = tmp_path / "x.answers.npz"
    write_answers(Fit.from_tree(fake_fit(scenario)), stray)  # not in the cache: untouched
    assert clear_cache() == 1
    assert not answers_path(cache_path(scenario, SamplerSettings())).exists() and stray.exists()
