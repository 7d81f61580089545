"""The ``cache`` commands: list and clear cached fits and compiled model code."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    pass
from cfprob.cli.group import cli


@cli.group()
def cache() -> None:
    """List or clear cached fits and compiled model code.

    \b
    Example:
      cfprob cache list
    """


@cache.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: each cached fit's path and size.")
def cache_list(as_json: bool) -> None:
    """List cached fits and the size of the compiled model code.

    \b
    Example:
      cfprob cache list --json
    """
    from cfprob.fitting.machine_code import compiled_size
    from cfprob.outputs.store import list_cache

    entries = list_cache()
    if as_json:
        files, size = compiled_size()
        fits = [{"path": str(e), "bytes": e.stat().st_size} for e in entries]
        click.echo(json.dumps({"fits": fits, "compiled": {"files": files, "bytes": size}}, indent=2))
        return
    for entry in entries:
        click.echo(f"{entry}  {entry.stat().st_size / 1e6:.1f} MB")
    click.echo(f"{len(entries)} cached fit{'s' if len(entries) != 1 else ''}.")
    files, size = compiled_size()
    click.echo(f"Compiled model code: {files} files, {size / 1e6:.1f} MB.")


@cache.command("clear")
@click.option("--compiled", is_flag=True, help="Also delete compiled model code (the next fit compiles again).")
def cache_clear(compiled: bool) -> None:
    """Delete every cached fit (and, with --compiled, the compiled model code).

    \b
    Example:
      cfprob cache clear --compiled
    """
    from cfprob.fitting.machine_code import clear_compiled
    from cfprob.outputs.store import clear_cache

    click.echo(f"Removed {clear_cache()} cached fits.")
    if compiled:
        click.echo(f"Removed {clear_compiled()} files of compiled model code.")
