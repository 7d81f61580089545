"""The report as pages: one self-contained HTML file (plots embedded, no scripts, nothing fetched) or Markdown
for forums (plots written beside it), and writing a report in the format its file name asks for (HTML,
Markdown, or the BBCode post of :mod:`cfprob.outputs.forum`), all files at once or none."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cfprob.fitting.provenance import CREDIBLE_MASS, RUNG3_SEMANTICS, SEMANTICS
from cfprob.outputs.card import headline
from cfprob.outputs.forum import render_bbcode
from cfprob.outputs.report import (
    FIGURES,
    GLOSSARY,
    WORLDVIEW_HEADER,
    Report,
    answer_rows,
    citation_lines,
    claim_lines,
    driver_lines,
    rung3_intro,
    worldview_intro,
    worldview_rows,
)
from cfprob.outputs.tables import answer_header, diagnostics_lines, plausibility_lines, shown_year, sources_table
from cfprob.safe.files import write_files_atomically
from cfprob.safe.neutralise import for_html, for_markdown, safe_url
from cfprob.version import __version__

if TYPE_CHECKING:
    from cfprob.answers.query import Answer

__all__ = ["render_html", "render_markdown", "write_report"]


CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
blockquote { border-left: 4px solid #ccc; margin: 0.5rem 0; padding: 0.2rem 0.8rem; color: #444; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; }
.note { color: #555; font-size: 0.9rem; }
.nowrap { white-space: nowrap; }
details { margin: 0.5rem 0; }
summary { cursor: pointer; color: #333; }
table { display: block; max-width: 100%; overflow-x: auto; }
@media (max-width: 600px) {
  body { margin: 0.5rem auto; font-size: 0.95rem; }
  th, td { padding: 0.2rem 0.3rem; }
  table.answer { font-size: 0.8rem; }
  table.answer th, table.answer td { padding: 0.2rem 0.15rem; }
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
        f'<p id="headline"><strong>{for_html(headline(answer, scenario))}.</strong></p>',
        *_card_html(report),
        f'<p id="question"><strong>Question.</strong> {for_html(scenario.question)}</p>',
    ]
    if answer.extrapolation:
        parts.append(
            "<p class='note'>Extrapolation: this combination was not fitted; it is predicted from the fit.</p>"
        )
    parts += ["<h2>Answer</h2>", *_answer_table_html("outcomes", answer, answer_rows(report))]
    parts.append(f"<p class='note'>Change is against real history at {shown_year(answer.year)}.</p>")
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
        parts.append(f"<h3>{for_html(rung3_intro(report))}</h3>")
        rows = answer_rows(report, report.given_history)
        parts += _answer_table_html("given-history", report.given_history, rows)
    if report.worldviews is not None:
        parts.append(f'<h3>{for_html(worldview_intro())}</h3><table id="worldviews"><thead><tr>')
        parts += [f"<th>{for_html(h)}</th>" for h in WORLDVIEW_HEADER]
        parts.append("</tr></thead><tbody>")
        for row in worldview_rows(report):
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
    parts.append("<details><summary>What each outcome means</summary><dl>")
    for o in scenario.outcomes:
        parts.append(
            f"<dt><strong>{for_html(o.label)}</strong> ({for_html(o.id)})</dt><dd>{for_html(o.definition)}</dd>"
        )
    parts.append("</dl></details>")
    for pod_id in answer.pods:
        pod = scenario.pod(pod_id)
        year = f", {shown_year(pod.year)}" if pod.year is not None else ""
        parts.append(
            f'<h2 id="pod-{for_html(pod.id)}">Divergence: {for_html(pod.title)} ({for_html(pod.id)}{year})</h2>'
        )
        parts.append(f"<p>{for_html(pod.description)}</p>")
        if pod.passages:
            parts.append(f"<details><summary>The passages it comes from ({len(pod.passages)})</summary>")
        for passage in pod.passages:
            source = scenario.source(passage.source)
            link = (
                f' <a href="{for_html(url)}">{for_html(source.title)}</a>'
                if (url := safe_url(source.url))
                else for_html(source.title)
            )
            parts.append(f"<blockquote>{for_html(passage.quote)}<br><span class='note'>{link}</span></blockquote>")
        if pod.passages:
            parts.append("</details>")
    parts.append("<h2>Plots</h2>")
    for name in FIGURES:
        if name in report.figures and name != "card":  # the card is under the headline
            data = base64.b64encode(report.figures[name]).decode("ascii")
            parts.append(
                f'<figure id="{name}"><img alt="{for_html(captions[name])}" src="data:image/png;base64,{data}">'
                f"<figcaption>{for_html(captions[name])}</figcaption></figure>"
            )
    parts.append('<h2>The claims that drive the answer</h2><ul id="drivers">')
    for author, about, where, quote, says, note in driver_lines(report):
        parts.append(
            f"<li><strong>{for_html(author)}</strong> on {for_html(about)}, <span class='note'>{for_html(where)}"
            f"</span><blockquote>{for_html(quote)}</blockquote>{for_html(says)}.{_note_html(note)}</li>"
        )
    parts.append("</ul>")
    others = claim_lines(report, besides_drivers=True)
    if others:
        parts.append('<h2>The other claims about this divergence</h2><ul id="claims">')
    for author, kind, about, where, quote, says, note in others:
        parts.append(
            f"<li><strong>{for_html(author)}</strong> [{for_html(kind)}] on {for_html(about)}, "
            f"<span class='note'>{for_html(where)}</span><blockquote>{for_html(quote)}</blockquote>"
            f"{for_html(says)}.{_note_html(note)}</li>"
        )
    if others:
        parts.append("</ul>")
    parts.append('<details id="glossary"><summary>Glossary</summary><dl>')
    parts += [f"<dt><strong>{for_html(term)}</strong></dt><dd>{for_html(meaning)}.</dd>" for term, meaning in GLOSSARY]
    parts.append("</dl></details>")
    parts.append("<details><summary>Sampler diagnostics</summary>")
    parts += [f"<p>{for_html(line)}</p>" for line in diagnostics_lines(report.attrs, advice=False)]
    parts.append("</details>")
    parts.append(f"<details><summary>Counterfactual semantics</summary><p>{for_html(SEMANTICS)}.</p>")
    if report.given_history is not None:
        parts.append(f"<p>{for_html(RUNG3_SEMANTICS)}.</p>")
    parts.append("</details>")
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


def _answer_table_html(table_id: str, answer: Answer, rows: Sequence[Sequence[str]]) -> list[str]:
    """An answer table narrow enough for a phone: each value with its interval below it in one cell
    (outcome; its chance; the change; the chance the divergence raises it)."""
    header = answer_header(answer)
    heads = [header[0], f"chance ({header[2]})", f"{header[3]} ({header[4]})", header[5]]
    parts = [f'<table id="{table_id}" class="answer"><thead><tr>', *(f"<th>{for_html(h)}</th>" for h in heads)]
    parts.append("</tr></thead><tbody>")
    for outcome, mean, interval, change, change_interval, raises in rows:
        cells = [
            for_html(outcome),
            f"{for_html(mean)}<br><span class='note nowrap'>{for_html(interval)}</span>",
            f"{for_html(change)}<br><span class='note nowrap'>{for_html(change_interval)}</span>",
            for_html(raises),
        ]
        parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append("</tbody></table>")
    return parts


def _note_html(note: str) -> str:
    """A claim's reading note, collapsed (empty when it has none)."""
    if not note:
        return ""
    return f"<details class='note'><summary>reading note</summary>{for_html(note)}</details>"


