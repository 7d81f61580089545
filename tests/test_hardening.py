"""Hostile input and faults: broken fits are never used, saved files are checked, nothing hangs or is executed,
and scenario text is neutralised for where it is shown."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from cfprob.errors import CacheError, CfprobError, ScenarioError
from cfprob.fitting.draws import nonfinite_draws
from cfprob.fitting.provenance import SamplerSettings
from cfprob.outputs.store import cache_path, list_cache, load_tree, save_tree, seal_bytes
from cfprob.outputs.tables import diagnostics_lines
from cfprob.reading.loader import load_scenario
from cfprob.safe.checksum import TREE_ATTR, tree_checksum
from cfprob.safe.files import write_all_atomically, write_atomically
from cfprob.safe.neutralise import for_markdown, for_terminal, safe_url

from .conftest import WEIMAR
from .fakes import fake_fit, install_fake_fit, invoke

# -- 1. a fit with non-finite draws is never saved, cached or answered from ---------------------------------


def _interrupted(tree):  # type: ignore[no-untyped-def]
    """``tree`` as an interrupted nutpie run leaves it: the last chain padded with NaN after 10 draws."""
    broken = tree.copy()
    theta = broken["posterior"]["theta"].values.copy()
    theta[-1, 10:] = np.nan
    broken["posterior"]["theta"] = broken["posterior"]["theta"].copy(data=theta)
    return broken


def test_nonfinite_draws_are_named_by_variable_and_chain() -> None:
    tree = fake_fit(load_scenario(WEIMAR))
    assert nonfinite_draws(tree["posterior"].to_dataset()) == ""
    assert (
        nonfinite_draws(_interrupted(tree)["posterior"].to_dataset())
        == "non-finite draws of theta in chain 2 (40 draws)"
    )


def test_a_fit_with_nan_draws_is_not_saved(tmp_path: Path) -> None:
    tree = _interrupted(fake_fit(load_scenario(WEIMAR)))
    with pytest.raises(CfprobError, match="not written: the fit holds non-finite draws of theta in chain 2"):
        save_tree(tree, tmp_path / "r.nc")
    assert list(tmp_path.iterdir()) == []


def test_a_cached_fit_with_nan_draws_is_refused_everywhere(tmp_path: Path) -> None:
    """Written behind cfprob's back (as an older version could): `run` and `check --strict` both refuse it."""
    scenario = load_scenario(WEIMAR)
    tree = _interrupted(fake_fit(scenario, SamplerSettings()))
    tree.attrs[TREE_ATTR] = tree_checksum(tree)
    saved = tmp_path / "r.nc"
    saved.write_bytes(seal_bytes(bytes(tree.to_netcdf(engine="h5netcdf"))))
    with pytest.raises(CacheError, match=r"found non-finite draws of theta in chain 4 .* interrupted or failed fit"):
        load_tree(saved)
    code, out, err = invoke("run", "no-depression-1929", "--scenario", str(WEIMAR), "--from", str(saved))
    assert code == 1 and out == "" and "non-finite draws of theta" in err and "Traceback" not in err


def test_diagnostics_never_call_unknown_numbers_sound() -> None:
    attrs = {"chains": 4, "draws": 1000, "diag_max_rhat": 0.0, "diag_min_ess_bulk": np.inf, "diag_min_ess_tail": 5}
    lines = diagnostics_lines(attrs)
    assert "no problems found" not in lines[0]
    assert any("r_hat could not be computed" in line for line in lines)
    attrs = {"chains": 4, "diag_max_rhat": 1.001, "diag_min_ess_bulk": float("nan"), "diag_min_ess_tail": 900}
    assert any("effective sample size could not be computed" in line for line in diagnostics_lines(attrs))


# -- 3. every saved or cached fit carries a checksum of its content ------------------------------------------


def test_saved_fit_round_trips_with_its_checksum(tmp_path: Path) -> None:
    tree = fake_fit(load_scenario(WEIMAR))
    save_tree(tree, tmp_path / "r.nc")
    loaded = load_tree(tmp_path / "r.nc")
    assert loaded.attrs[TREE_ATTR] == tree_checksum(loaded) == tree_checksum(tree)


