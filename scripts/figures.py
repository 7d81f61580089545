"""Regenerate every figure in the README and docs/ from the command that makes it, so none goes stale.

A figure is marked in the Markdown by the command that makes it, on the line above it::

    <!-- figure: cfprob run kosygin-1965 -->
    ```text
    (the command's output)
    ```

    <!-- figure: cfprob plot kosygin-1965 --kind card --out examples/kosygin-card.png --force -->
    ![The Kosygin answer at a glance](examples/kosygin-card.png)

A fenced block below the marker is replaced by what the command prints; a picture below it is written by the
command itself. Commands run with bash in the repository's root, this Python's ``cfprob`` first on ``PATH``
and 100 columns, so a pipe (``| tail -n 8``) can cut an excerpt.

    scripts/with-env.sh python scripts/figures.py            # rewrite README.md and docs/*.md
    scripts/with-env.sh python scripts/figures.py --check README.md

``--check`` rewrites nothing: it prints each text figure that differs from what its command prints now and
exits with 1 (pictures are not compared: their bytes depend on the plotting library's version).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^<!-- figure: (?P<command>.+?) -->$")
FENCE = re.compile(r"^```")
WIDTH = "100"


@dataclass(frozen=True)
class Figure:
    """One marked figure: the file, the command, and where its text sits (None for a picture)."""

    path: Path
    command: str
    lines: tuple[int, int] | None
    """The first and past-the-last line of the fenced block's content."""


def figures(path: Path) -> list[Figure]:
    """The marked figures of one Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").split("\n")
    found = []
    for i, line in enumerate(lines):
        match = MARKER.match(line)
        if not match:
            continue
        block = None
        if i + 1 < len(lines) and FENCE.match(lines[i + 1]):
            end = next((j for j in range(i + 2, len(lines)) if FENCE.match(lines[j])), None)
            if end is None:
                raise SystemExit(f"{path.name}:{i + 2}: expected a closing ``` for the figure's block, found none")
            block = (i + 2, end)
        found.append(Figure(path, match["command"], block))
    return found


def output(command: str) -> str:
    """What ``command`` prints, run as the module's description says; a failing command stops the script."""
    env = os.environ | {"COLUMNS": WIDTH, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("CFPROB_SCENARIO", None)
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"figure command failed ({done.returncode}): {command}\n{done.stderr.strip()}")
    return done.stdout.rstrip("\n")


def regenerate(path: Path, check: bool) -> list[str]:
    """Rewrite (or, with ``check``, compare) the figures of ``path``; the differences found, as diffs."""
    lines = path.read_text(encoding="utf-8").split("\n")
    differences = []
    for figure in reversed(figures(path)):  # from the end, so earlier line numbers stay right
        if figure.lines is None:
            if not check:
                output(figure.command)
            continue
        start, end = figure.lines
        now = output(figure.command).split("\n")
        if now != lines[start:end]:
            shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
            name = f"{shown}: {figure.command}"
            differences.append("\n".join(difflib.unified_diff(lines[start:end], now, name, "now", lineterm="")))
            lines[start:end] = now
    if not check:
        path.write_text("\n".join(lines), encoding="utf-8")
    return differences[::-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="Markdown files (default: README.md and docs/*.md)")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when a figure is stale")
    args = parser.parse_args()
    files = [f.resolve() for f in args.files] or [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    differences = [d for path in files for d in regenerate(path, args.check)]
    for difference in differences:
        print(difference)
    if args.check and differences:
        print(f"{len(differences)} figure(s) differ from what their commands print now", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
