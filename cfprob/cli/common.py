"""What the commands share: the scenario and sampler options, loading, fits, JSON and terminal output."""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cfprob.errors import CfprobError
from cfprob.fitting.provenance import DEFAULT_TARGET_ACCEPT, SAMPLER_LIMITS, SAMPLERS, SamplerSettings
from cfprob.reading.fields import one_line
from cfprob.safe.neutralise import for_terminal

if TYPE_CHECKING:
    import xarray as xr

    from cfprob.answers.query import Fit
    from cfprob.fitting.priors import Priors
    from cfprob.reading.scenario import Scenario


JSON_EXCLUDED_ATTRS = ("created", "fit_seconds", "sampling_seconds", "content_sha256")
"""Attributes left out of JSON output: they change from run to run, or (the checksum) only describe a saved file."""


def _scenario_option[F: Callable[..., Any]](func: F) -> F:
    return click.option(
        "--scenario",
        "scenario_path",
        type=click.Path(path_type=Path),
        default=None,
        help="Scenario folder (default: the bundled USSR scenario).",
    )(func)


class SamplerOption(click.Option):
    """An option that sets how the fit is sampled: listed apart in ``--help``, under *Sampler options*."""


class SectionedCommand(click.Command):
    """A command whose ``--help`` lists the sampler's options apart from the command's own."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"Options": [], "Sampler options": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None:
                sections["Sampler options" if isinstance(param, SamplerOption) else "Options"].append(record)
        for title, records in sections.items():
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


def _sampler_options[F: Callable[..., Any]](func: F) -> F:
    defaults = SamplerSettings()
    func = click.option("--refit", cls=SamplerOption, is_flag=True, help="Sample again even if a cached fit exists.")(
        func
    )
    func = click.option(
        "--target-accept",
        cls=SamplerOption,
        type=click.FloatRange(0.5, 0.99),
        default=None,
        help="Target acceptance rate of NUTS; higher takes smaller steps (fewer divergences, slower). "
        f"Default: {DEFAULT_TARGET_ACCEPT['nutpie']} for nutpie, {DEFAULT_TARGET_ACCEPT['pymc']} for PyMC.",
    )(func)
    func = click.option(
        "--sampler",
        cls=SamplerOption,
        type=click.Choice(["auto", *SAMPLERS]),
        default="auto",
        show_default=True,
        help="NUTS implementation: nutpie (fast; cfprob[fast]) or PyMC's own. auto: nutpie when installed.",
    )(func)
    for name, (low, high, meaning) in reversed(SAMPLER_LIMITS.items()):
        option = click.option(
            f"--{name}",
            cls=SamplerOption,
            type=click.IntRange(low, high),
            default=getattr(defaults, name),
            show_default=True,
            help=meaning,
        )
        func = option(func)
    return func


def _refit_options[F: Callable[..., Any]](func: F) -> F:
    """``--jobs``, ``--executor`` and ``--scheduler``: how a command's refits run (:mod:`cfprob.fitting.refits`)."""
    from cfprob.fitting.refits import EXECUTORS

    func = click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="With --executor dask: the Dask scheduler to send refits to (default: a local cluster).",
    )(func)
    func = click.option(
        "--executor",
        type=click.Choice(EXECUTORS),
        default="processes",
        show_default=True,
        help="Run refits in worker processes here, or on a Dask cluster (cfprob[distributed]).",
    )(func)
    func = click.option(
        "--jobs",
        type=click.IntRange(1, 1024),
        default=None,
        help="Refits at once (default: one per --chains cores, so each refit's chains run side by side). The draws "
        "are the same for any number.",
    )(func)
    return func


def _refitter[T](
    scenario: Scenario,
    sampler: Mapping[str, Any],
    refits: dict[str, Any],
    keep: Callable[[xr.DataTree], T],
    what: str,
    priors: Priors | None = None,
    **changed: Any,
) -> Callable[[list[Any]], list[T]]:
    """A function that refits the model to several changed data at once (``refits``: the ``--jobs``,
    ``--executor`` and ``--scheduler`` options) and keeps ``keep`` of each fit; ``changed`` overrides sampler
    settings (fewer draws where the statistic allows). It says how many are done as they finish."""
    from cfprob.fitting.refits import Refits, refit_all

    options = {k: v for k, v in sampler.items() if k != "refit"} | changed
    how = Refits(**refits)

    def refit(datasets: list[Any]) -> list[T]:
        if not datasets:
            return []
        from cfprob.cli.status import StageStatus

        settings = SamplerSettings(**options)
        with StageStatus() as say:
            at_once = min(how.workers(settings.chains), len(datasets))
            say(f"{what}: {len(datasets)} refits ({settings.label}), {at_once} at once")
            return refit_all(
                scenario,
                datasets,
                settings,
                keep,
                priors,
                how,
                on_done=lambda done, total: say(f"{what}: {done} of {total} refits done"),
            )

    return refit


