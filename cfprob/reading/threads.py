"""A saved forum thread split into posts, each with its poster and its own words (quoted text dropped).

Three formats, as forum pages come when saved or copied:

- ``markdown``: a ``## Name`` heading above each post; ``Name said:`` lines and lines starting with ``>``
  are quotes of earlier posts; lines of dashes separate posts.
- ``reddit``: each comment starts with a ``u/name`` line (a score line such as ``12 points`` may follow);
  lines starting with ``>`` are quotes.
- ``plain``: posts separated by blank lines; in each, the poster's name on the first line and their user
  title on the second, then the post; ``Name said:`` up to the next blank line is a quote, and a paragraph
  of one or two lines continues the post before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FORMATS", "Post", "split_posts"]

FORMATS = ("markdown", "reddit", "plain")

_HEADING = re.compile(r"^##\s+(.+?)\s*$")
_REDDIT = re.compile(r"^u/([A-Za-z0-9_-]+)\b")
_SCORE = re.compile(r"^\s*-?\d+\s+points?\b.*$|^\s*score hidden\b.*$", re.IGNORECASE)
_SAID = re.compile(r"^.{1,80}\ssaid:\s*$")
_RULE = re.compile(r"^\s*-{5,}\s*$")


@dataclass(frozen=True)
class Post:
    """One post: its number in the thread (from 1), its poster and its own lines (quotes dropped)."""

    number: int
    author: str
    lines: tuple[str, ...]

    @property
    def locator(self) -> str:
        return f"post {self.number} ({self.author})"


def split_posts(text: str) -> tuple[str, list[Post]]:
    """The thread's format (one of :data:`FORMATS`) and its posts."""
    lines = text.splitlines()
    if any(_HEADING.match(line) for line in lines):
        return "markdown", _markdown(lines)
    if any(_REDDIT.match(line) for line in lines):
        return "reddit", _reddit(lines)
    return "plain", _plain(lines)


def _own(lines: list[str]) -> tuple[str, ...]:
    """A post's own lines: quotes (``>`` lines, ``Name said:`` lines), separators and blank lines dropped."""
    return tuple(
        line
        for line in lines
        if line.strip() and not line.lstrip().startswith(">") and not _SAID.match(line) and not _RULE.match(line)
    )


def _sections(lines: list[str], starts: re.Pattern[str]) -> list[tuple[str, list[str]]]:
    """(poster, lines) of each post, a post starting at each line ``starts`` matches (its group 1: the poster;
    what follows the match on that line belongs to the post)."""
    sections: list[tuple[str, list[str]]] = []
    for line in lines:
        match = starts.match(line)
        if match:
            rest = line[match.end() :].strip(" ·-|")
            sections.append((match.group(1).strip(), [rest] if rest else []))
        elif sections:
            sections[-1][1].append(line)
    return sections


def _numbered(sections: list[tuple[str, list[str]]]) -> list[Post]:
    """Posts numbered in thread order (a post of quotes only keeps its number, and is left out)."""
    posts = [Post(i + 1, author, _own(body)) for i, (author, body) in enumerate(sections)]
    return [p for p in posts if p.lines]


def _markdown(lines: list[str]) -> list[Post]:
    return _numbered(_sections(lines, _HEADING))


def _reddit(lines: list[str]) -> list[Post]:
    sections = _sections(lines, _REDDIT)
    return _numbered([(author, [b for b in body if not _SCORE.match(b)]) for author, body in sections])


def _plain(lines: list[str]) -> list[Post]:
    blocks: list[list[str]] = []
    block: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            block.append(line)
        elif block:
            blocks.append(block)
            block = []
    sections: list[tuple[str, list[str]]] = []
    for block in blocks:
        if _SAID.match(block[0]):
            continue  # "Name said:" and what follows in its paragraph: a quote of an earlier post
        if len(block) >= 3:
            body = block[2:]  # after the poster and their user title; "Name said:" quotes to the paragraph's end
            quoted = next((i for i, line in enumerate(body) if _SAID.match(line)), len(body))
            sections.append((block[0].strip(), body[:quoted]))
        elif sections:
            sections[-1][1].extend(["", *block])  # a further paragraph of the post before
    return _numbered(sections)
