"""A shareable report of one question: self-contained HTML (plots embedded) or Markdown for forums.

Everything in it comes from a fit and the scenario: the question and outcome definitions, the divergence
point with the passages that discuss it, the outcome table with intervals and the change against real
history, plots (ternary, forest, the inevitability curve of the first outcome, posterior densities), the
claims that drive the answer (leave-one-out reweighting, :mod:`cfprob.answers.sensitivity`) quoted with their
authors and the numbers their words became, the answer seen from either end of the claimants' worldview,
sampler diagnostics, the counterfactual semantics and how to
cite.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cfprob import __version__
from cfprob.answers.query import Answer, Fit, answer
from cfprob.answers.sensitivity import Influence
from cfprob.fitting.provenance import CREDIBLE_MASS, RUNG3_SEMANTICS, SEMANTICS
from cfprob.outputs.files import write_files_atomically
from cfprob.outputs.listings import claim_strength
from cfprob.outputs.neutralise import for_html, for_markdown, safe_url
from cfprob.outputs.tables import diagnostics_lines, plausibility_lines, sources_table
from cfprob.reading.lexicon import Lexicon, load_lexicon
from cfprob.reading.scenario import OTL, Scenario

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "FIGURES",
    "GLOSSARY",
    "HEADER",
    "Report",
    "answer_rows",
    "build_report",
    "citation_lines",
    "driver_lines",
    "render_html",
    "render_markdown",
    "report_dict",
    "rung3_intro",
    "write_report",
]

FIGURES = ("claims", "ternary", "forest", "curve", "densities")
"""The report's plots, in the order shown."""


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


def _worldview_intro() -> str:
    return (
        "Seen from either end of the claimants' worldview (a claimant at the 10th or 90th percentile of the "
        "dimension their disagreement falls on); the answer above is at the average"
    )


def _worldview_rows(report: Report) -> list[list[str]]:
    assert report.worldviews is not None
    low, high = report.worldviews
    return [
        [o.label, f"{low.row(o.id).mean:.2f}", f"{report.answer.row(o.id).mean:.2f}", f"{high.row(o.id).mean:.2f}"]
        for o in report.scenario.outcomes
    ]


def citation_lines(report: Report) -> list[str]:
    scenario = report.scenario
    lines = [
        f"The cfprob developers (2026). cfprob: forecasting the past with Bayesian pooling of "
        f"counterfactual-history claims, version {__version__}. Scenario {scenario.id}, content hash "
        f"{scenario.content_hash[:12]}, model version {report.attrs.get('model_version')}, "
        f"seed {report.attrs.get('seed')}.",
    ]
    for source in scenario.sources:
        names = sorted({scenario.claimant(c.author).name for c in scenario.claims if c.source == source.id})
        by = f", claims by {', '.join(names)}" if names else ""
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
    ("Change vs otl", "the divergence's probability minus real history's at the same year, draw by draw"),
    ("P(raises)", "the share of posterior draws in which the divergence raises the outcome above real history"),
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
    observed = report.scenario.evidence.observed_outcome
    return (
        f"Given what happened (rung 3): the same divergence, given that real history ended in {observed}; "
        f"change is against that outcome."
    )


HEADER = (
    "outcome",
    "P(outcome)",
    f"{CREDIBLE_MASS:.0%} interval",
    "change vs otl",
    f"{CREDIBLE_MASS:.0%} interval of change",
    "P(raises)",
)


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


def _claim_lines(report: Report) -> list[tuple[str, str, str, str, str, str, str]]:
    """(author, kind, what it is about, source and locator, quote, what it says, reading note) for every
    claim about the report's divergence points, of every kind, in file order; a note says why a claim is
    kept out of the fit."""
    from cfprob.claims import KINDS

    scenario, outcomes = report.scenario, report.scenario.outcome_ids
    asked = set(report.answer.pods)
    result = []
    for claim in scenario.claims:
        if not asked & set(claim.pods):
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


CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
blockquote { border-left: 4px solid #ccc; margin: 0.5rem 0; padding: 0.2rem 0.8rem; color: #444; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; }
.note { color: #555; font-size: 0.9rem; }
table { display: block; max-width: 100%; overflow-x: auto; }
@media (max-width: 600px) {
  body { margin: 0.5rem auto; font-size: 0.95rem; }
  th, td { padding: 0.2rem 0.3rem; }
  blockquote { margin: 0.3rem 0; padding: 0.1rem 0.5rem; }
}
"""


def render_html(report: Report) -> str:
    """One self-contained HTML page: no scripts, no external resources, images as data URIs."""
    scenario, answer = report.scenario, report.answer
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{for_html(answer.label)} - cfprob</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{for_html(scenario.title)}</h1>",
        f'<p id="question"><strong>Question.</strong> {for_html(scenario.question)}</p>',
        "<h2>Outcomes</h2><dl>",
    ]
    for o in scenario.outcomes:
        parts.append(
            f"<dt><strong>{for_html(o.label)}</strong> ({for_html(o.id)})</dt><dd>{for_html(o.definition)}</dd>"
        )
    parts.append("</dl>")
    for pod_id in answer.pods:
        pod = scenario.pod(pod_id)
        year = f", {pod.year}" if pod.year is not None else ""
        parts.append(
            f'<h2 id="pod-{for_html(pod.id)}">Divergence: {for_html(pod.title)} ({for_html(pod.id)}{year})</h2>'
        )
        parts.append(f"<p>{for_html(pod.description)}</p>")
        for passage in pod.passages:
            source = scenario.source(passage.source)
            link = (
                f' <a href="{for_html(url)}">{for_html(source.title)}</a>'
                if (url := safe_url(source.url))
                else for_html(source.title)
            )
            parts.append(f"<blockquote>{for_html(passage.quote)}<br><span class='note'>{link}</span></blockquote>")
    if answer.extrapolation:
        parts.append(
            "<p class='note'>Extrapolation: this combination was not fitted; it is predicted from the fit.</p>"
        )
    parts.append('<h2>Answer</h2><table id="outcomes"><thead><tr>')
    parts += [f"<th>{for_html(h)}</th>" for h in HEADER]
    parts.append("</tr></thead><tbody>")
    for row in answer_rows(report):
        parts.append("<tr>" + "".join(f"<td>{for_html(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    parts.append(f"<p class='note'>Change is against real history at {answer.year}.</p>")
    if answer.sources is not None:
        header, rows, sentence = sources_table(answer, scenario)
        parts.append('<h3>Where the number comes from</h3><table id="sources"><thead><tr>')
        parts += [f"<th>{for_html(h)}</th>" for h in header]
        parts.append("</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{for_html(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
        if sentence:
            parts.append(f"<p class='note'>{for_html(sentence)}</p>")
    parts += [f'<p class="plausibility">{for_html(line)}.</p>' for line in plausibility_lines(answer)]
    if report.given_history is not None:
        parts.append(f'<h3>{for_html(rung3_intro(report))}</h3><table id="given-history"><thead><tr>')
        parts += [f"<th>{for_html(h)}</th>" for h in HEADER]
        parts.append("</tr></thead><tbody>")
        for row in answer_rows(report, report.given_history):
            parts.append("<tr>" + "".join(f"<td>{for_html(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    if report.worldviews is not None:
        parts.append(f'<h3>{for_html(_worldview_intro())}</h3><table id="worldviews"><thead><tr>')
        parts += [f"<th>{for_html(h)}</th>" for h in WORLDVIEW_HEADER]
        parts.append("</tr></thead><tbody>")
        for row in _worldview_rows(report):
            parts.append("<tr>" + "".join(f"<td>{for_html(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    histories = ", ".join(f"{o} {n}" for o, n in answer.histories.items())
    parts.append(f"<p class='note'>Simulated histories (one per posterior draw, {answer.n_draws}): {histories}.</p>")
    captions = {
        "claims": "Each claim about the divergence as the chance its words became, against the pooled answer for "
        "the same outcome.",
        "ternary": "Posterior draws of the three outcome probabilities, against real history at the divergence's year.",
        "forest": f"Every divergence point: posterior mean, 50% and {CREDIBLE_MASS:.0%} intervals.",
        "curve": f"Real history's curve of {scenario.outcome_ids[0]}: its probability given history up to each "
        "year, with every named divergence point; those of this report ringed.",
        "densities": "Posterior densities of each outcome's probability.",
    }
    parts.append("<h2>Plots</h2>")
    for name in FIGURES:
        if name in report.figures:
            data = base64.b64encode(report.figures[name]).decode("ascii")
            parts.append(
                f'<figure id="{name}"><img alt="{for_html(captions[name])}" src="data:image/png;base64,{data}">'
                f"<figcaption>{for_html(captions[name])}</figcaption></figure>"
            )
    parts.append('<h2>The claims that drive the answer</h2><ul id="drivers">')
    for author, about, where, quote, says, note in driver_lines(report):
        parts.append(
            f"<li><strong>{for_html(author)}</strong> on {for_html(about)}, <span class='note'>{for_html(where)}"
            f"</span><blockquote>{for_html(quote)}</blockquote>{for_html(says)}."
            + (f" <span class='note'>{for_html(note)}</span>" if note else "")
            + "</li>"
        )
    parts.append("</ul>")
    parts.append('<h2>Every claim about this divergence</h2><ul id="claims">')
    for author, kind, about, where, quote, says, note in _claim_lines(report):
        parts.append(
            f"<li><strong>{for_html(author)}</strong> [{for_html(kind)}] on {for_html(about)}, "
            f"<span class='note'>{for_html(where)}</span><blockquote>{for_html(quote)}</blockquote>"
            f"{for_html(says)}." + (f" <span class='note'>{for_html(note)}</span>" if note else "") + "</li>"
        )
    parts.append("</ul>")
    parts.append('<h2>Glossary</h2><dl id="glossary">')
    parts += [f"<dt><strong>{for_html(term)}</strong></dt><dd>{for_html(meaning)}.</dd>" for term, meaning in GLOSSARY]
    parts.append("</dl>")
    parts.append("<h2>Sampler diagnostics</h2>")
    parts += [f"<p>{for_html(line)}</p>" for line in diagnostics_lines(report.attrs)]
    parts.append(f"<h2>Counterfactual semantics</h2><p>{for_html(SEMANTICS)}.</p>")
    if report.given_history is not None:
        parts.append(f"<p>{for_html(RUNG3_SEMANTICS)}.</p>")
    parts.append('<h2>How to cite</h2><ul id="cite">')
    parts += [f"<li>{for_html(line)}</li>" for line in citation_lines(report)]
    parts.append("</ul>")
    parts.append(
        f"<p class='note'>cfprob {for_html(__version__)}, scenario hash {for_html(scenario.content_hash[:12])}, "
        f"sampler {for_html(report.attrs.get('sampler'))}, {for_html(report.attrs.get('chains'))} chains x "
        f"{for_html(report.attrs.get('draws'))} draws, seed {for_html(report.attrs.get('seed'))}.</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def render_markdown(report: Report, image_names: Mapping[str, str]) -> str:
    """The report as Markdown for a forum post; plots are linked by the file names in ``image_names``.

    Every text from the scenario is escaped (:func:`cfprob.outputs.neutralise.for_markdown`): it shows as written and
    adds no markup, links or HTML to the post.
    """
    md = for_markdown
    scenario, answer = report.scenario, report.answer
    lines = [f"# {md(scenario.title)}", "", f"**Question.** {md(scenario.question)}", "", "**Outcomes**", ""]
    lines += [f"- **{md(o.label)}** ({md(o.id)}): {md(o.definition)}" for o in scenario.outcomes]
    for pod_id in answer.pods:
        pod = scenario.pod(pod_id)
        year = f", {pod.year}" if pod.year is not None else ""
        lines += ["", f"## Divergence: {md(pod.title)} ({md(pod.id)}{year})", "", md(pod.description), ""]
        for passage in pod.passages:
            lines += [f"> {md(passage.quote)}", f"> — {md(scenario.source(passage.source).title)}", ""]
    lines += ["## Answer", "", *_md_table(HEADER, [[md(c) for c in row] for row in answer_rows(report)]), ""]
    lines += [f"Change is against real history at {answer.year}.", ""]
    if answer.sources is not None:
        header, rows, sentence = sources_table(answer, scenario)
        lines += ["### Where the number comes from", "", *_md_table(header, [[md(c) for c in r] for r in rows]), ""]
        lines += [md(sentence), ""] if sentence else []
    lines += [item for line in plausibility_lines(answer) for item in (line + ".", "")]
    if report.given_history is not None:
        rows = [[md(c) for c in row] for row in answer_rows(report, report.given_history)]
        lines += [md(rung3_intro(report)), "", *_md_table(HEADER, rows), ""]
    if report.worldviews is not None:
        rows = [[md(c) for c in row] for row in _worldview_rows(report)]
        lines += [_worldview_intro() + ".", "", *_md_table(WORLDVIEW_HEADER, rows), ""]
    for name in FIGURES:
        if name in image_names:
            lines.append(f"![{name}]({image_names[name]})")
    lines += ["", "## The claims that drive the answer", ""]
    for author, about, where, quote, says, note in driver_lines(report):
        lines += [f'- **{md(author)}** on {md(about)}, {md(where)}: "{md(quote)}" — {md(says)}.']
        lines += [f"  {md(note)}"] if note else []
    lines += ["", "## Every claim about this divergence", ""]
    for author, kind, about, where, quote, says, note in _claim_lines(report):
        lines += [f'- **{md(author)}** [{md(kind)}] on {md(about)}, {md(where)}: "{md(quote)}" — {md(says)}.']
        lines += [f"  {md(note)}"] if note else []
    lines += ["", "## Glossary", "", *(f"- **{term}**: {meaning}." for term, meaning in GLOSSARY)]
    lines += ["", "## Sampler diagnostics", "", *diagnostics_lines(report.attrs)]
    lines += ["", "## Counterfactual semantics", "", SEMANTICS + "."]
    if report.given_history is not None:
        lines += ["", RUNG3_SEMANTICS + "."]
    lines += ["", "## How to cite", "", *(f"- {md(line)}" for line in citation_lines(report))]
    return "\n".join(lines) + "\n"


OTHER_DRIVERS = 2
"""At least this many claims about other divergence points follow the claims about the one asked."""


def build_report(tree: xr.DataTree, scenario: Scenario, pods: Sequence[str], drivers: int = 5, seed: int = 0) -> Report:
    """The report of ``pods`` (stacked when several) from a fit: answer, plots and driving claims."""
    from cfprob.answers.curve import era_marks, inevitability_curve
    from cfprob.answers.sensitivity import analyse
    from cfprob.fitting.design import design
    from cfprob.outputs.plots import Labels, claim_label, claim_rows, figure_bytes, plot_claims, plot_curve, plot_kind

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
    figures = {
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
    influences = analyse(tree, design(scenario), [p for p in pods if p != OTL] or [OTL])
    claims = sorted((r for rows in influences.values() for r in rows if r.group == "claim"), key=lambda r: -r.size)
    about = {c.id for p in pods for c in scenario.claims_about(p)}
    own = [r for r in claims if r.claims[0] in about]
    top = own + [r for r in claims if r.claims[0] not in about][: max(drivers - len(own), OTHER_DRIVERS)]
    attrs = {str(k): v for k, v in tree.attrs.items()}
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
            for row in _claim_lines(report)
        ],
        "diagnostics": diagnostics_lines(report.attrs),
        "citation": citation_lines(report),
    }
    return result


def write_report(report: Report, out: Path, images: Mapping[str, Path]) -> list[Path]:
    """Write ``report`` to ``out`` (.html: one file; .md: the plots to ``images`` first), each file atomically.

    The caller has checked that the files may be written (:func:`cfprob.outputs.files.check_new_file`).
    """
    files: dict[Path, bytes | str] = {}
    if out.suffix.lower() == ".bbcode":
        from cfprob.outputs.forum import render_bbcode

        text = render_bbcode(report)
    elif out.suffix.lower() == ".md":
        files = {path: report.figures[name] for name, path in images.items() if name in report.figures}
        text = render_markdown(report, {n: p.name for n, p in images.items() if p in files})
    else:
        text = render_html(report)
    # all or nothing: a full disk or an interruption leaves no images without their report
    write_files_atomically({out: text, **files})
    return [out, *files]
