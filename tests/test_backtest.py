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
    """Cases: 2 lasted, 3 coups. Leaving out a lasted case leaves (1, 3, 0); a coup leaves (2, 2, 0)."""
    result = backtest(load_scenario(weimar), prior_draws=50_000)
    ll, b = result.scores["base rate"]
    assert ll == pytest.approx((2 * -math.log(1 / 4) + 3 * -math.log(1 / 2)) / 5)
    assert b == pytest.approx((2 * 1.125 + 3 * 0.5) / 5)
    assert result.scores["uniform"] == pytest.approx((math.log(3), 2 / 3))
    for f in result.forecasts:
        assert sum(f.model) == pytest.approx(1.0)
        assert f.model[2] > 0.0  # the model never rules out an outcome no case had
    assert math.isfinite(result.scores["model"][0])


def test_backtest_command_json() -> None:
    code, out, _ = invoke("backtest", "--json")
    assert code == 0
    payload = json.loads(out)
    assert len(payload["forecasts"]) == 24
    assert set(payload["scores"]) == {"model", "base rate", "uniform"}
