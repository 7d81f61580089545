"""Plain-text tables and sentences for the command line. Pure formatting: no computing, no I/O."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cfprob.answers.sources import KHAT_LIMIT, THIN_SUPPORT, feature_priors, feature_support
from cfprob.claims import KINDS
from cfprob.fitting.priors import Priors
from cfprob.fitting.provenance import CREDIBLE_MASS, RUNG3_SEMANTICS, SEMANTICS
from cfprob.reading.lexicon import Lexicon
from cfprob.reading.scenario import OTL, Pod, Scenario

if TYPE_CHECKING:
    from cfprob.answers.curve import Curve
    from cfprob.answers.query import Answer

__all__ = [
    "answer_header",
    "diagnostics_lines",
    "diagnostics_problems",
    "format_answer",
    "format_compare",
    "format_curve",
    "percent",
    "plausibility_lines",
    "shown_year",
    "terminal_width",
    "text_table",
]

INTERVAL = f"{CREDIBLE_MASS:.0%} interval"


def terminal_width() -> int:
    """The width tables and prose fit (at least 60): ``$COLUMNS`` when set, else the terminal's when printing
    to one, else :data:`WIDTH`."""
    import os
    import shutil
    import sys

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(60, int(columns))
    if not sys.stdout.isatty():
        return WIDTH
    return max(60, shutil.get_terminal_size((WIDTH, 24)).columns)


_GLUE = "\x00"
"""Stands for a space that must not break a line while a cell is wrapped (never printed)."""
_INTERVAL = re.compile(r"\[[^\]\n]*\]")


def _glued(text: str) -> str:
    """``text`` with the spaces inside each bracketed interval (``[0.08, 0.62]``) glued: one word to wrap."""
    return _INTERVAL.sub(lambda m: m.group().replace(" ", _GLUE), text)


def text_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool], width: int | None = None
) -> list[str]:
    """Columns two spaces apart (``right``: right-aligned) under a header and a rule, fitted into ``width``
    (:func:`terminal_width` when None).

    A table too wide has its widest columns narrowed, their cells and headers wrapped at spaces (a word, or an
    interval in brackets, is never broken), and its rows stand apart by a blank line. A table still too wide
    is shown as records: each row as its header's names beside its values.
    """
    import textwrap

    width = width or terminal_width()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    widths = [max(len(str(x)) for x in (h, *column)) for h, column in zip(header, columns, strict=True)]
    # a column is never narrower than its longest word, in a cell or in the header
    floors = [
        max([_NARROWEST, *(len(w) for x in (h, *column) for w in _glued(str(x)).split())])
        for h, column in zip(header, columns, strict=True)
    ]
    # wrap headers wider than their cells first (a header line costs less than wrapping every row), then cells
    cells = [max([len(str(x)) for x in column] or [0]) for column in columns]
    for stop in ([max(f, c) for f, c in zip(floors, cells, strict=True)], floors):
        while sum(widths) + 2 * (len(widths) - 1) > width:
            slack = [w - f for w, f in zip(widths, stop, strict=True)]
            if max(slack) <= 0:
                break
            widths[max((i for i in range(len(widths)) if slack[i] > 0), key=lambda i: widths[i])] -= 1
    if sum(widths) + 2 * (len(widths) - 1) > width:
        return _records(header, rows)

    def lines(row: Sequence[str]) -> list[str]:
        # an empty column (a blank header, no rows) is 0 wide: textwrap needs at least 1
        cells = [
            [part.replace(_GLUE, " ") for part in textwrap.wrap(_glued(str(c)), max(1, w), break_on_hyphens=False)]
            or [""]
            for c, w in zip(row, widths, strict=True)
        ]
        result = []
        for k in range(max(len(c) for c in cells)):
            parts = [
                (c[k] if k < len(c) else "").rjust(w) if r else (c[k] if k < len(c) else "").ljust(w)
                for c, w, r in zip(cells, widths, right, strict=True)
            ]
            result.append("  ".join(parts).rstrip())
        return result

    body = [lines(r) for r in rows]
    spaced = any(len(b) > 1 for b in body)
    result = [*lines(header), "  ".join("-" * w for w in widths).rstrip()]
    for i, b in enumerate(body):
        result += ([""] if spaced and i else []) + b
    return result


def _records(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """``rows`` one after another, each value beside its column's name (the first column's value as a title)."""
    named = [str(h) or "note" for h in header[1:]]
    pad = max((len(n) for n in named), default=0)
    result: list[str] = []
    for i, row in enumerate(rows):
        result += ([""] if i else []) + [f"{header[0]}: {row[0]}" if header[0] else str(row[0])]
        result += [f"  {n:<{pad}}  {v}" for n, v in zip(named, row[1:], strict=True) if str(v)]
    return result


_NARROWEST = 6
"""The narrowest a column of :func:`text_table` is made to fit."""


def percent(x: float) -> str:
    return f"{x:.2f}"


def _signed(x: float) -> str:
    return f"{x:+.2f}"


def diagnostics_problems(attrs: Mapping[Any, Any], advice: bool = True) -> list[str]:
    """Sampler problems in plain words; empty when the sampler looks healthy. Each says what happened and what
    it does to the numbers; with ``advice``, then what to run about it, which readers of a report or forum post,
    who cannot refit anything, are not shown."""
    return [f"{said}; {todo}" if advice else said for said, todo in _problems(attrs)]


def _problems(attrs: Mapping[Any, Any]) -> list[tuple[str, str]]:
    """Each problem as (what happened and what it does to the numbers, what to run about it)."""
    problems = []
    divergences = int(attrs.get("diag_divergences", 0))
    if divergences:
        used = float(attrs.get("target_accept", 0.8))
        smaller = (
            f"refit with --target-accept {max(0.99, used):g} (smaller steps)"
            if used < 0.99
            else "refit with more --tune"
        )
        problems.append(
            (
                f"{divergences} divergent transition{'s' if divergences > 1 else ''}: the sampler could not "
                "explore part of the posterior, so intervals may be too narrow",
                f"{smaller} or treat them with care",
            )
        )
    rhat = float(attrs.get("diag_max_rhat", float("nan")))
    limit = float(attrs.get("diag_rhat_threshold", 1.01))
    if math.isfinite(rhat) and rhat > limit:
        problems.append(
            (
                f"chains disagree (r_hat {rhat:.3f} > {limit} for {attrs.get('diag_max_rhat_variable', '?')}): "
                "the chains have not converged",
                "refit with more --draws and --tune",
            )
        )
    elif not math.isfinite(rhat) or rhat <= 0:
        if int(attrs.get("chains", 1) or 1) > 1:
            problems.append(("r_hat could not be computed: the draws cannot be trusted", "refit with --refit"))
        else:
            problems.append(("only one chain: convergence (r_hat) cannot be checked", "use --chains 2 or more"))
    treedepth = int(attrs.get("diag_max_treedepth_hits", 0))
    if treedepth:
        problems.append(
            (
                f"{treedepth} draws hit the maximum tree depth: sampling was inefficient there; the numbers may "
                "still be right",
                "check them with more --tune",
            )
        )
    threshold = float(attrs.get("diag_ess_threshold", 400))
    ess = min(float(attrs.get("diag_min_ess_bulk", 0)), float(attrs.get("diag_min_ess_tail", 0)))
    if not math.isfinite(ess):
        problems.append(("the effective sample size could not be computed: the draws cannot be trusted", "refit"))
    elif ess < threshold:
        problems.append(
            (
                f"too few effective draws ({ess:.0f} < {threshold:.0f}): Monte Carlo error is large",
                "refit with more --draws",
            )
        )
    return problems


def diagnostics_lines(attrs: Mapping[Any, Any], advice: bool = True) -> list[str]:
    """The one-line sampler summary, followed by a warning line for each problem (with what to run about it
    unless ``advice`` is False: reports and forum posts)."""
    rhat = float(attrs.get("diag_max_rhat", float("nan")))
    shown_rhat = f"{rhat:.3f}" if math.isfinite(rhat) else "n/a (one chain)"
    summary = (
        f"Sampler: {attrs.get('sampler', 'NUTS')}, {attrs.get('chains')} chains x {attrs.get('draws')} draws, "
        f"seed {attrs.get('seed')}; "
        f"{int(attrs.get('diag_divergences', 0))} divergences; max r_hat "
        f"{shown_rhat}; min ESS {float(attrs.get('diag_min_ess_bulk', 0)):.0f} bulk / "
        f"{float(attrs.get('diag_min_ess_tail', 0)):.0f} tail"
    )
    problems = diagnostics_problems(attrs, advice)
    if not problems:
        return [summary + " - no problems found."]
    return [summary + ".", *(f"WARNING: {p}" for p in problems)]


def shown_year(year: int) -> str:
    """A year as a reader writes it: 1965, or 216 BC for -216 (a negative year is before the common era)."""
    return f"{-year} BC" if year < 0 else str(year)


def _pod_title(pod: Pod) -> str:
    year = f", {shown_year(pod.year)}" if pod.year is not None else ""
    return f"{pod.title} ({pod.id}{year})"


def scenario_line(scenario: Scenario, attrs: Mapping[Any, Any]) -> str:
    """The first line of an answer: cfprob's version, the scenario, its content hash and the folder it was read
    from (relative to the working folder when inside it), so that an answer says which files it reflects."""
    import os

    folder = str(scenario.path)
    try:
        relative = os.path.relpath(folder)
        folder = relative if not relative.startswith("..") else folder
    except ValueError:  # another drive
        pass
    digest = str(attrs.get("scenario_hash", scenario.content_hash))[:12]
    return f"cfprob {attrs.get('cfprob_version')} | scenario {scenario.id} ({digest}) from {folder}"


def plausibility_lines(answer: Answer) -> list[str]:
    """How plausible the divergence itself is, from the antecedent claims: one sentence for one divergence
    point, and the chain of steps that leads to it where a point follows another (``after``)."""
    lines = []
    if answer.plausibility is not None:
        m, lo, hi = answer.plausibility
        previous = next((step.after for step in answer.chain if step.pod == answer.pods[0] and step.after), None)
        given = f" once {previous} has happened" if previous else ""
        lines.append(
            f"Could the divergence itself have happened{given}? {percent(m)} [{percent(lo)}, {percent(hi)}] from "
            "the antecedent claims (not part of the outcome probabilities above)"
        )
    if answer.chain:
        steps = [
            step.pod
            + (
                f" ({'after it, ' if step.after else ''}{percent(step.plausibility[0])})"
                if step.plausibility
                else " (no claim)"
            )
            for step in answer.chain
        ]
        together = answer.chain_plausibility
        lines.append(
            "The chain of steps: "
            + " -> ".join(steps)
            + (
                f"; all of them: {percent(together[0])} [{percent(together[1])}, {percent(together[2])}]"
                if together
                else "; all of them: not known (a step no antecedent claim speaks of)"
            )
        )
    return lines


def answer_header(answer: Answer) -> tuple[str, ...]:
    """The answer table's header in plain words: what the change is measured against (real history at the
    divergence's year, or the observed outcome given what happened) and the chance the divergence raises it."""
    against = "the observed outcome" if answer.given_history else f"real history in {shown_year(answer.year)}"
    return ("outcome", "P(outcome)", INTERVAL, f"change from {against}", f"{INTERVAL} of change", "chance it raises")


