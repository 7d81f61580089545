"""The ``cfprob`` command line: parse, call the library, print.

User errors print one line and exit 1 (a traceback only with ``--debug``); bad usage exits 2. PyMC,
PyTensor and ArviZ are imported only by the commands that need them.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .errors import CfprobError
from .fields import one_line
from .neutralise import for_terminal
from .provenance import SAMPLER_LIMITS, SAMPLERS, SamplerSettings

if TYPE_CHECKING:
    import xarray as xr

    from .scenario import Scenario

__all__ = ["cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])
JSON_EXCLUDED_ATTRS = ("created", "fit_seconds", "sampling_seconds")


class _Group(click.Group):
    """Turns :class:`CfprobError` into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CfprobError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"cfprob: error: {one_line(str(exc), 2000)}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("cfprob: interrupted; nothing was written", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # the reader went away (``cfprob validate | head -1``): stop quietly, as other tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(1)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            first = (str(exc).strip().splitlines() or [""])[0]
            click.echo(
                f"cfprob: internal error: {type(exc).__name__}: {first} (rerun with --debug for details)", err=True
            )
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cfprob")
@click.option("--debug", is_flag=True, help="Show tracebacks and library warnings.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Forecasting the past: Bayesian answers to counterfactual-history questions.

    Runs on the bundled USSR scenario unless --scenario names another folder.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if not debug:
        warnings.simplefilter("ignore")
        from .runtime import silence

        silence()


def _scenario_option[F: Callable[..., Any]](func: F) -> F:
    return click.option(
        "--scenario",
        "scenario_path",
        type=click.Path(path_type=Path),
        default=None,
        help="Scenario folder (default: the bundled USSR scenario).",
    )(func)


def _sampler_options[F: Callable[..., Any]](func: F) -> F:
    defaults = SamplerSettings()
    func = click.option("--refit", is_flag=True, help="Sample again even if a cached fit exists.")(func)
    func = click.option(
        "--target-accept",
        type=click.FloatRange(0.5, 0.99),
        default=None,
        help="Target acceptance rate of NUTS; higher takes smaller steps (fewer divergences, slower). "
        "Default: 0.8 for nutpie, 0.9 for PyMC.",
    )(func)
    func = click.option(
        "--sampler",
        type=click.Choice(["auto", *SAMPLERS]),
        default="auto",
        show_default=True,
        help="NUTS implementation: nutpie (fast; cfprob[fast]) or PyMC's own. auto: nutpie when installed.",
    )(func)
    for name, (low, high, meaning) in reversed(SAMPLER_LIMITS.items()):
        option = click.option(
            f"--{name}",
            type=click.IntRange(low, high),
            default=getattr(defaults, name),
            show_default=True,
            help=meaning,
        )
        func = option(func)
    return func


def _load(scenario_path: Path | None) -> Scenario:
    from .loader import load_scenario
    from .paths import bundled_scenario

    return load_scenario(scenario_path or bundled_scenario())


def _check_plot_out(path: Path, force: bool, option: str) -> None:
    """A plot file to write: an unknown format is bad usage; an existing file is refused without --force."""
    from .plots import PLOT_FORMATS, check_plot_path

    if path.suffix.lower() not in PLOT_FORMATS:
        raise click.BadParameter(
            f"expected a file name ending in {' or '.join(PLOT_FORMATS)}, found '{path.suffix}'", param_hint=option
        )
    check_plot_path(path, force)


def _show(text: str) -> None:
    """Print text that holds scenario content: control characters (terminal escape sequences) made visible."""
    click.echo(for_terminal(text))


def _warn_coherence(scenario: Scenario, pods: tuple[str, ...] = ()) -> None:
    """Print on stderr the coherence warnings that involve ``pods`` (all of them if none given)."""
    for line in _coherence_lines(scenario, pods):
        click.echo(f"cfprob: warning: {one_line(line, 2000)}", err=True)


def _coherence_lines(scenario: Scenario, pods: tuple[str, ...] = ()) -> list[str]:
    """Each coherence warning involving ``pods`` (every one if none given), with the claims it quotes."""
    from .coherence import coherence_warnings, describe

    by_id = {c.id: c for c in scenario.claims}
    lines = []
    for warning in coherence_warnings(scenario):
        involved = {p for claim in warning.claims for p in by_id[claim].pods} | ({warning.pod} - {None})
        if not pods or involved & set(pods):
            lines += describe(warning, scenario)
    return lines


def _stage_printer() -> Callable[[str], None]:
    started = time.perf_counter()

    def say(message: str) -> None:
        click.echo(f"cfprob: {message} [{time.perf_counter() - started:.0f} s]", err=True)

    return say


def _get_fit(scenario: Scenario, sampler: dict[str, Any], as_json: bool) -> xr.DataTree:
    """The fit for the sampler options (``seed``, ``draws``, ``tune``, ``chains``, ``sampler``, ``target_accept``,
    ``refit``)."""
    from .store import cached_fit

    options = dict(sampler)
    refit = options.pop("refit")
    settings = SamplerSettings(**options)
    say = _stage_printer()
    tree, cached = cached_fit(
        scenario,
        settings,
        refit=refit,
        progressbar=sys.stdout.isatty() and not as_json,
        on_stage=say,
    )
    if not cached:
        say(f"fitted in {tree.attrs.get('fit_seconds')} s (compiling and sampling); cached for later questions")
    return tree


def _read_saved(path: Path, scenario: Scenario) -> xr.DataTree:
    """A result saved with ``run --output``, checked against the scenario it is shown with."""
    from .store import load_tree

    tree = load_tree(path)
    if tree.attrs["scenario_id"] != scenario.id:
        raise CfprobError(
            f"{path}: expected a result for scenario {scenario.id}, found one for {tree.attrs['scenario_id']} "
            "(use --scenario)"
        )
    if tree.attrs["scenario_hash"] != scenario.content_hash:
        click.echo(
            f"cfprob: note: {path} was fitted to other contents of scenario {scenario.id}; its numbers are "
            "shown with the claims as they are now",
            err=True,
        )
    return tree


def _emit_json(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, indent=2, allow_nan=False))


