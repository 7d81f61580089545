"""`cfprob schema`: JSON Schemas of the scenario files that the shipped files satisfy and a typo breaks."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from cfprob.reading.schema import FILES, schema_of

from .conftest import REPO, WEIMAR
from .fakes import invoke


def _files(folder: Path) -> list[tuple[str, Path]]:
    return [("scenario", folder / "scenario.toml"), ("pods", folder / "pods.toml")] + [
        ("claims", f) for f in sorted((folder / "claims").glob("*.toml"))
    ]


@pytest.mark.parametrize("folder", [REPO / "priors" / "ussr", WEIMAR], ids=["ussr", "weimar"])
def test_the_shipped_files_satisfy_their_schemas(folder: Path) -> None:
    for kind, file in _files(folder):
        jsonschema.validate(tomllib.loads(file.read_text(encoding="utf-8")), schema_of(kind))


def test_a_misspelt_key_or_kind_breaks_the_schema() -> None:
    claims = tomllib.loads((WEIMAR / "claims" / "thread.toml").read_text(encoding="utf-8"))
    claims["claims"][0]["confidense"] = 2
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(claims, schema_of("claims"))
    claims["claims"][0].pop("confidense")
    claims["claims"][0]["kind"] = "verbl"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(claims, schema_of("claims"))


def test_schema_command(tmp_path: Path) -> None:
    for kind in FILES:
        code, out, _ = invoke("schema", kind)
        assert code == 0 and json.loads(out)["title"] == f"cfprob {kind} file"
    out = tmp_path / "claims.schema.json"
    assert invoke("schema", "claims", "--out", str(out))[0] == 0
    assert json.loads(out.read_text())["properties"]["claims"]["type"] == "array"
    assert invoke("schema", "claims", "--out", str(out))[0] == 1  # not overwritten without --force
