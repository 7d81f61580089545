"""Fit the verbal-probability lexicon from raw survey answers.

Each surveyed phrase becomes a logit-normal distribution: the mean and standard deviation of
``logit(p)`` over everyone who was asked what probability the phrase means. Answers more than four
standard deviations from the phrase's mean are dropped (as the CAPphrase author does), and answers are
clipped to [0.5%, 99.5%] before the logit so that "0" and "100" stay finite.

``scripts/build_lexicon.py`` writes the result to ``cfprob/data/lexicon_v1.csv``; a test rebuilds it
from the raw files and compares.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np

__all__ = ["LEXICON_COLUMNS", "build_rows", "fit_phrase", "format_csv", "read_capphrase", "read_zonination"]

CLIP = 0.005
OUTLIER_SD = 4.0
Z90 = 1.6448536269514722

LEXICON_COLUMNS = (
    "phrase",
    "n",
    "datasets",
    "survey_mean_pct",
    "survey_median_pct",
    "logit_mu",
    "logit_sd",
    "median_pct",
    "low90_pct",
    "high90_pct",
)


def read_capphrase(path: Path) -> dict[str, list[float]]:
    """Answers in percent, by phrase, from CAPphrase ``absolute_judgements.csv``."""
    answers: dict[str, list[float]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            value = row["probability"].strip()
            if value:
                answers[row["term"].strip()].append(float(value))
    return dict(answers)


def read_zonination(path: Path) -> dict[str, list[float]]:
    """Answers in percent, by phrase, from zonination ``probly.csv`` (one column per phrase)."""
    answers: dict[str, list[float]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for phrase, value in row.items():
                if value is not None and value.strip():
                    answers[phrase.strip()].append(float(value))
    return dict(answers)


def fit_phrase(answers_pct: Iterable[float]) -> dict[str, float]:
    """Fit one phrase: drop outliers, clip, and take mean and sd of the logit.

    Parameters
    ----------
    answers_pct
        Survey answers in percent (0-100).

    Returns
    -------
    dict
        ``n`` (answers kept), survey mean and median in percent, ``logit_mu``, ``logit_sd`` and the
        median and 90% interval of the fitted logit-normal, in percent.
    """
    values = np.asarray(list(answers_pct), dtype=float)
    if values.size < 2:
        raise ValueError("a phrase needs at least two answers")
    mean, sd = values.mean(), values.std(ddof=1)
    if sd > 0:
        values = values[np.abs(values - mean) <= OUTLIER_SD * sd]
    p = np.clip(values / 100.0, CLIP, 1.0 - CLIP)
    z = np.log(p) - np.log1p(-p)
    mu, s = float(z.mean()), float(z.std(ddof=1))

    def expit(x: float) -> float:
        return float(100.0 / (1.0 + np.exp(-x)))

    return {
        "n": int(values.size),
        "survey_mean_pct": float(values.mean()),
        "survey_median_pct": float(np.median(values)),
        "logit_mu": mu,
        "logit_sd": s,
        "median_pct": expit(mu),
        "low90_pct": expit(mu - Z90 * s),
        "high90_pct": expit(mu + Z90 * s),
    }


def build_rows(datasets: dict[str, dict[str, list[float]]]) -> list[dict[str, object]]:
    """Pool each phrase's answers over datasets (matched case-insensitively) and fit it."""
    pooled: dict[str, list[float]] = defaultdict(list)
    spelled: dict[str, str] = {}
    used_by: dict[str, set[str]] = defaultdict(set)
    for dataset in sorted(datasets):
        for phrase, answers in datasets[dataset].items():
            key = phrase.lower()
            spelled.setdefault(key, phrase)
            pooled[key].extend(answers)
            used_by[key].add(dataset)
    rows = []
    for key in sorted(pooled):
        row: dict[str, object] = {"phrase": spelled[key], "datasets": "+".join(sorted(used_by[key]))}
        row.update(fit_phrase(pooled[key]))
        rows.append(row)
    return rows


def format_csv(rows: list[dict[str, object]]) -> str:
    """The lexicon as CSV text, floats rounded to 6 significant digits."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LEXICON_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
    return out.getvalue()
