"""Commands that list and validate a scenario: ``pods``, ``claims``, ``validate`` and ``lexicon``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cfprob.cli.common import (
    _coherence_lines,
    _emit_json,
    _load,
    _scenario_option,
    _show,
    chosen_scenario,
)
from cfprob.cli.group import cli
from cfprob.errors import CfprobError
from cfprob.reading.fields import one_line

if TYPE_CHECKING:
    from cfprob.reading.scenario import Scenario


@cli.command()
@_scenario_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def pods(scenario_path: Path | None, as_json: bool) -> None:
    """List the divergence points of a scenario.

    \b
    Example:
      cfprob pods --scenario my-thread/
    """
    scenario = _load(scenario_path)
    if as_json:
        _emit_json(
            {
                "pods": [
                    {
                        "id": p.id,
                        "year": p.year,
                        "title": p.title,
                        "description": p.description,
                        "features": dict(p.features),
                        "passages": [{"source": x.source, "quote": x.quote} for x in p.passages],
                    }
                    for p in scenario.pods
                ]
            }
        )
        return
    from cfprob.outputs.listings import format_pods

    _show(format_pods(scenario))


def _claimant_id(scenario: Scenario, name: str, option: str) -> str:
    """The id of the claimant called ``name`` (name, id or alias, any case); a one-line error otherwise."""
    from cfprob.reading.fields import did_you_mean

    for c in scenario.claimants:
        if name.lower() in {c.id.lower(), c.name.lower(), *(a.lower() for a in c.aliases)}:
            return c.id
    names = [n for c in scenario.claimants for n in (c.name, *c.aliases)]
    raise CfprobError(f'{option} "{name}": no such claimant{did_you_mean(name, names)}')


@cli.command()
@_scenario_option
@click.option("--pod", default=None, help="Only claims about this divergence point.")
@click.option("--author", default=None, help="Only claims by this claimant (name, id or alias).")
@click.option(
    "--feedback",
    "feedback_for",
    default=None,
    metavar="AUTHOR",
    help="A page for one claimant: what each of their sentences became, ready to post as a reply.",
)
@click.option("--bbcode", is_flag=True, help="With --feedback: the page as BBCode, to paste into a forum post.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def claims(
    scenario_path: Path | None,
    pod: str | None,
    author: str | None,
    feedback_for: str | None,
    bbcode: bool,
    as_json: bool,
) -> None:
    """List claims with their kind, divergence, source, quote, note and the numbers verbal phrases became.

    \b
    Examples:
      cfprob claims --pod kosygin-1965
      cfprob claims --author Phalamus --json
      cfprob claims --feedback Phalamus --bbcode
    """
    from cfprob.reading.lexicon import load_lexicon

    if feedback_for is not None and (pod is not None or author is not None):
        raise CfprobError("--feedback makes a page of its own: give it without --pod and --author")
    if bbcode and (feedback_for is None or as_json):
        raise CfprobError("--bbcode is for the --feedback page (and not with --json)")
    scenario = _load(scenario_path)
    lexicon = load_lexicon()
    if feedback_for is not None:
        from cfprob.outputs.feedback import feedback_page, readings

        who = _claimant_id(scenario, feedback_for, "--feedback")
        if as_json:
            _emit_json({"claimant": who, "readings": readings(scenario, who, lexicon)})
        else:
            _show(feedback_page(scenario, who, lexicon, bbcode=bbcode))
        return
    chosen = list(scenario.claims)
    if pod is not None:
        from cfprob.answers.query import check_pods

        check_pods(scenario.pod_ids, (pod,))
        chosen = [c for c in chosen if pod in c.pods]
    if author is not None:
        who = _claimant_id(scenario, author, "--author")
        chosen = [c for c in chosen if c.author == who]
    if as_json:
        from cfprob.outputs.listings import claim_strength

        _emit_json(
            {
                "claims": [
                    {
                        "id": c.id,
                        "kind": c.kind,
                        "author": c.author,
                        "written_as": c.written_author,
                        "source": c.source,
                        "locator": c.locator,
                        "quote": c.quote,
                        "pods": list(c.pods),
                        "given": list(c.given),
                        "after": c.after,
                        "says": claim_strength(c, lexicon, scenario.outcome_ids),
                        "confidence": c.confidence,
                        "weight": c.weight,
                        "note": c.note,
                    }
                    for c in chosen
                ]
            }
        )
        return
    from cfprob.outputs.listings import format_claims

    _show(format_claims(chosen, scenario, lexicon))


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@_scenario_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON: the counts and warnings, or every problem.")
def validate(path: Path | None, scenario_path: Path | None, as_json: bool) -> None:
    """Check a scenario folder completely (default: the bundled one).

    \b
    Examples:
      cfprob validate priors/ussr --json
      cfprob validate --scenario priors/ussr
    """
    if path is not None and scenario_path is not None and path != scenario_path:
        raise click.UsageError(f"expected one scenario folder, found two: {path} and --scenario {scenario_path}")
    path = path or scenario_path
    from cfprob.errors import ScenarioError
    from cfprob.reading.coherence import coherence_warnings
    from cfprob.reading.loader import load_scenario
    from cfprob.reading.scenario import placeholders

    folder = chosen_scenario(path)
    try:
        scenario = load_scenario(folder)
    except ScenarioError as exc:
        if as_json:
            _emit_json({"path": str(folder), "valid": False, "problems": [one_line(p, 2000) for p in exc.problems]})
        else:
            for line in exc.problems:
                click.echo(f"cfprob: error: {one_line(line, 2000)}", err=True)
        sys.exit(1)
    authors = {c.author for c in scenario.claims}
    listed = len(scenario.claims) - len(scenario.scored_claims)
    unwritten = placeholders(scenario)
    if as_json:
        warnings = coherence_warnings(scenario)
        _emit_json(
            {
                "path": str(scenario.path),
                "valid": True,
                "scenario_id": scenario.id,
                "content_hash": scenario.content_hash,
                "divergence_points": len(scenario.pods) - 1,
                "claims": len(scenario.claims),
                "fitted_claims": len(scenario.scored_claims),
                "claimants": len(authors),
                "drafts": [c.id for c in scenario.drafts],
                "placeholders": unwritten,
                "outcomes": list(scenario.outcome_ids),
                "coherence_warnings": [
                    {
                        "kind": w.kind,
                        "claimant": w.claimant,
                        "pod": w.pod,
                        "claims": list(w.claims),
                        "message": w.message,
                    }
                    for w in warnings
                ],
            }
        )
        return
    kept_out = f" ({listed} listed but not fitted: proposals, excluded claims and drafts)" if listed else ""
    click.echo(
        f"{scenario.path}: valid. {_count(len(scenario.pods) - 1, 'divergence point')} besides otl, "
        f"{_count(len(scenario.claims), 'claim')}{kept_out} by {_count(len(authors), 'claimant')}, "
        f"{_count(len(scenario.outcomes), 'outcome')}; content hash "
        f"{scenario.content_hash[:12]}."
    )
    if unwritten:
        shown = ", ".join(unwritten[:6]) + (" ..." if len(unwritten) > 6 else "")
        click.echo(f"Not yet written: {len(unwritten)} skeleton values still read 'Replace: ...' ({shown})")
    if scenario.drafts:
        shown = ", ".join(c.id for c in scenario.drafts[:10]) + (" ..." if len(scenario.drafts) > 10 else "")
        click.echo(
            f'Drafts to review ({len(scenario.drafts)}, review = "todo"; not fitted, and `run` refuses until none '
            f"is left): {shown}"
        )
    coherence = _coherence_lines(scenario)
    if coherence:
        warned = sum(1 for line in coherence if not line.startswith(" "))
        click.echo(f"Coherence warnings ({warned}; the scenario stays valid, the model weighs every claim):")
        _show("\n".join(f"  {line}" for line in coherence))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON: every phrase's fit and every idiom's reading.")
def lexicon(as_json: bool) -> None:
    """Show the verbal-probability lexicon and the forum idioms mapped onto it.

    \b
    Example:
      cfprob lexicon --json
    """
    from cfprob.outputs.listings import format_lexicon
    from cfprob.reading.lexicon import load_lexicon

    lexicon = load_lexicon()
    if as_json:
        _emit_json(
            {
                "phrases": [
                    {
                        "phrase": e.phrase,
                        "logit_mu": e.logit_mu,
                        "logit_sd": e.logit_sd,
                        "median_pct": e.median_pct,
                        "interval_90_pct": [e.low90_pct, e.high90_pct],
                        "respondents": e.n,
                        "datasets": e.datasets,
                    }
                    for e in lexicon.phrases.values()
                ],
                "idioms": [
                    {"idiom": idiom, "read_as": lexicon.phrases[target].phrase, "rule": rule}
                    for idiom, (target, rule) in sorted(lexicon.idioms.items())
                ],
            }
        )
        return
    _show(format_lexicon(lexicon))


def _count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
