"""The ``cfprob`` command group: global options, one-line errors, signals, the entry point.

User errors print one line and exit 1 (a traceback only with ``--debug``); bad usage exits 2."""

from __future__ import annotations

import os
import signal
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cfprob.cli.common import SectionedCommand
from cfprob.errors import CfprobError
from cfprob.reading.fields import one_line
from cfprob.version import __version__

if TYPE_CHECKING:
    pass


class _Group(click.Group):
    """Turns :class:`CfprobError` into one line on stderr and exit code 1."""

    command_class = SectionedCommand

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
@click.option("--debug", is_flag=True, help="Show tracebacks and library warnings (also after the command).")
@click.option(
    "--scenario",
    "scenario_path",
    type=click.Path(path_type=Path),
    default=None,
    envvar="CFPROB_SCENARIO",
    help="Scenario folder for every command (also after the command; default: $CFPROB_SCENARIO, else the "
    "bundled USSR scenario).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, scenario_path: Path | None) -> None:
    """Forecasting the past: Bayesian answers to counterfactual-history questions.

    Runs on the bundled USSR scenario unless --scenario (before or after the command) or $CFPROB_SCENARIO
    names another folder.

    \b
    Examples:
      cfprob run kosygin-1965
      cfprob --scenario my-thread/ validate
      cfprob compare --json --debug
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["scenario"] = scenario_path
    if not debug:
        warnings.simplefilter("ignore")
        from cfprob.fitting.runtime import silence

        silence()


def _debug_after_command(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--debug`` given after the command: as if given before it (tracebacks and warnings shown)."""
    if value:
        root = ctx.find_root()
        root.ensure_object(dict)
        root.obj["debug"] = True
        warnings.resetwarnings()


def accept_global_options(group: click.Group) -> None:
    """Let every command of ``group`` (and of its subgroups) take ``--debug`` after its name too."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            accept_global_options(command)
        if not any(getattr(p, "name", None) == "debug" for p in command.params):
            command.params.append(
                click.Option(
                    ["--debug"],
                    is_flag=True,
                    expose_value=False,
                    is_eager=True,
                    callback=_debug_after_command,
                    help="Show tracebacks and library warnings.",
                )
            )


def _terminated(signum: int, _frame: Any) -> None:
    """SIGTERM (and SIGHUP) end cfprob like Ctrl-C: partial files are removed on the way out."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``cfprob`` console script."""
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminated)
    cli(prog_name="cfprob")
