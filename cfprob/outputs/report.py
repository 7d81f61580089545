"""A shareable report of one question: its content, which :mod:`cfprob.outputs.pages` renders as HTML or
Markdown and :mod:`cfprob.outputs.forum` as a BBCode post.

Everything in it comes from a fit and the scenario: the question and outcome definitions, the divergence
point with the passages that discuss it, the outcome table with intervals and the change against real
history, plots (ternary, forest, the inevitability curve of the first outcome, posterior densities), the
claims that drive the answer (leave-one-out reweighting, :mod:`cfprob.answers.sensitivity`) quoted with their
authors and the numbers their words became, the answer seen from either end of the claimants' worldview,
sampler diagnostics, the counterfactual semantics and how to
cite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cfprob.answers.query import Answer, Fit, answer
from cfprob.answers.sensitivity import Influence
from cfprob.fitting.provenance import CREDIBLE_MASS
from cfprob.outputs.listings import claim_strength
from cfprob.outputs.tables import diagnostics_lines, given_history_intro
from cfprob.reading.lexicon import Lexicon, load_lexicon
from cfprob.reading.scenario import OTL, Scenario
from cfprob.version import __version__

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "FIGURES",
    "GLOSSARY",
    "WORLDVIEW_HEADER",
    "Report",
    "answer_rows",
    "build_report",
    "citation_lines",
    "claim_lines",
    "driver_lines",
    "report_dict",
    "rung3_intro",
    "worldview_intro",
    "worldview_rows",
]

FIGURES = ("card", "claims", "ternary", "forest", "curve", "densities")
"""The report's plots, in the order shown (the card first, under the headline sentence)."""


@dataclass(frozen=True)
class Report:
    """What a report shows; rendered by :func:`render_html`, :func:`render_markdown` or
    :func:`cfprob.outputs.forum.render_bbcode`."""

    scenario: Scenario
    answer: Answer
    drivers: Sequence[Influence]
    """The claims that move the answer most when left out (largest first)."""
    attrs: Mapping[str, Any]
    lexicon: Lexicon
    figures: Mapping[str, bytes]
    """PNG images by name (:data:`FIGURES`)."""
    given_history: Answer | None = None
    """The same question given what really happened (rung 3), shown beside the interventional answer."""
    worldviews: tuple[Answer, Answer] | None = None
    """The answer seen from the low and the high end of the claimants' worldview (None without the factor)."""
    against: Sequence[tuple[str, tuple[float, float, float] | None, tuple[float, float, float], str]] = ()
    """Each claim about the one divergence asked against the pooled answer (:func:`cfprob.outputs.plots.claim_rows`,
    summarised): label, what its words became (low, middle, high) or None for a direction, the pooled answer
    (low, mean, high), how it was said."""


WORLDVIEW_HEADER = ("outcome", "low end", "average worldview", "high end")


def worldview_intro() -> str:
    return (
        "Seen from either end of the claimants' worldview (a claimant at the 10th or 90th percentile of the "
        "dimension their disagreement falls on); the answer above is at the average"
    )


def worldview_rows(report: Report) -> list[list[str]]:
    assert report.worldviews is not None
    low, high = report.worldviews
    return [
        [o.label, f"{low.row(o.id).mean:.2f}", f"{report.answer.row(o.id).mean:.2f}", f"{high.row(o.id).mean:.2f}"]
        for o in report.scenario.outcomes
    ]


def citation_lines(report: Report, claimants: bool = True) -> list[str]:
    """How to cite the answer, then each source (with the claimants quoted from it, with ``claimants``)."""
    scenario = report.scenario
    lines = [
        f"The cfprob developers (2026). cfprob: forecasting the past with Bayesian pooling of "
        f"counterfactual-history claims, version {__version__}. Scenario {scenario.id}, content hash "
        f"{scenario.content_hash[:12]}, model version {report.attrs.get('model_version')}, "
        f"seed {report.attrs.get('seed')}.",
    ]
    for source in scenario.sources:
        names = sorted({scenario.claimant(c.author).name for c in scenario.claims if c.source == source.id})
        by = f", claims by {', '.join(names)}" if names and claimants else ""
        lines.append(f"{source.title} ({source.kind}{by}){': ' + source.url if source.url else ''}")
    return lines


