"""Sampler settings: which sampler runs, the PyMC fallback and what goes into the cache key."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cfprob.cli import cli
from cfprob.errors import CfprobError
from cfprob.fitting import provenance
from cfprob.fitting.provenance import SamplerSettings, fit_key


def test_unknown_sampler_lists_the_valid_ones() -> None:
    with pytest.raises(CfprobError, match=r"--sampler: expected one of auto, nutpie, pymc, found 'stan'"):
        SamplerSettings(sampler="stan")


def test_requested_nutpie_without_nutpie_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance, "nutpie_installed", lambda: False)
    with pytest.raises(CfprobError, match=r"--sampler nutpie: expected the nutpie package.*--sampler pymc"):
        SamplerSettings(sampler="nutpie")
    result = CliRunner().invoke(cli, ["run", "kosygin-1965", "--sampler", "nutpie"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if not line.startswith("cfprob: warning:")]
    assert len(errors) == 1 and "cfprob[fast]" in errors[0]


def test_auto_falls_back_to_pymc_when_nutpie_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance, "nutpie_installed", lambda: False)
    settings = SamplerSettings()
    assert settings.sampler == "pymc" and settings.target_accept == 0.95


def test_auto_prefers_nutpie(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provenance, "nutpie_installed", lambda: True)
    settings = SamplerSettings()
    assert settings.sampler == "nutpie" and settings.target_accept == 0.97
    assert SamplerSettings(target_accept=0.9).target_accept == 0.9
    assert "nutpie" in settings.label


def test_sampler_and_target_accept_are_part_of_the_key() -> None:
    keys = {
        fit_key("h", SamplerSettings(sampler="pymc")),
        fit_key("h", SamplerSettings(sampler="pymc", target_accept=0.9)),
        fit_key("h", SamplerSettings(sampler="nutpie")),
    }
    assert len(keys) == 3


def test_target_accept_out_of_range() -> None:
    with pytest.raises(CfprobError, match=r"target_accept: expected a number in \[0.5, 1\), found 1.0"):
        SamplerSettings(target_accept=1.0)
