"""Quotes checked against their sources: every quote must appear verbatim (whitespace runs aside) in the
source it names."""

from __future__ import annotations

from cfprob.reading.fields import Problems, describe, did_you_mean
from cfprob.reading.scenario import Source

__all__ = ["MIN_QUOTE_CHARACTERS", "QuoteChecker", "normalise_text"]

MIN_QUOTE_CHARACTERS = 8


def normalise_text(value: str) -> str:
    """Collapse whitespace runs to one space: how quotes are compared with their sources."""
    return " ".join(value.split())


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
        if normalise_text(quote) not in self.normalised[source]:
            self.problems.add(
                file,
                f"{where}: key 'quote'",
                f'text found verbatim in source "{source}"',
                f"{describe(quote)}, which is not in {by_id[source].file}",
            )
            return False
        return True