GLOSSARY = (
    ("Real history", "what happened, as a curve: the chance of each outcome given history up to each year"),
    ("Divergence point", "a dated change to real history; its answer is compared with real history at its year"),
    ("P(outcome)", "the posterior mean probability of the outcome had the divergence happened"),
    (
        "90% interval",
        "the central (equal-tailed) 90% posterior interval: from the 5% to the 95% quantile of the draws",
    ),
    ("Change from real history", "the divergence's probability minus real history's at the same year, draw by draw"),
    ("Chance it raises", "the share of posterior draws in which the divergence raises the outcome above real history"),
    (
        "Rung 2 / rung 3",
        "interventional (what if the divergence had been imposed) / counterfactual given what really happened "
        "(the same divergence, given that real history ended as it did), after Pearl's ladder of causation",
    ),
    (
        "Claim kinds",
        "a proposal suggests a divergence with no view on it; an antecedent says how plausible the divergence "
        "itself is; only claims about outcomes move the answer",
    ),
)
"""Terms the report uses, explained once (HTML definition list, Markdown list)."""


def answer_rows(report: Report, answer: Answer | None = None) -> list[list[str]]:
    answer = answer or report.answer
    only_otl = answer.pods == (OTL,)
    labels = {o.id: o.label for o in report.scenario.outcomes}
    return [
        [
            labels[r.outcome],
            f"{r.mean:.2f}",
            f"[{r.low:.2f}, {r.high:.2f}]",
            f"{r.change_mean:+.2f}",
            f"[{r.change_low:+.2f}, {r.change_high:+.2f}]",
            "n/a" if only_otl else f"{r.p_raise:.2f}",
        ]
        for r in answer.rows
    ]


def rung3_intro(report: Report) -> str:
    return given_history_intro(report.scenario)


def driver_lines(report: Report) -> list[tuple[str, str, str, str, str, str]]:
    """(author, what it is about, source and locator, quote, what it says and how far it moves the answer,
    reading note) for each driving claim: those about the divergence asked first."""
    from cfprob.claims import KINDS

    scenario = report.scenario
    by_id = {c.id: c for c in scenario.claims}
    outcomes = scenario.outcome_ids
    result = []
    for row in report.drivers:
        claim = by_id[row.claims[0]]
        j = max(range(len(outcomes)), key=lambda i: abs(row.shift[i]))
        moved = (
            f"without it P({outcomes[j]} | {row.pod}) would be {(row.refit or row.without)[j]:.2f} "
            f"instead of {row.base[j]:.2f}" + ("" if row.reliable else " (Pareto k above 0.7: approximate)")
        )
        result.append(
            (
                scenario.claimant(claim.author).name,
                KINDS[claim.kind].about(claim),
                f"{scenario.source(claim.source).title}, {claim.locator}",
                claim.quote,
                f"{claim_strength(claim, report.lexicon, outcomes)}; {moved}",
                claim.note.strip(),
            )
        )
    return result


def claim_lines(report: Report, besides_drivers: bool = False) -> list[tuple[str, str, str, str, str, str, str]]:
    """(author, kind, what it is about, source and locator, quote, what it says, reading note) for every
    claim about the report's divergence points, of every kind, in file order (with ``besides_drivers``, those
    :func:`driver_lines` does not already show); a note says why a claim is kept out of the fit."""
    from cfprob.claims import KINDS

    scenario, outcomes = report.scenario, report.scenario.outcome_ids
    asked = set(report.answer.pods)
    shown = {row.claims[0] for row in report.drivers} if besides_drivers else set()
    result = []
    for claim in scenario.claims:
        if not asked & set(claim.pods) or claim.id in shown:
            continue
        note = claim.note + (f" Kept out of the fit: {claim.excluded}." if claim.excluded else "")
        result.append(
            (
                scenario.claimant(claim.author).name,
                claim.kind,
                KINDS[claim.kind].about(claim),
                f"{scenario.source(claim.source).title}, {claim.locator}",
                claim.quote,
                claim_strength(claim, report.lexicon, outcomes),
                note.strip(),
            )
        )
    return result


