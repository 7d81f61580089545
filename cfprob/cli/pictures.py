"""Commands that draw: ``plot``, ``curve`` and ``report``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    pass
from cfprob.cli.common import (
    _check_plot_out,
    _emit_json,
    _get_answers,
    _get_fit,
    _load,
    _provenance,
    _sampler_options,
    _scenario_option,
    _show,
    _stage_printer,
    _warn_coherence,
)
from cfprob.cli.group import cli

REPORT_FORMATS = (".html", ".bbcode", ".md")
DIAGNOSTIC_KINDS = ("trace", "rank", "ppc")
PLOT_CHOICES = ("card", "posterior", "densities", "forest", "ternary", "claims", "curve", *DIAGNOSTIC_KINDS)
"""Every kind `plot` draws; each of the report's images (``report.FIGURES``) is one of them, by the same name."""


@cli.command()
@click.argument("pods", nargs=-1)
@click.option(
    "--kind",
    type=click.Choice(PLOT_CHOICES),
    default="posterior",
    show_default=True,
    help="card: the answer for PODS at a glance (bars with their numbers, real history marked, provenance), "
    "sized for a phone; posterior (or densities, the report's name): outcome densities of PODS against otl; curve: "
    "real history's curve of the first outcome with PODS ringed; forest: intervals of every divergence point "
    "(PODS marked); ternary: posterior draws of PODS and otl on the probability simplex; claims: each claim "
    "about one POD as its words became, against the pooled answer; trace, rank: the four sampled values that "
    "mixed worst; ppc: each claim family's replicated claims against what was stated.",
)
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output file (.png or .svg).")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@_scenario_option
@_sampler_options
def plot(
    pods: tuple[str, ...],
    kind: str,
    out: Path,
    force: bool,
    scenario_path: Path | None,
    **sampler: Any,
) -> None:
    """Plot outcome posteriors, a forest of divergence points, a ternary plot or the claims against the answer.

    \b
    Examples:
      cfprob plot kosygin-1965 --kind card --out kosygin-card.png
      cfprob plot kosygin-1965 --kind ternary --out kosygin.png
      cfprob plot kosygin-1965 --kind claims --out kosygin-claims.png
      cfprob plot --kind forest --out forest.svg
      cfprob plot --kind rank --out rank.png
    """
    from cfprob.outputs.plots import Labels, plot_kind, save_figure

    _check_plot_out(out, force, "--out")
    scenario = _load(scenario_path)
    asked, kind = kind, "posterior" if kind == "densities" else kind  # the report saves it as densities
    if kind not in ("forest", "curve", *DIAGNOSTIC_KINDS) and not pods:
        raise click.UsageError(f"--kind {kind} needs at least one divergence point")
    from cfprob.answers.query import Fit, check_pods

    check_pods(scenario.pod_ids, pods)
    if kind == "claims" and len(pods) != 1:
        raise click.UsageError(f"--kind claims needs exactly one divergence point, found {len(pods)}")
    if kind == "card":  # from the cached answers: no xarray needed
        from cfprob.answers.query import answer
        from cfprob.outputs.card import plot_card

        fit = _get_answers(scenario, sampler, False)
        card = plot_card(answer(fit, pods, {}, seed=sampler["seed"]), scenario, fit.attrs, Labels.of(scenario))
        save_figure(card, out, overwrite=force)
        click.echo(f"Saved {kind} plot to {out}")
        return
    tree = _get_fit(scenario, sampler, False)
    if kind in DIAGNOSTIC_KINDS:
        from cfprob.outputs.plots import plot_ppc, plot_sampling

        if kind == "ppc":
            from cfprob.answers.groups import with_groups
            from cfprob.fitting.design import design

            save_figure(plot_ppc(with_groups(tree, scenario, design(scenario))), out, overwrite=force)
        else:
            save_figure(plot_sampling(tree, kind), out, overwrite=force)
    elif kind == "curve":
        from cfprob.answers.curve import era_marks, inevitability_curve
        from cfprob.outputs.plots import plot_curve

        first = scenario.outcome_ids[0]
        curve = inevitability_curve(Fit.from_tree(tree), first, era_marks(scenario, first))
        save_figure(plot_curve(curve, highlight=pods, labels=Labels.of(scenario)), out, overwrite=force)
    elif kind == "claims":
        from cfprob.outputs.plots import plot_claims
        from cfprob.reading.lexicon import load_lexicon

        save_figure(plot_claims(Fit.from_tree(tree), scenario, load_lexicon(), pods[0]), out, overwrite=force)
    else:
        save_figure(plot_kind(Fit.from_tree(tree), kind, pods, Labels.of(scenario)), out, overwrite=force)
    click.echo(f"Saved {asked} plot to {out}")


