"""Sampler benchmark: cfprob against plain PyMC on the bundled scenario, in one run.

    scripts/with-env.sh python benchmarks/sampler.py [--repeats 3] [--cold-repeats 1]

Every measurement is a separate process, timed by wall clock from start to exit, and every figure is the
median over repeats. The reference is ``benchmarks/reference_pymc.py``: cfprob's model sampled by
``pm.sample`` with PyMC's default settings (4 chains x 1,000 draws, 1,000 tuning steps, its own NUTS).
cfprob runs as a user runs it, ``cfprob run kosygin-1965`` (load, validate, fit, save, answer, print).

Measured, each as a ratio against the reference measured in the same run:

* full fit, warm compile caches: whole-process wall time, and effective samples per second (the lowest
  bulk ESS over all parameters and theta, divided by the sampling time);
* cached query: ``cfprob run`` answered from the fit cache (the reference has no cache: it samples again);
* refit after one claim changes (its stated confidence; a new value each repeat);
* cold first run: every cache empty (cfprob's cache folder, PyTensor's compile folder).

Seeds differ between repeats (1, 2, 3, ...) and are the same for cfprob and the reference. Writes
``benchmarks/results/sampler.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import xarray as xr

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
POD = "kosygin-1965"
TARGETS = {
    "cached": 1.5,
    "listing": 0.5,
    "ess_ratio": 8.0,
    "wall_ratio": 4.0,
    "cold": 60.0,
}


def timed(command: list[str], env: dict[str, str], cwd: Path = REPO) -> tuple[float, str]:
    """Run ``command`` to completion; its wall time and standard output. Fails loudly on a non-zero exit."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


def cfprob_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTENSOR_FLAGS"}
    env["CFPROB_CACHE_DIR"] = str(cache)
    return env


