"""Rebuild cfprob/data/lexicon_v1.csv from the raw survey files in data/verbal_probability/.

Usage: python scripts/build_lexicon.py [--check]

With --check, exit 1 if the shipped lexicon differs from a fresh build instead of writing it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cfprob.reading.lexicon_build import build_rows, format_csv, read_capphrase, read_zonination

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "verbal_probability"
TARGET = ROOT / "cfprob" / "data" / "lexicon_v1.csv"


def build() -> str:
    return format_csv(
        build_rows(
            {
                "capphrase": read_capphrase(RAW / "capphrase" / "absolute_judgements.csv"),
                "zonination": read_zonination(RAW / "zonination_probly.csv"),
            }
        )
    )


def main(argv: list[str]) -> int:
    text = build()
    if "--check" in argv:
        same = TARGET.read_text(encoding="utf-8") == text
        print("lexicon is up to date" if same else f"{TARGET.name} differs from a fresh build")
        return 0 if same else 1
    tmp = TARGET.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)} ({text.count(chr(10)) - 1} phrases)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
