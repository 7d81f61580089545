"""Draft claims from a saved thread: every sentence of a post's own words that carries a lexicon phrase or
forum idiom becomes a draft to review (`cfprob draft`).

A draft quotes its sentence exactly as the source has it, names the poster and the post, and records the
phrase found; its kind, divergence point and outcome are guesses to check (``review = "todo"``). The loader
lists drafts still to review, and no fit uses them until their ``review`` key is removed. Sentences repeated
from an earlier post (quoted without a quote marker) are not drafted twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cfprob.reading.threads import Post

if TYPE_CHECKING:
    from cfprob.reading.lexicon import Lexicon

__all__ = ["Draft", "claimant_id", "draft_claims", "find_phrase", "sentences"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Draft:
    """One sentence to review as a claim."""

    post: Post
    quote: str
    phrase: str


def sentences(line: str) -> list[str]:
    """The sentences of one line of a post, verbatim (at least 8 characters each)."""
    return [s.strip() for s in _SENTENCE_END.split(line) if len(s.strip()) >= 8]


def find_phrase(sentence: str, lexicon: Lexicon) -> str | None:
    """The longest lexicon phrase or idiom in ``sentence`` as whole words (case ignored), as the sentence
    writes it; None if there is none."""
    for name in sorted(lexicon.names(), key=len, reverse=True):
        # matched in the sentence itself: lower-casing first can change its length ("İ" becomes two characters)
        match = re.search(rf"(?<![\w']){re.escape(name)}(?![\w'])", sentence, re.IGNORECASE)
        if match:
            return sentence[match.start() : match.end()]
    return None


def draft_claims(posts: list[Post], lexicon: Lexicon) -> list[Draft]:
    """A draft for every sentence with a lexicon phrase or idiom, in thread order; a sentence an earlier post
    already said is skipped."""
    seen: set[str] = set()
    drafts = []
    for post in posts:
        for line in post.lines:
            for sentence in sentences(line):
                key = " ".join(sentence.lower().split())
                if key in seen:
                    continue
                seen.add(key)
                phrase = find_phrase(sentence, lexicon)
                if phrase is not None:
                    drafts.append(Draft(post, sentence, phrase))
    return drafts


def claimant_id(name: str) -> str:
    """A claimant id for a poster's name: lower case letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64] or "poster"
