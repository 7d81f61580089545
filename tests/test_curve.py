"""Inevitability curves: the year effect's design, the curve from fake posteriors, the command and its plot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cfprob.answers.curve import era_marks, inevitability_curve
from cfprob.answers.query import Fit, answer
from cfprob.errors import QueryError
from cfprob.fitting.design import centred_walk, design, interpolation_weights, knot_years
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR
from .fakes import fake_fit, install_fake_fit, invoke, softmax_last


@pytest.fixture(scope="module")
def fit() -> Fit:
    return Fit.from_tree(fake_fit(load_scenario(WEIMAR)))


# -- errors first --------------------------------------------------------------------------------
def test_unknown_outcome(fit: Fit) -> None:
    with pytest.raises(QueryError, match=r'outcome "survive": not in this scenario \(did you mean "survives"\?\)'):
        inevitability_curve(fit, "survive")


def test_cli_unknown_outcome_is_one_line(weimar: Path) -> None:
    install_fake_fit(load_scenario(weimar))
    code, out, err = invoke("curve", "democracy", "--scenario", str(weimar))
    assert code == 1 and out == ""
    assert err.strip() == (
        'cfprob: error: outcome "democracy": not in this scenario (valid: civil_war, dictatorship, survives)'
    )


def test_cli_refuses_unknown_format_and_existing_file(weimar: Path, tmp_path: Path) -> None:
    code, _, err = invoke("curve", "survives", "--scenario", str(weimar), "--out", str(tmp_path / "curve.txt"))
    assert code == 2 and "expected a file name ending in .png or .svg, found '.txt'" in err
    existing = tmp_path / "curve.png"
    existing.write_bytes(b"mine")
    code, _, err = invoke("curve", "survives", "--scenario", str(weimar), "--out", str(existing))
    assert code == 1 and "found an existing file (use --force to replace it)" in err
    assert existing.read_bytes() == b"mine"


# -- the design of the year effect ---------------------------------------------------------------
def test_knots_cover_the_timeline_on_round_years() -> None:
    np.testing.assert_array_equal(knot_years((1917, 1990)), np.arange(1915, 1991, 5))
    np.testing.assert_array_equal(knot_years((1930, 1930)), [1930.0])


def test_interpolation_weights_by_hand() -> None:
    knots = np.array([1925.0, 1930.0, 1935.0])
    weights = interpolation_weights(np.array([1929.0, 1930.0, 1933.0]), knots)
    np.testing.assert_allclose(weights, [[0.2, 0.8, 0.0], [0.0, 1.0, 0.0], [0.0, 0.4, 0.6]])


def test_centred_walk_steps_and_centre() -> None:
    walk = centred_walk(4)
    assert walk.shape == (4, 3)
    np.testing.assert_allclose(walk.sum(axis=0), 0.0, atol=1e-12)  # centred on the mean
    np.testing.assert_allclose(np.diff(walk, axis=0), np.eye(3))  # step m moves knots m+1 onwards by 1
    assert centred_walk(1).shape == (1, 0)


def test_era_contrast_by_hand() -> None:
    """Cleo's 1929-1930 window against 1931-1933 (knots 1925, 1930, 1935): (0.1, 0.9, 0) - (0, 0.6, 0.4)."""
    data = design(load_scenario(WEIMAR))
    np.testing.assert_allclose(data.era.contrast, [[0.1, 0.3, -0.4]])
    assert data.year_weights[0].sum() == 0.0  # real history has no year
    np.testing.assert_allclose(data.year_weights[1:].sum(axis=1), 1.0)


# -- the curve from known draws ------------------------------------------------------------------
def test_curve_at_a_knot_and_between_knots(fit: Fit) -> None:
    curve = inevitability_curve(fit, "survives")
    assert list(curve.years) == [1929, 1930, 1931, 1932, 1933]
    knot = list(fit.knots).index(1930.0)
    at_knot = softmax_last(fit.alpha + fit.year_effect[:, knot])[:, 0]
    assert curve.at(1930)[0] == pytest.approx(at_knot.mean())
    between = 0.4 * fit.year_effect[:, knot] + 0.6 * fit.year_effect[:, knot + 1]  # 1933
    assert curve.at(1933)[0] == pytest.approx(softmax_last(fit.alpha + between)[:, 0].mean())
    low, high = np.quantile(at_knot, [0.05, 0.95])
    assert curve.at(1930)[1:] == pytest.approx((low, high))
    otl = fit.theta[:, 0, 0]
    assert curve.p_above_otl[1] == pytest.approx((at_knot > otl).mean())