@cli.command()
@click.argument("outcome")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None, help="Also save the plot (.png or .svg).")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@click.option("--step", type=click.IntRange(1, 100), default=5, show_default=True, help="Years between table rows.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every year) instead of a table.")
@_scenario_option
@_sampler_options
def curve(
    outcome: str,
    out: Path | None,
    force: bool,
    step: int,
    as_json: bool,
    scenario_path: Path | None,
    **sampler: Any,
) -> None:
    """Real history's curve of OUTCOME: its probability given history up to each year, with bands.

    \b
    Example:
      cfprob curve collapse --step 10 --out curve-collapse.png
    """
    if out is not None:
        _check_plot_out(out, force, "--out")
    scenario = _load(scenario_path)
    from cfprob.answers.query import check_outcome

    check_outcome(scenario.outcome_ids, outcome)
    fit = _get_answers(scenario, sampler, as_json)
    from cfprob.answers.curve import era_marks, inevitability_curve

    result = inevitability_curve(fit, outcome, era_marks(scenario, outcome))
    if out is not None:
        from cfprob.outputs.plots import Labels, plot_curve, save_figure

        save_figure(plot_curve(result, labels=Labels.of(scenario)), out, overwrite=force)
    if as_json:
        _emit_json({**result.to_dict(), "provenance": _provenance(fit.attrs)})
        return
    from cfprob.outputs.tables import diagnostics_lines, format_curve

    _show(format_curve(result, step))
    click.echo("\n".join(diagnostics_lines(fit.attrs)))
    if out is not None:
        click.echo(f"Saved the curve to {out}")


@cli.command()
@click.argument("pods", nargs=-1, required=True)
@click.option(
    "--out",
    "outs",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Report file: .html; .bbcode for a forum post (charts in text, one file to paste); .md (plots beside it). "
    "Repeat for several formats: the report is computed once.",
)
@click.option("--force", is_flag=True, help="Replace existing files.")
@click.option("--drivers", type=click.IntRange(1, 50), default=5, show_default=True, help="Driving claims shown.")
@click.option(
    "--stack",
    is_flag=True,
    help="With several PODS: one report of the answer after all of them together (without it, several are refused).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report's content as JSON (with or without --out).")
@_scenario_option
@_sampler_options
def report(
    pods: tuple[str, ...],
    outs: tuple[Path, ...],
    force: bool,
    drivers: int,
    stack: bool,
    as_json: bool,
    scenario_path: Path | None,
    **sampler: Any,
) -> None:
    """A shareable report of PODS: one self-contained HTML file, a BBCode forum post whose charts are text (paste
    it as it is), or Markdown (plots as PNG files beside it, to upload with it).

    \b
    Examples:
      cfprob report kosygin-1965 --out kosygin.html
      cfprob report kosygin-1965 --out post.bbcode   # paste into a forum
      cfprob report kosygin-1965 --out post.md       # plots beside it
      cfprob report kosygin-1965 --out k.html --out k.bbcode
      cfprob report kosygin-1965 --json
      cfprob report kosygin-1965 prague-spring-1968 --stack --out both.html
    """
    from cfprob.safe.files import check_new_file

    if len(pods) > 1 and not stack:
        raise click.UsageError(
            f"expected one divergence point per report, found {len(pods)} ({', '.join(pods)}): add --stack for "
            "the answer after all of them together, or write one report for each"
        )
    if not outs and not as_json:
        raise click.UsageError("expected --out FILE.html|.bbcode|.md, or --json, found neither")
    for out in outs:
        if out.suffix.lower() not in REPORT_FORMATS:
            raise click.BadParameter(
                f"expected a file name ending in {', '.join(REPORT_FORMATS)}, found '{out.suffix}'", param_hint="--out"
            )
    if len(set(outs)) < len(outs):
        repeated = next(str(out) for out in outs if outs.count(out) > 1)
        raise click.BadParameter(f"expected each file once, found {repeated} twice", param_hint="--out")
    from cfprob.outputs.report import FIGURES

    pictures = {out: {name: out.with_name(f"{out.stem}-{name}.png") for name in FIGURES} for out in outs}
    for out in outs:
        for path in [out, *(pictures[out].values() if out.suffix.lower() == ".md" else [])]:
            check_new_file(path, force)
    scenario = _load(scenario_path)
    from cfprob.answers.query import check_question

    check_question(scenario.pod_ids, scenario.feature_ids, pods, {})
    _warn_coherence(scenario, pods)
    tree = _get_fit(scenario, sampler, False)
    from cfprob.outputs.pages import write_report
    from cfprob.outputs.report import build_report, report_dict

    _stage_printer()("drawing the plots and weighing every claim's influence (leave-one-out reweighting)")
    built = build_report(tree, scenario, pods, drivers=drivers, seed=sampler["seed"])
    for out in outs:
        written = write_report(built, out, pictures[out])
        saved = f"Saved report to {out}" + (f" and {len(written) - 1} plots beside it" if len(written) > 1 else "")
        click.echo(saved, err=as_json)
    if as_json:
        _emit_json(report_dict(built))
