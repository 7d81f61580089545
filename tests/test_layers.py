"""The package's import graph: no module imports itself back through others, and no layer imports one above it.

Every import counts, at a module's top or inside a function (only imports under ``if TYPE_CHECKING:`` are left
out: they are for the type checker alone). The layers, bottom first, are the ones ARCHITECTURE.md names.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "cfprob"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("cfprob.version", "cfprob.errors", "cfprob.paths")),
    ("safe", ("cfprob.safe",)),
    (
        "scenario types",
        (
            "cfprob.reading.fields",
            "cfprob.reading.scenario",
            "cfprob.reading.lexicon",
            "cfprob.reading.lexicon_build",
            "cfprob.reading.quotes",
            "cfprob.reading.folder",
            "cfprob.reading.evidence",
            "cfprob.reading.specs",
        ),
    ),
    ("model vocabulary", ("cfprob.fitting.numeric", "cfprob.fitting.draws", "cfprob.fitting.priors")),
    ("claims", ("cfprob.claims",)),
    ("reading", ("cfprob.reading",)),
    ("history", ("cfprob.history",)),
    ("fitting", ("cfprob.fitting",)),
    ("answers", ("cfprob.answers",)),
    ("outputs", ("cfprob.outputs",)),
    ("api", ("cfprob", "cfprob.api")),
    ("cli", ("cfprob.cli", "cfprob.__main__")),
)
"""Each layer's modules by name prefix (the longest matching prefix decides), bottom first."""


def _name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (anywhere but under ``if TYPE_CHECKING:``)."""
    modules = {_name(p): p for p in PACKAGE.rglob("*.py")}

    def known(name: str) -> str:
        while name not in modules and "." in name:
            name = name.rsplit(".", 1)[0]
        return name if name in modules else ""

    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hidden = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for node in ast.walk(block)
        }
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        targets: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in hidden:
                continue
            if isinstance(node, ast.Import):
                targets |= {known(a.name) for a in node.names if a.name.startswith("cfprob")}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                if base.startswith("cfprob"):
                    targets |= {known(f"{base}.{a.name}") or known(base) for a in node.names}
        graph[module] = targets - {"", module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected sets of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            members = []
            while True:
                w = stack.pop()
                members.append(w)
                if w == v:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer(module: str) -> int:
    """The layer of ``module``: the one whose longest prefix matches it."""
    best, length = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or (prefix != "cfprob" and module.startswith(prefix + "."))
            if matches and len(prefix) > length:
                best, length = i, len(prefix)
    assert best >= 0, f"{module} is in no layer: add it to LAYERS (and ARCHITECTURE.md)"
    return best


def upward(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a module in a higher layer, as "module (layer) -> module (layer)"."""
    return [
        f"{m} ({LAYERS[layer(m)][0]}) -> {t} ({LAYERS[layer(t)][0]})"
        for m in sorted(graph)
        for t in sorted(graph[m])
        if layer(t) > layer(m)
    ]


def test_no_module_imports_itself_back() -> None:
    assert cycles(import_graph()) == []


def test_no_layer_imports_one_above_it() -> None:
    assert upward(import_graph()) == []


def test_a_circle_and_an_upward_import_are_caught() -> None:
    """The checks fail on a deliberately added circle (the loader's old import of the claims registry from the
    scenario's dataclasses) and upward import (the report's pages from the claims)."""
    graph = import_graph()
    assert "cfprob.claims" in graph["cfprob.reading.loader"]
    broken = {**graph, "cfprob.reading.scenario": graph["cfprob.reading.scenario"] | {"cfprob.claims"}}
    assert any("cfprob.reading.scenario" in c and "cfprob.claims" in c for c in cycles(broken))
    assert "cfprob.reading.scenario (scenario types) -> cfprob.claims (claims)" in upward(broken)
    broken = {**graph, "cfprob.claims.point": graph["cfprob.claims.point"] | {"cfprob.outputs.pages"}}
    assert upward(broken) == ["cfprob.claims.point (claims) -> cfprob.outputs.pages (outputs)"]
