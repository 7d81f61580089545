"""The leader features' prior from data (cfprob.history.leaders): errors first, then the estimate by hand."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from cfprob.errors import ScenarioError
from cfprob.fitting.design import design
from cfprob.fitting.priors import Priors, feature_sd
from cfprob.history.leaders import feature_scales, leader_effect
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR

CASES = """case,group,ending,start,end,code
Republic A,core,lasted,1900,,1
Republic B,core,lasted,1905,,2
Republic C,core,coup,1910,1926,3
Republic D,core,coup,1912,1929,4
Republic E,core,coup,1919,1936,5
Republic F,core,war,1918,1923,6
Republic G,other,war,1915,1920,7
"""
LEADERS = """country,name,left,how,detail
3,Leader of C,1920-05-01,Natural Death,
4,Leader of D,1915-01-01,Irregular,Assassination by Unsupported Individual
4,Another of D,1925-01-01,Regular,Regular
9,Leader elsewhere,1920-01-01,Natural Death,
"""
TABLE = """
[evidence.leaders]
file = "evidence/leaders.csv"
country_column = "country"
leader_column = "name"
end_column = "left"
exit_columns = ["how", "detail"]
unscheduled = ["Natural Death", "Assassination by Unsupported Individual"]
case_country = "99"
window = 10
features = ["elite_restraint"]
rule = "Test rule: a leader who died or was killed in office."
"""


def _weimar_with_leaders(tmp_path: Path, table: str = TABLE, leaders: str = LEADERS, country: bool = True) -> Path:
    folder = tmp_path / "weimar"
    shutil.copytree(WEIMAR, folder)
    (folder / "evidence" / "cases.csv").write_text(CASES)
    (folder / "evidence" / "leaders.csv").write_text(leaders)
    text = (folder / "scenario.toml").read_text()
    if country:
        text = text.replace('end_column = "end"\n', 'end_column = "end"\ncountry_column = "code"\n', 1)
    marker = "[evidence.reference_class.outcome_map]"
    (folder / "scenario.toml").write_text(text.replace(marker, table.strip() + "\n\n" + marker, 1))
    return folder


def _one_error(folder: Path) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    message = str(caught.value)
    assert message.count("\n") == 0, message
    return message


# -- errors first --------------------------------------------------------------------------------
def test_leaders_need_the_reference_class_countries(tmp_path: Path) -> None:
    message = _one_error(_weimar_with_leaders(tmp_path, country=False))
    assert "evidence.leaders: expected a reference class with a country_column" in message
    assert "found no country_column" in message


def test_an_unknown_feature_is_named_with_a_suggestion(tmp_path: Path) -> None:
    table = TABLE.replace('features = ["elite_restraint"]', 'features = ["elite_restrant"]')
    message = _one_error(_weimar_with_leaders(tmp_path, table))
    assert "evidence.leaders: key 'features': expected a declared feature id, found \"elite_restrant\"" in message
    assert "elite_restraint" in message.split("found")[1]


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    message = _one_error(_weimar_with_leaders(tmp_path, leaders=LEADERS.replace("detail", "details")))
    assert "leaders.csv: expected a CSV with the columns country, name, left, how, detail" in message
    assert 'found no column "detail"' in message


def test_an_unscheduled_exit_without_a_year_is_one_error(tmp_path: Path) -> None:
    message = _one_error(_weimar_with_leaders(tmp_path, leaders=LEADERS.replace("1920-05-01", "unknown")))
    expected = "expected a date beginning with its year in left (an unscheduled exit has an end)"
    assert f'leaders.csv: row 2: {expected}, found "unknown"' in message


def test_empty_lists_are_refused(tmp_path: Path) -> None:
    message = _one_error(
        _weimar_with_leaders(tmp_path, TABLE.replace('features = ["elite_restraint"]', "features = []"))
    )
    assert "evidence.leaders: key 'features': expected a non-empty list of strings, found []" in message


# -- the estimate by hand ------------------------------------------------------------------------
def test_the_changes_read_are_the_unscheduled_ones_in_the_classes_countries(tmp_path: Path) -> None:
    scenario = load_scenario(_weimar_with_leaders(tmp_path))
    leaders = scenario.evidence.leaders
    assert leaders is not None
    assert [(c.country, c.year, c.leader) for c in leaders.changes] == [
        ("3", 1920, "Leader of C"),
        ("4", 1915, "Leader of D"),
    ]  # D's regular exit and the change outside the class are not read
    assert scenario.evidence.reference_class is not None
    assert scenario.evidence.reference_class.countries == ("1", "2", "3", "4", "5")


def test_the_effect_by_hand(tmp_path: Path) -> None:
    scenario = load_scenario(_weimar_with_leaders(tmp_path))
    effect = leader_effect(scenario)
    assert effect is not None
    start = scenario.timeline[0]
    # C's change (1920): C ended in a coup in 1926, within ten years. Its controls are the regimes alive in 1920
    # with no change in the ten years before: A, B and E (which outlive 1930), and real history when it was
    # alive then (it ends in 1933); D, which fell to a coup in 1929, is left out (its leader was killed in 1915).
    # D's change (1915): D lasted past 1925 (survives). Controls alive in 1915: A, B, C (which ends in 1926),
    # and real history when alive; E starts in 1919. Every control survives its window.
    assert [c[1:] for c in effect.changes] == [(1920, "Leader of C"), (1915, "Leader of D")]
    assert start > 1920 or start <= 1915, "the test assumes real history is alive in both years or neither"
    survives, dictatorship, civil_war = (
        scenario.outcome_ids.index(o) for o in ("survives", "dictatorship", "civil_war")
    )
    treated = np.zeros(3)
    treated[dictatorship] += 1
    treated[survives] += 1
    control = np.zeros(3)
    control[survives] = 2.0  # each change's controls all survive: a share of 1 each
    assert effect.treated == pytest.approx(treated / 2)
    assert effect.control == pytest.approx(control / 2)
    t, c = treated + 0.5, control + 0.5
    expected = [math.log(t[k] / t[survives]) - math.log(c[k] / c[survives]) for k in (dictatorship, civil_war)]
    assert effect.logit_outcomes == (dictatorship, civil_war)
    assert effect.logit_effect == pytest.approx(expected)
    # two regimes resampled: either change may be drawn twice, so the effect varies
    assert np.all(effect.logit_se > 0)
    assert effect.scale == pytest.approx(math.sqrt(np.mean(np.asarray(expected) ** 2 + effect.logit_se**2)))


def test_only_the_named_features_get_the_datas_scale(tmp_path: Path) -> None:
    scenario = load_scenario(_weimar_with_leaders(tmp_path))
    scales = feature_scales(scenario, 0.7)
    named = scenario.feature_ids.index("elite_restraint")
    assert scales.from_data == tuple(i == named for i in range(len(scenario.feature_ids)))
    assert scales.leaders is not None
    assert scales.sd[named] == pytest.approx(scales.leaders.scale)
    assert all(sd == 0.7 for i, sd in enumerate(scales.sd) if i != named)
    data = design(scenario)
    assert np.isnan(data.feature_sd_data).tolist() == [i != named for i in range(len(scenario.feature_ids))]
    both = feature_sd(data.feature_sd_data, Priors(beta_sd=0.7))
    assert both[named] == pytest.approx(scales.leaders.scale)
    assert np.delete(both, named) == pytest.approx(0.7)


def test_without_leader_evidence_every_feature_is_a_judgement() -> None:
    scenario = load_scenario(WEIMAR)
    assert leader_effect(scenario) is None
    assert feature_scales(scenario, 1.0).sd == (1.0,) * len(scenario.feature_ids)


def test_the_bundled_leader_feature_rests_on_real_changes() -> None:
    scenario = load_scenario(bundled_scenario())
    effect = leader_effect(scenario)
    assert effect is not None
    leaders = {c[2] for c in effect.changes}
    assert {"Stalin", "Brezhnev", "Tito", "Mao Tse-Tung"} <= leaders
    assert len(effect.changes) >= 20 and effect.regimes >= 10
    scales = feature_scales(scenario, Priors().beta_sd)
    assert scales.from_data == tuple(f == "reform_leader" for f in scenario.feature_ids)
    # the data give a scale of the same order as the judgement they replace, not a degenerate one
    assert 0.3 < scales.sd[scenario.feature_ids.index("reform_leader")] < 3.0
