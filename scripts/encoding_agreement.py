"""Agreement between two blind readings of the same sources (priors/ENCODING.md, step 2).

    scripts/with-env.sh python scripts/encoding_agreement.py priors/encoding/round-1

Reads ``a/claims.toml`` and ``b/claims.toml`` under the round's folder. Every claim and every ``[[left_out]]``
entry is a *reading* of a passage; readings of the two readers are paired one to one, within a source, by the
longest stretch of quote they share (at least 20 characters, or the whole shorter quote). A reading only one
reader made is paired with "not encoded" (counted with "left out"). On the pairs: Cohen's kappa on kind
(with "left out"), on outcome and on direction where both encoded a claim, and Spearman's rank correlation on
strength where both gave one. Writes ``agreement.md`` beside the readers' folders and prints it.

Direction: +1 for a chance above even or a divergence put above real history, -1 for one below, 0 for
"same", "uncertain" and proposals, and for orderings between two divergences. Strength: the probability a
number or a phrase stands for (a phrase through cfprob's lexicon and idioms, when it has it).
"""

from __future__ import annotations

import sys
import tomllib
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from scipy import stats

from cfprob.reading.lexicon import load_lexicon

LEFT_OUT = "left out"
MIN_SHARED = 20


def _readings(path: Path) -> list[dict[str, Any]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    claims = [dict(c) for c in data.get("claims", [])]
    left = [dict(e, kind=LEFT_OUT) for e in data.get("left_out", [])]
    return claims + left


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def _shared(a: str, b: str) -> int:
    x, y = _norm(a), _norm(b)
    match = SequenceMatcher(None, x, y, autojunk=False).find_longest_match(0, len(x), 0, len(y))
    return int(match.size)


def pair(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[tuple[dict | None, dict | None]]:
    """One-to-one pairs of readings that share a passage (greedy, longest shared quote first)."""
    candidates = []
    for i, a in enumerate(first):
        for j, b in enumerate(second):
            if a.get("source") != b.get("source"):
                continue
            size = _shared(a.get("quote", ""), b.get("quote", ""))
            shorter = min(len(_norm(a.get("quote", ""))), len(_norm(b.get("quote", ""))))
            if size >= min(MIN_SHARED, shorter) and size > 0:
                same_kind = a["kind"] == b["kind"]
                candidates.append((size, same_kind, i, j))
    candidates.sort(key=lambda c: (-c[0], not c[1]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[tuple[dict | None, dict | None]] = []
    for _, _, i, j in candidates:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((first[i], second[j]))
    pairs += [(a, None) for i, a in enumerate(first) if i not in used_a]
    pairs += [(None, b) for j, b in enumerate(second) if j not in used_b]
    return pairs


def _strength(claim: dict[str, Any]) -> float | None:
    if "probability" in claim:
        return float(claim["probability"])
    if "low" in claim and "high" in claim:
        return (float(claim["low"]) + float(claim["high"])) / 2
    if "phrase" in claim:
        entry = load_lexicon().lookup(str(claim["phrase"]))
        return None if entry is None else entry.median_pct / 100
    return None


def _direction(claim: dict[str, Any]) -> int | None:
    kind = claim["kind"]
    if kind in ("same", "uncertain", "proposal"):
        return 0
    if kind == "ordering":
        return 1 if claim.get("lower") == "otl" else -1 if claim.get("higher") == "otl" else 0
    if kind == "era":
        return 1
    strength = _strength(claim)
    if strength is None:
        return None
    return 1 if strength > 0.5 else -1 if strength < 0.5 else 0


def _outcome(claim: dict[str, Any]) -> str:
    if claim.get("excluded"):
        return "excluded"
    return str(claim.get("outcome", "none"))


def kappa(labels: list[tuple[Any, Any]]) -> float:
    """Cohen's kappa of paired labels."""
    n = len(labels)
    if not n:
        return float("nan")
    observed = sum(a == b for a, b in labels) / n
    first, second = Counter(a for a, _ in labels), Counter(b for _, b in labels)
    expected = sum(first[k] * second[k] for k in set(first) | set(second)) / n**2
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "priors/encoding/round-1")
    a, b = _readings(folder / "a" / "claims.toml"), _readings(folder / "b" / "claims.toml")
    pairs = pair(a, b)
    kinds = [(x["kind"] if x else LEFT_OUT, y["kind"] if y else LEFT_OUT) for x, y in pairs]
    encoded = [(p, q) for p, q in kinds if (p, q) != (LEFT_OUT, LEFT_OUT)]
    both = [(x, y) for x, y in pairs if x and y and LEFT_OUT not in (x["kind"], y["kind"])]
    outcomes = [(_outcome(x), _outcome(y)) for x, y in both]
    directions = [(_direction(x), _direction(y)) for x, y in both]
    directions = [(p, q) for p, q in directions if p is not None and q is not None]
    strengths = [(_strength(x), _strength(y)) for x, y in both]
    strengths = [(p, q) for p, q in strengths if p is not None and q is not None]
    rho = stats.spearmanr(*zip(*strengths, strict=True)).statistic if len(strengths) > 2 else float("nan")
    claims_a = sum(r["kind"] != LEFT_OUT for r in a)
    claims_b = sum(r["kind"] != LEFT_OUT for r in b)
    agree = sum(p == q for p, q in kinds)
    lines = [
        f"# Agreement of the two blind readings ({folder.name})",
        "",
        f"Reader A: {claims_a} claims, {len(a) - claims_a} statements left out. Reader B: {claims_b} claims, "
        f"{len(b) - claims_b} left out. {len(pairs)} paired readings ({sum(1 for x, y in pairs if x and y)} of "
        f"the same passage by both; the rest read by one reader only).",
        "",
        "| measure | pairs | raw agreement | Cohen's kappa / Spearman's rho |",
        "|---|---|---|---|",
        f"| kind (left out included) | {len(kinds)} | {agree / len(kinds):.2f} | {kappa(kinds):.2f} |",
        f"| kind (at least one reader encoded a claim) | {len(encoded)} | "
        f"{sum(p == q for p, q in encoded) / max(1, len(encoded)):.2f} | {kappa(encoded):.2f} |",
        f"| outcome (both encoded a claim) | {len(outcomes)} | "
        f"{sum(p == q for p, q in outcomes) / max(1, len(outcomes)):.2f} | {kappa(outcomes):.2f} |",
        f"| direction (both encoded a claim) | {len(directions)} | "
        f"{sum(p == q for p, q in directions) / max(1, len(directions)):.2f} | {kappa(directions):.2f} |",
        f"| strength (both gave one) | {len(strengths)} | - | {rho:.2f} |",
        "",
        "Kinds, reader A (rows) against reader B (columns), for the readings both made or one left out:",
        "",
    ]
    names = sorted({k for pair_ in kinds for k in pair_})
    lines.append("| A \\ B | " + " | ".join(names) + " |")
    lines.append("|---|" + "---|" * len(names))
    table = Counter(kinds)
    for row in names:
        lines.append(f"| {row} | " + " | ".join(str(table[(row, col)] or "") for col in names) + " |")
    lines += [
        "",
        "Reproduce: `scripts/with-env.sh python scripts/encoding_agreement.py " + str(folder) + "`",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    (folder / "agreement.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
