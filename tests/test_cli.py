"""The command line on fake fits: exit codes, tables, JSON, saved files, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr

from cfprob.fitting.provenance import SamplerSettings
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

from .fakes import install_fake_fit, invoke


@pytest.fixture
def ussr_fit() -> None:
    install_fake_fit(load_scenario(bundled_scenario()))


@pytest.fixture
def weimar_fit(weimar: Path) -> Path:
    install_fake_fit(load_scenario(weimar))
    return weimar


# -- errors and usage ----------------------------------------------------------------------------
def test_run_without_pod_is_usage_error() -> None:
    code, _, err = invoke("run")
    assert code == 2
    assert "give a divergence point (see `cfprob pods`) or --year" in err


def test_run_unknown_pod_suggests() -> None:
    code, out, err = invoke("run", "kosygin-1964")
    assert code == 1
    assert out == ""
    assert (
        err.strip()
        == 'cfprob: error: divergence point "kosygin-1964": not in this scenario (did you mean "kosygin-1965"?)'
    )


def test_bad_feature_syntax() -> None:
    code, _, err = invoke("run", "--feature", "reform_leader")
    assert code == 2 and "expected NAME=VALUE" in err


def test_missing_scenario_folder(tmp_path: Path) -> None:
    code, _, err = invoke("pods", "--scenario", str(tmp_path / "none"))
    assert code == 1
    assert "expected a scenario folder, found nothing" in err
    assert "Traceback" not in err


def test_bad_sampler_setting() -> None:
    code, _, err = invoke("run", "kosygin-1965", "--draws", "0")
    assert code == 2 and "--draws" in err and "0 is not in the range 10<=x<=1000000" in err


def test_output_must_be_netcdf(tmp_path: Path) -> None:
    code, _, err = invoke("run", "kosygin-1965", "--output", str(tmp_path / "x.csv"))
    assert code == 2 and "ending in .nc" in err


def test_problems_found_before_any_fitting(tmp_path: Path) -> None:
    (tmp_path / "folder.nc").mkdir()
    for args, message in [
        (["run", "--year", "1965", "--feature", "reform_leadr=1"], 'feature "reform_leader"'),
        (["run", "--year", "1965", "--feature", "reform_leader=3"], "expected a number in [0, 1], found 3"),
        (["run", "--year", "1900"], "year 1900: expected a year of the timeline, 1917 to 1991"),
        (["run", "kosygin-1965", "--year", "1965"], "not both"),
        (["run", "otl", "kosygin-1965"], "cannot be stacked"),
        (["run", "kosygin-1965", "--output", str(tmp_path / "missing" / "x.nc")], "expected an existing folder"),
        (["run", "kosygin-1965", "--output", str(tmp_path / "folder.nc"), "--force"], "found a folder"),
    ]:
        code, _, err = invoke(*args)
        assert code == 1, args
        assert message in err or 'did you mean "reform_leader"' in err, err
        assert "sampling" not in err and len(err.strip().splitlines()) == 1


def test_unknown_author_and_pod_filters() -> None:
    code, _, err = invoke("claims", "--author", "Phalamos")
    assert code == 1 and 'did you mean "Phalamus"' in err
    code, _, err = invoke("claims", "--pod", "beria")
    assert code == 1 and "not in this scenario" in err


# -- listing -------------------------------------------------------------------------------------
def test_pods_lists_every_pod() -> None:
    code, out, _ = invoke("pods")
    assert code == 0
    scenario = load_scenario(bundled_scenario())
    for pod in scenario.pod_ids:
        assert pod in out


def test_claims_by_alias_show_numbers_of_phrases() -> None:
    code, out, _ = invoke("claims", "--author", "Joao97")
    assert code == 0
    assert "Phalamus" in out and "quote:" in out
    assert "% (90%:" in out  # verbal phrases are echoed as numbers


def test_claims_json() -> None:
    code, out, _ = invoke("claims", "--pod", "kosygin-1965", "--json")
    assert code == 0
    claims = json.loads(out)["claims"]
    assert claims and all("kosygin-1965" in c["pods"] for c in claims)


def test_validate_bundled() -> None:
    code, out, _ = invoke("validate")
    assert code == 0 and "valid." in out


def test_lexicon_table() -> None:
    code, out, _ = invoke("lexicon")
    assert code == 0
    assert "Almost No Chance" in out and "no way in hell" in out


# -- answers from a (fake) cached fit -------------------------------------------------------------
def test_run_prints_table_and_diagnostics(ussr_fit: None) -> None:
    code, out, _ = invoke("run", "kosygin-1965")
    assert code == 0
    for text in (
        "Stable democracy",  # the scenario's labels
        "Collapse",
        "Authoritarian",
        "90% interval",
        "change from real",  # the header wraps between words: "change from real / history in 1965"
        "history in 1965",
        "chance it raises",
        "Semantics: interventional",
        "4 chains x 1000 draws",
        "no problems found",
        "Simulated histories",
    ):
        assert text in out


def test_run_json_is_reproducible(ussr_fit: None) -> None:
    first = invoke("run", "kosygin-1965", "--json")[1]
    second = invoke("run", "kosygin-1965", "--json")[1]
    assert first == second
    payload = json.loads(first)
    outcomes = payload["answer"]["outcomes"]
    assert sum(o["mean"] for o in outcomes.values()) == pytest.approx(1.0)
    provenance = payload["provenance"]
    assert provenance["scenario_id"] == "ussr" and provenance["seed"] == SamplerSettings().seed
    assert len(provenance["scenario_hash"]) == 64
    assert "created" not in provenance


def test_run_stack_is_labelled_extrapolation(ussr_fit: None) -> None:
    code, out, _ = invoke("run", "bukharin-1928", "no-ww2-1939")
    assert code == 0 and "extrapolation" in out
    code, out, _ = invoke("run", "--year", "1965", "--feature", "reform_leader=1", "--json")
    assert code == 0 and json.loads(out)["answer"]["extrapolation"] is True


def test_a_stack_lists_the_claims_said_of_it_and_the_chain(ussr_fit: None) -> None:
    """Phalamus's floor is said of Kosygin with the Prague Spring spared: `run` of that stack lists it, with the
    chain of steps to it (the Prague Spring after Kosygin); `run` of Kosygin alone does not list it but says
    which stack it speaks of."""
    code, out, err = invoke("run", "kosygin-1965", "prague-spring-1968")
    assert code == 0, err
    assert "P(stable_democracy | given prague-spring-1968): at least" in out
    assert "The chain of steps: kosygin-1965 (no claim) -> prague-spring-1968 (after it, " in out
    code, out, _ = invoke("run", "kosygin-1965")
    assert "given prague-spring-1968" not in out
    assert "Said of it under a condition (stacked): cfprob run kosygin-1965 prague-spring-1968" in out
    code, out, _ = invoke("run", "kosygin-1965", "prague-spring-1968", "--json")
    payload = json.loads(out)["answer"]
    assert [step["pod"] for step in payload["chain"]] == ["kosygin-1965", "prague-spring-1968"]
    assert payload["chain"][1]["after"] == "kosygin-1965" and payload["chain_plausibility"] is None


def test_run_year_and_given_history(ussr_fit: None) -> None:
    """A null divergence is real history at its year (rung 2) and the observed outcome for sure (rung 3)."""
    code, out, _ = invoke("run", "--year", "1991", "--given-history", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["answer"]["outcomes"]["collapse"]["mean"] == 1.0
    assert payload["answer"]["semantics"].startswith("counterfactual given what happened (Pearl rung 3)")
    assert payload["interventional"]["semantics"].startswith("interventional (Pearl rung 2)")
    assert payload["interventional"]["outcomes"]["collapse"]["change_vs_otl"]["mean"] == 0.0
    code, out, _ = invoke("run", "kosygin-1965", "--given-history")
    assert code == 0 and "change from real" in out and "history in 1965" in out and "Given what happened" in out
    # the rung-3 answer adds its table and semantics; the question, claims and diagnostics are shown once
    assert out.count("Question:") == out.count("Sampler:") == out.count("Where the number comes from") == 1
    rows = [line for line in out.splitlines() if line.startswith("Stable democracy ")]
    assert len(rows) == 2 and out.index("Semantics: interventional") < out.index("rung 3)")


def test_run_output_is_saved_and_not_overwritten(ussr_fit: None, tmp_path: Path) -> None:
    target = tmp_path / "kosygin.nc"
    code, _, _ = invoke("run", "kosygin-1965", "--output", str(target))
    assert code == 0
    with xr.open_datatree(target, engine="h5netcdf") as saved:
        assert saved.attrs["pod"] == "kosygin-1965" and saved.attrs["one_answer"] == "otl,kosygin-1965"
        assert "answer" in saved.children and "posterior" in saved.children
    before = target.read_bytes()
    code, _, err = invoke("run", "kosygin-1965", "--output", str(target))
    assert code == 1 and "use --force" in err
    assert target.read_bytes() == before
    code, _, _ = invoke("run", "kosygin-1965", "--output", str(target), "--force")
    assert code == 0


def test_compare_ranks_all(ussr_fit: None) -> None:
    code, out, _ = invoke("compare")
    assert code == 0
    scenario = load_scenario(bundled_scenario())
    starts = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert set(scenario.pod_ids) <= starts  # each divergence point opens its row
    assert "otl (real history, 1917)" in out  # real history's row says what and when it is
    assert max(len(line) for line in out.splitlines()) <= 100
    code, out, _ = invoke("compare", "--by", "collapse", "--json")
    ranked = [a["outcomes"]["collapse"]["mean"] for a in json.loads(out)["answers"]]
    assert ranked == sorted(ranked, reverse=True)


def test_second_scenario_runs(weimar_fit: Path) -> None:
    code, out, _ = invoke("run", "no-depression-1929", "--scenario", str(weimar_fit))
    assert code == 0
    assert "survives" in out and "dictatorship" in out and "scenario weimar" in out


@pytest.mark.parametrize(
    "kind,suffix", [("forest", ".png"), ("posterior", ".svg"), ("trace", ".png"), ("rank", ".png"), ("ppc", ".png")]
)
def test_plot_writes_file(ussr_fit: None, tmp_path: Path, kind: str, suffix: str) -> None:
    target = tmp_path / f"plot{suffix}"
    code, _out, err = invoke("plot", "kosygin-1965", "--kind", kind, "--out", str(target))
    assert code == 0, err
    assert target.stat().st_size > 1000
    code, _, err = invoke("plot", "kosygin-1965", "--kind", kind, "--out", str(target))
    assert code == 1 and "use --force" in err


def test_plot_rejects_unknown_format(tmp_path: Path) -> None:
    code, _, err = invoke("plot", "kosygin-1965", "--out", str(tmp_path / "x.jpg"))
    assert code == 2 and "ending in .png or .svg" in err
    code, _, err = invoke("plot", "kosygin-1965", "--out", str(tmp_path))
    assert code == 2  # a folder has no .png suffix either


def test_damaged_cache_entry_is_refitted_not_used(ussr_fit: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from cfprob.outputs import store

    scenario = load_scenario(bundled_scenario())
    path = store.cache_path(scenario, SamplerSettings())
    path.write_bytes(b"not a netcdf file")
    store.answers_path(path).write_bytes(b"not an answers file either")
    called = []

    def fake_fit(*args: object, **kwargs: object) -> object:
        called.append(True)
        from .fakes import fake_fit as make

        return make(scenario, SamplerSettings())

    monkeypatch.setattr("cfprob.fitting.inference.fit", fake_fit)
    code, _, err = invoke("run", "kosygin-1965")
    assert code == 0
    assert called and "cached fit unusable" in err


def test_listing_commands_import_no_pymc_or_arviz() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom cfprob.cli import cli\n"
        "for args in (['--help'], ['pods'], ['claims'], ['claims', '--feedback', 'Phalamus', '--bbcode'],\n"
        "             ['validate'], ['lexicon']):\n"
        "    assert CliRunner().invoke(cli, args).exit_code == 0, args\n"
        "heavy = [m for m in ('pymc', 'pytensor', 'arviz', 'arviz_base', 'xarray', 'nutpie', 'numba')\n"
        "         if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_cache_list_and_clear(ussr_fit: None, isolated_cache: Path) -> None:
    record = isolated_cache / "compiled" / "model.json"
    record.parent.mkdir()
    record.write_text("{}")
    code, out, _ = invoke("cache", "list")
    assert code == 0 and "1 cached fit." in out and "Compiled model code:" in out
    code, out, _ = invoke("cache", "clear")
    assert code == 0 and "Removed 1 cached fits." in out and record.exists()
    code, out, _ = invoke("cache", "clear", "--compiled")
    assert code == 0 and "Removed 0 cached fits." in out and "files of compiled model code" in out
    assert not record.exists()
    assert invoke("cache", "list")[1].startswith("0 cached fits.")


def test_cache_hit_imports_no_sampler_nor_xarray(ussr_fit: None) -> None:
    """A cached answer is read from the fit's answers file with numpy alone."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom cfprob.cli import cli\n"
        "for args in (['run', 'kosygin-1965'], ['compare'], ['run', 'kosygin-1965', 'beria-1953', '--json'],\n"
        "             ['curve', 'collapse']):\n"
        "    result = CliRunner().invoke(cli, args)\n"
        "    assert result.exit_code == 0 and 'sampling' not in result.stderr, (args, result.output)\n"
        "heavy = ('pymc', 'pytensor', 'nutpie', 'numba', 'xarray', 'pandas', 'h5py', 'h5netcdf', 'arviz_stats')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_run_from_an_end_of_the_worldview(ussr_fit: None) -> None:
    code, out, err = invoke("run", "kosygin-1965", "--worldview", "high")
    assert code == 0, err
    assert "Seen from the high end of the claimants' worldview (a claimant at its 90th percentile)" in out
    code, out, _ = invoke("run", "kosygin-1965", "--worldview", "low", "--json")
    assert json.loads(out)["answer"]["worldview"] == {"end": "low", "position": -1.2816}
    code, _, err = invoke("run", "kosygin-1965", "--worldview", "middle")
    assert code == 2
    assert "'middle' is not one of 'low', 'high'" in err


