"""Commands that answer the question: ``run`` and ``compare``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    pass
from cfprob.cli.common import (
    _emit_json,
    _get_answers,
    _get_fit,
    _load,
    _parse_features,
    _provenance,
    _read_saved,
    _sampler_options,
    _scenario_option,
    _show,
    _warn_coherence,
)
from cfprob.cli.group import cli


@cli.command()
@click.argument("pods", nargs=-1)
@click.option(
    "--feature",
    "feature_values",
    multiple=True,
    metavar="NAME=VALUE",
    help="Describe (or add to) the divergence by mechanism features; repeatable.",
)
@click.option("--year", type=int, default=None, help="A divergence in this year of the timeline (no refit).")
@click.option(
    "--given-history",
    is_flag=True,
    help="Also answer given what really happened (rung 3: Gumbel-max counterfactual), beside rung 2.",
)
@click.option(
    "--worldview",
    type=click.Choice(["low", "high"]),
    default=None,
    help="See the divergence from the low or high end of the claimants' worldview (10th/90th percentile).",
)
@click.option(
    "--selection-sensitivity",
    is_flag=True,
    help="Also answer with the selection's strength fixed at 0, 0.5, 1 and 2 (four refits, cached).",
)
@_scenario_option
@_sampler_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--out",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    default=None,
    help="Save the result as NetCDF (.nc), an ArviZ object: this answer's draws with the groups leave-one-out, "
    "predictive checks and power-scaling need (--output is the old name).",
)
@click.option("--whole", is_flag=True, help="With --out: save the whole fit (every divergence point), for --from.")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@click.option(
    "--from",
    "from_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Answer from a result saved with --out instead of the cache or a new fit.",
)
def run(
    pods: tuple[str, ...],
    feature_values: tuple[str, ...],
    year: int | None,
    given_history: bool,
    worldview: str | None,
    selection_sensitivity: bool,
    scenario_path: Path | None,
    as_json: bool,
    output: Path | None,
    whole: bool,
    force: bool,
    from_file: Path | None,
    **sampler: Any,
) -> None:
    """Posterior outcome probabilities for divergence point(s) POD, or for a divergence in --year.

    Several PODs are stacked (an extrapolation, predicted without refitting). With --given-history the
    answer given what really happened (rung 3) is shown beside the interventional one (rung 2). The answer is
    at the claimants' average worldview; --worldview low|high shows it as one end of their disagreement sees it.

    \b
    Examples:
      cfprob run kosygin-1965
      cfprob run kosygin-1965 --given-history --worldview high
      cfprob run kosygin-1965 --selection-sensitivity
      cfprob run --year 1970 --feature reform_leader=1 --json
    """
    features = _parse_features(feature_values)
    if not pods and year is None:
        raise click.UsageError("give a divergence point (see `cfprob pods`) or --year, with --feature or without")
    if whole and output is None:
        raise click.UsageError("--whole: expected with --out FILE.nc, found no --out")
    if output is not None:
        if output.suffix != ".nc":
            raise click.BadParameter(f"expected a file name ending in .nc, found '{output.suffix}'", param_hint="--out")
        from cfprob.safe.files import check_new_file

        check_new_file(output, force)
    scenario = _load(scenario_path)
    from cfprob.answers.query import Fit, answer, check_question

    check_question(scenario.pod_ids, scenario.feature_ids, pods, features, year, scenario.timeline)
    if pods:
        _warn_coherence(scenario, pods)

    if from_file or output is not None:  # the whole fit
        tree = _read_saved(from_file, scenario) if from_file else _get_fit(scenario, sampler, as_json)
        fit = Fit.from_tree(tree)
    else:  # its draws for answers, from the cache without xarray when it has them
        fit = _get_answers(scenario, sampler, as_json)
    ask = {"seed": sampler["seed"], "year": year, "worldview": worldview}
    interventional = answer(fit, pods, features, **ask)
    result = answer(fit, pods, features, given_history=True, **ask) if given_history else None
    result = result or interventional
    across = _across_selection(scenario, sampler, as_json, pods, features, ask) if selection_sensitivity else None
    if output is not None:
        from cfprob.answers.groups import one_answer, with_groups
        from cfprob.fitting.design import design
        from cfprob.outputs.results import with_answer
        from cfprob.outputs.store import save_tree

        # a complete ArviZ object, made for the file (again for one read back: its groups follow this design)
        saved = with_groups(tree, scenario, design(scenario))
        saved = saved if whole else one_answer(saved, result.pods)
        save_tree(with_answer(saved, result), output, overwrite=force)
        what = "the whole fit" if whole else f"this answer's draws ({', '.join(saved.attrs['one_answer'].split(','))})"
        click.echo(f"cfprob: saved {what} with ArviZ's groups to {output}", err=True)
    if as_json:
        from cfprob.answers.sources import feature_priors
        from cfprob.fitting.priors import Priors
        from cfprob.outputs.tables import diagnostics_problems

        claims = [c.id for p in result.pods for c in scenario.claims_about(p)]
        report: dict[str, Any] = {"answer": result.to_dict(), "claims": claims, "provenance": _provenance(fit.attrs)}
        used = [f for f in scenario.feature_ids if f in features or any(scenario.pod(p).feature_value(f) for p in pods)]
        report["feature_priors"] = feature_priors(scenario, used, Priors().beta_sd)
        if given_history:
            report["interventional"] = interventional.to_dict()
        if across is not None:
            report["selection_sensitivity"] = [
                {
                    "strength": strength,
                    "outcomes": {r.outcome: r.mean for r in a.rows},
                    "sampler_problems": diagnostics_problems(attrs),
                }
                for strength, a, attrs in across
            ]
        _emit_json(report)
    else:
        from cfprob.outputs.tables import format_answer, given_history_lines
        from cfprob.reading.lexicon import load_lexicon

        _show(format_answer(interventional, scenario, fit.attrs, load_lexicon()))
        if given_history:
            _show("\n" + "\n".join(given_history_lines(result, scenario)))
        if across is not None:
            from cfprob.outputs.tables import selection_lines

            _show("\n".join(selection_lines(interventional, across)))
        if output is not None:
            click.echo(f"Saved to {output}")


@cli.command()
@click.argument("pods", nargs=-1)
@click.option("--by", default=None, help="Outcome to rank by (default: the scenario's first outcome).")
@_scenario_option
@_sampler_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def compare(
    pods: tuple[str, ...],
    by: str | None,
    scenario_path: Path | None,
    as_json: bool,
    **sampler: Any,
) -> None:
    """Rank divergence points (all, or the PODS given) in one table.

    \b
    Examples:
      cfprob compare
      cfprob compare kosygin-1965 malenkov-1953 --by collapse --json
    """
    from cfprob.answers.query import check_outcome, check_pods
    from cfprob.answers.query import compare as compare_pods

    scenario = _load(scenario_path)
    if by is not None:  # a name the scenario lacks is the same error, exit 1, in every command
        check_outcome(scenario.outcome_ids, by)
    check_pods(scenario.pod_ids, pods)
    _warn_coherence(scenario, pods)
    fit = _get_answers(scenario, sampler, as_json)
    by = by or scenario.outcome_ids[0]
    answers = compare_pods(fit, pods, by=by, seed=sampler["seed"])
    if as_json:
        _emit_json({"ranked_by": by, "answers": [a.to_dict() for a in answers], "provenance": _provenance(fit.attrs)})
    else:
        from cfprob.outputs.tables import format_compare

        _show(format_compare(answers, scenario, by, fit.attrs))


SELECTION_STRENGTHS = (0.0, 0.5, 1.0, 2.0)
"""The selection strengths ``run --selection-sensitivity`` fixes (0: claimants choose at random; 1: in
proportion to the odds of the first outcome as they see them)."""


def _across_selection(
    scenario: Any, sampler: dict[str, Any], as_json: bool, pods: tuple[str, ...], features: Any, ask: dict[str, Any]
) -> list[tuple[float, Any, Any]]:
    """The answer refitted with the selection's strength fixed at each of :data:`SELECTION_STRENGTHS` (a model
    variant whose prior on the strength has sd 0.01 about it), each cached like any fit, with the fit's
    attributes (its diagnostics)."""
    from cfprob.answers.query import Fit, answer
    from cfprob.fitting.priors import Priors

    results = []
    for strength in SELECTION_STRENGTHS:
        priors = Priors(selection_mean=strength, selection_sd=0.01)
        fit = Fit.from_tree(_get_fit(scenario, sampler, as_json, priors=priors))
        results.append((strength, answer(fit, pods, features, **ask), fit.attrs))
    return results
