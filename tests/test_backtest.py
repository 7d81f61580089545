"""Leave-one-regime-out backtest (cfprob.answers.backtest) and `cfprob backtest`: errors first, then by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cfprob.answers.backtest import backtest, brier, log_loss
from cfprob.reading.loader import load_scenario

from .fakes import invoke


def test_no_reference_class_is_an_error(weimar: Path) -> None:
    scenario_file = weimar / "scenario.toml"
    text = scenario_file.read_text()
    start = text.index("[evidence.reference_class]")
    scenario_file.write_text(text[:start])
    code, _, err = invoke("backtest", "--scenario", str(weimar))
    assert code == 1
    assert "has no reference class" in err


def test_scores_by_hand() -> None:
    p = np.array([[0.5, 0.25, 0.25], [0.2, 0.2, 0.6]])
    y = np.array([0, 2])
    assert log_loss(p, y) == pytest.approx(-(math.log(0.5) + math.log(0.6)) / 2)
    assert brier(p, y) == pytest.approx(((0.25 + 0.0625 + 0.0625) + (0.04 + 0.04 + 0.16)) / 2)


def test_weimar_backtest_by_hand(weimar: Path) -> None:
    """Horizon 1945: Republics A and B survived (still there at the censor year), C, D and E ended in coups.
    Ages 5, 15, 25 at least 10 years before the horizon and while alive: A and B three forecasts each, C, D
    and E two. Leaving out a survivor, the others' outcomes are (1, 3, 0), add-one smoothed (2, 4, 1) / 7; a
    coup, (2, 2, 0) -> (3, 3, 1) / 7."""
    result = backtest(load_scenario(weimar))
    first = [(f.case, f.age) for f in result.forecasts][:3]
    assert first == [("Republic A", 5), ("Republic A", 15), ("Republic A", 25)]
    assert len(result.forecasts) == 12 and result.regimes == 5
    ll, _ = result.scores["base rate"]
    assert ll == pytest.approx((6 * -math.log(2 / 7) + 6 * -math.log(3 / 7)) / 12)
    assert result.scores["uniform"] == pytest.approx((math.log(3), 2 / 3))
    for f in result.forecasts:
        assert sum(f.model) == pytest.approx(1.0)
        assert f.model[2] > 0.0  # the model never rules out an outcome no regime had
    mean, se = result.differences["uniform"]
    assert math.isfinite(mean) and se > 0


def test_backtest_command_json() -> None:
    code, out, _ = invoke("backtest", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["horizon"] == 2000 and payload["regimes"] == 23  # Cambodia 75-79 lived 4 years
    assert set(payload["scores"]) == {"model", "base rate", "uniform"}
    assert set(payload["model_minus_baseline"]) == {"base rate", "uniform"}