OTHER_DRIVERS = 2
"""At least this many claims about other divergence points follow the claims about the one asked."""


def build_report(tree: xr.DataTree, scenario: Scenario, pods: Sequence[str], drivers: int = 5, seed: int = 0) -> Report:
    """The report of ``pods`` (stacked when several) from a fit: answer, plots and driving claims."""
    from cfprob.answers.curve import era_marks, inevitability_curve
    from cfprob.answers.sensitivity import analyse
    from cfprob.fitting.design import design
    from cfprob.outputs.card import plot_card
    from cfprob.outputs.plots import Labels, claim_label, claim_rows, figure_bytes, plot_claims, plot_curve, plot_kind
    from cfprob.outputs.store import cached_leave_one_out

    fit = Fit.from_tree(tree)
    result = answer(fit, tuple(pods), {}, seed=seed)
    given = answer(fit, tuple(pods), {}, seed=seed, given_history=True) if OTL not in pods else None
    worldviews = None
    if fit.worldview_loading is not None and OTL not in pods:
        low, high = (answer(fit, tuple(pods), {}, seed=seed, worldview=end) for end in ("low", "high"))
        worldviews = (low, high)
    headline = scenario.outcome_ids[0]
    curve = inevitability_curve(fit, headline, era_marks(scenario, headline))
    labels = Labels.of(scenario)
    attrs = {str(k): v for k, v in tree.attrs.items()}
    figures = {
        "card": figure_bytes(plot_card(result, scenario, attrs, labels)),
        "forest": figure_bytes(plot_kind(fit, "forest", pods, labels)),
        "curve": figure_bytes(plot_curve(curve, highlight=pods, labels=labels)),
        "densities": figure_bytes(plot_kind(fit, "posterior", pods, labels)),
    }
    if len(fit.outcomes) == 3:
        figures["ternary"] = figure_bytes(plot_kind(fit, "ternary", pods, labels))
    lexicon = load_lexicon()
    against: list[tuple[str, tuple[float, float, float] | None, tuple[float, float, float], str]] = []
    if len(pods) == 1 and pods[0] != OTL:
        figures["claims"] = figure_bytes(plot_claims(fit, scenario, lexicon, pods[0]))
        for label, outcome, said, draws, how in claim_rows(fit, scenario, lexicon, pods[0]):
            bottom, top_ = (float(x) for x in np.quantile(draws, [(1 - CREDIBLE_MASS) / 2, (1 + CREDIBLE_MASS) / 2]))
            against.append((claim_label(label, outcome, labels), said, (bottom, float(draws.mean()), top_), how))
    data = design(scenario)
    influences = analyse(tree, data, [p for p in pods if p != OTL] or [OTL], loo=cached_leave_one_out(tree, data))
    claims = sorted((r for rows in influences.values() for r in rows if r.group == "claim"), key=lambda r: -r.size)
    about = {c.id for p in pods for c in scenario.claims_about(p)}
    own = [r for r in claims if r.claims[0] in about]
    top = own + [r for r in claims if r.claims[0] not in about][: max(drivers - len(own), OTHER_DRIVERS)]
    return Report(scenario, result, top, attrs, lexicon, figures, given, worldviews, tuple(against))


def report_dict(report: Report) -> dict[str, object]:
    """The report's content as JSON-ready data: the answers, the drivers and every claim about the divergence
    (with the fields the pages show), the diagnostics and how to cite; the plots are left out."""
    fields = ("author", "about", "where", "quote", "says", "note")
    result: dict[str, object] = {
        "question": report.scenario.question,
        "answer": report.answer.to_dict(),
        "given_history": report.given_history.to_dict() if report.given_history else None,
        "worldviews": (
            {"low": report.worldviews[0].to_dict(), "high": report.worldviews[1].to_dict()}
            if report.worldviews
            else None
        ),
        "drivers": [dict(zip(fields, row, strict=True)) for row in driver_lines(report)],
        "claims": [
            dict(zip(("author", "kind", "about", "where", "quote", "says", "note"), row, strict=True))
            for row in claim_lines(report)
        ],
        "diagnostics": diagnostics_lines(report.attrs, advice=False),
        "citation": citation_lines(report),
    }
    return result
