"""Speed benchmark: cfprob against plain PyMC on the bundled scenario, every target in one run.

    scripts/with-env.sh python benchmarks/sampler.py [--repeats 3] [--cold-repeats 3]

Every measurement is a separate process, timed by wall clock from start to exit; every figure is the
median over repeats, with the lowest and highest beside it. The reference is ``benchmarks/reference_pymc.py``:
cfprob's model sampled by ``pm.sample`` with PyMC's default settings (4 chains x 1,000 draws, 1,000 tuning
steps, its own NUTS). cfprob runs as a user runs it, ``cfprob run kosygin-1965`` (load, validate, fit, save,
answer, print).

Measured, against the targets in ``TARGETS`` (the reference measured in the same run):

* cold first run: every cache empty (cfprob's cache folder with its compiled code; PyTensor's compile
  folder for the reference), with cfprob's stage lines and their times: where the time goes;
* refit after adding a claim of an existing kind (a new verbal claim each repeat), and after adding a
  divergence point (a new one each repeat), with warm compile caches: whole process, and whether it compiled
  model code again (its stage lines say so);
* effective samples per second, warm caches: the lowest bulk ESS over all parameters and theta divided by
  the sampling time, and the divergent transitions of each;
* cached ``cfprob run`` (answered from the cache) and ``cfprob pods`` / ``claims`` / ``validate``.

Seeds differ between repeats (1, 2, 3, ...) and are the same for cfprob and the reference. Writes
``benchmarks/results/sampler.md`` and ``.json``.
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
from typing import Any

import numpy as np
import xarray as xr
from reference_pymc import theta_summary  # the same summary of both fits

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
POD = "kosygin-1965"
TARGETS = {
    "cold": 45.0,
    "refit": 10.0,
    "ess_ratio": 10.0,
    "cached": 0.6,
    "listing": 0.3,
}
"""Issue 20's targets: seconds, except the ratio of effective samples per second to plain ``pm.sample``."""
AGREEMENT_Z = 4.0
"""The two samplers' theta means agree when no cell differs by this many Monte Carlo standard errors (over some
eighty cells, a true difference this large is very unlikely by chance)."""