def test_run_shows_how_plausible_the_divergence_itself_is(weimar_fit: Path) -> None:
    code, out, err = invoke("run", "grand-coalition-1930", "--scenario", str(weimar_fit))
    assert code == 0, err
    text = " ".join(out.split())  # prose is wrapped at 100 columns
    assert "Could the divergence itself have happened?" in text
    assert "(not part of the outcome probabilities above)" in text


def test_validate_json_reports_counts_or_every_problem(weimar) -> None:
    import json

    from .fakes import invoke

    code, out, _ = invoke("validate", str(weimar), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["valid"] is True
    assert payload["claims"] == 14 and payload["outcomes"] == ["survives", "dictatorship", "civil_war"]
    (weimar / "claims" / "thread.toml").write_text(
        (weimar / "claims" / "thread.toml").read_text().replace('kind = "poll"', 'kind = "pol"')
    )
    code, out, _ = invoke("validate", str(weimar), "--json")
    payload = json.loads(out)
    assert code == 1 and payload["valid"] is False
    assert len(payload["problems"]) == 1 and "did you mean" in payload["problems"][0]


def test_run_fits_in_100_columns_or_in_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not printing to a terminal, `run` fits 100 columns; with $COLUMNS (a narrow terminal, a pager) it fits
    those, the stack and its chain included."""
    from cfprob.paths import bundled_scenario
    from cfprob.reading.loader import load_scenario

    from .fakes import install_fake_fit, invoke

    install_fake_fit(load_scenario(bundled_scenario()))
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, _ = invoke("run", "kosygin-1965")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    assert max(len(line) for line in out.splitlines()) > 80  # the check below can fail
    assert "Semantics: interventional" in out
    monkeypatch.setenv("COLUMNS", "80")
    for question in (("kosygin-1965",), ("kosygin-1965", "prague-spring-1968")):
        code, out, _ = invoke("run", *question)
        assert code == 0 and "Semantics: interventional" in out
        assert max(len(line) for line in out.splitlines()) <= 80, question


def test_global_options_work_before_and_after_the_command(weimar, monkeypatch) -> None:
    """--scenario before the command or in $CFPROB_SCENARIO, --debug after it."""
    from .fakes import invoke

    code, out, _ = invoke("--scenario", str(weimar), "validate")
    assert code == 0 and out.startswith(f"{weimar}: valid.")
    monkeypatch.setenv("CFPROB_SCENARIO", str(weimar))
    code, out, _ = invoke("pods")
    assert code == 0 and "hindenburg-refuses-1933" in out
    code, _, err = invoke("pods", "--scenario", str(weimar / "missing"))
    assert code == 1 and err.startswith("cfprob: error:")
    from click.testing import CliRunner

    from cfprob.cli import cli

    result = CliRunner().invoke(cli, ["pods", "--scenario", str(weimar / "missing"), "--debug"])
    assert result.exit_code == 1 and type(result.exception).__name__ == "ScenarioError"  # raised, not one line


def test_lexicon_and_cache_list_print_json() -> None:
    import json

    from .fakes import invoke

    code, out, _ = invoke("lexicon", "--json")
    payload = json.loads(out)
    assert code == 0 and {"phrases", "idioms"} <= set(payload)
    maybe = next(i for i in payload["idioms"] if i["idiom"] == "maybe")
    assert maybe["read_as"] == "May Happen" and "hedging" in maybe["rule"]
    code, out, _ = invoke("cache", "list", "--json")
    payload = json.loads(out)
    assert code == 0 and isinstance(payload["fits"], list) and "files" in payload["compiled"]


def test_every_command_has_an_example_in_its_help() -> None:
    import click

    from cfprob.cli import cli

    from .fakes import invoke

    def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        found = []
        for name, command in group.commands.items():
            found.append((*prefix, name))
            if isinstance(command, click.Group):
                found += commands(command, (*prefix, name))
        return found

    for path in commands(cli):
        code, out, _ = invoke(*path, "--help")
        assert code == 0 and "Example" in out, path
        assert f"cfprob {' '.join(path)}" in out, path


def test_every_answer_names_the_folder_it_read(weimar) -> None:
    from cfprob.reading.loader import load_scenario

    from .fakes import install_fake_fit, invoke

    install_fake_fit(load_scenario(weimar))
    for args in (("run", "no-depression-1929"), ("compare",)):
        code, out, _ = invoke(*args, "--scenario", str(weimar))
        assert code == 0 and "scenario weimar" in out and f" from {weimar}" in " ".join(out.split()), args


def test_feedback_page_shows_each_sentence_and_its_reading() -> None:
    """`claims --feedback` names every statement of the claimant with its reading, its condition and whether it
    is fitted; as BBCode each quote is a [quote] block; wrong use is a one-line error."""
    import json

    from .fakes import invoke

    code, out, err = invoke("claims", "--feedback", "phalamus")
    assert code == 0, err
    assert out.startswith("How your posts were read, Phalamus")
    assert out.count("\n  In the fit: ") == 21
    assert "Condition: said on condition that The Prague Spring is not crushed (prague-spring-1968)" in out
    assert "Condition: the step after" in out and "Kosygin" in out
    assert "In the fit: no: conditional on the republics finding benefits" in out
    code, out, _ = invoke("claims", "--feedback", "Phalamus", "--bbcode")
    assert code == 0 and out.count("[quote]") == 21 and "[b]How your posts were read, Phalamus[/b]" in out
    code, out, _ = invoke("claims", "--feedback", "Phalamus", "--json")
    payload = json.loads(out)
    assert payload["claimant"] == "phalamus" and len(payload["readings"]) == 21
    for args, expected in [
        (("--feedback", "Phalamos"), 'no such claimant (did you mean "Phalamus"?)'),
        (("--feedback", "Phalamus", "--pod", "kosygin-1965"), "--feedback makes a page of its own"),
        (("--bbcode",), "--bbcode is for the --feedback page"),
    ]:
        code, _, err = invoke("claims", *args)
        assert code == 1 and expected in err and len(err.strip().splitlines()) == 1, err


def test_validate_takes_scenario_like_every_command_and_counts_in_words(tmp_path: Path) -> None:
    from .conftest import WEIMAR

    code, out, err = invoke("validate", "--scenario", str(WEIMAR))
    assert code == 0 and "valid." in out, err
    assert invoke("validate", str(WEIMAR), "--scenario", str(tmp_path))[0] == 2  # two folders: bad usage
    from cfprob.cli.listing import _count

    assert _count(1, "divergence point") == "1 divergence point" and _count(2, "claim") == "2 claims"


def test_a_fresh_skeleton_is_valid_but_says_what_is_not_yet_written(tmp_path: Path) -> None:
    """`new` then `validate`: valid (it loads), and the 'Replace:' values are named; a written value is not."""
    assert invoke("new", str(tmp_path / "carthage"))[0] == 0
    code, out, err = invoke("validate", str(tmp_path / "carthage"))
    assert code == 0, err
    assert "1 divergence point besides otl, 1 claim (" in out and "by 1 claimant, 3 outcomes" in out
    written = out.split("Not yet written: ", 1)[1]
    assert written.startswith("15 skeleton values") and "(title, question, outcomes[0].label" in written
    scenario_file = tmp_path / "carthage" / "scenario.toml"
    text = scenario_file.read_text()
    scenario_file.write_text(text.replace('title = "Replace: a short title', 'title = "Carthage wins', 1))
    code, out, _ = invoke("validate", str(tmp_path / "carthage"), "--json")
    unwritten = json.loads(out)["placeholders"]
    assert code == 0 and len(unwritten) == 14 and "title" not in unwritten and "question" in unwritten


@pytest.mark.parametrize(
    "args",
    [
        ("run", "kosygn-1965"),
        ("compare", "kosygn-1965"),
        ("compare", "--by", "colapse"),
        ("curve", "colapse"),
        ("claims", "--pod", "kosygn-1965"),
        ("plot", "kosygn-1965", "--out", "x.png"),
    ],
)
def test_a_name_the_scenario_lacks_is_the_same_error_everywhere(args: tuple[str, ...]) -> None:
    """A misspelt divergence point or outcome exits 1 with one line and a suggestion, whichever command and
    whether it is an argument or an option's value (`compare --by` exited 2)."""
    code, out, err = invoke(*args)
    assert code == 1 and out == "", err
    assert err.startswith("cfprob: error: ") and "not in this scenario (did you mean" in err


def test_help_lists_the_sampler_options_apart() -> None:
    """Seven sampler options, in every command that fits, under their own heading after the command's own."""
    code, out, _ = invoke("run", "--help")
    assert code == 0
    own, sampler = out.split("Sampler options:", 1)
    for option in ("--seed", "--draws", "--tune", "--chains", "--sampler", "--target-accept", "--refit"):
        assert option in sampler and option not in own, option
    assert "--given-history" in own and "--given-history" not in sampler
    assert "Sampler options:" not in invoke("pods", "--help")[1]