def reference_env(compiledir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CFPROB_CACHE_DIR"}
    env["PYTENSOR_FLAGS"] = f"base_compiledir={compiledir}"
    env["PYTHONPATH"] = str(REPO)
    return env


def cfprob_run(cache: Path, seed: int, *extra: str) -> tuple[float, dict[str, float]]:
    """Wall time of ``cfprob run`` and, when it sampled, the newest fit's sampling time and ESS."""
    command = ["cfprob", "run", POD, "--seed", str(seed), "--json", *extra]
    wall, _ = timed(command, cfprob_env(cache))
    fits = sorted((cache / "fits").glob("*.nc"), key=lambda p: p.stat().st_mtime)
    with xr.open_datatree(fits[-1], engine="h5netcdf") as tree:
        attrs = dict(tree.attrs)
    return wall, {
        "sampling_seconds": float(attrs["sampling_seconds"]),
        "min_ess_bulk": float(attrs["diag_min_ess_bulk"]),
        "divergences": float(attrs["diag_divergences"]),
    }


def reference_run(compiledir: Path, seed: int, scenario: Path | None = None) -> tuple[float, dict[str, float]]:
    command = [sys.executable, str(HERE / "reference_pymc.py"), "--seed", str(seed)]
    if scenario:
        command += ["--scenario", str(scenario)]
    wall, out = timed(command, reference_env(compiledir))
    return wall, json.loads(out.strip().splitlines()[-1])


def edit_one_claim(scenario: Path, value: float) -> None:
    """Change the confidence of the first claim that states one to ``value`` (the claim's data change)."""
    for claims in sorted((scenario / "claims").glob("*.toml")):
        lines = claims.read_text().splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.startswith("confidence = "):
                lines[i] = f"confidence = {value}\n"
                claims.write_text("".join(lines))
                return
    raise SystemExit(f"{scenario}: no claim with a confidence to edit")


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def measure(repeats: int, cold_repeats: int, work: Path, say: Callable[[str], None]) -> dict[str, dict[str, float]]:
    from cfprob.paths import bundled_scenario

    seeds = list(range(1, repeats + 1))
    results: dict[str, dict[str, float]] = {}

    # warm caches: one untimed run of each fills them
    warm_cache, warm_compiledir = work / "cfprob-cache", work / "pytensor-reference"
    say("warming caches")
    cfprob_run(warm_cache, 0)
    reference_run(warm_compiledir, 0)

    say("full fit, warm caches")
    ours = [cfprob_run(warm_cache, seed, "--refit") for seed in seeds]
    theirs = [reference_run(warm_compiledir, seed) for seed in seeds]
    results["full_fit"] = summarise(ours, theirs)

    say("cached query")
    cached = [cfprob_run(warm_cache, seeds[-1])[0] for _ in range(max(5, repeats))]
    results["cached_query"] = {"ours": median(cached), "reference": results["full_fit"]["reference"]}

    say("listing commands")
    listing = {}
    for command in (["pods"], ["claims"], ["validate"]):
        listing[command[0]] = median([timed(["cfprob", *command], cfprob_env(warm_cache))[0] for _ in range(5)])
    results["listing"] = {"ours": max(listing.values()), **{f"{k}_s": v for k, v in listing.items()}}

    say("refit after one claim changes")
    scenario = work / "scenario"
    shutil.copytree(bundled_scenario(), scenario)
    refits, reference_refits = [], []
    for i, seed in enumerate(seeds):
        edit_one_claim(scenario, round(0.6 + 0.1 * i, 2))
        wall, _ = timed(
            ["cfprob", "run", POD, "--scenario", str(scenario), "--seed", str(seed), "--json"], cfprob_env(warm_cache)
        )
        refits.append(wall)
        reference_refits.append(reference_run(warm_compiledir, seed, scenario)[0])
    results["refit_after_edit"] = {"ours": median(refits), "reference": median(reference_refits)}

    say("cold first run")
    colds, reference_colds = [], []
    for i in range(cold_repeats):
        colds.append(cfprob_run(work / f"cold-{i}", 1)[0])
        reference_colds.append(reference_run(work / f"cold-reference-{i}", 1)[0])
    results["cold_first_run"] = {"ours": median(colds), "reference": median(reference_colds)}
    return results


def summarise(
    ours: list[tuple[float, dict[str, float]]], theirs: list[tuple[float, dict[str, float]]]
) -> dict[str, float]:
    def rate(run: tuple[float, dict[str, float]]) -> float:
        return run[1]["min_ess_bulk"] / run[1]["sampling_seconds"]

    return {
        "ours": median([w for w, _ in ours]),
        "reference": median([w for w, _ in theirs]),
        "ours_sampling_s": median([r["sampling_seconds"] for _, r in ours]),
        "reference_sampling_s": median([r["sampling_seconds"] for _, r in theirs]),
        "ours_ess": median([r["min_ess_bulk"] for _, r in ours]),
        "reference_ess": median([r["min_ess_bulk"] for _, r in theirs]),
        "ours_ess_per_s": median([rate(r) for r in ours]),
        "reference_ess_per_s": median([rate(r) for r in theirs]),
        "ours_divergences": max(r["divergences"] for _, r in ours),
        "reference_divergences": max(r["divergences"] for _, r in theirs),
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    libraries = ", ".join(f"{n} {version(n)}" for n in ("cfprob", "pymc", "pytensor", "nutpie", "numba"))
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}; {libraries}"


def report(results: dict[str, dict[str, float]], repeats: int, cold_repeats: int) -> str:
    full, cached = results["full_fit"], results["cached_query"]
    refit, cold, listing = results["refit_after_edit"], results["cold_first_run"], results["listing"]
    ess_ratio = full["ours_ess_per_s"] / full["reference_ess_per_s"]
    wall_ratio = full["reference"] / full["ours"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    rows = [
        (
            "Full fit, warm caches: whole process",
            f"{full['ours']:.1f} s",
            f"{full['reference']:.1f} s",
            f"{wall_ratio:.1f}x faster",
            f">= 4x: {verdict(wall_ratio >= TARGETS['wall_ratio'])}",
        ),
        (
            "Full fit: effective samples per second",
            f"{full['ours_ess_per_s']:.0f}",
            f"{full['reference_ess_per_s']:.0f}",
            f"{ess_ratio:.1f}x",
            f">= 8x: {verdict(ess_ratio >= TARGETS['ess_ratio'])}",
        ),
        (
            "Cached query (`cfprob run`)",
            f"{cached['ours']:.2f} s",
            f"{cached['reference']:.1f} s (samples again)",
            f"{cached['reference'] / cached['ours']:.0f}x faster",
            f"<= 1.5 s: {verdict(cached['ours'] <= TARGETS['cached'])}",
        ),
        (
            "Refit after one claim changes",
            f"{refit['ours']:.1f} s",
            f"{refit['reference']:.1f} s",
            f"{refit['reference'] / refit['ours']:.1f}x faster",
            "seconds, not minutes",
        ),
        (
            "Cold first run (empty caches)",
            f"{cold['ours']:.1f} s",
            f"{cold['reference']:.1f} s",
            f"{cold['reference'] / cold['ours']:.1f}x faster",
            f"<= 60 s: {verdict(cold['ours'] <= TARGETS['cold'])}",
        ),
        (
            "`cfprob pods` / `claims` / `validate` (slowest)",
            f"{listing['ours']:.2f} s",
            "-",
            "-",
            f"<= 0.5 s: {verdict(listing['ours'] <= TARGETS['listing'])}",
        ),
    ]
    lines = [
        "# Sampler benchmark",
        "",
        f"Machine: {machine()}.",
        f"Medians over {repeats} repeats ({cold_repeats} for cold runs; 5 for cached queries and listings); "
        "4 chains x 1,000 draws, 1,000 tuning steps; the reference is plain `pm.sample` (PyMC's NUTS, "
        "default settings) on the same model.",
        "",
        "| measure | cfprob | plain PyMC | ratio | target |",
        "|---|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
        f"Sampling time: cfprob {full['ours_sampling_s']:.1f} s, reference {full['reference_sampling_s']:.1f} s. "
        f"Lowest bulk ESS: cfprob {full['ours_ess']:.0f}, reference {full['reference_ess']:.0f}. "
        f"Most divergences in a run: cfprob {full['ours_divergences']:.0f}, reference "
        f"{full['reference_divergences']:.0f}.",
        "Listing commands: "
        + ", ".join(f"{k.removesuffix('_s')} {v:.2f} s" for k, v in listing.items() if k != "ours")
        + ".",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cold-repeats", type=int, default=1)
    parser.add_argument("--output", type=Path, default=HERE / "results" / "sampler.md")
    args = parser.parse_args()
    if shutil.which("cfprob") is None:
        raise SystemExit("no cfprob command on PATH: run this through scripts/with-env.sh")
    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {message}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="cfprob-bench-") as work:
        results = measure(args.repeats, args.cold_repeats, Path(work), say)
    text = report(results, args.repeats, args.cold_repeats)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    (args.output.with_suffix(".json")).write_text(json.dumps(results, indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()
