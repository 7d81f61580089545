"""Real history's curve: the timeline's design by hand, the curve from fake posteriors, the command and its plot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cfprob.answers.curve import era_marks, inevitability_curve
from cfprob.answers.query import Fit
from cfprob.errors import QueryError
from cfprob.fitting.design import centred_walk, design, interpolation_weights, knot_years, softmax_last
from cfprob.fitting.world import NUMPY, divergence_logits, history_logits
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR
from .fakes import fake_fit, install_fake_fit, invoke


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


# -- the timeline and real history's curve, by hand ------------------------------------------------
def test_knots_are_the_ends_the_observed_year_and_round_years() -> None:
    np.testing.assert_array_equal(knot_years((1917, 1991), 1991), [1917, *range(1920, 1991, 5), 1991])
    np.testing.assert_array_equal(knot_years((1929, 1945), 1933), [1929, 1930, 1933, 1935, 1940, 1945])


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


def test_the_curve_prior_is_the_hazard_models_draws_as_a_normal_over_logits() -> None:
    """At z = 0 the curve is the mean of the hazard model's draws in logits; z = 1 in the first coordinate
    moves the first knot's first logit by the Cholesky factor's corner (its sd)."""
    data = design(load_scenario(WEIMAR))
    matrices = data.matrices
    t, k = matrices.history_mean.shape
    assert (t, k) == (len(data.knots), len(data.outcomes) - 1)
    z = np.zeros((2, t * k))
    z[1, 0] = 1.0
    history = history_logits(z, matrices, NUMPY)
    np.testing.assert_allclose(history[0], matrices.history_mean)
    assert history[1, 0, 0] - history[0, 0, 0] == pytest.approx(matrices.history_chol[0, 0])
    np.testing.assert_allclose(np.triu(matrices.history_chol, 1), 0.0)


def test_a_divergence_that_changes_nothing_is_real_history_at_its_year() -> None:
    history = np.random.default_rng(0).normal(size=(7, 4, 2))
    era = np.random.default_rng(1).normal(size=(7, 4))
    weights = interpolation_weights(np.array([1931.0]), np.array([1929.0, 1930.0, 1933.0, 1935.0]))
    eta = divergence_logits(history, era, weights, np.zeros((7, 1, 2)), NUMPY)
    np.testing.assert_allclose(eta[:, 0], 2 / 3 * history[:, 1] + 1 / 3 * history[:, 2])


def test_era_contrast_by_hand() -> None:
    """Cleo's 1929-1930 window against 1931-1933 (knots 1929, 1930, 1933): mean weights (0.5, 0.5, 0) minus
    the mean of 1931 (0, 2/3, 1/3), 1932 (0, 1/3, 2/3) and 1933 (0, 0, 1): (0, 1/3, 2/3)."""
    data = design(load_scenario(WEIMAR))
    np.testing.assert_allclose(data.era.contrast, [[0.5, 0.5 - 1 / 3, -2 / 3]])
    assert data.year_weights[0, 0] == 1.0  # real history is the curve at the timeline's start
    np.testing.assert_allclose(data.year_weights.sum(axis=1), 1.0)


# -- the curve from known draws ------------------------------------------------------------------
def test_curve_at_a_knot_and_between_knots(fit: Fit) -> None:
    curve = inevitability_curve(fit, "survives")
    assert list(curve.years) == [1929, 1930, 1931, 1932, 1933]
    knot = list(fit.knots).index(1930.0)
    at_knot = softmax_last(fit.history[:, knot])[:, 0]
    assert curve.at(1930)[0] == pytest.approx(at_knot.mean())
    between = 2 / 3 * fit.history[:, knot] + 1 / 3 * fit.history[:, knot + 1]  # 1931
    assert curve.at(1931)[0] == pytest.approx(softmax_last(between)[:, 0].mean())
    low, high = np.quantile(at_knot, [0.05, 0.95])
    assert curve.at(1930)[1:] == pytest.approx((low, high))


def test_the_observed_year_is_not_pinned(fit: Fit) -> None:
    """Model 7: real history at the observed year is what the hazards give, not a pin at 0.95 or more."""
    curve = inevitability_curve(fit, "dictatorship")
    assert curve.observed.year == 1933
    assert curve.at(1933)[1] < 0.95


def test_marks_are_the_divergence_points_own_posteriors(fit: Fit) -> None:
    curve = inevitability_curve(fit, "dictatorship")
    by_pod = {m.pod: m for m in curve.pods}
    assert set(by_pod) == set(fit.pods) - {"otl"}
    i = fit.pods.index("grand-coalition-1930")
    mark = by_pod["grand-coalition-1930"]
    assert mark.year == 1930
    assert mark.mean == pytest.approx(fit.theta[:, i, 1].mean())
    change = fit.theta[:, i, 1] - fit.history_at(1930)[:, 1]
    assert mark.change == pytest.approx(change.mean())
    assert mark.p_raise == pytest.approx((change > 0).mean())


def test_pod_years_are_read_back_from_the_weights(fit: Fit) -> None:
    assert fit.pod_years == (1929, 1929, 1930, 1933)


def test_era_marks_name_the_claims() -> None:
    marks = era_marks(load_scenario(WEIMAR), "survives")
    assert [(m.claim, m.author, m.start, m.end, m.compared_with) for m in marks] == [
        ("cleo-early-window", "Cleo", 1929, 1930, "later")
    ]
    assert era_marks(load_scenario(WEIMAR), "civil_war") == ()


# -- the command ---------------------------------------------------------------------------------
def test_cli_prints_the_table_and_saves_the_plot(weimar: Path, tmp_path: Path) -> None:
    install_fake_fit(load_scenario(weimar))
    out = tmp_path / "curve.png"
    code, text, err = invoke("curve", "survives", "--scenario", str(weimar), "--step", "2", "--out", str(out))
    assert code == 0, err
    assert "Real history's curve of P(survives) given history up to each year, 1929 to 1933" in text
    rows = [line.split()[0] for line in text.splitlines() if line[:4].isdigit() and len(line.split()) >= 4]
    assert rows[:4] == ["1929", "1930", "1932", "1933"]  # both ends and every second year
    assert "cleo-early-window (Cleo): 1929-1930 against the years later" in text
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
    legend = [t.get_text() for t in ax.figure.axes[1].get_legend().get_texts()]
    assert "Cleo: 1929-1930 against the years later" in legend  # the era band is in the legend
    numbers = [t.get_text() for t in ax.texts if t.get_gid() == "pod-number"]
    assert numbers == [str(i) for i in range(1, len(fit.pods))]
    assert figure_bytes(ax)[:4] == b"\x89PNG"


def _boxes_overlap(a: object, b: object) -> bool:
    return bool(a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1)  # type: ignore[attr-defined]


def _curve_text_boxes(ax: object) -> tuple[object, list[object], list[object], object]:
    from matplotlib.text import Text

    figure = ax.figure  # type: ignore[attr-defined]
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    texts = [t for a in figure.axes for t in a.texts]
    # the number alone, not its leader line (Annotation.get_window_extent adds the arrow)
    numbers = [Text.get_window_extent(t, renderer) for t in texts if t.get_gid() == "pod-number"]
    keys = [t.get_window_extent(renderer) for t in texts if t.get_gid() == "pod-key"]
    legend = figure.axes[1].get_legend().get_window_extent(renderer)
    return figure.bbox, numbers, keys, legend


def test_the_curves_numbers_and_key_never_overlap_and_stay_inside() -> None:
    """The bundled scenario's 29 divergence points, seven of them in 1953: no two labels overlap, the numbers
    stay inside the axes, the key and legend inside the figure and apart."""
    from cfprob.outputs.plots import Labels, plot_curve
    from cfprob.paths import bundled_scenario

    scenario = load_scenario(bundled_scenario())
    ussr = Fit.from_tree(fake_fit(scenario))
    ax = plot_curve(inevitability_curve(ussr, "collapse", era_marks(scenario, "collapse")), labels=Labels.of(scenario))
    figure, numbers, keys, legend = _curve_text_boxes(ax)
    assert len(numbers) == len(keys) == len(scenario.pods) - 1
    inside_axes = ax.get_window_extent()
    for box in numbers:
        assert inside_axes.x0 <= box.x0 and box.x1 <= inside_axes.x1 + 2 and inside_axes.y0 <= box.y0, box
        assert box.y1 <= inside_axes.y1, box
    for box in [*keys, legend]:
        assert figure.x0 <= box.x0 and box.x1 <= figure.x1 and figure.y0 <= box.y0 and box.y1 <= figure.y1, box
    boxes = [*numbers, *keys, legend]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _boxes_overlap(a, b), (a, b)


def test_the_overlap_check_fails_on_labels_placed_at_their_points() -> None:
    """The check can fail: numbers put on their points (no search for a free place) overlap in 1953."""
    import cfprob.outputs.plots as plots
    from cfprob.paths import bundled_scenario

    scenario = load_scenario(bundled_scenario())
    ussr = Fit.from_tree(fake_fit(scenario))
    original = plots._number_positions
    plots._number_positions = lambda xs, ys, span: [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
    try:
        ax = plots.plot_curve(inevitability_curve(ussr, "collapse", ()), labels=plots.Labels.of(scenario))
    finally:
        plots._number_positions = original
    _, numbers, _, _ = _curve_text_boxes(ax)
    assert any(_boxes_overlap(a, b) for i, a in enumerate(numbers) for b in numbers[i + 1 :])
