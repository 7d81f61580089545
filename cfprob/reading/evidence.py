"""The ``[evidence]`` table of scenario.toml: real history's outcome and the reference class of real cases."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from cfprob.reading import fields as f
from cfprob.reading.fields import BAD, Problems, describe, did_you_mean, one_line
from cfprob.reading.folder import ScenarioFolder
from cfprob.reading.scenario import Evidence, ReferenceClass
from cfprob.reading.specs import EVIDENCE_SPEC, REFERENCE_SPEC

__all__ = ["EvidenceReader", "read_evidence", "read_reference_class"]


@dataclass(frozen=True)
class EvidenceReader:
    """What reading the evidence needs from the scenario being loaded."""

    folder: ScenarioFolder
    problems: Problems
    horizon_year: int
    outcomes_broken: bool


def read_evidence(raw: Any, file: str, outcomes: tuple[str, ...], reader: EvidenceReader) -> Evidence | None:
    """The ``[evidence]`` table: real history's outcome (and year), and the reference class if any."""
    if raw is BAD:
        return None
    clean = f.read_table(raw, EVIDENCE_SPEC, reader.problems, file, "evidence")
    if clean is None or any(v is BAD for v in clean.values()):
        return None
    observed = clean["observed_outcome"]
    if outcomes and observed not in outcomes:
        reader.problems.add(
            file,
            "evidence: key 'observed_outcome'",
            "an outcome id",
            f'"{observed}"',
            did_you_mean(observed, outcomes),
        )
    reference = None
    if clean["reference_class"] is not None:
        reference = read_reference_class(clean["reference_class"], file, outcomes, reader)
        if reference is None:
            return None
    survival = clean["survival_outcome"] or (outcomes[-1] if outcomes else "")
    if outcomes and survival not in outcomes:
        reader.problems.add(
            file,
            "evidence: key 'survival_outcome'",
            "an outcome id (the outcome of a regime still there at the horizon)",
            f'"{survival}"',
            did_you_mean(survival, outcomes),
        )
    year = clean["observed_year"]
    if year is not None and year > reader.horizon_year:
        reader.problems.add(
            file,
            "evidence: key 'observed_year'",
            f"a year no later than the horizon year {reader.horizon_year}",
            str(year),
        )
    return Evidence(observed, year, clean["observed_note"], reference, survival)


def read_reference_class(
    raw: dict[str, Any], file: str, outcomes: tuple[str, ...], reader: EvidenceReader
) -> ReferenceClass | None:
    """The reference class: its CSV read, filtered and mapped onto the outcomes, each case once."""
    item = "evidence.reference_class"
    clean = f.read_table(raw, REFERENCE_SPEC, reader.problems, file, item)
    if clean is None or any(v is BAD for v in clean.values()):
        return None
    mapping = clean["outcome_map"]
    for value, target in mapping.items():
        if not isinstance(target, str) or (target not in outcomes and not reader.outcomes_broken):
            reader.problems.add(
                file,
                f"{item}.outcome_map: key '{value}'",
                "an outcome id",
                describe(target),
                did_you_mean(str(target), outcomes),
            )
    include = clean["include"] or {}
    for column, allowed in include.items():
        if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
            reader.problems.add(file, f"{item}.include: key '{column}'", "a list of strings", describe(allowed))
    content = reader.folder.read_text(clean["file"], file, f"{item}: key 'file'")
    if content is None or reader.problems:
        return None
    csv_file = reader.folder.show(clean["file"])
    try:
        rows = list(csv.DictReader(io.StringIO(content)))
    except csv.Error as exc:
        reader.problems.add(csv_file, "", "CSV text", f"unreadable CSV ({exc})")
        return None
    columns = {c for c in rows[0] if isinstance(c, str)} if rows else set()  # extra fields come as key None
    wanted = [clean["case_column"], clean["outcome_column"], clean["start_column"], clean["end_column"], *include]
    missing = [c for c in wanted if c not in columns]
    if not rows or missing:
        found = "no rows" if not rows else f'no column "{missing[0]}"'
        reader.problems.add(
            csv_file,
            "",
            f"a CSV with the columns {', '.join(wanted)}",
            found,
            did_you_mean(missing[0], columns) if missing and rows else "",
        )
        return None
    kept = [r for r in rows if all(r[c] in allowed for c, allowed in include.items())]
    names = {r[clean["case_column"]] for r in kept}
    for case in clean["exclude_cases"]:
        if case not in names:
            reader.problems.add(
                file,
                f"{item}: key 'exclude_cases'",
                "cases found in the reference class",
                f'"{case}"',
                did_you_mean(case, names),
            )
    cases, spans = [], []
    seen: set[str] = set()
    for r in kept:
        if r[clean["case_column"]] in clean["exclude_cases"]:
            continue
        if r[clean["case_column"]] in seen:
            reader.problems.add(csv_file, f'case "{r[clean["case_column"]]}"', "each case once", "a second row for it")
            continue
        seen.add(r[clean["case_column"]])
        value = r[clean["outcome_column"]]
        if value not in mapping:
            reader.problems.add(
                csv_file,
                f'case "{r[clean["case_column"]]}"',
                f"an {clean['outcome_column']} listed in outcome_map",
                f'"{value}"',
            )
            continue
        span = _span(r, clean, csv_file, reader.problems)
        if span is None:
            continue
        cases.append((r[clean["case_column"]], mapping[value]))
        spans.append(span)
    if not cases and not reader.problems:
        reader.problems.add(csv_file, "", "at least one case after include and exclude_cases", "none")
    return ReferenceClass(clean["file"], clean["rule"], tuple(cases), tuple(spans), clean["censor_year"])


def _year(text: str | None) -> int | None:
    """A year written as an integer (``1991`` or ``1991.0``); None if it is not one."""
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def _span(
    row: dict[str, Any], clean: dict[str, Any], csv_file: str, problems: Problems
) -> tuple[int, int | None] | None:
    """A case's first year and the year it ended (None when its end column is empty: it had not ended by the
    censor year); None after reporting a problem."""
    item = f'case "{row[clean["case_column"]]}"'
    start = _year(row[clean["start_column"]])
    censor = clean["censor_year"]
    if start is None or start > censor:
        found = f'"{one_line(row[clean["start_column"]] or "")}"'
        expected = f"a first year in {clean['start_column']} no later than the censor year {censor}"
        problems.add(csv_file, item, expected, found)
        return None
    raw_end = (row[clean["end_column"]] or "").strip()
    if not raw_end:
        return start, None
    end = _year(raw_end)
    if end is None or not start <= end <= censor:
        expected = f"an end year in {clean['end_column']} from {start} to the censor year {censor}, or empty"
        problems.add(csv_file, item, expected, f'"{one_line(raw_end)}"')
        return None
    return start, end