def _plain(value: Any) -> Any:
    """A JSON-safe copy of an attribute value: numpy scalars unwrapped, NaN and infinity as null."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _provenance(tree_attrs: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(k): _plain(v) for k, v in tree_attrs.items() if k not in JSON_EXCLUDED_ATTRS}


def _parse_features(values: tuple[str, ...]) -> dict[str, float]:
    features = {}
    for item in values:
        name, sep, value = item.partition("=")
        try:
            features[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise click.BadParameter(
                f"expected NAME=VALUE with a number in [0, 1], found '{item}'", param_hint="--feature"
            )
    return features


@cli.command()
@click.argument("pods", nargs=-1)
@click.option(
    "--feature",
    "feature_values",
    multiple=True,
    metavar="NAME=VALUE",
    help="Describe (or add to) the divergence by mechanism features; repeatable.",
)
@_scenario_option
@_sampler_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Save the result as NetCDF (.nc).")
@click.option("--force", is_flag=True, help="Replace an existing --output file.")
@click.option(
    "--from",
    "from_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Answer from a result saved with --output instead of the cache or a new fit.",
)
def run(
    pods: tuple[str, ...],
    feature_values: tuple[str, ...],
    scenario_path: Path | None,
    as_json: bool,
    output: Path | None,
    force: bool,
    from_file: Path | None,
    **sampler: Any,
) -> None:
    """Posterior outcome probabilities for divergence point(s) POD.

    Several PODs are stacked (an extrapolation, predicted without refitting).
    """
    features = _parse_features(feature_values)
    if not pods and not features:
        raise click.UsageError("give at least one divergence point (see `cfprob pods`) or --feature")
    if output is not None:
        if output.suffix != ".nc":
            raise click.BadParameter(
                f"expected a file name ending in .nc, found '{output.suffix}'", param_hint="--output"
            )
        from .outputs import check_new_file

        check_new_file(output, force)
    scenario = _load(scenario_path)
    from .query import Fit, answer, check_question

    check_question(scenario.pod_ids, scenario.feature_ids, pods, features)
    if pods:
        _warn_coherence(scenario, pods)

    tree = _read_saved(from_file, scenario) if from_file else _get_fit(scenario, sampler, as_json)
    result = answer(Fit.from_tree(tree), pods, features, seed=sampler["seed"])
    if output is not None:
        from .results import with_answer
        from .store import save_tree

        save_tree(with_answer(tree, result), output, overwrite=force)
    if as_json:
        claims = [c.id for p in result.pods for c in scenario.claims_about(p)]
        _emit_json({"answer": result.to_dict(), "claims": claims, "provenance": _provenance(tree.attrs)})
    else:
        from .lexicon import load_lexicon
        from .tables import format_answer

        _show(format_answer(result, scenario, tree.attrs, load_lexicon()))
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
    """Rank divergence points (all, or the PODS given) in one table."""
    from .query import Fit, check_pods
    from .query import compare as compare_pods

    scenario = _load(scenario_path)
    if by is not None and by not in scenario.outcome_ids:
        from .fields import did_you_mean

        raise click.BadParameter(
            f'expected an outcome, found "{by}"{did_you_mean(by, scenario.outcome_ids)}', param_hint="--by"
        )
    check_pods(scenario.pod_ids, pods)
    _warn_coherence(scenario, pods)
    tree = _get_fit(scenario, sampler, as_json)
    by = by or scenario.outcome_ids[0]
    answers = compare_pods(Fit.from_tree(tree), pods, by=by, seed=sampler["seed"])
    if as_json:
        _emit_json({"ranked_by": by, "answers": [a.to_dict() for a in answers], "provenance": _provenance(tree.attrs)})
    else:
        from .tables import format_compare

        _show(format_compare(answers, scenario, by, tree.attrs))


@cli.command()
@click.argument("pods", nargs=-1)
@click.option("--strict", is_flag=True, help="Exit with code 1 when any check fails.")
@click.option(
    "--prior-draws", type=click.IntRange(100, 100_000), default=4000, show_default=True, help="Draws from the prior."
)
@_scenario_option
@_sampler_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def check(
    pods: tuple[str, ...],
    strict: bool,
    prior_draws: int,
    scenario_path: Path | None,
    as_json: bool,
    **sampler: Any,
) -> None:
    """Prior and posterior predictive checks of every claim, and the sampler diagnostics.

    The prior predictive table shows real history and the PODS given.
    """
    from .checks import check_fit, prior_outcomes
    from .design import design
    from .query import check_pods
    from .tables import check_failures, format_checks

    scenario = _load(scenario_path)
    check_pods(scenario.pod_ids, pods)
    _warn_coherence(scenario)
    tree = _get_fit(scenario, sampler, as_json)
    data = design(scenario)
    checks, prior = check_fit(tree["posterior"].to_dataset(), data, prior_draws, sampler["seed"])
    shown = ("otl", *(p for p in pods if p != "otl"))
    outcomes = prior_outcomes(prior, data, shown)
    failures = check_failures(checks, tree.attrs)
    if as_json:
        _emit_json(
            {
                "passed": not failures,
                "failures": failures,
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
                "provenance": _provenance(tree.attrs),
            }
        )
    else:
        _show(format_checks(checks, outcomes, scenario, tree.attrs, prior_draws))
    if strict and failures:
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
@click.option("--plot", "plot_path", type=click.Path(path_type=Path), default=None, help="Save a bar plot (.png/.svg).")
@click.option("--force", is_flag=True, help="Replace an existing --plot file.")
@_scenario_option
@_sampler_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def sensitivity(
    pods: tuple[str, ...],
    refits: int,
    top: int,
    plot_path: Path | None,
    force: bool,
    scenario_path: Path | None,
    as_json: bool,
    **sampler: Any,
) -> None:
    """Which claimants and claims drive the answer for each POD: leave each out and see what moves."""
    if plot_path is not None:
        _check_plot_out(plot_path, force, "--plot")
    scenario = _load(scenario_path)
    from .design import design
    from .query import check_pods
    from .sensitivity import analyse, power_scaling

    check_pods(scenario.pod_ids, pods)
    _warn_coherence(scenario, pods)
    tree = _get_fit(scenario, sampler, as_json)
    data = design(scenario)
    say = _stage_printer()

    def refit(changed: Any) -> xr.DataTree:
        from .inference import fit

        options = {k: v for k, v in sampler.items() if k != "refit"}
        say("refitting without the claims of one row")
        return fit(scenario, SamplerSettings(**options), data=changed)

    results = analyse(tree, data, pods, refits=refits, refit=refit)
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
                                "pareto_k": r.khat,
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
        from .tables import format_sensitivity

        _show("\n\n".join(format_sensitivity(results[p], scenario, top, scaling[p]) for p in pods))
    if plot_path is not None:
        from .plots import plot_sensitivity, save_figure

        ax = plot_sensitivity(results[pods[0]][:top], scenario.outcome_ids)
        save_figure(ax, plot_path, overwrite=force)
        if not as_json:
            click.echo(f"Saved sensitivity plot to {plot_path}")


@cli.command()
@_scenario_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def pods(scenario_path: Path | None, as_json: bool) -> None:
    """List the divergence points of a scenario."""
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
    from .tables import format_pods

    _show(format_pods(scenario))


@cli.command()
@_scenario_option
@click.option("--pod", default=None, help="Only claims about this divergence point.")
@click.option("--author", default=None, help="Only claims by this claimant (name, id or alias).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def claims(scenario_path: Path | None, pod: str | None, author: str | None, as_json: bool) -> None:
    """List claims with their quotes and the numbers verbal phrases became."""
    from .fields import did_you_mean
    from .lexicon import load_lexicon

    scenario = _load(scenario_path)
    chosen = list(scenario.claims)
    if pod is not None:
        from .query import check_pods

        check_pods(scenario.pod_ids, (pod,))
        chosen = [c for c in chosen if pod in c.pods]
    if author is not None:
        match = [
            c.id
            for c in scenario.claimants
            if author.lower() in {c.id.lower(), c.name.lower(), *(a.lower() for a in c.aliases)}
        ]
        if not match:
            names = [n for c in scenario.claimants for n in (c.name, *c.aliases)]
            raise CfprobError(f'--author "{author}": no such claimant{did_you_mean(author, names)}')
        chosen = [c for c in chosen if c.author == match[0]]
    lexicon = load_lexicon()
    if as_json:
        from .tables import claim_strength

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
    from .tables import format_claims

    _show(format_claims(chosen, scenario, lexicon))


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
def validate(path: Path | None) -> None:
    """Check a scenario folder completely (default: the bundled one)."""
    from .errors import ScenarioError
    from .loader import load_scenario
    from .paths import bundled_scenario

    try:
        scenario = load_scenario(path or bundled_scenario())
    except ScenarioError as exc:
        for line in exc.problems:
            click.echo(f"cfprob: error: {one_line(line, 2000)}", err=True)
        sys.exit(1)
    authors = {c.author for c in scenario.claims}
    click.echo(
        f"{scenario.path}: valid. {len(scenario.pods) - 1} divergence points besides otl, {len(scenario.claims)} "
        f"claims by {len(authors)} claimants, {len(scenario.outcomes)} outcomes; content hash "
        f"{scenario.content_hash[:12]}."
    )
    coherence = _coherence_lines(scenario)
    if coherence:
        warned = sum(1 for line in coherence if not line.startswith(" "))
        click.echo(f"Coherence warnings ({warned}; the scenario stays valid, the model weighs every claim):")
        _show("\n".join(f"  {line}" for line in coherence))


@cli.command()
@click.argument("pods", nargs=-1)
@click.option(
    "--kind",
    type=click.Choice(["posterior", "forest", "ternary"]),
    default="posterior",
    show_default=True,
    help="posterior: outcome densities of PODS against otl; forest: intervals of every divergence point "
    "(PODS first); ternary: posterior draws of PODS and otl on the probability simplex.",
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
    """Plot outcome posteriors, a forest of divergence points or a ternary plot."""
    from .plots import plot_kind, save_figure

    _check_plot_out(out, force, "--out")
    scenario = _load(scenario_path)
    if kind != "forest" and not pods:
        raise click.UsageError(f"--kind {kind} needs at least one divergence point")
    from .query import Fit, check_pods

    check_pods(scenario.pod_ids, pods)
    tree = _get_fit(scenario, sampler, False)
    save_figure(plot_kind(Fit.from_tree(tree), kind, pods), out, overwrite=force)
    click.echo(f"Saved {kind} plot to {out}")


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
    """The inevitability curve of OUTCOME: its probability by the year of divergence, with bands."""
    if out is not None:
        _check_plot_out(out, force, "--out")
    scenario = _load(scenario_path)
    from .query import check_outcome

    check_outcome(scenario.outcome_ids, outcome)
    tree = _get_fit(scenario, sampler, as_json)
    from .curve import era_marks, inevitability_curve
    from .query import Fit

    result = inevitability_curve(Fit.from_tree(tree), outcome, era_marks(scenario, outcome))
    if out is not None:
        from .plots import plot_curve, save_figure

        save_figure(plot_curve(result), out, overwrite=force)
    if as_json:
        _emit_json({**result.to_dict(), "provenance": _provenance(tree.attrs)})
        return
    from .tables import diagnostics_lines, format_curve

    _show(format_curve(result, step))
    click.echo("\n".join(diagnostics_lines(tree.attrs)))
    if out is not None:
        click.echo(f"Saved the curve to {out}")


@cli.command()
@click.argument("pods", nargs=-1, required=True)
@click.option(
    "--out", "out", type=click.Path(path_type=Path), required=True, help="Report file: .html, or .md for forums."
)
@click.option("--force", is_flag=True, help="Replace existing files.")
@click.option("--drivers", type=click.IntRange(1, 50), default=5, show_default=True, help="Driving claims shown.")
@_scenario_option
@_sampler_options
def report(
    pods: tuple[str, ...],
    out: Path,
    force: bool,
    drivers: int,
    scenario_path: Path | None,
    **sampler: Any,
) -> None:
    """A shareable report of PODS: one self-contained HTML file, or Markdown (plots as PNG files beside it)."""
    from .outputs import check_new_file

    if out.suffix.lower() not in (".html", ".md"):
        raise click.BadParameter(
            f"expected a file name ending in .html or .md, found '{out.suffix}'", param_hint="--out"
        )
    from .report import FIGURES

    images = {name: out.with_name(f"{out.stem}-{name}.png") for name in FIGURES}
    for path in [out, *(images.values() if out.suffix.lower() == ".md" else [])]:
        check_new_file(path, force)
    scenario = _load(scenario_path)
    from .query import check_question

    check_question(scenario.pod_ids, scenario.feature_ids, pods, {})
    _warn_coherence(scenario, pods)
    tree = _get_fit(scenario, sampler, False)
    from .report import build_report, write_report

    _stage_printer()("drawing the plots and weighing every claim's influence (leave-one-out reweighting)")
    built = build_report(tree, scenario, pods, drivers=drivers, seed=sampler["seed"])
    written = write_report(built, out, images)
    click.echo(f"Saved report to {out}" + (f" and {len(written) - 1} plots beside it" if len(written) > 1 else ""))


@cli.command()
@_scenario_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def backtest(scenario_path: Path | None, as_json: bool) -> None:
    """Forecast each real regime of the reference class from the others; score against baselines."""
    from .backtest import backtest as run_backtest

    scenario = _load(scenario_path)
    result = run_backtest(scenario)
    if as_json:
        _emit_json(
            {
                "scores": {name: {"log_loss": ll, "brier": b} for name, (ll, b) in result.scores.items()},
                "forecasts": [
                    {
                        "case": f.case,
                        "outcome": f.outcome,
                        "model": dict(zip(result.outcomes, f.model, strict=True)),
                        "base_rate": dict(zip(result.outcomes, f.base_rate, strict=True)),
                    }
                    for f in result.forecasts
                ],
                "prior_draws": result.prior_draws,
            }
        )
    else:
        from .tables import format_backtest

        _show(format_backtest(result, scenario))


@cli.command()
def lexicon() -> None:
    """Show the verbal-probability lexicon and the forum idioms mapped onto it."""
    from .lexicon import load_lexicon
    from .tables import format_lexicon

    _show(format_lexicon(load_lexicon()))


@cli.group()
def cache() -> None:
    """List or clear cached fits and compiled model code."""


@cache.command("list")
def cache_list() -> None:
    """List cached fits and the size of the compiled model code."""
    from .store import compiled_size, list_cache

    entries = list_cache()
    for entry in entries:
        click.echo(f"{entry}  {entry.stat().st_size / 1e6:.1f} MB")
    click.echo(f"{len(entries)} cached fit{'s' if len(entries) != 1 else ''}.")
    files, size = compiled_size()
    click.echo(f"Compiled model code: {files} files, {size / 1e6:.1f} MB.")


@cache.command("clear")
@click.option("--compiled", is_flag=True, help="Also delete compiled model code (the next fit compiles again).")
def cache_clear(compiled: bool) -> None:
    """Delete every cached fit (and, with --compiled, the compiled model code)."""
    from .store import clear_cache, clear_compiled

    click.echo(f"Removed {clear_cache()} cached fits.")
    if compiled:
        click.echo(f"Removed {clear_compiled()} files of compiled model code.")


def _terminated(signum: int, _frame: Any) -> None:
    """SIGTERM (and SIGHUP) end cfprob like Ctrl-C: partial files are removed on the way out."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``cfprob`` console script."""
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminated)
    cli(prog_name="cfprob")