def _answer_table(answer: Answer, scenario: Scenario) -> list[str]:
    header = answer_header(answer)
    labels = {o.id: o.label for o in scenario.outcomes}
    rows = [
        [
            labels.get(r.outcome, r.outcome),
            percent(r.mean),
            f"[{percent(r.low)}, {percent(r.high)}]",
            _signed(r.change_mean),
            f"[{_signed(r.change_low)}, {_signed(r.change_high)}]",
            "n/a" if answer.pods == (OTL,) else percent(r.p_raise),
        ]
        for r in answer.rows
    ]
    return text_table(header, rows, [False, True, True, True, True, True])


def given_history_intro(scenario: Scenario) -> str:
    """What the rung-3 answer is, in a sentence."""
    observed = scenario.evidence.observed_outcome
    return (
        f"Given what happened (rung 3): the same divergence, given that real history ended in {observed}; "
        f"change is against that outcome."
    )


def given_history_lines(answer: Answer, scenario: Scenario) -> list[str]:
    """The rung-3 answer after the interventional one: its table and semantics only (the question, the claims
    and the diagnostics are the same and shown once)."""
    return [
        given_history_intro(scenario),
        "",
        *_answer_table(answer, scenario),
        "",
        f"Semantics: {RUNG3_SEMANTICS}.",
    ]


