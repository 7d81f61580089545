"""Quotes checked against their sources: every quote must appear verbatim in the source it names (whitespace
runs and the Unicode normalisation form aside). A quote that does not is reported with the closest passage
of its source and the first characters that differ (invisible ones escaped), a hint when only the quote style
differs (curly against straight quotes), and the source it is in when it is in another."""

from __future__ import annotations

import difflib
import unicodedata

from cfprob.reading.fields import Problems, describe, did_you_mean
from cfprob.reading.scenario import Source

__all__ = ["MIN_QUOTE_CHARACTERS", "QuoteChecker", "normalise_text"]

MIN_QUOTE_CHARACTERS = 8


def normalise_text(value: str) -> str:
    """Unicode NFC, whitespace runs collapsed to one space: how quotes are compared with their sources."""
    return " ".join(unicodedata.normalize("NFC", value).split())


STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u201f": '"'})
"""Curly quotes and apostrophes to straight ones (for the quote-style hint)."""


def shown_character(ch: str) -> str:
    """A character as a message shows it: printable ones quoted, invisible or unusual ones as their code
    point and name (a zero-width space would otherwise be invisible)."""
    if (ch.isprintable() and not unicodedata.category(ch).startswith(("Z", "C"))) or ch == " ":
        return f'"{ch}" (U+{ord(ch):04X})'
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def closest_passage(quote: str, text: str) -> tuple[str, str, int]:
    """The stretch of ``text`` most like ``quote`` (both normalised), aligned with it; how the two first differ,
    and where in the passage ("", "", 0 when no stretch resembles it)."""
    matcher = difflib.SequenceMatcher(None, quote, text, autojunk=False)
    i, j, size = matcher.find_longest_match(0, len(quote), 0, len(text))
    if size == 0:
        return "", "", 0
    low = max(0, j - i - 8)
    window = text[low : j - i + len(quote) + 8]
    blocks = difflib.SequenceMatcher(None, quote, window, autojunk=False).get_matching_blocks()
    start = blocks[0].b - blocks[0].a if blocks and blocks[0].size else 0
    passage = window[max(0, start) : max(0, start) + len(quote)]
    for tag, q1, q2, p1, p2 in difflib.SequenceMatcher(None, quote, passage, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        said = shown_character(quote[q1]) if q1 < q2 else "nothing"
        found = shown_character(passage[p1]) if p1 < p2 else "nothing"
        return passage, f"at character {q1 + 1} the quote has {said}, the source {found}", p1
    return passage, "the quote runs past the passage's end", len(passage)


class QuoteChecker:
    """Checks quotes, reporting to ``problems``; sources in ``broken_sources`` (already reported) are skipped."""

    def __init__(self, problems: Problems, broken_sources: set[str]) -> None:
        self.problems = problems
        self.broken_sources = broken_sources
        self.normalised: dict[str, str] = {}  # source id -> its text with whitespace runs collapsed

    def check(self, source: str, quote: str, by_id: dict[str, Source], file: str, where: str) -> bool:
        if source in self.broken_sources:
            return False
        if len(quote.strip()) < MIN_QUOTE_CHARACTERS:
            self.problems.add(
                file, f"{where}: key 'quote'", f"a quote of at least {MIN_QUOTE_CHARACTERS} characters", describe(quote)
            )
            return False
        if source not in by_id:
            self.problems.add(
                file,
                f"{where}: key 'source'",
                "a source id from scenario.toml",
                f'"{source}"',
                did_you_mean(source, by_id),
            )
            return False
        if source not in self.normalised:
            self.normalised[source] = normalise_text(by_id[source].text)
        wanted = normalise_text(quote)
        if wanted not in self.normalised[source]:
            self.problems.add(
                file,
                f"{where}: key 'quote'",
                f'text found verbatim in source "{source}"',
                f"{describe(quote)}, which is not in {by_id[source].file}",
                self._why(wanted, source, by_id),
            )
            return False
        return True

    def _why(self, wanted: str, source: str, by_id: dict[str, Source]) -> str:
        """What helps find the mistake: another source holding the quote, a quote-style difference, or the
        first difference from the closest passage, with that passage around it."""
        for other, item in by_id.items():
            if other != source and other not in self.broken_sources:
                self.normalised.setdefault(other, normalise_text(item.text))
                if wanted in self.normalised[other]:
                    return f' (it is in source "{other}", {item.file})'
        text = self.normalised[source]
        if wanted.translate(STRAIGHT) in text.translate(STRAIGHT):
            return " (only the quote style differs: curly against straight quotes or apostrophes)"
        passage, difference, at = closest_passage(wanted, text)
        if not passage:
            return " (no stretch of the source resembles it)"
        around = passage[max(0, at - 30) : at + 30]
        return f'; {difference}; the source there reads "{around}"'
