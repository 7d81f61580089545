"""The counts of the bundled scenario's claims, as priors/encoding/settled/settlement.md shows them.

Counted from the files themselves (the scenario's claims and the settled left-out list), so the document cannot
drift from them: ``python scripts/settlement_counts.py`` prints the block, ``--write`` puts it into
settlement.md between its markers, ``--check`` exits 1 when the document's block differs (tests/test_encoding.py
runs the same comparison).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from pathlib import Path

from cfprob.claims import KINDS
from cfprob.reading.loader import load_scenario
from cfprob.reading.scenario import Scenario

REPO = Path(__file__).resolve().parent.parent
SETTLEMENT = REPO / "priors" / "encoding" / "settled" / "settlement.md"
LEFT_OUT = REPO / "priors" / "encoding" / "settled" / "left_out.toml"
BEGIN = "<!-- counts: begin (scripts/settlement_counts.py writes this block from the files) -->"
END = "<!-- counts: end -->"


def counts_block(scenario: Scenario, left_out: int) -> str:
    """The Markdown block: per kind, the claims, how many are fitted, kept out (``excluded``), stated under a
    condition (``given``), fitted floors (``bound = "lower"``) and steps of a chain (``after``)."""
    columns = ("claims", "fitted", "excluded", "under a condition", "fitted floors", "steps of a chain")
    per: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    for c in scenario.claims:
        row = per[c.kind]
        row["claims"] += 1
        row["fitted"] += c.scored
        row["excluded"] += bool(c.excluded)
        row["under a condition"] += bool(c.given)
        row["fitted floors"] += c.scored and c.bound == "lower"
        row["steps of a chain"] += bool(c.after)
    total = sum(per.values(), Counter())
    rows = [
        f"| {kind} | " + " | ".join(str(row[c]) for c in columns) + " |" for kind, row in per.items() if row["claims"]
    ]
    lines = [
        BEGIN,
        "",
        "| kind | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
        *rows,
        "| **total** | " + " | ".join(f"**{total[c]}**" for c in columns) + " |",
        "",
        f"{len(scenario.pods) - 1} divergence points besides real history; {len(scenario.claimants)} claimants; "
        f"{left_out} statements left out (`left_out.toml`).",
        "",
        END,
    ]
    return "\n".join(lines)


def current_block() -> str:
    """The block computed from the bundled scenario and the left-out list."""
    left_out = len(tomllib.loads(LEFT_OUT.read_text(encoding="utf-8"))["left_out"])
    return counts_block(load_scenario(REPO / "priors" / "ussr"), left_out)


def written_block(text: str) -> str:
    """The block as settlement.md holds it ("" when it has none)."""
    if BEGIN not in text or END not in text:
        return ""
    return text[text.index(BEGIN) : text.index(END) + len(END)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the block into settlement.md")
    mode.add_argument("--check", action="store_true", help="exit 1 when settlement.md's block differs")
    args = parser.parse_args()
    block, text = current_block(), SETTLEMENT.read_text(encoding="utf-8")
    if args.check:
        same = written_block(text) == block
        print("settlement.md's counts match the files" if same else "settlement.md's counts differ from the files")
        return 0 if same else 1
    if args.write:
        old = written_block(text)
        if not old:
            print(f"settlement.md has no block between {BEGIN!r} and {END!r}", file=sys.stderr)
            return 1
        SETTLEMENT.write_text(text.replace(old, block), encoding="utf-8")
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