def test_checksum_survives_what_netcdf_does_to_text(tmp_path: Path) -> None:
    """nutpie's divergence messages are an object array with NaN where there is none (read back as "");
    coordinates are object arrays in memory and fixed-width strings on disk."""
    tree = fake_fit(load_scenario(WEIMAR))
    messages = np.full(tree["sample_stats"]["diverging"].shape, np.nan, dtype=object)
    messages[0, 1] = "Divergence due to large energy error: 1101.97"
    stats = tree["sample_stats"].to_dataset()
    stats["divergence_message"] = (("chain", "draw"), messages)
    tree["sample_stats"] = xr.DataTree(stats)
    save_tree(tree, tmp_path / "r.nc")
    assert load_tree(tmp_path / "r.nc")["sample_stats"]["divergence_message"].values[0, 1].startswith("Divergence")


def _flip_a_draw(path: Path, tree) -> None:  # type: ignore[no-untyped-def]
    """Change one byte of one stored draw of ``theta`` in the file (as a failing disk would)."""
    data = bytearray(path.read_bytes())
    value = tree["posterior"]["theta"].values[0, 3, 1, 0]
    at = bytes(data).find(np.float64(value).tobytes())
    assert at > 0
    data[at + 6] ^= 0x10
    path.write_bytes(bytes(data))


def test_a_flipped_bit_in_a_draw_is_detected(tmp_path: Path) -> None:
    tree = fake_fit(load_scenario(WEIMAR))
    saved = tmp_path / "r.nc"
    save_tree(tree, saved)
    _flip_a_draw(saved, tree)
    with pytest.raises(CacheError, match="found bytes that do not match their checksum"):
        load_tree(saved)


