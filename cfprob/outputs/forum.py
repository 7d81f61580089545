"""The report as a forum post in BBCode: one file to paste, its charts drawn in text.

Images beside a Markdown file break when the text is pasted into a forum (they are local files); BBCode
forums (XenForo, phpBB, vBulletin) show ``[code]`` blocks in a fixed-width font, so the answer and each
claim against it are drawn there as strips of characters on a 0–100% scale. Every text from the scenario is
made literal (:func:`for_bbcode`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cfprob.fitting.provenance import CREDIBLE_MASS, RUNG3_SEMANTICS, SEMANTICS
from cfprob.outputs.card import headline
from cfprob.outputs.report import (
    Report,
    answer_rows,
    citation_lines,
    driver_lines,
    rung3_intro,
)
from cfprob.outputs.tables import (
    answer_header,
    diagnostics_lines,
    plausibility_lines,
    shown_year,
    sources_table,
    text_table,
)
from cfprob.safe.neutralise import for_bbcode, for_bbcode_attribute, for_terminal, safe_url

__all__ = ["BBCODE_LIMIT", "WIDTH", "for_bbcode", "render_bbcode", "strip"]

WIDTH = 40
"""Characters from 0% to 100% in a strip."""


def _cell(p: float, width: int) -> int:
    return min(width, max(0, round(p * width)))


def strip(low: float, mark: float, high: float, width: int = WIDTH, symbol: str = "●", line: str = "─") -> str:
    """A 0–100% scale of ``width + 1`` cells: ``line`` from ``low`` to ``high``, ``symbol`` at ``mark``,
    ``·`` elsewhere."""
    if not 0 <= low <= mark <= high <= 1:
        raise ValueError(f"expected 0 <= low <= mark <= high <= 1, found {low}, {mark}, {high}")
    cells = ["·"] * (width + 1)
    for i in range(_cell(low, width), _cell(high, width) + 1):
        cells[i] = line
    cells[_cell(mark, width)] = symbol
    return "".join(cells)


def _scale(indent: int, width: int = WIDTH) -> str:
    ticks = [" "] * (width + 5)
    for share in (0.0, 0.5, 1.0):
        text = f"{share:.0%}"
        start = min(_cell(share, width), width + 5 - len(text))
        ticks[start : start + len(text)] = text
    return " " * indent + "".join(ticks).rstrip()


def _answer_chart(report: Report) -> list[str]:
    """Per outcome: the divergence's strip (mean ●, 90% interval ─) and real history's mean (▲) at its year."""
    answer, labels = report.answer, {o.id: o.label for o in report.scenario.outcomes}
    name = "real history" if answer.pods == ("otl",) else "this divergence"
    width = max(len(labels[r.outcome]) for r in answer.rows)
    lines = []
    for r in answer.rows:
        history = min(1.0, max(0.0, r.mean - r.change_mean))
        bar = list(strip(r.low, r.mean, r.high))
        if answer.pods != ("otl",) and bar[_cell(history, WIDTH)] != "●":
            bar[_cell(history, WIDTH)] = "▲"
        lines.append(f"{labels[r.outcome]:<{width}}  {''.join(bar)}  {r.mean:.0%} ({r.low:.0%}–{r.high:.0%})")
    lines.append(_scale(width + 2))
    lines.append(f"● {name}: mean   ─ {CREDIBLE_MASS:.0%} interval   ▲ real history at {shown_year(answer.year)}: mean")
    return lines


def _claims_chart(report: Report) -> list[str]:
    """Each claim about the divergence (◆ what its words became, ═ their range) above the pooled answer for the
    same outcome (● mean, ─ 90% interval)."""
    rows = report.against
    if not rows:
        return []
    width = max(len(label) for label, *_ in rows)
    lines = []
    for label, said, pooled, how in rows:
        if said is None:
            lines.append(f"{label:<{width}}  says: {how}")
        elif how in ("at least", "at most"):
            low, high = (said[1], 1.0) if how == "at least" else (0.0, said[1])
            lines.append(f"{label:<{width}}  {strip(low, said[1], high, symbol='◆', line='═')}  {how} {said[1]:.0%}")
        else:
            lines.append(f"{label:<{width}}  {strip(*said, symbol='◆', line='═')}  {said[1]:.0%}")
        lines.append(f"{'':<{width}}  {strip(*pooled)}  pooled {pooled[1]:.0%}")
    lines.append(_scale(width + 2))
    lines.append(
        f"◆ what the words became (median; ═ 90% range, to one end for a bound)   "
        f"● pooled answer (mean; ─ {CREDIBLE_MASS:.0%} interval)"
    )
    return lines


_CODE_END = re.compile(r"\[(/?code)", re.IGNORECASE)


def _code(lines: Sequence[str]) -> list[str]:
    """``lines`` in a ``[code]`` block, where boards show everything literally but the block's own end: a
    ``[code]`` or ``[/code]`` in the lines (a claimant's name) shows its bracket as the full-width lookalike."""
    return ["[code]", *(_CODE_END.sub("\uff3b\\1", line) for line in lines), "[/code]"]


BBCODE_LIMIT = 8_000
"""The most characters a BBCode post holds: under the 10,000 that XenForo boards commonly allow, with room for
the poster's own words."""


def render_bbcode(report: Report) -> str:
    """The report as a BBCode forum post of at most :data:`BBCODE_LIMIT` characters: the answer in a sentence,
    the question and outcomes, the divergence, the answer's chart and table, where it comes from, each claim
    about the divergence against the answer (a text chart), the driving claims quoted (as many as fit, most
    influential first), diagnostics, semantics and sources. The reading notes, glossary and every claim in
    full are the HTML and Markdown reports'."""
    bb, scenario, answer = for_bbcode, report.scenario, report.answer
    # no [size]: boards read its number differently (phpBB as a percentage, XenForo as a step)
    head = [f"[b]{bb(scenario.title)}[/b]", "", f"[b]{bb(headline(answer, scenario))}.[/b]", ""]
    head += [f"[b]Question.[/b] {bb(scenario.question)}", ""]
    head += ["[list]", *(f"[*][b]{bb(o.label)}[/b]: {bb(o.definition)}" for o in scenario.outcomes), "[/list]"]
    for pod_id in answer.pods:
        pod = scenario.pod(pod_id)
        year = f" ({shown_year(pod.year)})" if pod.year is not None else ""
        head += ["", f"[b]Divergence: {bb(pod.title)}{year}[/b]", bb(pod.description)]
        for passage in pod.passages[:1]:
            title = for_bbcode_attribute(scenario.source(passage.source).title)
            head += [f'[quote="{title}"]{bb(passage.quote)}[/quote]']
    head += ["", "[b]Answer[/b]", *_code(_answer_chart(report))]
    rows = [[for_terminal(c) for c in row] for row in answer_rows(report)]
    head += _code(text_table(answer_header(answer), rows, [False, True, True, True, True, True]))
    if answer.sources is not None:
        header, rows, sentence = sources_table(answer, scenario)
        rows = [[for_terminal(c) for c in row] for row in rows]
        table = text_table(header, rows, [False, *[True] * (len(header) - 1)])
        head += ["", "[b]Where the number comes from[/b]", *_code(table), *([bb(sentence)] if sentence else [])]
    head += [line + "." for line in plausibility_lines(answer)]
    if report.given_history is not None:
        rows = [[for_terminal(c) for c in row] for row in answer_rows(report, report.given_history)]
        head += [
            "",
            bb(rung3_intro(report)),
            *_code(text_table(answer_header(report.given_history), rows, [False, True, True, True, True, True])),
        ]
    claims = _claims_chart(report)
    if claims:
        head += ["", "[b]Each claim about this divergence against the pooled answer[/b]", *_code(claims)]
    tail = ["", "[b]Sampler diagnostics[/b]", *(bb(line) for line in diagnostics_lines(report.attrs, advice=False))]
    tail += ["", "[b]Counterfactual semantics[/b]", SEMANTICS + "."]
    if report.given_history is not None:
        tail += [RUNG3_SEMANTICS + "."]
    cited = [f"[*]{_linked(line)}" for line in citation_lines(report, claimants=False)]
    tail += ["", "[b]Sources and how to cite[/b]", "[list]", *cited, "[/list]"]
    drivers = [
        [f'[quote="{for_bbcode_attribute(f"{author}, {where}")}"]{bb(quote)}[/quote]', f"On {bb(about)}: {bb(says)}."]
        for author, about, where, quote, says, _ in driver_lines(report)
    ]
    heading = ["", "[b]The claims that drive the answer[/b]"]
    shown: list[str] = []
    for k, driver in enumerate(drivers):
        rest = len(drivers) - k - 1
        more = [f"[i]{rest} more in the full report.[/i]"] if rest else []
        if len(_joined(head + heading + shown + driver + more + tail)) > BBCODE_LIMIT:
            shown.append(f"[i]{len(drivers) - k} more in the full report.[/i]")
            break
        shown += driver
    return _joined(head + (heading + shown if shown else []) + tail)


def _joined(lines: Sequence[str]) -> str:
    return "\n".join(lines) + "\n"


def _linked(line: str) -> str:
    """A citation line with its trailing http(s) address as a ``[url]`` (other text literal)."""
    text, sep, url = line.rpartition(": ")
    if sep and safe_url(url) and "[" not in url:
        return f"{for_bbcode(text)}: [url]{url}[/url]"
    return for_bbcode(line)
