"""The answer at a glance: one sentence and one picture a forum reader takes in on a phone.

:func:`headline` says the answer's headline outcome (the scenario's first) in words, with its interval and how
far it moved from real history at the divergence's year. :func:`plot_card` draws the whole answer as one
small image: the divergence's title and year, each outcome as a bar with its percentage and 90% interval
printed on it, real history at that year marked on every bar, and one line of provenance. Colours are the
Okabe-Ito palette (distinct under the common colour-vision deficiencies) and every bar is labelled in words,
so no reading depends on colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cfprob.fitting.provenance import CREDIBLE_MASS
from cfprob.outputs.plots import Labels, _pyplot, _styled
from cfprob.outputs.tables import shown_year
from cfprob.reading.scenario import OTL

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cfprob.answers.query import Answer
    from cfprob.reading.scenario import Scenario

__all__ = ["OKABE_ITO", "headline", "plot_card", "provenance_line"]

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
"""Okabe & Ito's palette (2008): told apart under protanopia, deuteranopia and tritanopia."""


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _range(low: float, high: float) -> str:
    return f"{100 * low:.0f}-{100 * high:.0f}%"


def _title(answer: Answer, labels: Labels) -> str:
    if answer.pods == (OTL,):
        return f"{labels.title(OTL)} ({shown_year(answer.year)})"
    if answer.pods:
        return " + ".join(labels.pod(p) for p in answer.pods)
    return answer.label


def headline(answer: Answer, scenario: Scenario, labels: Labels | None = None) -> str:
    """The answer in one sentence: "Kosygin beats Brezhnev (1965): stable democracy 31% (8-62%), up 9 points
    on real history in 1965"."""
    labels = labels or Labels.of(scenario)
    row = answer.rows[0]
    said = f"{_title(answer, labels)}: {labels.outcome(row.outcome).lower()} {_pct(row.mean)} "
    said += f"({_range(row.low, row.high)})"
    if answer.pods == (OTL,):
        return said
    points = round(100 * row.change_mean)
    moved = "no change" if points == 0 else f"{'up' if points > 0 else 'down'} {abs(points)} points"
    return said + f", {moved} on real history in {shown_year(answer.year)}"


def provenance_line(answer: Answer, scenario: Scenario, attrs: Mapping[str, Any]) -> str:
    """Where the card's numbers come from, in one line: the claims behind them and the fit."""
    claims = [c for p in answer.pods if p != OTL for c in scenario.claims_about(p) if c.scored]
    authors = {c.author for c in claims}
    model = attrs.get("model_version", "")
    parts = [
        f"{len(claims)} fitted claim{'s' if len(claims) != 1 else ''} by {len(authors)} "
        f"claimant{'s' if len(authors) != 1 else ''} about it",
        f"{len(scenario.scored_claims)} in the scenario '{scenario.id}'",
        f"cfprob {attrs.get('cfprob_version', '')}".strip() + (f", model {model}" if model else ""),
    ]
    return "; ".join(parts)


@_styled
def plot_card(answer: Answer, scenario: Scenario, attrs: Mapping[str, Any], labels: Labels | None = None) -> Any:
    """The card: one bar per outcome (mean, printed), its 90% interval, real history at the divergence's year
    marked; titled with the divergence and its year, the headline sentence under it, the provenance below."""
    labels = labels or Labels.of(scenario)
    plt = _pyplot()
    rows = answer.rows
    figure, ax = plt.subplots(figsize=(6.4, 1.5 + 0.62 * len(rows)))
    positions = list(range(len(rows)))[::-1]  # the first outcome on top
    history_label = f"real history in {shown_year(answer.year)}"
    for y, row, colour in zip(positions, rows, OKABE_ITO, strict=False):
        ax.barh(y, row.mean, height=0.6, color=colour, alpha=0.85)
        ax.plot([row.low, row.high], [y, y], color="black", linewidth=1.4, solid_capstyle="butt")
        for end in (row.low, row.high):
            ax.plot([end, end], [y - 0.12, y + 0.12], color="black", linewidth=1.4)
        text = f"{_pct(row.mean)}  ({_range(row.low, row.high)})"
        ax.text(
            1.02, y, text, va="center", ha="left", fontsize=11, fontweight="bold", transform=ax.get_yaxis_transform()
        )
        if answer.pods != (OTL,):
            history = row.mean - row.change_mean
            ax.plot([history], [y + 0.38], marker="v", color="black", markersize=7, linestyle="none")
    ax.set_yticks(positions, [labels.outcome(r.outcome) for r in rows], fontsize=11)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(rows) - 0.25)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(_title(answer, labels), loc="left", fontsize=13, fontweight="bold", pad=24)
    sentence = headline(answer, scenario, labels).split(": ", 1)[-1]
    ax.text(0, 1.02, sentence[0].upper() + sentence[1:], transform=ax.transAxes, fontsize=10, va="bottom")
    key = f"bar: mean; line: {CREDIBLE_MASS:.0%} interval"
    key += "" if answer.pods == (OTL,) else f"; \u25bc {history_label}"
    ax.set_xlabel(key, fontsize=9)
    figure.text(0.01, 0.01, provenance_line(answer, scenario, attrs), fontsize=7.5, color="#444444", ha="left")
    figure.subplots_adjust(left=0.22, right=0.78, top=0.78, bottom=0.3)
    return ax
