"""Draft claims from a saved thread written into a scenario folder (`cfprob draft`).

The thread file is copied into the scenario's ``sources/`` (unless it is one of its sources already) and
listed in ``scenario.toml``; posters who are not yet claimants are added as claimants; the drafts go to
``claims/drafts-<source id>.toml``. All of it is written together, atomically, and only when the scenario
reads as valid before; the command says what it added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cfprob.errors import CfprobError
from cfprob.outputs.would_load import check_would_load
from cfprob.reading.drafting import Draft
from cfprob.reading.scenario import Source
from cfprob.safe.inputs import read_text_file
from cfprob.safe.neutralise import for_toml

__all__ = ["DraftReport", "write_drafts"]


@dataclass(frozen=True)
class DraftReport:
    format: str
    posts: int
    drafts: int
    drafts_file: Path
    changes: tuple[str, ...]


def write_drafts(folder: Path, source: Path, force: bool = False) -> DraftReport:
    """Draft claims from ``source`` into the scenario ``folder``, holding the folder's lock from reading it to
    writing it; what was written."""
    from cfprob.safe.lock import folder_lock

    with folder_lock(folder):
        return _write_drafts(folder, source, force)


def _write_drafts(folder: Path, source: Path, force: bool) -> DraftReport:
    from cfprob.reading.drafting import claimant_id, draft_claims
    from cfprob.reading.lexicon import load_lexicon
    from cfprob.reading.loader import load_scenario
    from cfprob.reading.scenario import OTL
    from cfprob.reading.threads import split_posts
    from cfprob.safe.files import check_new_file, write_files_atomically

    scenario = load_scenario(folder)
    text = read_text_file(source)
    form, posts = split_posts(text)
    if not posts:
        raise CfprobError(f"{source}: expected a thread with at least one post, found none")
    files: dict[Path, str] = {}
    changes: list[str] = []
    appended: list[str] = []
    known = {s.file: s.id for s in scenario.sources}
    inside = source.resolve().is_relative_to((folder / "sources").resolve())
    relative = f"sources/{source.name}" if inside else ""
    drafted = _already_a_source(folder, scenario.sources, text) if not inside else None
    if drafted is not None and not force:
        raise CfprobError(
            f"{source}: expected a thread not yet in the scenario, found the same text as source {drafted.id} "
            f"({drafted.file}); --force drafts it again in place of claims/drafts-{drafted.id}.toml"
        )
    if drafted is not None:
        source_id, relative = drafted.id, drafted.file
    elif relative in known:
        source_id = known[relative]
    else:
        stem = re.sub(r"[^a-z0-9]+", "-", source.stem.lower()).strip("-")[:48] or "thread"
        source_id = stem if stem not in {s.id for s in scenario.sources} else f"{stem}-{len(scenario.sources) + 1}"
        relative = f"sources/{source_id}.txt"
        target = folder / relative
        if target.exists() and target.read_text(encoding="utf-8") != text:
            raise CfprobError(f"{target}: expected a new file for the thread, found another file there")
        files[target] = text
        appended.append(
            f"\n[[sources]]\nid = {for_toml(source_id)}\nfile = {for_toml(relative)}\n"
            f'title = {for_toml("Replace: the title of " + source.name)}\nkind = "forum thread"\n'
        )
        changes.append(f"copied the thread to {relative} and listed it in scenario.toml as source {source_id}")
    names = {n.lower(): c.id for c in scenario.claimants for n in (c.id, c.name, *c.aliases)}
    for poster in dict.fromkeys(p.author for p in posts):
        if poster.lower() not in names:
            base, new_id, n = claimant_id(poster), claimant_id(poster), 1
            while new_id in names.values():
                n += 1
                new_id = f"{base[: 64 - len(str(n)) - 1]}-{n}"  # ids are at most 64 characters
            names[poster.lower()] = new_id
            appended.append(f"\n[[claimants]]\nid = {for_toml(new_id)}\nname = {for_toml(poster)}\n")
            changes.append(f"added {poster} to scenario.toml's claimants")
    if appended:
        scenario_file = folder / "scenario.toml"
        files[scenario_file] = scenario_file.read_text(encoding="utf-8").rstrip("\n") + "\n" + "".join(appended)
    pods = [p for p in scenario.pod_ids if p != OTL]
    drafts = draft_claims(posts, load_lexicon())
    out = folder / "claims" / f"drafts-{source_id}.toml"
    check_new_file(out, force)
    files[out] = _drafts_text(drafts, source_id, relative, pods[0], scenario.outcome_ids[0])
    check_would_load(folder, files, "draft")
    write_files_atomically(files)
    return DraftReport(form, len(posts), len(drafts), out, tuple(changes))


def _already_a_source(folder: Path, sources: tuple[Source, ...], text: str) -> Source | None:
    """The scenario's source whose file holds exactly ``text`` (a thread drafted before), if any."""
    size = len(text.encode("utf-8"))
    for source in sources:
        path = folder / source.file
        try:  # a file of another size is another text: read only those that could match
            if path.stat().st_size == size and path.read_text(encoding="utf-8") == text:
                return source
        except (OSError, UnicodeDecodeError):
            continue
    return None


def _drafts_text(drafts: list[Draft], source_id: str, relative: str, pod: str, outcome: str) -> str:
    lines = [
        f"# Draft claims from {relative}: one per sentence with a lexicon phrase or idiom (cfprob draft).",
        "# Review each: its kind (verbal, antecedent, proposal ...), divergence point and outcome are guesses;",
        '# delete a draft that states no chance, and delete "review" once a draft says what its author meant.',
        "",
    ]
    per_post: dict[int, int] = {}
    for d in drafts:
        per_post[d.post.number] = per_post.get(d.post.number, 0) + 1
        lines += [
            "[[claims]]",
            f"id = {for_toml(f'{source_id}-p{d.post.number}-{per_post[d.post.number]}')}",
            'kind = "verbal"',
            'review = "todo"',
            f"author = {for_toml(d.post.author)}",
            f"source = {for_toml(source_id)}",
            f"locator = {for_toml(d.post.locator)}",
            f"quote = {for_toml(d.quote)}",
            f"pod = {for_toml(pod)}                # a guess: the divergence point the sentence is about",
            f"outcome = {for_toml(outcome)}        # a guess",
            f"phrase = {for_toml(d.phrase)}",
            f"note = {for_toml('Draft: the phrase ' + repr(d.phrase) + ' found; decide what the author meant.')}",
            "",
        ]
    return "\n".join(lines)
