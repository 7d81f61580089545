"""The command that scores the model on claims it did not see: ``crossval``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cfprob.cli.common import (
    _emit_json,
    _get_fit,
    _load,
    _plain,
    _provenance,
    _refit_options,
    _refitter,
    _sampler_options,
    _scenario_option,
    _show,
)
from cfprob.cli.group import cli

if TYPE_CHECKING:
    from cfprob.fitting.priors import Priors


@cli.command()
@click.option(
    "--by",
    type=click.Choice(["claimant", "source", "claim"]),
    default="claimant",
    show_default=True,
    help="Hold out every claim of one claimant, of one source, or one claim at a time.",
)
@click.option(
    "--refits",
    type=click.IntRange(0, 100),
    default=None,
    help="At most this many exact refits per model where Pareto k is above 0.7 (default: every such group).",
)
@_scenario_option
@_sampler_options
@_refit_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def crossval(
    by: str,
    refits: int | None,
    scenario_path: Path | None,
    as_json: bool,
    jobs: int | None,
    executor: str,
    scheduler: str | None,
    **sampler: Any,
) -> None:
    """Expected log predictive density of held-out claims: the model against two baselines.

    The baselines are claims at their stated values with no pooling, and the model without the worldview
    factor. Higher is better; differences come with standard errors.

    Example: cfprob crossval --by claimant
    """
    from cfprob.answers.crossval import compare_scores, groups_of, no_pooling_elpd, pit_uniformity, score_fit
    from cfprob.fitting.design import design
    from cfprob.fitting.draws import Draws, posterior_draws
    from cfprob.fitting.priors import Priors

    scenario = _load(scenario_path)
    data = design(scenario)
    groups = groups_of(scenario, data, by)
    how = {"jobs": jobs, "executor": executor, "scheduler": scheduler}

    def scored(name: str, priors: Priors) -> Any:
        tree = _get_fit(scenario, sampler, as_json, priors)
        posterior = tree["posterior"].to_dataset()
        refit = _refitter(scenario, sampler, how, posterior_draws, f"{name}, groups with Pareto k above 0.7", priors)
        draws = Draws.from_posterior(posterior)
        return score_fit(name, draws, data, groups, posterior.sizes["chain"], priors, refit, refits), tree

    model, tree = scored("model (worldview factor)", Priors())
    without, _ = scored("model without the worldview factor", Priors(worldview_loading_sd=0.0))
    baseline = no_pooling_elpd(data, groups)
    scores = [model, without, baseline]
    comparisons = compare_scores(model, [without, baseline])
    if as_json:
        _emit_json(
            {
                "by": by,
                "groups": len(groups),
                "models": [
                    {
                        "name": s.name,
                        "elpd": s.elpd,
                        "se": s.se,
                        "pit": dict(zip(("counts", "ks_p"), pit_uniformity(s.pit), strict=True)),
                        "groups": [
                            {
                                "group": g.group,
                                "claims": list(g.claims),
                                "elpd": g.elpd,
                                "pareto_k": _plain(g.khat),
                                "method": g.method,
                            }
                            for g in s.groups
                        ],
                    }
                    for s in scores
                ],
                "differences": [
                    {"model": c.name, "minus": model.name, "elpd_difference": c.difference, "se": c.se}
                    for c in comparisons
                ],
                "provenance": _provenance(tree.attrs),
            }
        )
    else:
        from cfprob.outputs.check_tables import format_crossval

        _show(format_crossval(scores, comparisons, by))
