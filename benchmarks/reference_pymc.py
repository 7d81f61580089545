"""The plain-PyMC reference: the bundled scenario's model sampled by ``pm.sample``, nothing else.

    python benchmarks/reference_pymc.py --seed 1 [--draws 1000 --tune 1000 --chains 4] [--scenario DIR]

The model is cfprob's own (``cfprob.fitting.model.build_model``); sampling is ``pm.sample`` with PyMC's default
settings except the draws, tuning steps, chains and seed, and ``nuts_sampler="pymc"``: with nutpie
installed PyMC would otherwise hand the model to nutpie. PyTensor compiles into its own cache
(``PYTENSOR_FLAGS``, set by the caller). Prints one JSON line: sampling seconds and the same
diagnostics cfprob reports.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

started = time.perf_counter()

import numpy as np  # noqa: E402
import pymc as pm  # noqa: E402

from cfprob.fitting.design import design  # noqa: E402
from cfprob.fitting.inference import diagnose  # noqa: E402
from cfprob.fitting.model import build_model  # noqa: E402
from cfprob.paths import bundled_scenario  # noqa: E402
from cfprob.reading.loader import load_scenario  # noqa: E402


def theta_summary(posterior: Any) -> tuple[list[float], list[float]]:
    """Each theta cell's posterior mean and Monte Carlo standard error (sd / sqrt(bulk ESS)), flattened."""
    from arviz_stats import ess  # type: ignore[attr-defined]

    theta = posterior["theta"]
    effective = ess(posterior[["theta"]], method="bulk")["theta"].values
    se = theta.std(("chain", "draw")).values / np.sqrt(effective)
    return theta.mean(("chain", "draw")).values.ravel().tolist(), se.ravel().tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--scenario", type=Path, default=None)
    args = parser.parse_args()
    model = build_model(design(load_scenario(args.scenario or bundled_scenario())))
    result = pm.sample(
        draws=args.draws,
        tune=args.tune,
        chains=args.chains,
        random_seed=args.seed,
        nuts_sampler="pymc",
        progressbar=False,
        model=model,
    )
    diagnostics = diagnose(result)
    theta_mean, theta_se = theta_summary(result["posterior"].to_dataset())
    print(
        json.dumps(
            {
                "sampling_seconds": float(result["posterior"].attrs["sampling_time"]),
                "min_ess_bulk": diagnostics["diag_min_ess_bulk"],
                "divergences": diagnostics["diag_divergences"],
                "in_process_seconds": time.perf_counter() - started,
                "theta_mean": theta_mean,
                "theta_se": theta_se,
            }
        )
    )


if __name__ == "__main__":
    main()
