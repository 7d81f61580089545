"""The PyMC model behind cfprob's answers: take it, sample it with `pm.sample`, compare with cfprob's own fit.

    python examples/pymc_model.py                     # 4 chains x 1000 draws with PyMC's NUTS (minutes)
    python examples/pymc_model.py --draws 200 --tune 200 --chains 2

`cfprob.build_model` returns the specification cfprob's sampler follows (a hand-written log density, compiled
once, that a test holds equal to this model's); everything PyMC offers works on it — `pm.sample`,
`pm.sample_prior_predictive`, `pm.do`. Here both fits' P(outcome | divergence point) are compared, each with
its Monte Carlo standard error.
"""

from __future__ import annotations

import argparse

import arviz_stats as azs
import numpy as np
import pymc as pm

import cfprob


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pod", default="kosygin-1965")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scenario = cfprob.load_scenario()
    ours = cfprob.fit(scenario)  # cfprob's own sampler (cached after the first call)
    model = cfprob.build_model(scenario)
    print(f"PyMC model: {len(model.free_RVs)} free variables, {len(model.deterministics)} deterministics")
    with model:
        theirs = pm.sample(
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            random_seed=args.seed,
            nuts_sampler="pymc",
            progressbar=False,
            compute_convergence_checks=False,
        )

    def summary(theta: object) -> tuple[np.ndarray, np.ndarray]:
        chosen = theta.sel(pod=args.pod)  # type: ignore[attr-defined]
        mean = chosen.mean(("chain", "draw")).values
        mcse = azs.mcse(chosen.to_dataset(name="theta"), method="mean")["theta"].values
        return np.asarray(mean), np.asarray(mcse)

    mine, mine_se = summary(ours.tree["posterior"]["theta"])
    pymc, pymc_se = summary(theirs["posterior"]["theta"])
    print(
        f"\nP(outcome | {args.pod}): cfprob ({ours.settings.label}) against pm.sample "
        f"({args.chains} chains x {args.draws} draws)"
    )
    for outcome, a, sa, b, sb in zip(scenario.outcome_ids, mine, mine_se, pymc, pymc_se, strict=True):
        z = (a - b) / np.hypot(sa, sb)
        print(f"  {outcome:<17} {a:.3f} ± {sa:.3f}   {b:.3f} ± {sb:.3f}   difference {z:+.1f} standard errors")


if __name__ == "__main__":
    main()
