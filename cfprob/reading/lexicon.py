"""The lexicon: verbal phrases as probability distributions.

A surveyed phrase ("unlikely", "very good chance") maps to a logit-normal distribution fitted to what
thousands of survey respondents said it means (``cfprob/data/lexicon_v1.csv``, built by
:mod:`cfprob.reading.lexicon_build`). A forum idiom ("no way in hell") maps to one surveyed phrase through the
visible table ``cfprob/data/idioms.toml``. Lookups ignore case and surrounding whitespace.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from cfprob.errors import CfprobError

__all__ = ["LEXICON_VERSION", "Lexicon", "LexiconEntry", "load_lexicon", "normalise_phrase"]

LEXICON_VERSION = "v1"


def normalise_phrase(phrase: str) -> str:
    """Lower case with single spaces: the key phrases are looked up by."""
    return " ".join(phrase.lower().replace("_", " ").split())


@dataclass(frozen=True)
class LexiconEntry:
    """What a phrase became: a logit-normal distribution over the probability it expresses.

    Attributes
    ----------
    phrase
        The surveyed phrase, as the survey spells it.
    idiom
        The forum idiom that led here, or ``None`` when the phrase was surveyed directly.
    idiom_note
        Why the idiom maps to this phrase.
    n
        Number of survey answers the fit used.
    logit_mu, logit_sd
        Mean and standard deviation of ``logit(p)``.
    median_pct, low90_pct, high90_pct
        Median and 90% interval of the fitted distribution, in percent.
    """

    phrase: str
    idiom: str | None
    idiom_note: str
    n: int
    datasets: str
    logit_mu: float
    logit_sd: float
    median_pct: float
    low90_pct: float
    high90_pct: float

    def describe(self) -> str:
        """One line for users: ``"unlikely" -> 16% (90%: 4-45%)``."""
        via = f'"{self.idiom}" ~ ' if self.idiom else ""
        return (
            f'{via}"{self.phrase}" -> {self.median_pct:.0f}% '
            f"(90%: {self.low90_pct:.0f}-{self.high90_pct:.0f}%, n={self.n})"
        )


@dataclass(frozen=True)
class Lexicon:
    """Surveyed phrases and forum idioms, looked up by :func:`normalise_phrase`."""

    phrases: dict[str, LexiconEntry]
    idioms: dict[str, tuple[str, str]]

    def lookup(self, phrase: str) -> LexiconEntry | None:
        """The entry for a surveyed phrase or idiom, or ``None`` if it is unknown."""
        key = normalise_phrase(phrase)
        if key in self.phrases:
            return self.phrases[key]
        if key in self.idioms:
            target, note = self.idioms[key]
            base = self.phrases[target]
            return LexiconEntry(**{**base.__dict__, "idiom": key, "idiom_note": note})
        return None

    def names(self) -> list[str]:
        """Every phrase and idiom that can be looked up."""
        return sorted(set(self.phrases) | set(self.idioms))


def _read_phrases(text: str) -> dict[str, LexiconEntry]:
    entries = {}
    for row in csv.DictReader(text.splitlines()):
        entries[normalise_phrase(row["phrase"])] = LexiconEntry(
            phrase=row["phrase"],
            idiom=None,
            idiom_note="",
            n=int(row["n"]),
            datasets=row["datasets"],
            logit_mu=float(row["logit_mu"]),
            logit_sd=float(row["logit_sd"]),
            median_pct=float(row["median_pct"]),
            low90_pct=float(row["low90_pct"]),
            high90_pct=float(row["high90_pct"]),
        )
    return entries


def _read_idioms(text: str, phrases: dict[str, LexiconEntry]) -> dict[str, tuple[str, str]]:
    """Each idiom (every ``forms`` entry of every rule) -> (the surveyed phrase it is read as, the rule)."""
    idioms = {}
    for i, item in enumerate(tomllib.loads(text).get("idioms", [])):
        target = normalise_phrase(item["phrase"])
        if target not in phrases:
            raise CfprobError(f"idioms.toml: idioms[{i}]: expected a surveyed phrase, found {item['phrase']!r}")
        for form in item["forms"]:
            idioms[normalise_phrase(form)] = (target, str(item["rule"]))
    return idioms


@cache
def load_lexicon() -> Lexicon:
    """The bundled lexicon (cached after the first call)."""
    data = resources.files("cfprob") / "data"
    phrases = _read_phrases((data / "lexicon_v1.csv").read_text(encoding="utf-8"))
    idioms = _read_idioms((data / "idioms.toml").read_text(encoding="utf-8"), phrases)
    return Lexicon(phrases=phrases, idioms=idioms)