def timed(command: list[str], env: dict[str, str], cwd: Path = REPO) -> tuple[float, str, str]:
    """Run ``command`` to completion; its wall time, standard output and error. Fails loudly on a non-zero exit."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, done.stdout, done.stderr


def cfprob_env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTENSOR_FLAGS"}
    env["CFPROB_CACHE_DIR"] = str(cache)
    return env


def reference_env(compiledir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CFPROB_CACHE_DIR"}
    env["PYTENSOR_FLAGS"] = f"base_compiledir={compiledir}"
    env["PYTHONPATH"] = str(REPO)
    return env


def cfprob_run(cache: Path, seed: int, *extra: str) -> tuple[float, dict[str, Any]]:
    """Wall time of ``cfprob run`` and, when it sampled, the newest fit's sampling time, ESS and divergences,
    whether it compiled model code, and its stage lines."""
    command = ["cfprob", "run", POD, "--seed", str(seed), "--json", *extra]
    wall, _, err = timed(command, cfprob_env(cache))
    fits = sorted((cache / "fits").glob("*.nc"), key=lambda p: p.stat().st_mtime)
    with xr.open_datatree(fits[-1], engine="h5netcdf") as tree:
        attrs = dict(tree.attrs)
        theta_mean, theta_se = theta_summary(tree["posterior"].to_dataset())
    stages = [line.removeprefix("cfprob: ") for line in err.splitlines() if not line.startswith("cfprob: warning")]
    return wall, {
        "sampling_seconds": float(attrs["sampling_seconds"]),
        "min_ess_bulk": float(attrs["diag_min_ess_bulk"]),
        "divergences": float(attrs["diag_divergences"]),
        "compiled": any("compiling the model" in line for line in stages),
        "theta_mean": theta_mean,
        "theta_se": theta_se,
        "stages": stages,
    }


def reference_run(compiledir: Path, seed: int, scenario: Path | None = None) -> tuple[float, dict[str, Any]]:
    command = [sys.executable, str(HERE / "reference_pymc.py"), "--seed", str(seed)]
    if scenario:
        command += ["--scenario", str(scenario)]
    wall, out, _ = timed(command, reference_env(compiledir))
    return wall, json.loads(out.strip().splitlines()[-1])


NEW_CLAIM = """
[[claims]]
id = "benchmark-claim-{i}"
kind = "verbal"
author = "Phalamus"
source = "thread-democratise-after-stalin"
locator = "post 2 (Phalamus)"
quote = "I think you may just pull it off"
pod = "{pod}"
outcome = "{outcome}"
phrase = "{phrase}"
note = "Added by the benchmark: a claim of an existing kind."
"""

NEW_POD = """
[[pods]]
id = "benchmark-pod-{i}"
year = {year}
title = "A divergence added by the benchmark ({i})"
description = "A divergence point added to measure a refit."
features = {{ reform_leader = 1.0, no_mass_terror = {value} }}
"""


def add_claim(scenario: Path, i: int) -> None:
    """Append a new verbal claim (another divergence point, outcome and phrase each time)."""
    pods = ("gradual-reform-1956", "kosygin-1965", "bukharin-1928")
    outcomes = ("stable_democracy", "collapse", "authoritarian")
    phrases = ("likely", "unlikely", "possible")
    claims = scenario / "claims" / "000-democratise-after-stalin.toml"
    text = NEW_CLAIM.format(i=i, pod=pods[i % 3], outcome=outcomes[i % 3], phrase=phrases[i % 3])
    claims.write_text(claims.read_text() + text)


def add_pod(scenario: Path, i: int) -> None:
    """Append a new divergence point (another year and features each time)."""
    pods = scenario / "pods.toml"
    pods.write_text(pods.read_text() + NEW_POD.format(i=i, year=1958 + i, value=round(0.2 + 0.3 * i, 2)))


def spread(values: list[float]) -> dict[str, float]:
    """Median, lowest and highest of ``values``."""
    return {"median": float(statistics.median(values)), "low": min(values), "high": max(values)}


def measure(repeats: int, cold_repeats: int, work: Path, say: Callable[[str], None]) -> dict[str, Any]:
    from cfprob.paths import bundled_scenario

    seeds = list(range(1, repeats + 1))
    results: dict[str, Any] = {}

    say("cold first run")
    colds = [cfprob_run(work / f"cold-{i}", 1) for i in range(cold_repeats)]
    reference_colds = [reference_run(work / f"cold-reference-{i}", 1)[0] for i in range(cold_repeats)]
    results["cold"] = {
        "ours": spread([w for w, _ in colds]),
        "reference": spread(reference_colds),
        "stages": colds[0][1]["stages"],
    }

    # warm caches: the cold runs' (cfprob's first cold cache, the reference's first compile folder)
    warm_cache, warm_compiledir = work / "cold-0", work / "cold-reference-0"

    say("full fit, warm caches")
    ours = [cfprob_run(warm_cache, seed, "--refit") for seed in seeds]
    theirs = [reference_run(warm_compiledir, seed) for seed in seeds]
    results["sampling"] = sampling(ours, theirs)

    say("cached run")
    results["cached"] = spread([cfprob_run(warm_cache, seeds[-1])[0] for _ in range(max(5, repeats))])

    say("listing commands")
    listing = {}
    for command in ("pods", "claims", "validate"):
        listing[command] = spread([timed(["cfprob", command], cfprob_env(warm_cache))[0] for _ in range(5)])
    results["listing"] = listing

    for name, edit in (("refit_claim", add_claim), ("refit_pod", add_pod)):
        say(f"refit after {name.removeprefix('refit_')} added")
        scenario = work / name
        shutil.copytree(bundled_scenario(), scenario)
        runs, reference_runs = [], []
        for i, seed in enumerate(seeds):
            edit(scenario, i)
            runs.append(cfprob_run(warm_cache, seed, "--scenario", str(scenario)))
            reference_runs.append(reference_run(warm_compiledir, seed, scenario)[0])
        results[name] = {
            "ours": spread([w for w, _ in runs]),
            "reference": spread(reference_runs),
            "recompiled": sum(r["compiled"] for _, r in runs),
            "stages": runs[-1][1]["stages"],
        }
    return results


def sampling(ours: list[tuple[float, dict[str, Any]]], theirs: list[tuple[float, dict[str, Any]]]) -> dict[str, Any]:
    """Effective samples per second of each run, their ratio per repeat (same seed), divergences."""

    def rate(run: tuple[float, dict[str, Any]]) -> float:
        return float(run[1]["min_ess_bulk"] / run[1]["sampling_seconds"])

    return {
        "ours_wall": spread([w for w, _ in ours]),
        "reference_wall": spread([w for w, _ in theirs]),
        "ours_sampling_s": spread([r["sampling_seconds"] for _, r in ours]),
        "reference_sampling_s": spread([r["sampling_seconds"] for _, r in theirs]),
        "ours_ess": spread([r["min_ess_bulk"] for _, r in ours]),
        "reference_ess": spread([r["min_ess_bulk"] for _, r in theirs]),
        "ours_ess_per_s": spread([rate(r) for r in ours]),
        "reference_ess_per_s": spread([rate(r) for r in theirs]),
        "ratio": spread([rate(a) / rate(b) for a, b in zip(ours, theirs, strict=True)]),
        "agreement_z": spread([largest_z(a[1], b[1]) for a, b in zip(ours, theirs, strict=True)]),
        "ours_divergences": spread([r["divergences"] for _, r in ours]),
        "reference_divergences": spread([r["divergences"] for _, r in theirs]),
    }


def largest_z(ours: dict[str, Any], theirs: dict[str, Any]) -> float:
    """The largest difference between the two fits' posterior means of a theta cell, in Monte Carlo standard
    errors of that difference: the samplers agree when it is what chance gives over the cells (below ~4)."""
    difference = np.subtract(ours["theta_mean"], theirs["theta_mean"])
    error = np.hypot(ours["theta_se"], theirs["theta_se"])
    return float(np.max(np.abs(difference) / error))


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


def _s(value: dict[str, float], digits: int = 1, unit: str = " s") -> str:
    """A median with its range: "12.3 s (11.9-13.0)"."""
    m, lo, hi = value["median"], value["low"], value["high"]
    return f"{m:.{digits}f}{unit} ({lo:.{digits}f}-{hi:.{digits}f})"


def report(results: dict[str, Any], repeats: int, cold_repeats: int) -> str:
    cold, sample, cached, listing = results["cold"], results["sampling"], results["cached"], results["listing"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    slowest = max(listing.values(), key=lambda v: v["median"])
    rows = [
        (
            "Cold first run (empty caches)",
            _s(cold["ours"]),
            _s(cold["reference"]),
            f"<= {TARGETS['cold']:.0f} s: {verdict(cold['ours']['median'] <= TARGETS['cold'])}",
        ),
        *(
            (
                f"Refit after adding a {what} ({results[key]['recompiled']} of {repeats} compiled again)",
                _s(results[key]["ours"]),
                _s(results[key]["reference"]),
                f"<= {TARGETS['refit']:.0f} s, no recompile: "
                + verdict(results[key]["ours"]["median"] <= TARGETS["refit"] and not results[key]["recompiled"]),
            )
            for key, what in (("refit_claim", "claim"), ("refit_pod", "divergence point"))
        ),
        (
            "Lowest bulk ESS per sampling second (ratio per seed)",
            _s(sample["ours_ess_per_s"], 0, ""),
            _s(sample["reference_ess_per_s"], 0, ""),
            f"ratio {_s(sample['ratio'], 1, 'x')}; >= {TARGETS['ess_ratio']:.0f}x: "
            + verdict(sample["ratio"]["median"] >= TARGETS["ess_ratio"]),
        ),
        (
            "Divergent transitions per fit",
            _s(sample["ours_divergences"], 0, ""),
            _s(sample["reference_divergences"], 0, ""),
            "no more than the reference: "
            + verdict(sample["ours_divergences"]["median"] <= sample["reference_divergences"]["median"]),
        ),
        (
            "Agreement: largest difference of a theta mean, in Monte Carlo standard errors (per seed)",
            _s(sample["agreement_z"], 1, ""),
            "-",
            "the same posterior: " + verdict(sample["agreement_z"]["high"] < AGREEMENT_Z),
        ),
        (
            "Cached `cfprob run`",
            _s(cached, 2),
            "-",
            f"<= {TARGETS['cached']} s: {verdict(cached['median'] <= TARGETS['cached'])}",
        ),
        (
            "`cfprob pods` / `claims` / `validate` (slowest)",
            _s(slowest, 2),
            "-",
            f"<= {TARGETS['listing']} s: {verdict(slowest['median'] <= TARGETS['listing'])}",
        ),
    ]
    lines = [
        "# Speed benchmark",
        "",
        f"Machine: {machine()}.",
        f"Medians (lowest-highest) over {repeats} repeats ({cold_repeats} for cold runs; 5 for cached runs and "
        "listings), each a whole process; 4 chains x 1,000 draws, 1,000 tuning steps; the reference is plain "
        "`pm.sample` (PyMC's NUTS, default settings) on the same model, in the same run.",
        "",
        "| measure | cfprob | plain PyMC | target |",
        "|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
        f"Whole fit with warm caches: cfprob {_s(sample['ours_wall'])}, reference {_s(sample['reference_wall'])}. "
        f"Sampling: cfprob {_s(sample['ours_sampling_s'])}, reference {_s(sample['reference_sampling_s'])}. "
        f"Lowest bulk ESS: cfprob {_s(sample['ours_ess'], 0, '')}, reference {_s(sample['reference_ess'], 0, '')}.",
        "Listing commands: " + ", ".join(f"{k} {_s(v, 2)}" for k, v in listing.items()) + ".",
        "",
        "Stage lines of the first cold run (where its time goes):",
        "",
        "```",
        *cold["stages"],
        "```",
        "",
        "Stage lines of the last refit after adding a divergence point:",
        "",
        "```",
        *results["refit_pod"]["stages"],
        "```",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cold-repeats", type=int, default=3)
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