def format_answer(
    answer: Answer,
    scenario: Scenario,
    attrs: Mapping[Any, Any],
    lexicon: Lexicon,
    max_claims: int = 8,
) -> str:
    """The `cfprob run` report: table, simulated histories, claims, semantics, diagnostics."""
    titles = [_pod_title(scenario.pod(p)) for p in answer.pods]
    titles += [] if answer.pods else [f"a divergence in {shown_year(answer.year)}"]
    titles += [f"{k} = {v:g}" for k, v in answer.features.items()]
    lines = [
        scenario_line(scenario, attrs),
        f"Question: {scenario.question}",
        "Divergence: " + " + ".join(titles),
    ]
    years = [scenario.pod(p).year for p in answer.pods]
    if len(set(years)) < len(years):
        lines.append(
            "NOTE: stacked divergence points share a year; if they exclude each other (two successors at once), "
            "the stack describes no possible history."
        )
    if answer.extrapolation:
        lines.append(f"NOTE: extrapolation - {answer.extrapolation_note}.")
    if answer.worldview and answer.pods != (OTL,):
        lines.append(
            f"Seen from the {answer.worldview} end of the claimants' worldview (a claimant at its "
            f"{'10th' if answer.worldview == 'low' else '90th'} percentile), not at the average."
        )
    if answer.given_history:
        lines.append(
            f"Given what happened: real history ended in {scenario.evidence.observed_outcome}; change is against it."
        )
    lines += ["", *_answer_table(answer, scenario), ""]
    if answer.sources is not None:
        lines += [*sources_lines(answer, scenario), ""]
    histories = ", ".join(f"{o} {n}" for o, n in answer.histories.items())
    lines.append(f"Simulated histories (one per posterior draw, {answer.n_draws}): {histories}")
    lines += plausibility_lines(answer)
    asked = set(answer.pods)
    claims = [c for c in scenario.claims if c.given and set(c.stack) == asked]
    claims += [c for p in answer.pods for c in scenario.claims_about(p) if not c.given]
    if claims:
        authors = {c.author for c in claims}
        lines.append(f"Claims about this divergence ({len(claims)} by {len(authors)} claimants):")
        for c in claims[:max_claims]:
            says = KINDS[c.kind].says(c, lexicon, scenario.outcome_ids)
            kept_out = f" (not in the fit: {c.excluded})" if c.excluded else ""
            lines.append(f"  - {scenario.claimant(c.author).name}: {says}{kept_out}")
        if len(claims) > max_claims:
            lines.append(f"  ... and {len(claims) - max_claims} more (cfprob claims --pod {answer.pods[0]})")
    elif answer.pods and answer.pods != (OTL,):
        lines.append("No claim is about this divergence point: it borrows strength from its features.")
    stacks = dict.fromkeys(c.stack for c in scenario.claims if c.given and asked < set(c.stack))
    for stack in stacks:
        lines.append(f"Said of it under a condition (stacked): cfprob run {' '.join(stack)}")
    lines.append(f"Semantics: {RUNG3_SEMANTICS if answer.given_history else SEMANTICS}.")
    lines += diagnostics_lines(attrs)
    return "\n".join(lines)


