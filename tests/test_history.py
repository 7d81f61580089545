"""Real history from data (cfprob.history): errors first, then regime-years, hazards and the curve by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cfprob.errors import ScenarioError
from cfprob.history.hazard import HazardFit, HazardSpec, fit_hazards, outcome_probabilities
from cfprob.history.prior import history_prior
from cfprob.history.regimes import Regime, case_at_hand, reference_regimes, regime_years
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR


def _copy_with_cases(tmp_path: Path, cases: str) -> Path:
    import shutil

    folder = tmp_path / "weimar"
    shutil.copytree(WEIMAR, folder)
    (folder / "evidence" / "cases.csv").write_text(cases + "Republic F,core,war,1918,1923\n")
    return folder


# -- errors first --------------------------------------------------------------------------------
def test_a_case_ending_after_the_censor_year_is_one_error(tmp_path: Path) -> None:
    folder = _copy_with_cases(tmp_path, "case,group,ending,start,end\nRepublic A,core,coup,1900,1950\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    assert str(caught.value).count("\n") == 0
    assert 'case "Republic A": expected an end year in end from 1900 to the censor year 1945, or empty' in str(
        caught.value
    )


def test_a_first_year_that_is_not_a_year_is_one_error(tmp_path: Path) -> None:
    folder = _copy_with_cases(tmp_path, "case,group,ending,start,end\nRepublic A,core,lasted,soon,\n")
    with pytest.raises(ScenarioError, match='case "Republic A": expected a first year in start'):
        load_scenario(folder)


def test_missing_year_columns_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "weimar"
    _copy_with_cases(tmp_path, "")
    (folder / "evidence" / "cases.csv").write_text("case,group,ending\nRepublic A,core,lasted\nRepublic F,core,war\n")
    with pytest.raises(ScenarioError, match="expected a CSV with the columns case, ending, start, end, group"):
        load_scenario(folder)


# -- regimes year by year --------------------------------------------------------------------------
def test_regime_years_by_hand() -> None:
    rows = regime_years([Regime("a", 1950, 1952, 1), Regime("b", 1951, 1952, None)])
    assert rows.regime.tolist() == [0, 0, 0, 1, 1]
    assert rows.year.tolist() == [1950, 1951, 1952, 1951, 1952]
    assert rows.age.tolist() == [0, 1, 2, 0, 1]
    assert rows.event.tolist() == [-1, -1, 1, -1, -1]


def test_the_scenarios_regimes() -> None:
    scenario = load_scenario(WEIMAR)
    regimes = reference_regimes(scenario)
    assert [r.name for r in regimes] == [f"Republic {c}" for c in "ABCDE"]  # F left out, G not in the group
    assert regimes[0] == Regime("Republic A", 1900, 1945, None)  # still there at the censor year
    assert regimes[2] == Regime("Republic C", 1910, 1926, 1)  # a coup: dictatorship
    assert case_at_hand(scenario) == Regime("real history", 1929, 1933, 1)


# -- the hazards and the curve by hand ---------------------------------------------------------------
def _constant(hazards: list[float], horizon: int = 1960) -> tuple[HazardFit, np.ndarray]:
    """A one-regime fit whose only non-zero parameters are the base log odds: constant hazards."""
    spec = HazardSpec(len(hazards), 1, 1950, (horizon - 1950) // 5 + 1)
    survive = 1.0 - sum(hazards)
    theta = np.zeros(spec.size)
    theta[spec.offsets()["base"]] = np.log(np.asarray(hazards) / survive)
    fit = HazardFit(spec, theta, np.eye(spec.size), (Regime("x", 1950, 1950, None),), 0)
    return fit, theta[None, :]


def test_constant_hazards_give_the_textbook_cumulative_incidence() -> None:
    """With hazards h_k each year, alive at t and horizon H (n = H - t + 1 years to go): ending in k by H is
    h_k / h * (1 - (1 - h)^n); still there after H is (1 - h)^n, which counts for the survival outcome."""
    h = [0.02, 0.05, 0.01]
    fit, parameters = _constant(h)
    p = outcome_probabilities(fit, parameters, 0, 1950, np.array([1950.0, 1955.0, 1960.0]), 1960, survival=2)
    total = sum(h)
    for row, n in zip(p[0], (11, 6, 1), strict=True):
        alive = (1 - total) ** n
        expected = [hk / total * (1 - alive) for hk in h]
        expected[2] += alive
        np.testing.assert_allclose(row, expected, rtol=1e-12)
        assert row.sum() == pytest.approx(1.0)


def test_the_fit_recovers_a_known_hazard() -> None:
    """200 regimes, each year ending in outcome 0 with probability 0.02 and in 1 with 0.05: the mode's base
    rates come back within a few standard errors, and the gradient of the log posterior is zero there."""
    rng = np.random.default_rng(3)
    regimes = []
    for i in range(200):
        start = int(rng.integers(1900, 1950))
        last, ended = 2000, None
        for year in range(start, 2001):
            u = rng.random()
            if u < 0.07:
                last, ended = year, int(u >= 0.02)
                break
        regimes.append(Regime(f"r{i}", start, last, ended))
    fit = fit_hazards(regimes, 2, 2000)
    draws = fit.draws(2000, seed=1)
    p = outcome_probabilities(fit, draws, 0, 1950, np.array([2000.0]), 2000, survival=1)
    # one year to go: the probabilities are the hazards themselves (outcome 1 also holds survival)
    hazard_0 = p[:, 0, 0]
    assert abs(hazard_0.mean() - 0.02) < 3 * hazard_0.std() + 0.005
    assert fit.iterations < 50


def test_the_bundled_curve_comes_from_data() -> None:
    """The bundled scenario's curve before claims: every knot's probabilities sum to 1, the interval is wide
    (25 real regimes), and dropping the reference class moves it (the data reach the answer)."""
    from dataclasses import replace

    scenario = load_scenario(bundled_scenario())
    knots = np.array([1917.0, 1965.0, 1991.0])
    prior = history_prior(scenario, knots)
    np.testing.assert_allclose(prior.probabilities.sum(axis=-1), 1.0)
    at_1965 = prior.probabilities[:, 1]
    low, high = np.quantile(at_1965[:, 1], [0.05, 0.95])
    assert high - low > 0.3
    alone = replace(scenario, evidence=replace(scenario.evidence, reference_class=None))
    without = history_prior(alone, knots).probabilities[:, 1].mean(axis=0)
    assert np.abs(without - at_1965.mean(axis=0)).max() > 0.05


def test_every_outcome_mapping_of_the_bundled_scenario_is_used() -> None:
    """Each end type the bundled scenario maps to an outcome names at least one regime of its reference class,
    and each outcome some regime ends in or survives as (no mapping is dead, no outcome unreachable)."""
    import csv
    import io
    import tomllib

    folder = bundled_scenario()
    spec = tomllib.loads((folder / "scenario.toml").read_text())["evidence"]["reference_class"]
    rows = list(csv.DictReader(io.StringIO((folder / spec["file"]).read_text())))
    kept = [
        r
        for r in rows
        if all(r[c] in allowed for c, allowed in spec["include"].items())
        and r[spec["case_column"]] not in spec["exclude_cases"]
    ]
    used = {r[spec["outcome_column"]] for r in kept}
    assert set(spec["outcome_map"]) == used
    scenario = load_scenario(folder)
    ended = {scenario.outcome_ids[r.outcome] for r in reference_regimes(scenario) if r.outcome is not None}
    assert ended | {scenario.evidence.survival_outcome} == set(scenario.outcome_ids)
