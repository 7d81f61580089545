"""The JSON of `cfprob run kosygin-1965 --json` and `cfprob compare --json` at the default seed, against snapshots
of model version 7: a change that is not meant to change the model (a restructuring, a new output) must not change
a single byte. A model change regenerates them (`cfprob run kosygin-1965 --json`, `cfprob compare --json`).

Numba compiles for the host CPU, so on a CPU other than the snapshot's the draws may differ in the last bits
(and sampling then takes another path); there the answers are compared within Monte Carlo error instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .fakes import invoke

pytestmark = pytest.mark.mcmc

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _same_cpu() -> bool:
    import llvmlite.binding as llvm

    return bool(json.loads((SNAPSHOTS / "machine.json").read_text())["host_cpu"] == llvm.get_host_cpu_name())


def _means(payload: dict) -> dict[str, float]:  # type: ignore[type-arg]
    answers = payload.get("answers", [payload.get("answer")])
    return {
        f"{a['question']}/{o}": v["mean"]
        for a in answers
        for o, v in a["outcomes"].items()  # type: ignore[index]
    }


@pytest.mark.parametrize(
    ("args", "snapshot"),
    [(("run", "kosygin-1965", "--json"), "run-kosygin-1965.json"), (("compare", "--json"), "compare.json")],
    ids=["run", "compare"],
)
def test_json_matches_the_snapshot(args: tuple[str, ...], snapshot: str) -> None:
    code, out, err = invoke(*args)
    assert code == 0, err
    expected = (SNAPSHOTS / snapshot).read_text()
    if _same_cpu():
        assert out == expected
    else:
        found, wanted = _means(json.loads(out)), _means(json.loads(expected))
        assert found.keys() == wanted.keys()
        assert all(abs(found[k] - wanted[k]) < 0.03 for k in wanted), (found, wanted)