def sources_table(answer: Answer, scenario: Scenario) -> tuple[list[str], list[list[str]], str]:
    """Where the answer comes from, as a table (header, rows) and a sentence: the answer with no claims, with
    its features only, with every claim, and the range from leaving out one claimant at a time, naming the
    claimant who moves it most."""
    found = answer.sources
    assert found is not None
    outcomes = answer.outcomes
    pod = scenario.pod(answer.pods[0])
    features = [f for f in scenario.feature_ids if pod.feature_value(f)]
    rows = [["no claims (data and priors)", *map(percent, found.no_claims)]]
    if found.features_only is not None:
        rows.append([f"features only ({', '.join(features)})", *map(percent, found.features_only)])
    rows.append(["every claim (the answer)", *map(percent, found.every_claim)])
    if found.claimants:
        ranges = [found.range_without(k) for k in range(len(outcomes))]
        rows.append(["one claimant left out", *[f"{percent(lo)}-{percent(hi)}" for lo, hi in ranges]])
    if any(not p["from_data"] for p in feature_priors(scenario, features, Priors().beta_sd).values()):
        for sd, values, khat in found.judged:
            unsure = "" if khat <= KHAT_LIMIT else " (k > 0.7)"
            rows.append([f"judged feature priors at sd {sd:g}{unsure}", *map(percent, values)])
    sentence = ""
    moves = [(k, m) for k in range(len(outcomes)) if (m := found.mover(k)) is not None]
    if moves:
        k, (claimant, change, reliable) = max(moves, key=lambda km: abs(km[1][1]))
        note = "" if reliable else " (Pareto k above 0.7: only a refit would be sure)"
        sentence = (
            f"Leaving out {scenario.claimant(claimant).name} moves it most: {outcomes[k]} "
            f"{percent(found.every_claim[k])} -> {percent(found.every_claim[k] + change)}{note}."
        )
    priors = feature_priors_sentence(scenario, features)
    if priors:
        sentence += (" " if sentence else "") + priors
    for feature in features:
        voices = feature_support(scenario, feature)
        if len(voices) < THIN_SUPPORT:
            names = ", ".join(scenario.claimant(v).name for v in voices) or "nobody"
            sentence += (" " if sentence else "") + (
                f"Thinly supported: the effect of {feature} rests on the claims of {len(voices)} "
                f"claimant{'s' if len(voices) != 1 else ''} ({names})."
            )
    labels = {o.id: o.label for o in scenario.outcomes}
    return ["answer with", *(labels.get(o, o) for o in outcomes)], rows, sentence


