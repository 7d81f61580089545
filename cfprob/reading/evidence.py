"""The ``[evidence]`` table of scenario.toml: real history's outcome, the reference class of real cases and the
leader changes in their countries."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from cfprob.reading import fields as f
from cfprob.reading.fields import BAD, Problems, describe, did_you_mean, one_line
from cfprob.reading.folder import ScenarioFolder
from cfprob.reading.scenario import Evidence, LeaderChange, LeaderChanges, ReferenceClass
from cfprob.reading.specs import EVIDENCE_SPEC, LEADERS_SPEC, REFERENCE_SPEC

__all__ = ["EvidenceReader", "read_evidence", "read_leaders", "read_reference_class"]


@dataclass(frozen=True)
class EvidenceReader:
    """What reading the evidence needs from the scenario being loaded."""

    folder: ScenarioFolder
    problems: Problems
    horizon_year: int
    outcomes_broken: bool
    features: tuple[str, ...] = ()


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
    leaders = None
    if clean["leaders"] is not None:
        leaders = read_leaders(clean["leaders"], file, reference, reader)
        if leaders is None:
            return None
    year = clean["observed_year"]
    if year is not None and year > reader.horizon_year:
        reader.problems.add(
            file,
            "evidence: key 'observed_year'",
            f"a year no later than the horizon year {reader.horizon_year}",
            str(year),
        )
    return Evidence(observed, year, clean["observed_note"], reference, survival, leaders)


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
    country = clean["country_column"] or None
    wanted = [clean["case_column"], clean["outcome_column"], clean["start_column"], clean["end_column"], *include]
    rows = _csv_rows(clean["file"], file, item, [*wanted, *([country] if country else [])], reader)
    if rows is None:
        return None
    csv_file = reader.folder.show(clean["file"])
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
    cases, spans, countries = [], [], []
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
        if country:
            countries.append(country_key(r[country]))
    if not cases and not reader.problems:
        reader.problems.add(csv_file, "", "at least one case after include and exclude_cases", "none")
    return ReferenceClass(
        clean["file"], clean["rule"], tuple(cases), tuple(spans), clean["censor_year"], tuple(countries)
    )


def read_leaders(
    raw: dict[str, Any], file: str, reference: ReferenceClass | None, reader: EvidenceReader
) -> LeaderChanges | None:
    """The leader changes: rows of the leaders' CSV whose exit is one of the ``unscheduled`` values, in the
    reference class's countries or the case at hand's."""
    item = "evidence.leaders"
    clean = f.read_table(raw, LEADERS_SPEC, reader.problems, file, item)
    if clean is None or any(v is BAD for v in clean.values()):
        return None
    if reference is None or not reference.countries:
        expected = "a reference class with a country_column (leader changes are matched to its cases' countries)"
        reader.problems.add(file, item, expected, "none" if reference is None else "no country_column")
        return None
    for key in ("unscheduled", "exit_columns", "features"):
        if not clean[key]:
            reader.problems.add(file, f"{item}: key '{key}'", "a non-empty list of strings", "[]")
    for name in clean["features"]:
        if name not in reader.features:
            hint = did_you_mean(name, reader.features)
            reader.problems.add(file, f"{item}: key 'features'", "a declared feature id", f'"{name}"', hint)
    country, end, leader = clean["country_column"], clean["end_column"], clean["leader_column"]
    rows = _csv_rows(clean["file"], file, item, [country, leader, end, *clean["exit_columns"]], reader)
    if rows is None or reader.problems:
        return None
    csv_file = reader.folder.show(clean["file"])
    case = country_key(clean["case_country"])
    wanted = {*reference.countries, case}
    changes = []
    for number, r in enumerate(rows, start=2):
        unscheduled = any(r[c] in clean["unscheduled"] for c in clean["exit_columns"])
        if not unscheduled or country_key(r[country]) not in wanted:
            continue
        year = _year((r[end] or "")[:4])
        if year is None:
            expected = f"a date beginning with its year in {end} (an unscheduled exit has an end)"
            reader.problems.add(csv_file, f"row {number}", expected, f'"{one_line(r[end] or "")}"')
            continue
        changes.append(LeaderChange(country_key(r[country]), year, one_line(r[leader] or "")))
    if not changes and not reader.problems:
        reader.problems.add(csv_file, "", "at least one unscheduled exit in the reference class's countries", "none")
    if reader.problems:
        return None
    return LeaderChanges(clean["file"], clean["rule"], tuple(changes), case, clean["window"], tuple(clean["features"]))


def country_key(text: str | None) -> str:
    """A country code as text, the same however a table wrote it (``365``, ``365.0`` and `` 365 `` are one)."""
    value = (text or "").strip()
    number = _year(value)
    return str(number) if number is not None else value


def _csv_rows(
    name: str, file: str, item: str, wanted: list[str], reader: EvidenceReader
) -> list[dict[str, Any]] | None:
    """The rows of the evidence CSV ``name``, which must have the ``wanted`` columns; None after a problem."""
    content = reader.folder.read_text(name, file, f"{item}: key 'file'")
    if content is None or reader.problems:
        return None
    csv_file = reader.folder.show(name)
    try:
        rows = list(csv.DictReader(io.StringIO(content)))
    except csv.Error as exc:
        reader.problems.add(csv_file, "", "CSV text", f"unreadable CSV ({exc})")
        return None
    columns = {c for c in rows[0] if isinstance(c, str)} if rows else set()  # extra fields come as key None
    missing = [c for c in wanted if c not in columns]
    if not rows or missing:
        found = "no rows" if not rows else f'no column "{missing[0]}"'
        reader.problems.add(
            csv_file,
            "",
            f"a CSV with the columns {', '.join(dict.fromkeys(wanted))}",
            found,
            did_you_mean(missing[0], columns) if missing and rows else "",
        )
        return None
    return rows


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
