"""ArviZ on a result cfprob saved: the file holds every group a PyMC user expects.

    cfprob run kosygin-1965 --out kosygin.nc
    python examples/arviz_on_a_saved_fit.py kosygin.nc --out-dir plots/

With no file it saves the bundled scenario's Kosygin answer to a temporary file first (fitting it if it is
not cached). Then it opens the file with xarray alone (no cfprob) and runs ArviZ on it: PSIS-LOO over the
claims and its PIT, power-scaling sensitivity, a forest and the densities of P(outcome | divergence point),
the posterior predictive check of the stated numbers, the prior against the posterior of a scale, and trace
and rank plots.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import arviz_plots as azp
import arviz_stats as azs
import xarray as xr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", nargs="?", type=Path, help="a file written by `cfprob run POD --out FILE.nc`")
    parser.add_argument("--out-dir", type=Path, default=None, help="where to write the plots (default: a temp folder)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cfprob-arviz-"))
    result = args.result or _saved_answer(work / "kosygin.nc")
    out = args.out_dir or work
    out.mkdir(parents=True, exist_ok=True)

    tree = xr.open_datatree(result, engine="h5netcdf").load()
    print("groups:", ", ".join(sorted(tree.children)))

    loo = azs.loo(tree)
    print(f"PSIS-LOO over {tree['log_likelihood'].sizes['claim']} claims: elpd {loo.elpd:.1f} (SE {loo.se:.1f})")
    pit = azs.loo_pit(tree)["claims"]
    print(f"LOO-PIT: {float((pit < 0.05).mean() + (pit > 0.95).mean()):.0%} of claims in the outer 10%")
    sensitivity = azs.psense_summary(tree, var_names=["p_outcome"])
    print(f"power-scaling sensitivity: {len(sensitivity)} rows, e.g.\n{sensitivity.head(3)}")

    kosygin = {"pod": ["kosygin-1965", "otl"]}
    plots = {
        "forest": azp.plot_forest(tree, var_names=["p_outcome"], coords={"outcome": ["stable_democracy"]}),
        "dist": azp.plot_dist(tree, var_names=["p_outcome"], coords=kosygin, ci_prob=0.9),
        "ppc": azp.plot_ppc_dist(tree, coords={"claim": _point_claims(tree)}),
        "loo_pit": azp.plot_loo_pit(tree),
        "prior_posterior": azp.plot_prior_posterior(tree, var_names=["sigma_u"]),
        "trace": azp.plot_trace(tree, var_names=["sigma_u"]),
        "rank": azp.plot_rank(tree, var_names=["sigma_u"]),
    }
    for name, plot in plots.items():
        path = out / f"{name}.png"
        plot.savefig(path)
        print(f"{name}: {path}")


def _point_claims(tree: xr.DataTree) -> list[str]:
    """The claims that state a chance (a logit, one scale): the stated numbers of other kinds are on theirs."""
    kinds = tree["observed_data"]["claim_kind"]
    return [str(c) for c, k in zip(kinds["claim"].values, kinds.values, strict=True) if k in ("probability", "verbal")]


def _saved_answer(path: Path) -> Path:
    """The bundled scenario's Kosygin answer, saved as `cfprob run --out` saves it."""
    command = [sys.executable, "-m", "cfprob", "run", "kosygin-1965", "--out", str(path)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return path


if __name__ == "__main__":
    main()
