"""Scale benchmark: a generated scenario of 200 divergence points and 2,000 claims.

    scripts/with-env.sh python benchmarks/scale.py [--draws 500] [--tune 500] [--chains 2]

Each step runs as its own `cfprob` process, timed by wall clock, with its peak resident memory read from
the operating system (getrusage of the finished child). Writes benchmarks/results/scale.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

OUTCOMES = ("a", "b", "c")
FEATURES = ("f1", "f2", "f3", "f4", "f5")
PHRASES = ("likely", "unlikely", "highly unlikely", "about even", "very good chance", "could happen")


def generate(folder: Path, pods: int = 200, claims: int = 2000, claimants: int = 40, seed: int = 1) -> None:
    """Write a valid scenario with all six claim kinds, quoting a generated source document."""
    rng = np.random.default_rng(seed)
    (folder / "claims").mkdir(parents=True)
    (folder / "sources").mkdir()
    quotes, records = [], []
    pod_ids = [f"pod-{i:03d}" for i in range(pods)]
    for i in range(claims):
        pod = pod_ids[rng.integers(pods)]
        outcome = OUTCOMES[rng.integers(2)]
        kind = ("probability", "verbal", "interval", "distribution", "ordering", "era")[i % 6]
        quote = f"claim {i}: about {pod}, {kind}."
        quotes.append(quote)
        body = f'pod = "{pod}"\noutcome = "{outcome}"\n'
        if kind == "probability":
            body += f"probability = {rng.uniform(0.05, 0.95):.3f}\n"
        elif kind == "verbal":
            body += f'phrase = "{PHRASES[rng.integers(len(PHRASES))]}"\n'
        elif kind == "interval":
            low = rng.uniform(0.0, 0.6)
            body += f"low = {low:.3f}\nhigh = {low + 0.3:.3f}\n"
        elif kind == "distribution":
            q = rng.dirichlet([2, 2, 2])
            q = np.maximum(q, 0.01) / np.maximum(q, 0.01).sum()
            body = f'pod = "{pod}"\ndistribution = {{ a = {q[0]:.4f}, b = {q[1]:.4f}, c = {1 - q[0] - q[1]:.4f} }}\n'
        elif kind == "era":  # the timeline is 1900-1991: a window inside it, with years on both sides
            start = 1910 + int(rng.integers(60))
            comparison = ("earlier", "later", "outside")[rng.integers(3)]
            body = f'outcome = "{outcome}"\nstart = {start}\nend = {start + int(rng.integers(10))}\n'
            body += f'compared_with = "{comparison}"\nabout = "{("history", "divergences")[(i // 6) % 2]}"\n'
        else:
            other = pod_ids[(pod_ids.index(pod) + 1) % pods]
            body = f'higher = "{pod}"\nlower = "{other}"\noutcome = "{outcome}"\n'
        records.append(
            f'[[claims]]\nid = "c{i}"\nkind = "{kind}"\nauthor = "p{rng.integers(claimants)}"\nsource = "gen"\n'
            f'locator = "line {i + 1}"\nquote = "{quote}"\n{body}'
        )
    (folder / "sources" / "gen.txt").write_text("\n".join(quotes) + "\n")
    (folder / "claims" / "gen.toml").write_text("\n".join(records))
    pods_toml = []
    for i, pod in enumerate(pod_ids):
        values = ", ".join(f"{f} = {v:.2f}" for f, v in zip(FEATURES, rng.uniform(0, 1, len(FEATURES)), strict=True))
        pods_toml.append(
            f'[[pods]]\nid = "{pod}"\nyear = {1900 + i % 90}\ntitle = "{pod}"\ndescription = "generated"\n'
            f"features = {{ {values} }}\n"
        )
    (folder / "pods.toml").write_text("\n".join(pods_toml))
    outcomes = "".join(f'[[outcomes]]\nid = "{o}"\nlabel = "{o}"\ndefinition = "outcome {o}"\n\n' for o in OUTCOMES)
    features = "".join(f'[[features]]\nid = "{f}"\ndescription = "feature {f}"\n\n' for f in FEATURES)
    people = "".join(f'[[claimants]]\nid = "p{a}"\nname = "p{a}"\n\n' for a in range(claimants))
    (folder / "scenario.toml").write_text(
        'schema_version = 1\nid = "scale"\ntitle = "Scale"\nquestion = "Generated"\nhorizon_year = 2000\n\n'
        + outcomes
        + features
        + '[[sources]]\nid = "gen"\nfile = "sources/gen.txt"\ntitle = "generated"\nkind = "generated"\n\n'
        + people
        + '[evidence]\nobserved_outcome = "b"\nobserved_year = 1991\n'
    )


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident MiB of the child, exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode:
        print(result.stderr[-2000:], file=sys.stderr)
    return wall, max(peak, before) / 1024, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--tune", type=int, default=500)
    parser.add_argument("--chains", type=int, default=2)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "scale"
        generate(folder)
        env = {**os.environ, "CFPROB_CACHE_DIR": str(Path(tmp) / "cache")}
        cfprob = [sys.executable, "-m", "cfprob"]
        sampler = ["--draws", str(args.draws), "--tune", str(args.tune), "--chains", str(args.chains)]
        steps = [
            ("validate", [*cfprob, "validate", str(folder)]),
            ("fit (cold compile) + report", [*cfprob, "run", "pod-000", "--scenario", str(folder), *sampler]),
            ("cached report", [*cfprob, "run", "pod-001", "--scenario", str(folder), *sampler]),
            ("compare all 201", [*cfprob, "compare", "--scenario", str(folder), *sampler]),
        ]
        for name, command in steps:
            wall, peak, code = measure(command, env)
            rows.append((name, wall, peak, code))
            print(f"{name}: {wall:.1f} s, peak so far {peak:.0f} MiB, exit {code}", flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    lines = [
        "# Scale benchmark: 200 divergence points, 2,000 claims, 40 claimants",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}. "
        f"Sampler: {args.chains} chains x {args.draws} draws ({args.tune} tuning). "
        "Peak memory is the largest resident set of any step so far (getrusage of children).",
        "",
        "| step | wall (s) | peak RSS so far (MiB) | exit |",
        "|---|---|---|---|",
        *(f"| {n} | {w:.1f} | {p:.0f} | {c} |" for n, w, p, c in rows),
        "",
    ]
    (out / "scale.md").write_text("\n".join(lines))
    return max(c for *_, c in rows)


if __name__ == "__main__":
    sys.exit(main())