def feature_priors_sentence(scenario: Scenario, features: Sequence[str]) -> str:
    """:func:`feature_priors` in a sentence (empty without features)."""
    found = feature_priors(scenario, features, Priors().beta_sd)
    if not found:
        return ""
    parts = [f"{f} sd {p['sd']:.2f}, {p['basis']}" for f, p in found.items()]
    return "Prior of each feature's effect (logits): " + "; ".join(parts) + "."


def sources_lines(answer: Answer, scenario: Scenario) -> list[str]:
    """:func:`sources_table` as text."""
    header, rows, sentence = sources_table(answer, scenario)
    lines = ["Where the number comes from:", *text_table(header, rows, [False, *[True] * (len(header) - 1)])]
    return lines + ([sentence] if sentence else [])


def _sampler_note(attrs: Mapping[str, Any]) -> str:
    """A fit's sampler problems in a few words (:func:`diagnostics_problems` says them in full)."""
    notes = []
    if int(attrs.get("diag_divergences", 0)):
        notes.append(f"{int(attrs['diag_divergences'])} divergences")
    rhat = float(attrs.get("diag_max_rhat", float("nan")))
    if math.isfinite(rhat) and rhat > float(attrs.get("diag_rhat_threshold", 1.01)):
        notes.append(f"not converged (r_hat {rhat:.2f})")
    ess = float(attrs.get("diag_min_ess_bulk", float("inf")))
    if ess < float(attrs.get("diag_ess_threshold", 0)):
        notes.append(f"few effective draws ({ess:.0f})")
    return "; ".join(notes) or "ok"


def selection_lines(answer: Answer, across: Sequence[tuple[float, Answer, Mapping[str, Any]]]) -> list[str]:
    """The answer with the selection's strength fitted (its prior) and fixed at each strength in ``across``
    (with each refit's attributes: a refit the sampler did not converge on says so in its row)."""
    header = ["selection strength", *answer.outcomes, "sampler"]
    prior = Priors()
    fitted = f"fitted (prior {prior.selection_mean:g} +- {prior.selection_sd:g})"
    rows = [[fitted, *(percent(r.mean) for r in answer.rows), ""]]
    for strength, other, attrs in across:
        rows.append([f"fixed at {strength:g}", *(percent(r.mean) for r in other.rows), _sampler_note(attrs)])
    lines = [
        "The answer across the selection's strength (how much claimants favour the divergences they see as",
        "best for the first outcome when they choose which to speak about; 0: at random):",
    ]
    return lines + text_table(header, rows, [False, *[True] * len(answer.outcomes), False])


WIDTH = 100
"""The widest line cfprob prints when not printing to a terminal; longer prose lines are wrapped, with an indent,
and tables narrowed (:func:`text_table`)."""


