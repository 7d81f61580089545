"""The ``[evidence]`` table of scenario.toml: real history's outcome and the reference class of real cases."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from cfprob.reading import fields as f
from cfprob.reading.fields import BAD, Problems, describe, did_you_mean
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
    year = clean["observed_year"]
    if year is not None and year > reader.horizon_year:
        reader.problems.add(
            file,
            "evidence: key 'observed_year'",
            f"a year no later than the horizon year {reader.horizon_year}",
            str(year),
        )
    return Evidence(observed, year, clean["observed_note"], reference)


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
    wanted = [clean["case_column"], clean["outcome_column"], *include]
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
    cases = []
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
        cases.append((r[clean["case_column"]], mapping[value]))
    if not cases and not reader.problems:
        reader.problems.add(csv_file, "", "at least one case after include and exclude_cases", "none")
    return ReferenceClass(clean["file"], clean["rule"], tuple(cases))