def chosen_scenario(scenario_path: Path | None) -> Path:
    """The scenario folder a command works on: its own ``--scenario``, else the one given before the command
    (or ``$CFPROB_SCENARIO``), else the bundled one."""
    from cfprob.paths import bundled_scenario

    context = click.get_current_context(silent=True)
    before = context.find_root().obj.get("scenario") if context and context.find_root().obj else None
    return Path(scenario_path or before or bundled_scenario())


def _load(scenario_path: Path | None) -> Scenario:
    from cfprob.reading.loader import load_scenario

    return load_scenario(chosen_scenario(scenario_path))


def _check_plot_out(path: Path, force: bool, option: str) -> None:
    """A plot file to write: an unknown format is bad usage; an existing file is refused without --force."""
    from cfprob.outputs.plots import PLOT_FORMATS, check_plot_path

    if path.suffix.lower() not in PLOT_FORMATS:
        raise click.BadParameter(
            f"expected a file name ending in {' or '.join(PLOT_FORMATS)}, found '{path.suffix}'", param_hint=option
        )
    check_plot_path(path, force)


def _show(text: str) -> None:
    """Print text that holds scenario content: control characters (terminal escape sequences) made visible,
    lines wider than the terminal (100 columns when not printing to one) wrapped."""
    from cfprob.outputs.tables import wrapped

    click.echo(for_terminal("\n".join(wrapped(text.split("\n")))))


def _warn_coherence(scenario: Scenario, pods: tuple[str, ...] = ()) -> None:
    """Print on stderr the coherence warnings that involve ``pods`` (all of them if none given)."""
    for line in _coherence_lines(scenario, pods):
        click.echo(f"cfprob: warning: {one_line(line, 2000)}", err=True)


def _coherence_lines(scenario: Scenario, pods: tuple[str, ...] = ()) -> list[str]:
    """Each coherence warning involving ``pods`` (every one if none given), with the claims it quotes."""
    from cfprob.reading.coherence import coherence_warnings, describe

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


def _get_fit(scenario: Scenario, sampler: dict[str, Any], as_json: bool, priors: Priors | None = None) -> xr.DataTree:
    """The fit for the sampler options (``seed``, ``draws``, ``tune``, ``chains``, ``sampler``, ``target_accept``,
    ``refit``), of the shipped model or of a variant's ``priors``."""
    from cfprob.api import fit, refuse_drafts
    from cfprob.cli.status import StageStatus

    refuse_drafts(scenario)
    progressbar = sys.stdout.isatty() and not as_json
    # the sampler's own progress bar, when shown, is the live line while sampling
    with StageStatus(quiet_during=("sampling",) if progressbar else ()) as say:
        result = fit(scenario, **sampler, priors=priors, on_stage=say, progressbar=progressbar)
        if not result.from_cache:
            seconds = result.tree.attrs.get("fit_seconds")
            say(f"fitted in {seconds} s (compiling and sampling); cached for later questions")
    return result.tree


def _get_answers(scenario: Scenario, sampler: dict[str, Any], as_json: bool) -> Fit:
    """The fit's draws for answers: from the cache's numpy file when it holds them (no xarray, no HDF5),
    else through :func:`_get_fit`."""
    from cfprob.api import refuse_drafts
    from cfprob.outputs.store import cached_answers

    refuse_drafts(scenario)
    options = dict(sampler)
    if not options.pop("refit"):
        fit = cached_answers(scenario, SamplerSettings(**options))
        if fit is not None:
            return fit
    from cfprob.answers.query import Fit

    return Fit.from_tree(_get_fit(scenario, sampler, as_json))


def _read_saved(path: Path, scenario: Scenario) -> xr.DataTree:
    """A result saved with ``run --out``, checked against the scenario it is shown with."""
    from cfprob.outputs.store import load_tree

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
