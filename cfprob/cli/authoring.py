"""Commands that help write a scenario: ``new`` (a valid skeleton to edit)."""

from __future__ import annotations

from pathlib import Path

import click

from cfprob.cli.group import cli


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A text file the claims will quote (repeat for several); copied into the scenario's sources/.",
)
def new(path: Path, sources: tuple[Path, ...]) -> None:
    """Create a new scenario folder at PATH: a complete, valid skeleton to edit.

    It has a question, outcomes with definitions, a timeline, your sources, one claimant, one divergence
    point, one claim quoting your first source, and every other claim kind as a commented-out example.

    \b
    Examples:
      cfprob new my-thread --source saved-thread.txt
      cfprob validate my-thread
    """
    from cfprob.outputs.skeleton import write_skeleton

    written = write_skeleton(path, sources)
    click.echo(f"Created {path} ({len(written)} files). Edit every 'Replace:' value, then: cfprob validate {path}")
