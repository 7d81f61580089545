"""nutpie's mass-matrix adaptation and target acceptance on the bundled scenario: what each costs and gives.

    scripts/with-env.sh python benchmarks/adaptation.py [--seeds 3]

The compiled model is cfprob's own (from its cache, compiled once if missing); each setting samples
4 chains x 1,000 draws after 1,000 tuning steps with the same seeds. Reported per setting (medians over the
seeds, lowest and highest beside them): sampling seconds, the lowest bulk ESS over the parameters and
theta (``cfprob.fitting.inference.diagnose``), ESS per sampling second, divergent transitions and gradient
evaluations per draw. Writes ``benchmarks/results/adaptation.md``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETTINGS = (
    ("draw_diag", 0.97),
    ("draw_diag", 0.98),
    ("draw_diag", 0.95),
    ("draw_diag", 0.9),
    ("diag", 0.98),
    ("diag", 0.95),
    ("diag", 0.9),
)
"""(adaptation, target acceptance): cfprob's default first."""


def sample(model: object, data: object, adaptation: str, target_accept: float, seed: int) -> dict[str, float]:
    import nutpie
    import xarray as xr

    from cfprob.fitting.inference import diagnose, reported_posterior
    from cfprob.fitting.priors import Priors

    started = time.perf_counter()
    result = nutpie.sample(
        model,
        draws=1000,
        tune=1000,
        chains=4,
        cores=2,
        seed=seed,
        progress_bar=False,
        adaptation=adaptation,
        target_accept=target_accept,
    )
    seconds = time.perf_counter() - started
    posterior = reported_posterior(result["posterior"].to_dataset(), data, Priors())  # type: ignore[arg-type]
    stats = result["sample_stats"].to_dataset()
    found = diagnose(xr.DataTree.from_dict({"posterior": posterior, "sample_stats": stats}))
    return {
        "seconds": seconds,
        "ess": float(found["diag_min_ess_bulk"]),
        "ess_per_s": float(found["diag_min_ess_bulk"]) / seconds,
        "divergences": float(found["diag_divergences"]),
        "steps": float(stats["n_steps"].mean()),
    }


def _cell(values: list[float], digits: int) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--output", type=Path, default=HERE / "results" / "adaptation.md")
    args = parser.parse_args()
    from cfprob.fitting.compiled import compiled_model
    from cfprob.fitting.design import design
    from cfprob.paths import bundled_scenario
    from cfprob.reading.loader import load_scenario

    scenario = load_scenario(bundled_scenario())
    data = design(scenario)
    model = compiled_model(data, lambda _m: None)
    rows = []
    for adaptation, target in SETTINGS:
        runs = [sample(model, data, adaptation, target, seed) for seed in range(1, args.seeds + 1)]
        cells = [_cell([r[k] for r in runs], d) for k, d in (("seconds", 1), ("ess", 0), ("ess_per_s", 0))]
        cells += [_cell([r[k] for r in runs], d) for k, d in (("divergences", 0), ("steps", 1))]
        rows.append(f"| `{adaptation}`, {target} | " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            "# nutpie adaptation and target acceptance (bundled scenario)",
            "",
            f"Medians (lowest-highest) over seeds 1-{args.seeds}; 4 chains x 1,000 draws, 1,000 tuning steps, "
            "2 cores. cfprob's default is the first row.",
            "",
            "| adaptation, target acceptance | sampling s | lowest bulk ESS | ESS per s | divergences | "
            "gradients per draw |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    args.output.write_text(text)


if __name__ == "__main__":
    main()
