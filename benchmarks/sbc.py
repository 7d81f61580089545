"""Simulation-based calibration of cfprob's model on a scenario's structure.

    scripts/with-env.sh python benchmarks/sbc.py [--simulations 100] [--draws 400] [--tune 400] [--scenario PATH]
        [--selection] [--jobs N] [--executor processes|dask] [--scheduler ADDRESS]

Each simulation draws parameters from the prior, simulates every claim and the evidence with the
scenario's structure, fits them with cfprob's sampler and ranks each true parameter among posterior draws
thinned to about their effective sample size (cfprob.answers.calibration). With ``--selection`` the
simulated claims are about the divergence points their simulated claimants prefer, as real ones are. Prints and writes
``benchmarks/results/sbc.md``: a chi-square test of rank uniformity (10 bins) per parameter, and the
pooled test over all of them; the ranks themselves, with which fits had divergences, go to ``sbc.json``
beside it. The simulations' fits run at once in worker processes (``--jobs``, default one per ``--chains``
cores) or on a Dask cluster (``--executor dask``, ``--scheduler tcp://host:8786``; without an address, a local
cluster); the ranks are the same however they run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sampler import machine
from scipy import stats

from cfprob.answers.calibration import calibrate
from cfprob.fitting.design import design
from cfprob.fitting.provenance import SamplerSettings
from cfprob.fitting.refits import EXECUTORS, Refits
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

RESULTS = Path(__file__).resolve().parent / "results" / "sbc.md"


def _shown(path: Path) -> str:
    """A path as the reader should type it: relative to the repository when inside it."""
    root = Path(__file__).resolve().parents[1]
    full = path.resolve()
    return str(full.relative_to(root)) if full.is_relative_to(root) else str(path)


def _bias_lines(result, scenario, pod: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The bias of P(outcome) (posterior mean minus truth) with its standard error, over every divergence point
    and at ``pod``."""
    outcomes = scenario.outcome_ids
    lines = [
        "Bias of P(outcome), posterior mean minus truth (standard error over simulations):",
        "",
        "| divergence points | " + " | ".join(outcomes) + " |",
        "|---|" + "---|" * len(outcomes),
    ]
    rows = [("all but real history", None)]
    if pod in scenario.pod_ids:
        rows.append((pod, scenario.pod_ids.index(pod)))
    for label, index in rows:
        mean, se = result.bias(index)
        lines.append(f"| {label} | " + " | ".join(f"{m:+.3f} ({e:.3f})" for m, e in zip(mean, se, strict=True)) + " |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulations", type=int, default=100)
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--tune", type=int, default=400)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--selection", action="store_true", help="Claims about the divergences claimants prefer.")
    parser.add_argument(
        "--strength", type=float, default=None, help="With --selection: a fixed strength (default: the truth's own)."
    )
    parser.add_argument("--pod", default="kosygin-1965", help="The divergence point whose bias is reported alone.")
    parser.add_argument("--jobs", type=int, default=None, help="Fits at once (default: one per --chains cores).")
    parser.add_argument("--executor", choices=EXECUTORS, default="processes")
    parser.add_argument("--scheduler", default=None, help="With --executor dask: the scheduler's address.")
    args = parser.parse_args()
    how = Refits(args.jobs, args.executor, args.scheduler)

    scenario = load_scenario(args.scenario or bundled_scenario())
    settings = SamplerSettings(draws=args.draws, tune=args.tune, chains=args.chains, seed=args.seed)
    measured_on = machine()  # before the long part: it needs cfprob installed
    started = time.perf_counter()

    def progress(done: int) -> None:
        print(f"simulation {done}/{args.simulations} [{time.perf_counter() - started:.0f} s]", file=sys.stderr)

    result = calibrate(
        scenario,
        design(scenario),
        args.simulations,
        settings,
        seed=args.seed,
        on_simulation=progress,
        selection=args.selection,
        selection_strength=args.strength,
        how=how,
    )
    elapsed = time.perf_counter() - started
    at_once = how.workers(settings.chains) if how.executor == "processes" else "on Dask"
    tests = result.tests()
    pooled = sum(s for s, _ in tests.values())
    dof = len(tests) * (result.bins - 1)
    pooled_p = float(stats.chi2.sf(pooled, dof))
    lines = [
        "# Simulation-based calibration",
        "",
        f"Scenario structure: {scenario.id} ({len(scenario.pods)} divergence points, {len(scenario.claims)} claims, "
        f"{len(scenario.claimants)} claimants). {result.simulations} simulations from the prior, each fitted with "
        f"{settings.label}; each true value ranked among posterior draws thinned to about their effective sample "
        f"size (19 to 99 draws), {result.bins} bins. "
        + (
            "Claims and proposals simulated with selection: each is about a divergence point its claimant prefers "
            "(drawn with probability proportional to exp(strength x log odds of the first outcome there, as the "
            "claimant sees it)), at "
            + (f"a fixed strength {args.strength:g}." if args.strength is not None else "the truth's own strength.")
            if args.selection
            else "Claims simulated where the scenario's claims are."
        ),
        f"Machine: {measured_on}; fits run {at_once} at once. "
        f"Total {elapsed:.0f} s "
        f"({elapsed / result.simulations:.1f} s per simulation); {result.divergent_fits} fits had divergences.",
        "",
        f"| parameter | chi-square ({result.bins - 1} df) | p-value | rank counts per bin, lowest ranks first |",
        "|---|---|---|---|",
        *(
            f"| {name} | {s:.1f} | {p:.3f} | {' '.join(map(str, result.histogram(name)))} |"
            for name, (s, p) in tests.items()
        ),
        "",
        f"Pooled over {len(tests)} parameters (approximate: the parameters are not independent): "
        f"chi-square {pooled:.1f} on {dof} df, p = {pooled_p:.3f}. "
        f"Parameters with p < 0.05: {sum(p < 0.05 for _, p in tests.values())} of {len(tests)} "
        f"(about {0.05 * len(tests):.1f} expected by chance); below the Bonferroni level "
        f"{0.05 / len(tests):.4f}: {sum(p < 0.05 / len(tests) for _, p in tests.values())}. "
        "Many low ranks mean the posterior sits above the truth; a hump in the middle, that it is too wide.",
        "",
        *_bias_lines(result, scenario, args.pod),
        "",
        f"Reproduce: `scripts/with-env.sh python benchmarks/sbc.py --simulations {result.simulations} --draws "
        f"{args.draws} --tune {args.tune} --seed {args.seed}"
        + (" --selection" if args.selection else "")
        + (f" --strength {args.strength:g}" if args.strength is not None else "")
        + (f" --scenario {_shown(args.scenario)}" if args.scenario else "")
        + (f" --output {_shown(args.output)}" if args.output != RESULTS else "")
        + "`",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    raw = {"ranks_and_draws_ranked_against": result.ranks, "divergent": result.divergent}
    lines = [f"{json.dumps(key)}: {json.dumps(value, separators=(',', ':'))}" for key, value in raw.items()]
    args.output.with_suffix(".json").write_text("{\n" + ",\n".join(lines) + "\n}\n")  # one line per entry


if __name__ == "__main__":
    main()
