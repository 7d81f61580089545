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


@cli.command()
@click.argument("source", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--scenario", "scenario_path", type=click.Path(path_type=Path), default=None, help="Scenario folder.")
@click.option("--force", is_flag=True, help="Replace an existing drafts file for this source.")
def draft(source: Path, scenario_path: Path | None, force: bool) -> None:
    """Draft claims from a saved thread SOURCE into a scenario: one per sentence with a lexicon phrase.

    The thread is split into posts (Markdown "## Name" copies, Reddit "u/name" comments, or plain pages with
    the poster's name and title above each post); quotes of earlier posts are dropped. Each draft quotes its
    sentence exactly, with poster and post, and is marked review = "todo": set its kind, divergence point and
    outcome (or delete it), then delete the review key. The source is copied into the scenario and its posters
    added as claimants, as the command says.

    \b
    Examples:
      cfprob new my-thread
      cfprob draft saved-thread.txt --scenario my-thread
      cfprob validate my-thread      # lists the drafts still to review
    """
    from cfprob.cli.common import chosen_scenario
    from cfprob.outputs.drafts import write_drafts
    from cfprob.safe.neutralise import for_terminal

    folder = chosen_scenario(scenario_path)
    report = write_drafts(folder, source, force)
    click.echo(
        for_terminal(
            f"{source}: a {report.format} thread of {report.posts} posts; {report.drafts} draft claims in "
            f"{report.drafts_file}."
        )
    )
    for line in report.changes:  # posters' names, as the thread writes them
        click.echo(f"  {for_terminal(line)}")
    click.echo(f'Review each draft (kind, pod, outcome; delete its review = "todo"), then: cfprob validate {folder}')


@cli.command()
@click.argument("file_kind", type=click.Choice(["scenario", "pods", "claims"]))
@click.option("--out", "out", type=click.Path(path_type=Path), default=None, help="Write the schema to a .json file.")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def schema(file_kind: str, out: Path | None, force: bool) -> None:
    """Print the JSON Schema of a scenario file kind, for TOML editors that complete and check keys.

    Point your editor at it (e.g. a first line "#:schema ./claims.schema.json" in a claims file, for editors
    that read that directive); `cfprob validate` checks everything a schema cannot (quotes, references).

    \b
    Examples:
      cfprob schema claims --out claims.schema.json
      cfprob schema scenario
    """
    import json

    from cfprob.reading.schema import schema_of

    text = json.dumps(schema_of(file_kind), indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    from cfprob.safe.files import check_new_file, write_files_atomically

    check_new_file(out, force)
    write_files_atomically({out: text})
    click.echo(f"Saved the {file_kind} schema to {out}")
