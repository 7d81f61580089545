"""JSON Schemas of the three kinds of scenario file (``cfprob schema``), built from the same key checks the
loader uses, so that a TOML editor completes and checks keys as ``cfprob validate`` would (values it can
say in a schema: types, ranges, ids, choices; the rest — quotes, cross-references, a claim kind's own
checks — only ``validate`` checks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cfprob.reading.fields import Check

__all__ = ["FILES", "schema_of"]

FILES = ("scenario", "pods", "claims")
"""The file kinds: ``scenario.toml``, ``pods.toml`` and the files of ``claims/``."""


def _object(spec: Mapping[str, Check], extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An object schema of ``spec``: each key's schema and description, the required keys, no others."""
    properties: dict[str, Any] = {}
    for key, check in spec.items():
        properties[key] = {**dict(check.schema), "description": f"expected {check.expected}"}
    properties.update(extra or {})
    required = [key for key, check in spec.items() if check.required]
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _array(item: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "array", "items": item, "description": description}


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON Schema of one file kind of :data:`FILES`."""
    from cfprob.reading import specs

    head = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": f"cfprob {kind} file"}
    if kind == "scenario":
        evidence = _object(
            specs.EVIDENCE_SPEC,
            {"reference_class": _object(specs.REFERENCE_SPEC), "leaders": _object(specs.LEADERS_SPEC)},
        )
        body = _object(
            specs.TOP_SPEC,
            {
                "timeline": _object(specs.TIMELINE_SPEC),
                "outcomes": _array(_object(specs.OUTCOME_SPEC), "two or more [[outcomes]]"),
                "features": _array(_object(specs.FEATURE_SPEC), "[[features]]: mechanisms of divergence points"),
                "sources": _array(_object(specs.SOURCE_SPEC), "[[sources]]: the documents claims quote"),
                "claimants": _array(_object(specs.CLAIMANT_SPEC), "[[claimants]]: everyone who makes claims"),
                "evidence": evidence,
            },
        )
    elif kind == "pods":
        pod = _object(specs.POD_SPEC, {"passages": _array(_object(specs.PASSAGE_SPEC), "seed passages")})
        body = _object({}, {"pods": _array(pod, "[[pods]]: divergence points")})
    elif kind == "claims":
        from cfprob.claims import KINDS

        variants = []
        for name, claim_kind in KINDS.items():
            variant = _object({**specs.CLAIM_COMMON, **claim_kind.fields})
            variant["properties"]["kind"] = {"const": name, "description": f"a {name} claim"}
            variant["title"] = f"{name} claim"
            variants.append(variant)
        body = _object({}, {"claims": _array({"oneOf": variants}, "[[claims]]: one per statement")})
    else:
        raise ValueError(f"expected one of {', '.join(FILES)}, found {kind!r}")
    return {**head, **body}
