"""The answer at a glance (cfprob.outputs.card): the sentence and provenance by hand, the card's bars, numbers
and colours, and `plot --kind card`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cfprob.answers.query import Answer, OutcomeRow
from cfprob.outputs.card import OKABE_ITO, headline, plot_card, provenance_line
from cfprob.outputs.plots import figure_bytes
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR
from .fakes import install_fake_fit, invoke

ROWS = (
    OutcomeRow("survives", 0.4, 0.1, 0.62, 0.05, -0.2, 0.3, 0.6),
    OutcomeRow("dictatorship", 0.45, 0.2, 0.7, -0.03, -0.3, 0.2, 0.4),
    OutcomeRow("civil_war", 0.15, 0.02, 0.4, -0.02, -0.2, 0.1, 0.45),
)


def _answer(pods: tuple[str, ...] = ("grand-coalition-1930",), year: int = 1930) -> Answer:
    return Answer(" + ".join(pods), pods, {}, False, ROWS, {}, 100, year)


def test_the_headline_by_hand() -> None:
    scenario = load_scenario(WEIMAR)
    title = scenario.pod("grand-coalition-1930").title
    label = scenario.outcomes[0].label.lower()
    assert headline(_answer(), scenario) == f"{title} (1930): {label} 40% (10-62%), up 5 points on real history in 1930"
    down = Answer("x", ("grand-coalition-1930",), {}, False, (ROWS[1], *ROWS[:1], ROWS[2]), {}, 100, 1930)
    assert headline(down, scenario).endswith("45% (20-70%), down 3 points on real history in 1930")
    same = Answer("x", ("grand-coalition-1930",), {}, False, (replace(ROWS[0], change_mean=0.004),), {}, 1, 1930)
    assert headline(same, scenario).endswith("no change on real history in 1930")


def test_the_provenance_counts_fitted_claims_by_hand() -> None:
    scenario = load_scenario(WEIMAR)
    claims = [c for c in scenario.claims_about("grand-coalition-1930") if c.scored]
    line = provenance_line(_answer(), scenario, {"cfprob_version": "9.9", "model_version": "7.1"})
    authors = len({c.author for c in claims})
    assert line.startswith(f"{len(claims)} fitted claims by {authors} claimants about it; ")
    assert f"{len(scenario.scored_claims)} in the scenario 'weimar'" in line and line.endswith("cfprob 9.9, model 7.1")


def test_the_card_draws_each_outcome_with_its_number_and_real_history() -> None:
    scenario = load_scenario(WEIMAR)
    ax = plot_card(_answer(), scenario, {})
    bars = ax.patches
    assert [round(b.get_width(), 3) for b in bars] == [0.4, 0.45, 0.15]
    assert [b.get_y() + b.get_height() / 2 for b in bars] == [2, 1, 0]  # the first outcome on top
    colours = [tuple(round(c, 3) for c in b.get_facecolor()[:3]) for b in bars]
    import matplotlib.colors as mcolors

    assert colours == [tuple(round(c, 3) for c in mcolors.to_rgb(h)) for h in OKABE_ITO[:3]]
    texts = [t.get_text() for t in ax.texts]
    assert "40%  (10-62%)" in texts and "45%  (20-70%)" in texts and "15%  (2-40%)" in texts
    markers = [line for line in ax.lines if line.get_marker() == "v"]
    assert [round(float(m.get_xdata()[0]), 3) for m in markers] == [0.35, 0.48, 0.17]  # mean - change
    ticks = dict(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True))
    assert [ticks[y] for y in (2, 1, 0)] == [o.label for o in scenario.outcomes]  # each bar named in words
    png = figure_bytes(ax)
    width, height = (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))
    assert 500 <= width <= 1000 and height < width  # a phone's width, wider than tall


def test_a_card_of_real_history_marks_nothing_against_itself() -> None:
    scenario = load_scenario(WEIMAR)
    ax = plot_card(_answer(("otl",), 1920), scenario, {})
    assert not [line for line in ax.lines if line.get_marker() == "v"]
    assert ax.get_title(loc="left").endswith("(1920)")


def test_plot_card_command(tmp_path: Path) -> None:
    install_fake_fit(load_scenario(WEIMAR))
    out = tmp_path / "card.png"
    code, stdout, err = invoke(
        "plot", "grand-coalition-1930", "--kind", "card", "--out", str(out), "--scenario", str(WEIMAR)
    )
    assert code == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "Saved card plot" in stdout
    code, _, err = invoke("plot", "--kind", "card", "--out", str(tmp_path / "none.png"), "--scenario", str(WEIMAR))
    assert code == 2 and "--kind card needs at least one divergence point" in err


@pytest.mark.parametrize("mean", [0.0, 1.0])
def test_bars_at_the_ends_stay_drawn(mean: float) -> None:
    scenario = load_scenario(WEIMAR)
    rows = tuple(replace(r, mean=mean, low=mean, high=mean, change_mean=0.0) for r in ROWS)
    ax = plot_card(Answer("x", ("grand-coalition-1930",), {}, False, rows, {}, 1, 1930), scenario, {})
    assert np.allclose([b.get_width() for b in ax.patches], mean)
    figure_bytes(ax)


def test_every_report_image_is_a_plot_kind_by_the_same_name(tmp_path: Path) -> None:
    from cfprob.cli.pictures import PLOT_CHOICES
    from cfprob.outputs.report import FIGURES

    assert set(FIGURES) <= set(PLOT_CHOICES)
    install_fake_fit(load_scenario(WEIMAR))
    for kind in ("curve", "densities"):
        out = tmp_path / f"{kind}.png"
        code, stdout, err = invoke(
            "plot", "grand-coalition-1930", "--kind", kind, "--out", str(out), "--scenario", str(WEIMAR)
        )
        assert code == 0, err
        assert out.read_bytes()[:4] == b"\x89PNG" and f"Saved {kind} plot" in stdout
