"""A new scenario folder: a complete, valid skeleton to edit (`cfprob new`).

The skeleton has a question, three outcomes with definitions, a timeline, the user's sources copied into
``sources/``, one claimant, one divergence point, one claim quoting the first source verbatim and every
other claim kind as a commented-out example. Every value to replace says so. Nothing is written unless the
whole folder can be: the files are written together, atomically.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from cfprob.errors import CfprobError
from cfprob.outputs.would_load import check_would_load
from cfprob.safe.inputs import read_text_file
from cfprob.safe.neutralise import for_toml

__all__ = ["first_sentence", "write_skeleton"]

EXAMPLE_SOURCE = """Replace this file with the thread or essay your claims quote (save the page as text).
I think it is possible the divergence would have changed everything.
"""
"""The source a skeleton gets when none is given."""


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` with at least 8 characters (a quote the loader accepts), verbatim."""
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.!?])\s+", line.strip()):
            if len(sentence.strip()) >= 8:
                return sentence.strip()
    raise CfprobError("expected a source with at least one sentence of 8 characters or more, found none")


def write_skeleton(folder: Path, sources: Sequence[Path]) -> list[Path]:
    """Write a new scenario into ``folder`` (which must not exist, or be empty) quoting ``sources``; the
    written files."""
    from cfprob.safe.files import write_files_atomically

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CfprobError(f"{folder}: expected a new or empty folder for the scenario, found one with files in it")
    texts: dict[str, str] = {}
    for i, source in enumerate(sources):
        text = read_text_file(source)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", source.stem).strip("-")[:40] or "source"
        texts[f"{i:03d}-{name}.txt"] = text
    if not texts:
        texts["000-example.txt"] = EXAMPLE_SOURCE
    quote = first_sentence(next(iter(texts.values())))
    scenario_id = re.sub(r"[^A-Za-z0-9_.-]+", "-", folder.name).strip("-")[:64] or "my-scenario"
    files: dict[Path, str] = {
        folder / "scenario.toml": _scenario(scenario_id, list(texts)),
        folder / "pods.toml": PODS,
        folder / "claims" / "claims.toml": _claims(quote),
        **{folder / "sources" / name: text for name, text in texts.items()},
    }
    check_would_load(folder, files, "new")
    created = [d for d in (folder, folder / "claims", folder / "sources") if not d.exists()]
    for directory in created:
        directory.mkdir()
    try:
        write_files_atomically(files)
    except BaseException:
        for directory in reversed(created):  # nothing half-made is left behind
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
        raise
    return list(files)


def _scenario(scenario_id: str, source_files: list[str]) -> str:
    sources = "\n".join(
        f'[[sources]]\nid = "source-{i + 1}"\nfile = "sources/{name}"\n'
        f'title = "Replace: the title of {name}"\nkind = "forum thread"          # or "essay", "book" ...\n'
        'url = ""                        # where it is public, if it is\n'
        for i, name in enumerate(source_files)
    )
    return f"""# A new cfprob scenario: replace every "Replace: ..." value, then `cfprob validate {scenario_id}`.
# The format, with an example of every claim kind: priors/README.md in cfprob's repository.
schema_version = 1
id = {for_toml(scenario_id)}
title = "Replace: a short title, e.g. Could the Republic have survived?"
question = "Replace: after a given point of divergence, would ... by the horizon year ... ?"
horizon_year = 2000                     # the year at which the outcome is judged

[timeline]                              # the years divergence points may lie in; real history is a curve over them
start = 1900
end = 1990

[[outcomes]]                            # two or more outcomes, exclusive and exhaustive; the last is the reference
id = "outcome_a"
label = "Replace: outcome A"
definition = "Replace: what must hold at the horizon year for outcome A, in operational words."

[[outcomes]]
id = "outcome_b"
label = "Replace: outcome B"
definition = "Replace: what must hold at the horizon year for outcome B."

[[outcomes]]
id = "outcome_c"
label = "Replace: outcome C"
definition = "Replace: everything else."

[[features]]                            # optional: mechanisms that describe divergence points (0 to 1 each)
id = "reform_leader"
description = "Replace: a mechanism, e.g. the leader is more reform-minded than the real one."

{sources}
[[claimants]]                           # everyone whose claims you encode; aliases are other names they post under
id = "poster-1"
name = "Replace: the poster's name as the source shows it"

[evidence]                              # required: what really happened; real history's curve is fitted to it
observed_outcome = "outcome_a"          # Replace: the outcome that really happened
observed_year = 1990                    # Replace: the year it was settled (inside the timeline)
observed_note = "Replace: what happened, with a source."
# survival_outcome = "outcome_b"        # the outcome of a regime still there at the horizon (default: the last)
# [evidence.reference_class]            # real comparable regimes with their years: see priors/README.md
"""


PODS = """# Divergence points: dated changes to real history. `otl` (real history) is implicit.

[[pods]]
id = "example-1950"                     # letters, digits, '-' and '_'
year = 1950                             # inside the timeline
title = "Replace: what changes, in a few words"
description = "Replace: the change and what it is meant to cause."
features = { reform_leader = 1.0 }      # mechanism features from scenario.toml, 0 to 1
"""


def _claims(quote: str) -> str:
    return f"""# Claims: each quotes its source verbatim (checked), with who said it and where.
# Read the guide first: a suggestion is a proposal, whether a divergence could happen is an antecedent,
# "possible" said in favour is a lower bound, and no phrase or number the author did not write.

[[claims]]
id = "poster-1-example"
kind = "proposal"                       # a divergence suggested, with no view on its outcome: listed, not fitted
author = "poster-1"
source = "source-1"
locator = "post 1"                      # where in the source: post number and poster, or paragraph
quote = {for_toml(quote)}
pod = "example-1950"
note = "Replace: how you read the words."

# Every other kind, to copy and fill in (remove the leading '# '):
#
# [[claims]]                            # a chance in words, read through the lexicon (`cfprob lexicon`)
# id = "..."; kind = "verbal"; pod = "example-1950"; outcome = "outcome_a"; phrase = "unlikely"
# bound = "lower"                       # optional: "it is possible", said in favour: at least that likely
#
# kind = "probability"; pod; outcome; probability = 0.3        (the author gave a number)
# kind = "interval"; pod; outcome; low = 0.2; high = 0.4       (a range)
# kind = "distribution"; pod; distribution = {{ outcome_a = 0.5, outcome_b = 0.3, outcome_c = 0.2 }}
# kind = "ordering"; higher = "example-1950"; lower = "otl"; outcome   (more likely under one than another)
# kind = "same"; pod; other = "otl"; outcome                   ("it breaks about even")
# kind = "era"; outcome; start; end; compared_with = "earlier"; about = "divergences"   (windows of years)
# kind = "level"; outcome; start; end; phrase = "almost impossible"   (real history's chance in a window)
# kind = "uncertain"; pod                                      ("we can't even predict")
# kind = "antecedent"; pod; phrase = "very hard"               (could the divergence itself happen?)
# kind = "poll"; pod; outcome; bins = [[0, 0.25], [0.25, 1]]; votes = [3, 9]
# Common optional keys: confidence (2 emphatic, 0.5 hedged), note, excluded = "why", author_outcome.
"""
