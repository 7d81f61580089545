"""Commands that check the answer: ``check``, ``sensitivity``, ``claimants`` and ``backtest``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cfprob.cli.common import (
    _check_plot_out,
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
    _warn_coherence,
)
from cfprob.cli.group import cli


@cli.command()
@click.argument("pods", nargs=-1)
@click.option("--strict", is_flag=True, hidden=True, help="Kept for scripts: a failing check exits 1 anyway.")
@click.option(
    "--prior-draws", type=click.IntRange(100, 100_000), default=4000, show_default=True, help="Draws from the prior."
)
@click.option(
    "--placebo",
    is_flag=True,
    help="Also fit a placebo divergence that changes nothing; it fails if the answer leans (one more fit).",
)
@_scenario_option
@_sampler_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def check(
    pods: tuple[str, ...],
    strict: bool,
    prior_draws: int,
    placebo: bool,
    scenario_path: Path | None,
    as_json: bool,
    **sampler: Any,
) -> None:
    """Prior and posterior predictive checks of every claim, and the sampler diagnostics; with --placebo, a
    divergence that changes nothing must stay real history. Each check ends PASS or FAIL; the command exits 1
    when any fails.

    The prior predictive table shows real history and the PODS given.

    Example: cfprob check --placebo
    """
    from cfprob.answers.checks import check_fit, prior_outcomes
    from cfprob.answers.query import check_pods
    from cfprob.answers.sensitivity import power_scaling
    from cfprob.fitting.design import design
    from cfprob.outputs.check_tables import check_failures, format_checks

    scenario = _load(scenario_path)
    check_pods(scenario.pod_ids, pods)
    _warn_coherence(scenario)
    tree = _get_fit(scenario, sampler, as_json)
    data = design(scenario)
    checks, prior = check_fit(tree["posterior"].to_dataset(), data, prior_draws, sampler["seed"])
    shown = ("otl", *(p for p in pods if p != "otl"))
    outcomes = prior_outcomes(prior, data, shown)
    failures = check_failures(checks, tree.attrs)
    scaling = {pod: power_scaling(tree, data, pod) for pod in shown if pod != "otl"}
    placebo_result = None
    if placebo:
        from cfprob.answers.placebo import placebo_check

        placebo_result = placebo_check(scenario, lambda changed: _get_fit(changed, sampler, as_json))
        failures += placebo_result.failures
    if as_json:
        _emit_json(
            {
                "passed": not failures,
                "failures": failures,
                "power_scaling": {
                    pod: {o: {"prior": p, "likelihood": q, "diagnosis": d} for o, (p, q, d) in values.items()}
                    for pod, values in scaling.items()
                },
                "prior_outcomes": {
                    pod: {
                        o: {"mean": m, "low": lo, "high": hi}
                        for o, (m, lo, hi) in zip(scenario.outcome_ids, values, strict=True)
                    }
                    for pod, values in outcomes.items()
                },
                "claims": [
                    {
                        "id": c.claim,
                        "stated": c.stated,
                        "fitted": c.fitted,
                        "posterior_p": c.posterior_p,
                        "prior_p": c.prior_p,
                        "misfit": c.misfit,
                        "prior_conflict": c.conflict,
                    }
                    for c in checks
                ],
                "placebo": None
                if placebo_result is None
                else {
                    "pod": placebo_result.pod,
                    "year": placebo_result.year,
                    "p_raises": placebo_result.p_raise,
                    "change_mean": placebo_result.change,
                    "passed": placebo_result.passed,
                },
                "provenance": _provenance(tree.attrs),
            }
        )
    else:
        _show(format_checks(checks, outcomes, scenario, tree.attrs, prior_draws, placebo_result, scaling))
    if failures:  # a check that fails is the command's result: exit 1, as test runners do
        sys.exit(1)


@cli.command()
@click.argument("pods", nargs=-1, required=True)
@click.option(
    "--refits",
    type=click.IntRange(0, 20),
    default=3,
    show_default=True,
    help="Confirm this many of the largest influences per POD by exact refits (0: reweighting only).",
)
@click.option("--top", type=click.IntRange(1, 1000), default=12, show_default=True, help="Rows shown per POD.")
@click.option(
    "--out",
    "--plot",
    "plot_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Save a bar plot (.png/.svg; --plot is the old name).",
)
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@_scenario_option
@_sampler_options
@_refit_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def sensitivity(
    pods: tuple[str, ...],
    refits: int,
    top: int,
    plot_path: Path | None,
    force: bool,
    scenario_path: Path | None,
    as_json: bool,
    jobs: int | None,
    executor: str,
    scheduler: str | None,
    **sampler: Any,
) -> None:
    """Which claimants and claims drive the answer for each POD: leave each out and see what moves.

    \b
    Example:
      cfprob sensitivity kosygin-1965 --refits 3 --out sensitivity.png
    """
    if plot_path is not None:
        _check_plot_out(plot_path, force, "--out")
    scenario = _load(scenario_path)
    from cfprob.answers.query import check_pods
    from cfprob.answers.sensitivity import REFIT_DRAWS, analyse, power_scaling, theta_mean
    from cfprob.fitting.design import design
    from cfprob.outputs.store import cached_leave_one_out

    check_pods(scenario.pod_ids, pods)
    _warn_coherence(scenario, pods)
    tree = _get_fit(scenario, sampler, as_json)
    data = design(scenario)
    refit = _refitter(
        scenario,
        sampler,
        {"jobs": jobs, "executor": executor, "scheduler": scheduler},
        theta_mean,
        "checking the largest influences",
        draws=min(sampler["draws"], REFIT_DRAWS),
    )
    results = analyse(tree, data, pods, refits=refits, refit=refit, loo=cached_leave_one_out(tree, data))
    scaling = {pod: power_scaling(tree, data, pod) for pod in pods}
    if as_json:
        _emit_json(
            {
                "pods": {
                    pod: {
                        "base": dict(zip(scenario.outcome_ids, rows[0].base, strict=True)),
                        "left_out": [
                            {
                                "group": r.group,
                                "id": r.id,
                                "claims": list(r.claims),
                                "without": dict(zip(scenario.outcome_ids, r.without, strict=True)),
                                "refit": dict(zip(scenario.outcome_ids, r.refit, strict=True)) if r.refit else None,
                                "pareto_k": _plain(r.khat),
                            }
                            for r in rows
                        ],
                        "power_scaling": {
                            o: {"prior": p, "likelihood": q, "diagnosis": d} for o, (p, q, d) in scaling[pod].items()
                        },
                    }
                    for pod, rows in results.items()
                },
                "provenance": _provenance(tree.attrs),
            }
        )
    else:
        from cfprob.outputs.check_tables import format_sensitivity

        _show("\n\n".join(format_sensitivity(results[p], scenario, top, scaling[p]) for p in pods))
    if plot_path is not None:
        from cfprob.outputs.plots import Labels, plot_sensitivity, save_figure

        ax = plot_sensitivity(results[pods[0]][:top], scenario.outcome_ids, labels=Labels.of(scenario))
        save_figure(ax, plot_path, overwrite=force)
        if not as_json:
            click.echo(f"Saved sensitivity plot to {plot_path}")


@cli.command()
@click.argument("pod", required=False)
@_scenario_option
@_sampler_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def claimants(pod: str | None, scenario_path: Path | None, as_json: bool, **sampler: Any) -> None:
    """Each claimant's worldview position, number of claims and influence (on POD, or on whichever answer
    their claims move most).

    Example: cfprob claimants kosygin-1965
    """
    scenario = _load(scenario_path)
    from cfprob.answers.claimants import claimant_views, loadings
    from cfprob.answers.query import check_pods
    from cfprob.fitting.design import design

    if pod is not None:
        check_pods(scenario.pod_ids, (pod,))
    tree = _get_fit(scenario, sampler, as_json)
    rows = claimant_views(tree, design(scenario), pod)
    loads = loadings(tree["posterior"].to_dataset())
    if as_json:
        _emit_json(
            {
                "pod": pod,
                "loadings": {o: {"mean": m, "interval": [lo, hi]} for o, (m, lo, hi) in loads.items()},
                "claimants": [
                    {
                        "claimant": r.claimant,
                        "claims": r.claims,
                        "position": None if r.position is None else {"mean": r.position, "interval": [r.low, r.high]},
                        "influence": {"pod": r.pod, "outcome": r.outcome, "shift": r.shift, "pareto_k": _plain(r.khat)},
                    }
                    for r in rows
                ],
                "provenance": _provenance(tree.attrs),
            }
        )
    else:
        from cfprob.outputs.check_tables import format_claimants

        _show(format_claimants(rows, loads, pod, scenario))


@cli.command()
@_scenario_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def backtest(scenario_path: Path | None, as_json: bool) -> None:
    """Forecast each real regime of the reference class from the others; score against baselines.

    \b
    Example:
      cfprob backtest --json
    """
    from cfprob.answers.backtest import backtest as run_backtest

    scenario = _load(scenario_path)
    result = run_backtest(scenario)
    if as_json:
        _emit_json(
            {
                "horizon": result.horizon,
                "scores": {name: {"log_loss": ll, "brier": b} for name, (ll, b) in result.scores.items()},
                "model_minus_baseline": {
                    name: {"log_loss": mean, "standard_error": se} for name, (mean, se) in result.differences.items()
                },
                "regimes": result.regimes,
                "forecasts": [
                    {
                        "case": f.case,
                        "age": f.age,
                        "year": f.year,
                        "outcome": f.outcome,
                        "model": dict(zip(result.outcomes, f.model, strict=True)),
                        "base_rate": dict(zip(result.outcomes, f.base_rate, strict=True)),
                    }
                    for f in result.forecasts
                ],
            }
        )
    else:
        from cfprob.outputs.listings import format_backtest

        _show(format_backtest(result, scenario))
