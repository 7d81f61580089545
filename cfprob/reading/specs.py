"""The tables of scenario files and the checks of their keys (claim kinds add their own: :mod:`cfprob.claims`)."""

from __future__ import annotations

from cfprob.reading import fields as f
from cfprob.reading.fields import BAD
from cfprob.safe.neutralise import safe_url

__all__ = [
    "CLAIMANT_SPEC",
    "CLAIM_COMMON",
    "EVIDENCE_SPEC",
    "FEATURE_SPEC",
    "LEADERS_SPEC",
    "OUTCOME_SPEC",
    "PASSAGE_SPEC",
    "POD_SPEC",
    "REFERENCE_SPEC",
    "SOURCE_SPEC",
    "TIMELINE_SPEC",
    "TOP_SPEC",
]

TOP_SPEC = {
    "schema_version": f.integer(1, 1_000_000),
    "id": f.identifier(),
    "title": f.text(),
    "question": f.text(),
    "horizon_year": f.integer(-10_000, 10_000),
    "outcomes": f.Check("a list of [[outcomes]] tables", lambda v: v if isinstance(v, list) else BAD),
    "features": f.Check("a list of [[features]] tables", lambda v: v if isinstance(v, list) else BAD, False, []),
    "sources": f.Check("a list of [[sources]] tables", lambda v: v if isinstance(v, list) else BAD),
    "claimants": f.Check("a list of [[claimants]] tables", lambda v: v if isinstance(v, list) else BAD),
    "evidence": f.table(),
    "timeline": f.table(required=False),
}
TIMELINE_SPEC = {"start": f.integer(-10_000, 10_000), "end": f.integer(-10_000, 10_000)}
OUTCOME_SPEC = {"id": f.identifier(), "label": f.text(), "definition": f.text()}
FEATURE_SPEC = {"id": f.identifier(), "description": f.text()}
SOURCE_SPEC = {
    "id": f.identifier(),
    "file": f.text(),
    "title": f.text(),
    "kind": f.text(),
    "url": f.Check(
        "an http:// or https:// address (or nothing)",
        lambda v: v if isinstance(v, str) and (not v or safe_url(v)) else BAD,
        False,
        "",
    ),
}
CLAIMANT_SPEC = {"id": f.identifier(), "name": f.text(), "aliases": f.text_list(), "note": f.optional_text()}
EVIDENCE_SPEC = {
    "observed_outcome": f.identifier(),
    "observed_year": f.integer(-10_000, 10_000),
    "observed_note": f.optional_text(),
    "survival_outcome": f.identifier(required=False),
    "reference_class": f.table(required=False),
    "leaders": f.table(required=False),
}
REFERENCE_SPEC = {
    "file": f.text(),
    "case_column": f.text(),
    "outcome_column": f.text(),
    "start_column": f.text(),
    "end_column": f.text(),
    "censor_year": f.integer(-10_000, 10_000),
    "include": f.table(required=False),
    "exclude_cases": f.text_list(),
    "rule": f.text(),
    "outcome_map": f.table(),
    "country_column": f.text(required=False),
}
LEADERS_SPEC = {
    "file": f.text(),
    "country_column": f.text(),
    "leader_column": f.text(),
    "end_column": f.text(),
    "exit_columns": f.text_list(required=True),
    "unscheduled": f.text_list(required=True),
    "case_country": f.text(),
    "window": f.integer(1, 100),
    "features": f.text_list(required=True),
    "rule": f.text(),
}
POD_SPEC = {
    "id": f.identifier(),
    "year": f.integer(-10_000, 10_000, required=False),
    "title": f.text(),
    "description": f.text(),
    "features": f.table(required=False),
    "passages": f.Check("a list of [[pods.passages]] tables", lambda v: v if isinstance(v, list) else BAD, False, []),
}
PASSAGE_SPEC = {"source": f.identifier(), "quote": f.text()}
CLAIM_COMMON = {
    "id": f.identifier(),
    "kind": f.text(),
    "author": f.text(),
    "source": f.identifier(),
    "locator": f.text(),
    "quote": f.text(),
    "confidence": f.number(0.01, 100, required=False, default=1.0),
    "weight": f.number(0.01, 100, required=False, default=1.0),
    "tags": f.text_list(),
    "note": f.optional_text(),
    "year": f.integer(-10_000, 10_000, required=False),
    "author_outcome": f.text(required=False),  # present means said: empty would read as unset
    "excluded": f.reason(),
    "review": f.choice(("todo",), required=False),
}