def test_marks_are_the_divergence_points_own_posteriors(fit: Fit) -> None:
    curve = inevitability_curve(fit, "dictatorship")
    by_pod = {m.pod: m for m in curve.pods}
    assert set(by_pod) == set(fit.pods) - {"otl"}
    i = fit.pods.index("hindenburg-refuses-1933")
    assert by_pod["hindenburg-refuses-1933"].year == 1933
    assert by_pod["hindenburg-refuses-1933"].mean == pytest.approx(fit.theta[:, i, 1].mean())
    assert curve.otl.mean == pytest.approx(fit.theta[:, 0, 1].mean())


def test_pod_years_are_read_back_from_the_weights(fit: Fit) -> None:
    assert fit.pod_years == (None, 1929, 1930, 1933)


def test_era_marks_name_the_claims() -> None:
    marks = era_marks(load_scenario(WEIMAR), "survives")
    assert [(m.claim, m.author, m.start, m.end, m.compared_with) for m in marks] == [
        ("cleo-early-window", "Cleo", 1929, 1930, "later")
    ]
    assert era_marks(load_scenario(WEIMAR), "civil_war") == ()


def test_a_feature_only_question_takes_the_year_effects_mean(fit: Fit) -> None:
    """No divergence point, no year: alpha + x @ beta + mean f + sigma_u z, z drawn with the same seed."""
    result = answer(fit, features={"economy_spared": 1.0}, seed=5)
    rng = np.random.default_rng(5)
    x = np.array([1.0 if f == "economy_spared" else 0.0 for f in fit.features])
    z = rng.standard_normal(fit.alpha.shape)
    eta = fit.alpha + np.einsum("f,sfk->sk", x, fit.beta) + fit.year_effect.mean(axis=1) + fit.sigma_u[:, None] * z
    assert result.rows[0].mean == pytest.approx(softmax_last(eta)[:, 0].mean())


# -- the command ---------------------------------------------------------------------------------
def test_cli_prints_the_table_and_saves_the_plot(weimar: Path, tmp_path: Path) -> None:
    install_fake_fit(load_scenario(weimar))
    out = tmp_path / "curve.png"
    code, text, err = invoke("curve", "survives", "--scenario", str(weimar), "--step", "2", "--out", str(out))
    assert code == 0, err
    assert "Inevitability curve of P(survives) by the year of divergence, 1929 to 1933" in text
    rows = [line.split()[0] for line in text.splitlines() if line[:4].isdigit() and len(line.split()) >= 4]
    assert rows[:4] == ["1929", "1930", "1932", "1933"]  # both ends and every second year
    assert "cleo-early-window (Cleo): higher in 1929-1930 than later" in text
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_json_has_every_year_and_provenance(weimar: Path) -> None:
    install_fake_fit(load_scenario(weimar))
    code, text, _ = invoke("curve", "civil_war", "--scenario", str(weimar), "--json")
    assert code == 0
    payload = json.loads(text)
    assert [row["year"] for row in payload["curve"]] == [1929, 1930, 1931, 1932, 1933]
    assert all(0 <= row["interval"][0] <= row["mean"] <= row["interval"][1] <= 1 for row in payload["curve"])
    assert payload["provenance"]["scenario_id"] == "weimar"
    assert payload["era_claims"] == []


def test_plot_curve_returns_its_axes(fit: Fit) -> None:
    from cfprob.outputs.plots import figure_bytes, plot_curve

    curve = inevitability_curve(fit, "survives", era_marks(load_scenario(WEIMAR), "survives"))
    ax = plot_curve(curve)
    assert ax.get_ylabel() == "P(survives)"
    assert ax.texts[0].get_text() == "Cleo: higher 1929-1930 than later"
    assert sorted(t.get_text() for t in ax.texts[1:]) == sorted(fit.pods[1:])
    assert figure_bytes(ax)[:4] == b"\x89PNG"
