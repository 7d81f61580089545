"""Plots of a fit, drawn with ArviZ (arviz_plots) on matplotlib and saved atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xarray as xr

from .errors import CfprobError
from .outputs import check_new_file, write_atomically
from .provenance import CREDIBLE_MASS

if TYPE_CHECKING:
    from .sensitivity import Influence

__all__ = ["PLOT_FORMATS", "PLOT_KINDS", "check_plot_path", "plot_fit", "plot_sensitivity", "save_figure"]

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


def plot_sensitivity(rows: Sequence[Influence], outcomes: Sequence[str], ax: Any = None) -> Any:
    """Horizontal bars: how far leaving out each row's claims moves each outcome's probability.

    ``rows`` are influences on one divergence point (largest first). Returns the Axes drawn on.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.5))
    labels = [f"{r.group} {r.id}" + ("" if r.reliable else " (k > 0.7)") for r in rows]
    y = np.arange(len(rows))
    height = 0.8 / len(outcomes)
    for j, outcome in enumerate(outcomes):
        ax.barh(y + (j - (len(outcomes) - 1) / 2) * height, [r.shift[j] for r in rows], height, label=outcome)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel(f"change in P(outcome | {rows[0].pod}) when left out" if rows else "change")
    ax.legend(loc="best", fontsize="small")
    return ax


def save_figure(ax: Any, path: Path, overwrite: bool = False) -> None:
    """Save the figure of ``ax`` to ``path`` atomically, then close it."""
    check_plot_path(path, overwrite)
    import matplotlib.pyplot as plt

    figure = ax.get_figure()
    figure.tight_layout()
    try:
        write_atomically(path, lambda temporary: figure.savefig(temporary, format=path.suffix.lstrip(".").lower()))
    finally:
        plt.close(figure)