def wrapped(lines: Sequence[str], width: int | None = None) -> list[str]:
    """``lines`` with each one longer than ``width`` (:func:`terminal_width` when None) wrapped at spaces, its
    continuation indented (a list item's under its text)."""
    import textwrap

    width = width or terminal_width()
    result: list[str] = []
    for line in lines:
        if len(line) <= width:
            result.append(line)
            continue
        lead = len(line) - len(line.lstrip(" "))
        indent = " " * (lead + (4 if line.lstrip().startswith("- ") else 2))
        result += textwrap.wrap(line, width=width, subsequent_indent=indent, break_on_hyphens=False)
    return result


def format_compare(answers: Sequence[Answer], scenario: Scenario, by: str, attrs: Mapping[Any, Any]) -> str:
    """The `cfprob compare` table: one row per divergence point, ranked by P(by), highest first.

    Built to fit 100 columns with every interval whole: the rows' order is the rank (no rank column), a year
    is shown beside the divergence point's id unless the id ends with it, outcomes go by their labels (whose
    spaces let headers wrap between words), and the change and P(raises) columns, of ``by``, are named once
    in the sentence above the table."""
    outcomes = scenario.outcome_ids
    label = {o.id: o.label for o in scenario.outcomes}
    header = ["divergence point", *(label[o] for o in outcomes), "change", "P(raises)", "claims"]
    rows = []
    for a in answers:
        pod = scenario.pod(a.pods[0])
        year = "" if pod.year is None else shown_year(pod.year)
        name = f"{pod.id} (real history, {shown_year(a.year)})" if pod.id == OTL else pod.id
        name += f" ({year})" if year and not pod.id.endswith(str(pod.year)) else ""
        rows.append(
            [
                name,
                *(f"{percent(a.row(o).mean)} [{percent(a.row(o).low)}, {percent(a.row(o).high)}]" for o in outcomes),
                _signed(a.row(by).change_mean),
                "n/a" if pod.id == OTL else percent(a.row(by).p_raise),
                str(len(scenario.claims_about(pod.id))),
            ]
        )
    lines = [
        scenario_line(scenario, attrs),
        f"Ranked by P({label[by]}), highest first: each outcome's probability with its central {INTERVAL}; "
        f"change: in P({label[by]}) against real history at the divergence's year; P(raises): the chance the "
        "divergence raises it.",
        "",
        *text_table(header, rows, [False, *([True] * len(outcomes)), True, True, True]),
        "",
        f"Semantics: {SEMANTICS}.",
        *diagnostics_lines(attrs),
    ]
    return "\n".join(lines)


def format_curve(curve: Curve, step: int = 5) -> str:
    """Real history's curve every ``step`` years (and at both ends), the observed year's end point, the named divergence
    points by year and the era claims about the outcome."""
    from cfprob.answers.curve import CURVE_SEMANTICS

    first, last = int(curve.years[0]), int(curve.years[-1])
    shown = sorted({first, last, *range(step * -(-first // step), last + 1, step)})
    o = curve.outcome
    lines = [f"Real history's curve of P({o}) given history up to each year, {first} to {last}", ""]
    rows = []
    for year in shown:
        mean, low, high = curve.at(year)
        rows.append([shown_year(year), percent(mean), f"[{percent(low)}, {percent(high)}]", _bar(mean)])
    lines += text_table(["year", f"P({o})", INTERVAL, ""], rows, [True, True, True, False])
    end = curve.observed
    lines += [
        "",
        f"At the observed year {end.year if end.year is None else shown_year(end.year)}: "
        f"P({o}) = {percent(end.mean)} [{percent(end.low)}, {percent(end.high)}]",
    ]
    lines += ["", "Named divergence points (their own posteriors; change against real history at their year):"]
    pod_rows = [
        [
            str(m.year),
            m.pod,
            percent(m.mean),
            f"[{percent(m.low)}, {percent(m.high)}]",
            _signed(m.change),
            percent(m.p_raise),
        ]
        for m in curve.pods
    ]
    header = ["year", "divergence point", f"P({o})", INTERVAL, "change", "P(raises)"]
    lines += text_table(header, pod_rows, [True, False, True, True, True, True])
    if curve.eras:
        lines += ["", f"Era claims about {o}:"]
        lines += [
            f"  {e.claim} ({e.author}): {e.start}-{e.end} against the years {e.compared_with}" for e in curve.eras
        ]
    lines += ["", f"Curve: {CURVE_SEMANTICS}."]
    return "\n".join(lines)


def _bar(p: float, width: int = 30) -> str:
    return "#" * round(p * width)