def test_the_hdf5_library_never_parses_a_damaged_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some damaged HDF5 files make the library loop forever: the seal is checked before it reads anything."""
    import cfprob.outputs.store

    tree = fake_fit(load_scenario(WEIMAR))
    saved = tmp_path / "r.nc"
    save_tree(tree, saved)
    _flip_a_draw(saved, tree)
    monkeypatch.setattr(cfprob.outputs.store, "_read_netcdf", lambda _body: pytest.fail("HDF5 was given the file"))
    with pytest.raises(CacheError, match="do not match their checksum"):
        load_tree(saved)
    saved.write_bytes(saved.read_bytes()[:-10])
    with pytest.raises(CacheError, match="without cfprob's checksum line at its end"):
        load_tree(saved)


def test_a_sealed_fit_is_an_ordinary_netcdf_file(tmp_path: Path) -> None:
    tree = fake_fit(load_scenario(WEIMAR))
    save_tree(tree, tmp_path / "r.nc")
    with xr.open_datatree(tmp_path / "r.nc", engine="h5netcdf") as opened:
        np.testing.assert_array_equal(opened["posterior"]["theta"].values, tree["posterior"]["theta"].values)


def test_content_is_checked_behind_the_seal(tmp_path: Path) -> None:
    """A file re-sealed after its draws were changed still fails the content checksum inside it."""
    tree = fake_fit(load_scenario(WEIMAR))
    tree.attrs[TREE_ATTR] = tree_checksum(tree)
    changed = tree.copy()
    posterior = changed["posterior"].to_dataset()
    posterior["theta"] = posterior["theta"] * 0.5
    changed["posterior"] = xr.DataTree(posterior)
    (tmp_path / "r.nc").write_bytes(seal_bytes(bytes(changed.to_netcdf(engine="h5netcdf"))))
    with pytest.raises(CacheError, match="expected content matching its checksum, found other content"):
        load_tree(tmp_path / "r.nc")


def test_a_damaged_cache_entry_is_reported_and_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    import cfprob.fitting.inference
    from cfprob.outputs.store import cached_fit

    scenario = load_scenario(WEIMAR)
    tree = install_fake_fit(scenario)
    _flip_a_draw(cache_path(scenario, SamplerSettings()), tree)

    def refit(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("refit requested")

    monkeypatch.setattr(cfprob.fitting.inference, "fit", refit)
    messages: list[str] = []
    with pytest.raises(RuntimeError, match="refit requested"):
        cached_fit(scenario, SamplerSettings(), on_stage=messages.append)
    assert any("cached fit unusable" in m and "checksum" in m for m in messages)


def test_a_fit_without_checksum_is_refused(tmp_path: Path) -> None:
    saved = tmp_path / "old.nc"
    tree = fake_fit(load_scenario(WEIMAR))
    tree.to_netcdf(saved, engine="h5netcdf")
    with pytest.raises(CacheError, match="without cfprob's checksum line"):
        load_tree(saved)
    saved.write_bytes(seal_bytes(bytes(tree.to_netcdf(engine="h5netcdf"))))
    with pytest.raises(CacheError, match="with a content checksum, found none"):
        load_tree(saved)


# -- 4. every check of user input is linear in its size; nothing waits on a pipe ----------------------------

MEGABYTE = 1_000_000
ADVERSARIAL = {
    "blank run": b"a =" + b" " * MEGABYTE + b'"x"\n',
    "tab and dot runs": b"a" + b" \t. " * (MEGABYTE // 4) + b"= 1\n",
    "long key": b"k" * MEGABYTE + b" = 1\n",
    "long dotted key": b"a." * (MEGABYTE // 2) + b"b = 1\n",
    "deep nesting": b"a = " + b"[" * (MEGABYTE // 2) + b"]" * (MEGABYTE // 2) + b"\n",
    "long line": b'a = "' + b"x" * MEGABYTE + b'"\n',
    "many commas": b"a = {" + b"b=1," * (MEGABYTE // 4) + b"}\n",
}
COMMANDS = (("validate", "{folder}"), ("pods", "--scenario", "{folder}"), ("claims", "--scenario", "{folder}"))


@pytest.mark.parametrize("target", ["scenario.toml", "pods.toml", "claims/thread.toml"])
@pytest.mark.parametrize("case", list(ADVERSARIAL), ids=list(ADVERSARIAL))
def test_adversarial_megabyte_files_are_refused_quickly(weimar: Path, target: str, case: str) -> None:
    (weimar / target).write_bytes(ADVERSARIAL[case])
    for command in COMMANDS:
        started = time.perf_counter()
        code, _, err = invoke(*(part.format(folder=weimar) for part in command))
        elapsed = time.perf_counter() - started
        assert code == 1 and err.startswith("cfprob: error: ") and "Traceback" not in err
        assert elapsed < 2.0, f"{command[0]} took {elapsed:.1f} s on {case} in {target}"


def test_run_from_a_named_pipe_does_not_wait(tmp_path: Path) -> None:
    pipe = tmp_path / "result.nc"
    os.mkfifo(pipe)
    code, _, err = invoke("run", "no-depression-1929", "--scenario", str(WEIMAR), "--from", str(pipe))
    assert code == 1 and "expected a saved cfprob result, found a special file (a pipe" in err


# -- 5. interruptions and full disks leave no partial files ------------------------------------------------


def test_several_files_are_written_all_or_nothing(tmp_path: Path) -> None:
    def full_disk(temporary: str) -> None:
        Path(temporary).write_text("half")
        raise OSError(28, "No space left on device")

    targets = {tmp_path / "report.md": lambda t: Path(t).write_text("report"), tmp_path / "plot.png": full_disk}
    with pytest.raises(CfprobError, match=r"plot\.png: expected to write the file, found an error .No space left"):
        write_all_atomically(targets)
    assert list(tmp_path.iterdir()) == []


def test_markdown_report_on_a_full_disk_leaves_nothing_and_the_retry_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cfprob.paths import bundled_scenario

    install_fake_fit(load_scenario(bundled_scenario()))
    original = Path.write_bytes
    calls = {"n": 0}

    def fails_on_third(self: Path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", fails_on_third)
    out = tmp_path / "post.md"
    code, _, err = invoke("report", "kosygin-1965", "--out", str(out))
    assert code == 1 and "No space left on device" in err
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(Path, "write_bytes", original)
    code, _, err = invoke("report", "kosygin-1965", "--out", str(out))
    assert code == 0, err


def test_a_killed_write_leaves_no_fit_in_the_cache_listing(isolated_cache: Path) -> None:
    """SIGKILL cannot be caught: its temporary file is hidden, not counted, and removed by the next write."""
    scenario = load_scenario(WEIMAR)
    path = cache_path(scenario, SamplerSettings())
    path.parent.mkdir(parents=True)
    dead = path.parent / f".{path.name}.999999999.abcd.part"  # no such process
    dead.write_bytes(b"half a fit")
    assert list_cache() == []
    install_fake_fit(scenario)
    assert list_cache() == [path]
    assert not dead.exists()


def test_a_write_in_progress_by_a_live_process_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "r.nc"
    busy = tmp_path / f".r.nc.{os.getppid()}.abcd.part"
    busy.write_bytes(b"being written")
    write_atomically(target, lambda t: Path(t).write_text("done"))
    assert busy.exists() and target.read_text() == "done"


# -- 7. scenario text is neutralised for its destination ---------------------------------------------------


def test_neutralisers() -> None:
    assert for_terminal("a\x1b[2Jb\r\nc\td") == "a\\x1b[2Jb\\r\nc\td"
    assert for_markdown("<img src=x onerror=alert(1)> *bold* [l](u) stable_democracy") == (
        "\\<img src=x onerror=alert(1)\\> \\*bold\\* \\[l\\](u) stable_democracy"
    )
    assert for_markdown("# not a heading") == "\\# not a heading"
    assert for_markdown("1965. a list?") == "1965\\. a list?"
    assert safe_url("https://example.org/x?y=1") == "https://example.org/x?y=1"
    for url in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "https://", "http://a b", "//x.org"):
        assert safe_url(url) is None, url


def test_escape_sequences_in_titles_reach_the_terminal_escaped(weimar: Path) -> None:
    pods = weimar / "pods.toml"
    pods.write_text(pods.read_text().replace('title = "No Great Depression"', 'title = "No \\u001b[2J Depression"'))
    code, out, _ = invoke("pods", "--scenario", str(weimar))
    assert code == 0 and "\x1b" not in out and "No \\x1b[2J Depression" in out


def test_a_path_with_a_newline_gives_a_one_line_error(tmp_path: Path) -> None:
    code, _, err = invoke("pods", "--scenario", str(tmp_path / "two\nlines"))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "two\\nlines" in err


def test_markdown_report_passes_no_raw_html(tmp_path: Path) -> None:
    from cfprob.paths import bundled_scenario

    scenario_dir = tmp_path / "ussr"
    shutil.copytree(bundled_scenario(), scenario_dir)
    top = scenario_dir / "scenario.toml"
    top.write_text(top.read_text().replace('title = "', 'title = "<script>alert(1)</script> ', 1))
    install_fake_fit(load_scenario(scenario_dir))
    out = tmp_path / "post.md"
    code, _, err = invoke("report", "kosygin-1965", "--scenario", str(scenario_dir), "--out", str(out))
    assert code == 0, err
    text = out.read_text()
    assert "<script>" not in text and "\\<script\\>alert(1)\\</script\\>" in text


# -- 8. smaller items --------------------------------------------------------------------------------------


def test_validate_into_a_closed_pipe_is_quiet() -> None:
    """``cfprob validate | head -1``: the reader has gone before cfprob writes."""
    import subprocess
    import sys

    with subprocess.Popen(
        [sys.executable, "-m", "cfprob", "validate", str(WEIMAR)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        err = process.stderr.read().decode()
        process.wait(timeout=120)
    assert err == ""
    assert process.returncode == 1


def test_a_distribution_summing_to_the_tolerance_is_accepted(weimar: Path) -> None:
    claims = weimar / "claims" / "thread.toml"
    text = claims.read_text()
    assert "survives = 0.5, dictatorship = 0.4, civil_war = 0.1" in text
    claims.write_text(text.replace("civil_war = 0.1", "civil_war = 0.08"))  # sums to 0.98
    load_scenario(weimar)


def test_a_duplicated_reference_class_case_is_refused(weimar: Path) -> None:
    cases = weimar / "evidence" / "cases.csv"
    lines = cases.read_text().splitlines()
    cases.write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(ScenarioError, match=r"cases\.csv: case .*: expected each case once, found a second row"):
        load_scenario(weimar)


def test_claim_files_ending_in_upper_case_toml_are_read(weimar: Path) -> None:
    before = len(load_scenario(weimar).claims)
    claims = weimar / "claims"
    (claims / "thread.toml").rename(claims / "thread.TOML")
    assert len(load_scenario(weimar).claims) == before


def test_an_empty_source_is_named_as_empty(weimar: Path) -> None:
    (weimar / "sources" / "forum.txt").write_text("  \n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(weimar)
    assert info.value.problems == [
        f"{weimar / 'scenario.toml'}: source \"fixture-thread\": key 'file': expected a source with text in "
        '"sources/forum.txt", found an empty file'
    ]


def test_a_year_far_from_the_others_is_warned_about(weimar: Path) -> None:
    pods = weimar / "pods.toml"
    pods.write_text(pods.read_text().replace("year = 1929", "year = 192"))
    code, out, _ = invoke("validate", str(weimar))
    assert code == 0
    assert "divergence point no-depression-1929 is dated 192, 1738 years from the nearest other" in out
    code, _, err = invoke("pods", "--scenario", str(WEIMAR))
    assert "is the year a typo" not in err


def test_fifo_and_device_inside_a_scenario_are_refused(weimar: Path) -> None:
    (weimar / "pods.toml").unlink()
    os.mkfifo(weimar / "pods.toml")
    assert stat.S_ISFIFO((weimar / "pods.toml").stat().st_mode)
    code, _, err = invoke("validate", str(weimar))
    assert code == 1 and "a special file (a pipe, socket or device)" in err


def test_sampler_text_without_any_message_survives_the_round_trip(tmp_path: Path) -> None:
    """Found by the cached-fit test: a fit with no divergence holds only None in nutpie's messages, which NetCDF
    stores as floats; the fit stores them as text, so the saved fit reads back as written."""
    from cfprob.fitting.inference import _text_as_str

    tree = fake_fit(load_scenario(WEIMAR))
    stats = tree["sample_stats"].to_dataset()
    stats["divergence_message"] = (("chain", "draw"), np.full(stats["diverging"].shape, None, dtype=object))
    tree["sample_stats"] = xr.DataTree(_text_as_str(stats))
    save_tree(tree, tmp_path / "r.nc")
    assert tree_checksum(load_tree(tmp_path / "r.nc")) == tree_checksum(tree)
    raw = tree.copy()
    raw["sample_stats"] = xr.DataTree(stats)  # without the conversion the round trip changes the content
    raw.to_netcdf(tmp_path / "raw.nc", engine="h5netcdf")
    with xr.open_datatree(tmp_path / "raw.nc", engine="h5netcdf") as reread:
        assert tree_checksum(reread.load()) != tree_checksum(raw)


def test_cache_commands_handle_anything_found_in_the_cache(isolated_cache: Path) -> None:
    """A folder, a dangling link and a pipe where fits, answers files and weights go: listed as no fit,
    cleared without an internal error."""
    import os

    fits = isolated_cache / "fits"
    (fits / "folder.nc").mkdir(parents=True)
    (fits / "x.answers.npz").mkdir()
    (fits / "link.nc").symlink_to(isolated_cache / "nowhere")
    os.mkfifo(fits / "pipe.nc")
    (isolated_cache / "leave-one-out" / "sub").mkdir(parents=True)
    code, out, err = invoke("cache", "list")
    assert code == 0 and "0 cached fits." in out, err
    code, out, err = invoke("cache", "clear")
    assert code == 0 and "Removed 0 cached fits." in out, err
    assert list(fits.iterdir()) == [] and list((isolated_cache / "leave-one-out").iterdir()) == []
