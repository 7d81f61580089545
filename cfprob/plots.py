"""Plots of a fit, drawn with ArviZ (arviz_plots) on matplotlib and saved atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import xarray as xr

from .errors import CfprobError
from .outputs import check_new_file, write_atomically
from .provenance import CREDIBLE_MASS

__all__ = ["PLOT_FORMATS", "PLOT_KINDS", "check_plot_path", "plot_fit"]

PLOT_KINDS = ("posterior", "forest")
PLOT_FORMATS = (".png", ".svg")


def check_plot_path(path: Path, overwrite: bool) -> None:
    """Refuse unknown formats, folders, missing folders and, without ``overwrite``, existing files."""
    if path.suffix.lower() not in PLOT_FORMATS:
        raise CfprobError(f"{path}: expected a file name ending in {' or '.join(PLOT_FORMATS)}, found '{path.suffix}'")
    check_new_file(path, overwrite)


def plot_fit(tree: xr.DataTree, kind: str, pods: Sequence[str], path: Path, overwrite: bool = False) -> None:
    """Draw ``kind`` into ``path``.

    ``posterior``: one panel per outcome, the posterior density of each of ``pods`` overlaid (add ``otl`` to
    compare with real history). ``forest``: posterior mean, 50% and 90% intervals of every divergence point.
    """
    if kind not in PLOT_KINDS:
        raise CfprobError(f"--kind: expected one of {', '.join(PLOT_KINDS)}, found '{kind}'")
    check_plot_path(path, overwrite)
    import matplotlib

    matplotlib.use("Agg")
    import arviz_plots as azp
    import matplotlib.pyplot as plt

    chosen = list(pods) or [str(p) for p in tree["posterior"].to_dataset()["pod"].values]
    if kind == "forest":
        collection = azp.plot_forest(
            tree,
            var_names=["theta"],
            coords={"pod": chosen},
            combined=True,
            ci_kind="eti",
            ci_probs=(0.5, CREDIBLE_MASS),
            backend="matplotlib",
        )
    else:
        collection = azp.plot_dist(
            tree,
            var_names=["theta"],
            coords={"pod": chosen},
            cols=["outcome"],
            aes={"color": ["pod"]},
            visuals={"title": False, "point_estimate_text": False, "credible_interval": False, "point_estimate": False},
            backend="matplotlib",
        )
        collection.add_legend("pod")
        layout = collection.viz.to_dataset()
        for outcome, axes in zip(layout["outcome"].values, layout["plot"].values, strict=True):
            axes.set_title(f"P({outcome})")
    try:
        write_atomically(path, lambda temporary: collection.savefig(temporary))
    finally:
        plt.close("all")
