"""Property-based fuzzing of everything that reads a user's files.

Property: whatever a scenario's files hold, every command either succeeds or exits with code 1 and one
line that starts with ``cfprob: error:`` and names a file of the scenario — never a traceback, never an
"internal error", never a hang. The number of examples per property is ``CFPROB_FUZZ_EXAMPLES``
(default 300).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import tomli_w
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfprob.cli import cli

from .conftest import WEIMAR
from .fakes import fake_fit

EXAMPLES = int(os.environ.get("CFPROB_FUZZ_EXAMPLES", "300"))
SLOWEST_EXAMPLE_S = 10.0
TOML_FILES = ("scenario.toml", "pods.toml", "claims/thread.toml")
ANY_FILES = (*TOML_FILES, "sources/forum.txt", "evidence/cases.csv")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

long_text = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(1000, 20000))
scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-5, max_value=5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 1.0, -0.0, 1e-300, 1e300, 0.5]),
    st.text(max_size=40),
    st.sampled_from(["", " ", "otl", "survives", "likely", "Ada", "fixture-thread", "no-depression-1929"]),
    long_text,
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=12), children, max_size=4)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, child in node.items():
            yield (*prefix, key)
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield (*prefix, i)
            yield from _paths(child, (*prefix, i))


def _mutate(doc: dict[str, Any], data: st.DataObject) -> None:
    paths = list(_paths(doc))
    if not paths:
        doc[data.draw(st.text(min_size=1, max_size=10))] = data.draw(values)
        return
    path = data.draw(st.sampled_from(paths))
    parent: Any = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    operation = data.draw(st.sampled_from(["replace", "replace", "delete", "add_key", "wrap"]))
    if operation == "replace":
        parent[last] = data.draw(values)
    elif operation == "delete":
        del parent[last]
    elif operation == "add_key" and isinstance(parent[last], dict):
        parent[last][data.draw(st.text(min_size=1, max_size=12))] = data.draw(values)
    else:
        parent[last] = [parent[last]]


def _scenario_copy(base: Path) -> Path:
    target = base / f"s{time.monotonic_ns()}"
    shutil.copytree(WEIMAR, target)
    return target


def _invoke(args: list[str]) -> Result:
    def fake(scenario: Any, settings: Any, **_: Any) -> Any:
        return fake_fit(scenario, settings)

    with mock.patch("cfprob.fitting.inference.fit", fake):
        return CliRunner().invoke(cli, args)


def _checks_failed(result: Result) -> bool:
    """`cfprob check --json` exits 1 when a check fails: a result (its JSON says so), not an error."""
    try:
        return json.loads(result.stdout).get("passed") is False
    except ValueError:
        return False


def _check_clean(result: Result, folder: Path, single_line: bool = True) -> None:
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 0 or _checks_failed(result):
        return
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert lines, "an error must say something"
    if single_line:
        assert len(lines) == 1, lines
    for line in lines:
        assert line.startswith("cfprob: error: "), line
        assert "internal error" not in line, line
        assert str(folder) in line, line


def _all_commands(folder: Path, tmp: Path) -> None:
    started = time.perf_counter()
    _check_clean(_invoke(["validate", str(folder)]), folder, single_line=False)
    commands = (
        ["pods"],
        ["claims"],
        ["run", "no-depression-1929", "--json"],
        ["compare"],
        ["backtest"],
        ["check", "--prior-draws", "100", "--json"],
    )
    for command in commands:
        _check_clean(_invoke([*command, "--scenario", str(folder)]), folder)
    assert time.perf_counter() - started < SLOWEST_EXAMPLE_S, "one example took too long"


@FUZZ
@given(data=st.data(), target=st.sampled_from(TOML_FILES))
def test_mutated_toml_files(tmp_path: Path, data: st.DataObject, target: str) -> None:
    folder = _scenario_copy(tmp_path)
    doc = tomllib.loads((folder / target).read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(doc, data)
    (folder / target).write_text(tomli_w.dumps(doc), encoding="utf-8")
    _all_commands(folder, tmp_path)


raw_contents = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8")),
    st.integers(1, 50_000).map(lambda n: ("a = " + "[" * n + "]" * n).encode()),
    st.integers(1, 20_000).map(lambda n: ("a" + ".b" * n + " = 1").encode()),
    st.sampled_from([b"", b"\x00\x00", b"\xef\xbb\xbf", b"id = 1\nid = 2\n", b"[[claims]]\n[[claims]]\n"]),
    long_text.map(lambda t: f'quote = "{t}"'.encode("utf-8", "surrogatepass")),
)


@FUZZ
@given(target=st.sampled_from(ANY_FILES), content=raw_contents)
def test_arbitrary_file_contents(tmp_path: Path, target: str, content: bytes) -> None:
    folder = _scenario_copy(tmp_path)
    (folder / target).write_bytes(content)
    _all_commands(folder, tmp_path)


def _fault(folder: Path, target: str, kind: str, outside: Path) -> None:
    path = folder / target
    path.unlink()
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink-outside":
        path.symlink_to(outside)
    elif kind == "symlink-loop":
        path.symlink_to(path)
    elif kind == "dangling-symlink":
        path.symlink_to(folder / "nowhere")


@pytest.mark.parametrize("target", ANY_FILES)
@pytest.mark.parametrize(
    "kind", ["missing", "directory", "fifo", "symlink-outside", "symlink-loop", "dangling-symlink"]
)
def test_file_system_faults(tmp_path: Path, target: str, kind: str) -> None:
    folder = _scenario_copy(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    _fault(folder, target, kind, outside)
    _all_commands(folder, tmp_path)
    result = _invoke(["validate", str(folder)])
    if target in TOML_FILES or kind != "missing":
        assert result.exit_code == 1


def test_claims_folder_faults(tmp_path: Path) -> None:
    folder = _scenario_copy(tmp_path)
    shutil.rmtree(folder / "claims")
    (folder / "claims").write_text("not a folder")
    _all_commands(folder, tmp_path)
    assert _invoke(["validate", str(folder)]).exit_code == 1


@FUZZ
@given(content=st.one_of(st.binary(max_size=5000), st.just(b"\x89HDF\r\n\x1a\n" + b"\x00" * 100)))
def test_run_from_damaged_result(tmp_path: Path, content: bytes) -> None:
    saved = tmp_path / f"r{time.monotonic_ns()}.nc"
    saved.write_bytes(content)
    result = _invoke(["run", "no-depression-1929", "--scenario", str(WEIMAR), "--from", str(saved)])
    assert result.exit_code == 1
    _check_clean(result, saved)


@pytest.mark.parametrize("content", [b"\n\x00", b"x\n1,2\n"])
def test_csv_rows_longer_than_their_header(weimar: Path, content: bytes) -> None:
    """Found by the fuzzer: extra fields (which the CSV reader keys by None) must not break the message."""
    (weimar / "evidence" / "cases.csv").write_bytes(content)
    result = CliRunner().invoke(cli, ["validate", str(weimar)])
    assert result.exit_code == 1
    assert "cases.csv: expected a CSV with the columns case, ending, start, end, group" in result.stderr


# -- cache files: a record or a saved fit with any content is refused cleanly or loads exactly as written --

_SAVED: dict[str, Any] = {}


def _saved_fit(tmp_path: Path) -> tuple[bytes, str]:
    """The bytes of a small saved fit and the checksum of its content (made once)."""
    if "fit" not in _SAVED:
        from cfprob.fitting.provenance import SamplerSettings
        from cfprob.outputs.store import save_tree
        from cfprob.reading.loader import load_scenario
        from cfprob.safe.checksum import tree_checksum

        tree = fake_fit(load_scenario(WEIMAR), SamplerSettings(draws=20, tune=10, chains=2))
        path = tmp_path / "seed.nc"
        save_tree(tree, path)
        _SAVED["fit"] = (path.read_bytes(), tree_checksum(tree))
    return _SAVED["fit"]  # type: ignore[no-any-return]


@FUZZ
@given(data=st.data())
def test_mutated_saved_fit_is_refused_or_unchanged(tmp_path: Path, data: st.DataObject) -> None:
    from cfprob.errors import CacheError
    from cfprob.outputs.store import load_tree
    from cfprob.safe.checksum import tree_checksum

    original, checksum = _saved_fit(tmp_path)
    content = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / f"m{time.monotonic_ns()}.nc"
    path.write_bytes(bytes(content))
    try:
        loaded = load_tree(path)
    except CacheError as exc:
        assert "\n" not in str(exc)
        return
    assert tree_checksum(loaded) == checksum  # it loaded: the change hit bytes that hold no content