def _card_html(report: Report) -> list[str]:
    """The card under the headline (none when the report has no card)."""
    if "card" not in report.figures:
        return []
    data = base64.b64encode(report.figures["card"]).decode("ascii")
    alt = for_html(headline(report.answer, report.scenario))
    return [f'<figure id="card"><img alt="{alt}" src="data:image/png;base64,{data}"></figure>']


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def render_markdown(report: Report, image_names: Mapping[str, str]) -> str:
    """The report as Markdown for a forum post; plots are linked by the file names in ``image_names``.

    Every text from the scenario is escaped (:func:`cfprob.safe.neutralise.for_markdown`): it shows as written and
    adds no markup, links or HTML to the post.
    """
    md = for_markdown
    scenario, answer = report.scenario, report.answer
    lines = [f"# {md(scenario.title)}", "", f"**{md(headline(answer, scenario))}.**", ""]
    lines += [f"![card]({image_names['card']})", ""] if "card" in image_names else []
    lines += [f"**Question.** {md(scenario.question)}", ""]
    lines += [
        "## Answer",
        "",
        *_md_table(answer_header(report.answer), [[md(c) for c in row] for row in answer_rows(report)]),
        "",
    ]
    lines += [f"Change is against real history at {shown_year(answer.year)}.", ""]
    if answer.sources is not None:
        header, rows, sentence = sources_table(answer, scenario)
        lines += ["### Where the number comes from", "", *_md_table(header, [[md(c) for c in r] for r in rows]), ""]
        lines += [md(sentence), ""] if sentence else []
    lines += [item for line in plausibility_lines(answer) for item in (line + ".", "")]
    if report.given_history is not None:
        rows = [[md(c) for c in row] for row in answer_rows(report, report.given_history)]
        lines += [md(rung3_intro(report)), "", *_md_table(answer_header(report.given_history), rows), ""]
    if report.worldviews is not None:
        rows = [[md(c) for c in row] for row in worldview_rows(report)]
        lines += [worldview_intro() + ".", "", *_md_table(WORLDVIEW_HEADER, rows), ""]
    lines += ["**What each outcome means**", ""]
    lines += [f"- **{md(o.label)}** ({md(o.id)}): {md(o.definition)}" for o in scenario.outcomes]
    for pod_id in answer.pods:
        pod = scenario.pod(pod_id)
        year = f", {shown_year(pod.year)}" if pod.year is not None else ""
        lines += ["", f"## Divergence: {md(pod.title)} ({md(pod.id)}{year})", "", md(pod.description), ""]
        for passage in pod.passages:
            lines += [f"> {md(passage.quote)}", f"> — {md(scenario.source(passage.source).title)}", ""]
    for name in FIGURES:
        if name in image_names and name != "card":
            lines.append(f"![{name}]({image_names[name]})")
    lines += ["", "## The claims that drive the answer", ""]
    for author, about, where, quote, says, note in driver_lines(report):
        lines += [f'- **{md(author)}** on {md(about)}, {md(where)}: "{md(quote)}" — {md(says)}.']
        lines += [f"  {md(note)}"] if note else []
    others = claim_lines(report, besides_drivers=True)
    lines += ["", "## The other claims about this divergence", ""] if others else []
    for author, kind, about, where, quote, says, note in others:
        lines += [f'- **{md(author)}** [{md(kind)}] on {md(about)}, {md(where)}: "{md(quote)}" — {md(says)}.']
        lines += [f"  {md(note)}"] if note else []
    lines += ["", "## Glossary", "", *(f"- **{term}**: {meaning}." for term, meaning in GLOSSARY)]
    lines += ["", "## Sampler diagnostics", "", *diagnostics_lines(report.attrs, advice=False)]
    lines += ["", "## Counterfactual semantics", "", SEMANTICS + "."]
    if report.given_history is not None:
        lines += ["", RUNG3_SEMANTICS + "."]
    lines += ["", "## How to cite", "", *(f"- {md(line)}" for line in citation_lines(report))]
    return "\n".join(lines) + "\n"


def write_report(report: Report, out: Path, images: Mapping[str, Path]) -> list[Path]:
    """Write ``report`` to ``out`` (.html: one file; .md: the plots to ``images`` first), each file atomically.

    The caller has checked that the files may be written (:func:`cfprob.safe.files.check_new_file`).
    """
    files: dict[Path, bytes | str] = {}
    if out.suffix.lower() == ".bbcode":
        text = render_bbcode(report)
    elif out.suffix.lower() == ".md":
        files = {path: report.figures[name] for name, path in images.items() if name in report.figures}
        text = render_markdown(report, {n: p.name for n, p in images.items() if p in files})
    else:
        text = render_html(report)
    # all or nothing: a full disk or an interruption leaves no images without their report
    write_files_atomically({out: text, **files})
    return [out, *files]
