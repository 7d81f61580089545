"""Plots of a fit on matplotlib: each function draws on an Axes (made if not given) and returns it.

``plot_ternary`` shows posterior draws of three outcome probabilities on the simplex; ``plot_forest``
every divergence point's mean with 50% and 90% intervals; ``plot_densities`` each outcome's posterior
density (kernel density estimates from arviz-stats); ``plot_curve`` an inevitability curve with its band,
real history and the named divergence points; ``plot_sensitivity`` how far leaving claims out moves an
answer; ``plot_claims`` each claim about a divergence point as the chance its words became, beside the
pooled answer. ``save_figure`` writes a figure atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from cfprob.errors import CfprobError
from cfprob.fitting.provenance import CREDIBLE_MASS
from cfprob.outputs.tables import shown_year
from cfprob.reading.scenario import OTL
from cfprob.safe.files import check_new_file, write_bytes_atomically

if TYPE_CHECKING:
    from cfprob.answers.curve import Curve
    from cfprob.answers.query import Fit
    from cfprob.answers.sensitivity import Influence
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Scenario

__all__ = [
    "PLOT_FORMATS",
    "PLOT_KINDS",
    "SAMPLING_KINDS",
    "Labels",
    "check_plot_path",
    "claim_label",
    "claim_rows",
    "figure_bytes",
    "plot_claims",
    "plot_curve",
    "plot_densities",
    "plot_forest",
    "plot_ppc",
    "plot_sampling",
    "plot_sensitivity",
    "plot_ternary",
    "save_figure",
    "slowest",
]

PLOT_KINDS = ("posterior", "forest", "ternary")
PLOT_FORMATS = (".png", ".svg")
_SQRT3 = float(np.sqrt(3.0))


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


_STYLE = {
    "font.size": 9.0,
    "axes.titlesize": "small",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "legend.fontsize": "small",
}
"""cfprob's one style, applied to every plot it draws (matplotlib's and arviz-plots')."""


@contextmanager
def _style() -> Iterator[None]:
    with _pyplot().rc_context(_STYLE):
        yield


def _styled[F: Callable[..., Any]](draw: F) -> F:
    """Draw in cfprob's style (text and lines take their look when made)."""

    @wraps(draw)
    def styled(*args: Any, **kwargs: Any) -> Any:
        with _style():
            return draw(*args, **kwargs)

    return styled  # type: ignore[return-value]


@dataclass(frozen=True)
class Labels:
    """What plots call divergence points and outcomes: the scenario's titles and labels (ids where none given)."""

    titles: Mapping[str, str] = field(default_factory=dict)
    years: Mapping[str, int] = field(default_factory=dict)
    outcomes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, scenario: Scenario) -> Labels:
        """Each divergence point's title (and year), each outcome's label; a title two points share gets the
        point's id."""
        titles = [p.title for p in scenario.pods]
        return cls(
            {p.id: f"{p.title} [{p.id}]" if titles.count(p.title) > 1 else p.title for p in scenario.pods},
            {p.id: p.year for p in scenario.pods if p.year is not None and p.id != OTL},
            {o.id: o.label for o in scenario.outcomes},
        )

    def pod(self, pod: str) -> str:
        """The title of ``pod`` with its year (its id where it has no title)."""
        year = self.years.get(pod)
        return self.title(pod) + ("" if year is None else f" ({shown_year(year)})")

    def title(self, pod: str) -> str:
        """The title of ``pod`` alone (where the year shows otherwise)."""
        return self.titles.get(pod, pod)

    def outcome(self, outcome: str) -> str:
        return self.outcomes.get(outcome, outcome)


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    _, made = _pyplot().subplots(figsize=size)
    return made


def check_plot_path(path: Path, overwrite: bool) -> None:
    """Refuse unknown formats, folders, missing folders and, without ``overwrite``, existing files."""
    if path.suffix.lower() not in PLOT_FORMATS:
        raise CfprobError(f"{path}: expected a file name ending in {' or '.join(PLOT_FORMATS)}, found '{path.suffix}'")
    check_new_file(path, overwrite)


def _simplex(p: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Cartesian coordinates of 3-outcome probability vectors (N, 3): corners 0 left, 1 right, 2 top."""
    return p[:, 1] + p[:, 2] / 2, p[:, 2] * _SQRT3 / 2


@_styled
def plot_ternary(
    fit: Fit,
    pods: Sequence[str],
    ax: Any = None,
    max_points: int = 1500,
    seed: int = 0,
    labels: Labels | None = None,
) -> Any:
    """Posterior draws of P(outcome) for each of ``pods`` on the probability simplex (3 outcomes)."""
    labels = labels or Labels()
    if len(fit.outcomes) != 3:
        raise CfprobError(f"a ternary plot needs exactly 3 outcomes; this scenario has {len(fit.outcomes)}")
    ax = _axes(ax, (6.5, 6.0))
    rng = np.random.default_rng(seed)
    corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, _SQRT3 / 2], [0.0, 0.0]])
    ax.plot(corners[:, 0], corners[:, 1], color="black", linewidth=1)
    for level in (0.2, 0.4, 0.6, 0.8):  # grid lines of constant probability for each outcome
        for k in range(3):
            ends = np.full((2, 3), (1 - level) / 2)
            ends[:, k] = level
            ends[0, (k + 1) % 3], ends[1, (k + 1) % 3] = 1 - level, 0.0
            ends[0, (k + 2) % 3], ends[1, (k + 2) % 3] = 0.0, 1 - level
            x, y = _simplex(ends)
            ax.plot(x, y, color="0.85", linewidth=0.6, zorder=0)
            # tick label at one end of the line, pushed out from the centre: P(outcome k) = level
            centre = np.array([0.5, _SQRT3 / 6])
            out = np.array([x[0], y[0]]) - centre
            tx, ty = np.array([x[0], y[0]]) + 0.06 * out / np.linalg.norm(out)
            ax.text(tx, ty, f"{level:.0%}", fontsize=7, color="0.45", ha="center", va="center")
    for label, theta in _with_history(fit, pods).items():
        shown = theta[rng.choice(len(theta), size=min(max_points, len(theta)), replace=False)]
        x, y = _simplex(shown)
        points = ax.scatter(x, y, s=4, alpha=0.25, label=labels.pod(label))
        mx, my = _simplex(theta.mean(axis=0, keepdims=True))
        color = points.get_facecolor()[0][:3]
        ax.scatter(mx, my, s=70, marker="X", color=color, edgecolor="black", linewidth=0.8, zorder=3)
    names = [labels.outcome(o) for o in fit.outcomes]
    ax.text(-0.03, -0.04, names[0], ha="right", va="top")
    ax.text(1.03, -0.04, names[1], ha="left", va="top")
    ax.text(0.5, _SQRT3 / 2 + 0.03, names[2], ha="center", va="bottom")
    ax.set_xlim(-0.2, 1.2)
    ax.set_ylim(-0.12, 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.legend(loc="upper right", markerscale=4, fontsize="small")
    ax.set_title("Posterior draws of the outcome probabilities (X: mean)\ngrey ticks: each outcome's probability")
    return ax


def _with_history(fit: Fit, pods: Sequence[str]) -> dict[str, NDArray[np.float64]]:
    """Each of ``pods``' outcome draws (draws, outcomes), then real history at each of their years: what a
    divergence is compared with."""
    series = {pod: fit.theta[:, fit.index(pod), :] for pod in pods}
    years = sorted({fit.pod_years[fit.index(pod)] for pod in pods if pod != "otl"})
    series.update({f"real history, {year}": fit.history_at(year) for year in years})
    return series


def _eti(values: NDArray[np.float64], mass: float) -> NDArray[np.float64]:
    tail = (1 - mass) / 2
    result: NDArray[np.float64] = np.quantile(values, [tail, 1 - tail], axis=0)
    return result


def _tree(values: NDArray[np.float64], dim: str, coords: Sequence[str], name: str) -> Any:
    """A one-chain DataTree of ``values`` (draws, len(coords)) as ``name`` with ``dim`` labelled ``coords``."""
    import xarray as xr

    data = xr.Dataset({name: (("chain", "draw", dim), values[None, :, :])}, coords={dim: list(coords)})
    return xr.DataTree.from_dict({"posterior": data})


def _collection_axes(collection: Any) -> Any:
    """The matplotlib axes of an arviz-plots ``PlotCollection`` (what ``figure_bytes`` and ``save_figure`` take)."""
    return np.asarray(collection.viz["figure"].item().axes, dtype=object)


@_styled
def plot_forest(fit: Fit, pods: Sequence[str] = (), highlight: Sequence[str] = (), labels: Labels | None = None) -> Any:
    """Every divergence point (or ``pods``): posterior mean, 50% and 90% equal-tailed intervals of each outcome,
    drawn by arviz-plots' ``plot_forest`` (one colour per outcome). Returns the figure's axes."""
    import arviz_plots as azp

    labels = labels or Labels()
    chosen = list(pods) or list(fit.pods)
    names = [("> " if p in highlight else "") + labels.pod(p) for p in chosen]
    index = [fit.index(p) for p in chosen]
    trees = {
        labels.outcome(o): _tree(fit.theta[:, index, j], "divergence", names, "P(outcome)")
        for j, o in enumerate(fit.outcomes)
    }
    collection = azp.plot_forest(
        trees,
        combined=True,
        point_estimate="mean",
        ci_kind="eti",
        ci_probs=(0.5, CREDIBLE_MASS),
        labels=["divergence"],
        backend="matplotlib",
        figure_kwargs={"figsize": (9.0, 0.36 * len(chosen) + 1.6), "width_ratios": [1.4, 2.0]},
    )
    collection.add_legend("model", title="", loc="lower center", ncols=len(fit.outcomes), bbox_to_anchor=(0.5, 1.0))
    axes = _collection_axes(collection)
    axes[-1].set_xlim(0, 1)
    axes[-1].set_xlabel(f"P(outcome): mean, 50% and {CREDIBLE_MASS:.0%} intervals")
    axes[-1].grid(axis="x", color="0.9")
    return axes


@_styled
def plot_densities(fit: Fit, pods: Sequence[str], labels: Labels | None = None) -> Any:
    """One panel per outcome: the posterior density of P(outcome) for each of ``pods`` and real history at their
    years, with its mean and central 90% interval, drawn by arviz-plots' ``plot_dist``. Returns the axes."""
    import arviz_plots as azp
    import xarray as xr

    labels = labels or Labels()
    series = _with_history(fit, pods)
    names = [labels.pod(p) if p in fit.pods else p for p in series]
    values = np.stack(list(series.values()), axis=1)  # draws, series, outcomes
    data = xr.Dataset(
        {"P(outcome)": (("chain", "draw", "divergence", "outcome"), values[None])},
        coords={"divergence": names, "outcome": [labels.outcome(o) for o in fit.outcomes]},
    )
    collection = azp.plot_dist(
        xr.DataTree.from_dict({"posterior": data}),
        kind="kde",
        point_estimate="mean",
        ci_kind="eti",
        ci_prob=CREDIBLE_MASS,
        cols=["outcome"],
        aes={"color": ["divergence"], "y": ["divergence"]},
        aes_by_visuals={"dist": ["color"], "credible_interval": ["color", "y"], "point_estimate": ["color", "y"]},
        visuals={"point_estimate_text": False},
        backend="matplotlib",
        figure_kwargs={"figsize": (4.0 * len(fit.outcomes), 3.4)},
    )
    collection.add_legend(
        "divergence", title="", loc="lower center", ncols=min(len(names), 3), bbox_to_anchor=(0.5, 1.0)
    )
    axes = _collection_axes(collection)
    for ax in axes:
        ax.set_xlim(0, 1)
        ax.set_xlabel("P(outcome): density, mean (dot) and 90% interval (line)", fontsize="small")
    return axes


@_styled
def plot_curve(
    curve: Curve,
    ax: Any = None,
    label_pods: bool = True,
    highlight: Sequence[str] = (),
    labels: Labels | None = None,
) -> Any:
    """An inevitability curve: posterior mean and central band against the year of divergence.

    The curve is real history's, with its band; the observed year is a dashed line; named divergence points are
    dots with their intervals (numbered when ``label_pods``, the numbers keyed to their titles below the plot;
    those in ``highlight`` ringed); era claims about the outcome shade their windows, named in the legend. On a
    figure of its own the legend and the key sit below the axes, so nothing covers the data; numbers never
    overlap.
    """
    labels = labels or Labels()
    outcome = labels.outcome(curve.outcome)
    pods = sorted(curve.pods, key=lambda m: (m.year, -m.mean))
    key_rows = -(-len(pods) // KEY_COLUMNS) if label_pods else 0
    key = None
    if ax is None:
        below = 0.17 * key_rows + 0.8
        _, (ax, key) = _pyplot().subplots(2, 1, figsize=(10.0, 5.0 + below), height_ratios=[5.0, below])
        key.set_axis_off()
    colors = _pyplot().rcParams["axes.prop_cycle"].by_key()["color"]
    for i, era in enumerate(curve.eras):
        ax.axvspan(
            era.start - 0.5,
            era.end + 0.5,
            color=colors[(i + 2) % len(colors)],
            alpha=0.12,
            linewidth=0,
            label=f"{era.author}: {era.start}-{era.end} against the years {era.compared_with}",
        )
    ax.axvline(curve.observed.year, color="0.35", linestyle="--", linewidth=1, label="observed year")
    ax.fill_between(
        curve.years,
        curve.low,
        curve.high,
        color=colors[0],
        alpha=0.25,
        linewidth=0,
        label=f"{CREDIBLE_MASS:.0%} interval",
    )
    ax.plot(curve.years, curve.mean, color=colors[0], linewidth=2, label="real history given history up to that year")
    years = np.asarray([m.year for m in pods], dtype=float)
    means = np.asarray([m.mean for m in pods])
    errors = np.asarray([[m.mean - m.low for m in pods], [m.high - m.mean for m in pods]])
    ax.errorbar(
        years,
        means,
        yerr=errors,
        fmt="o",
        color=colors[1],
        markersize=4,
        elinewidth=0.8,
        alpha=0.8,
        label="named divergence points (numbered, key below)" if label_pods else "named divergence points",
    )
    ringed = [i for i, m in enumerate(pods) if m.pod in highlight]
    if ringed:
        ax.plot(years[ringed], means[ringed], "o", markersize=11, markerfacecolor="none", color="black")
    ax.set_xlim(curve.years[0] - 1, curve.years[-1] + 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("year of the divergence")
    ax.set_ylabel(f"P({outcome})")
    ax.set_title(f"Inevitability curve: P({outcome}) by year of divergence")
    ax.grid(color="0.92")
    if label_pods:
        span = float(curve.years[-1] - curve.years[0]) or 1.0
        places = _number_positions(years, means, span)
        for number, (x, y, (lx, ly)) in enumerate(zip(years, means, places, strict=True), start=1):
            ax.annotate(
                str(number),
                (x, y),
                xytext=(lx, ly),
                fontsize=6.5,
                color="0.15",
                va="center",
                gid="pod-number",
                arrowprops={"arrowstyle": "-", "color": "0.6", "linewidth": 0.5} if abs(ly - y) > 0.01 else None,
            )
    if key is None:
        ax.legend(loc="upper left", fontsize="small")
        return ax
    handles, names = ax.get_legend_handles_labels()
    key.legend(handles, names, loc="upper left", ncol=2, fontsize="small", frameon=False, borderaxespad=0)
    top = 1.0 - 0.8 / (0.17 * key_rows + 0.8)  # the key's rows start below the legend's
    for i, m in enumerate(pods):
        column, row = divmod(i, key_rows)
        key.text(
            column / KEY_COLUMNS,
            top * (1.0 - row / key_rows),
            f"{i + 1}  {_shortened(labels.title(m.pod), KEY_WIDTH)}"
            + ("" if m.year is None else f", {shown_year(m.year)}"),
            fontsize=6.5,
            va="top",
            transform=key.transAxes,
            gid="pod-key",
        )
    ax.figure.tight_layout()
    return ax


KEY_COLUMNS = 3
"""Columns of the curve's key of numbered divergence points."""

KEY_WIDTH = 48
"""The most characters of a title in the curve's key (longer ones end in an ellipsis)."""


def _shortened(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _number_positions(xs: NDArray[np.float64], ys: NDArray[np.float64], span: float) -> list[tuple[float, float]]:
    """Where each point's number goes: right of the point, or the nearest free place above or below it, so that
    no two numbers overlap and each stays inside the axes.

    Sizes are in data units of a 10-inch-wide axes at font size 6.5: a number is at most 0.013 of the x span
    wide and 0.035 of the y range high.
    """
    width, height = 0.013 * span, 0.035
    placed: list[tuple[float, float]] = []
    for x, y in zip(xs, ys, strict=True):
        left, candidate = float(x) + 0.004 * span, float(y)
        for step in range(2, 200):
            if not any(abs(left - px) < width and abs(candidate - py) < height for px, py in placed):
                break
            offset = step // 2 * height * (1 if step % 2 else -1)  # +h, -h, +2h, -2h, ...
            candidate = min(max(float(y) + offset, height), 1.0 - height)
        placed.append((left, candidate))
    return placed


@_styled
def plot_sensitivity(
    rows: Sequence[Influence], outcomes: Sequence[str], ax: Any = None, labels: Labels | None = None
) -> Any:
    """Horizontal bars: how far leaving out each row's claims moves each outcome's probability.

    ``rows`` are influences on one divergence point (largest first).
    """
    labels = labels or Labels()
    ax = _axes(ax, (8.0, 0.45 * len(rows) + 1.5))
    names = [f"{r.group} {r.id}" + ("" if r.reliable else " (k > 0.7)") for r in rows]
    y = np.arange(len(rows))
    height = 0.8 / len(outcomes)
    for j, outcome in enumerate(outcomes):
        ax.barh(
            y + (j - (len(outcomes) - 1) / 2) * height,
            [r.shift[j] for r in rows],
            height,
            label=labels.outcome(outcome),
        )
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel(f"change in P(outcome | {labels.pod(rows[0].pod)}) when left out" if rows else "change")
    ax.legend(loc="best", fontsize="small")
    return ax


def _figure(ax: Any) -> Any:
    first = ax[0] if isinstance(ax, np.ndarray | list | tuple) else ax
    return first.get_figure()


def figure_bytes(ax: Any, fmt: str = "png", dpi: int = 110) -> bytes:
    """The figure of ``ax`` (an Axes or a sequence of them) as image bytes; the figure is closed."""
    import io

    figure = _figure(ax)
    figure.tight_layout()
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight")  # legends above the axes included
    finally:
        _pyplot().close(figure)
    return buffer.getvalue()


def save_figure(ax: Any, path: Path, overwrite: bool = False) -> None:
    """Save the figure of ``ax`` to ``path`` atomically, then close it."""
    check_plot_path(path, overwrite)
    data = figure_bytes(ax, fmt=path.suffix.lstrip(".").lower())
    write_bytes_atomically(path, data)


SAMPLING_KINDS = ("trace", "rank")
"""Plots of how the sampler mixed (arviz-plots), by variable: :func:`plot_sampling`."""


def slowest(tree: Any, count: int = 4) -> dict[str, Any]:
    """The ``count`` sampled values with the lowest bulk ESS (worst first), each a (chain, draw) series named
    ``variable[coordinates]``: what trace and rank plots show by default."""
    import xarray as xr
    from arviz_stats import ess  # type: ignore[attr-defined]

    from cfprob.fitting.inference import sampled_names

    posterior = tree["posterior"].to_dataset()
    names = sampled_names(posterior)
    bulk = ess(posterior[names], method="bulk")
    series = []
    for name in names:
        values = bulk[name]
        for index in np.ndindex(values.shape):
            at = dict(zip(values.dims, index, strict=True))
            label = name + (f"[{', '.join(str(values[d].values[i]) for d, i in at.items())}]" if at else "")
            series.append((float(values.values[index]), label, posterior[name].isel(at)))
    series.sort(key=lambda s: s[0])
    coords = {"chain": posterior["chain"].values, "draw": posterior["draw"].values}
    return {label: xr.DataArray(v.values, dims=("chain", "draw"), coords=coords) for _, label, v in series[:count]}


@_styled
def plot_sampling(tree: Any, kind: str, count: int = 4) -> Any:
    """Trace or rank plots (arviz-plots) of the ``count`` sampled values that mixed worst (lowest bulk ESS):
    where a sampler problem shows first. Returns the figure's axes."""
    import arviz_plots as azp
    import xarray as xr

    if kind not in SAMPLING_KINDS:
        raise CfprobError(f"expected one of {', '.join(SAMPLING_KINDS)}, found '{kind}'")
    data = xr.DataTree.from_dict({"posterior": xr.Dataset(slowest(tree, count))})
    draw = azp.plot_trace if kind == "trace" else azp.plot_rank
    rows = -(-count // 2)  # two panels a row: a picture, not a strip
    collection = draw(data, backend="matplotlib", col_wrap=2, figure_kwargs={"figsize": (9.6, 3.0 * rows + 0.6)})
    axes = _collection_axes(collection)
    chains = tree["posterior"].sizes["chain"]
    what = "draws by chain" if kind == "trace" else "rank histograms by chain (flat when the chains agree)"
    axes.flat[0].figure.suptitle(
        f"The {count} sampled values that mixed worst (lowest bulk ESS): {what}, {chains} chains", fontsize="medium"
    )
    return axes


@_styled
def plot_ppc(tree: Any) -> Any:
    """Each claim family's replicated claims against what was stated (arviz-plots' ``plot_ppc_dist``), on a
    tree with the groups of :func:`cfprob.answers.groups.with_groups`, a panel per family. Families whose
    claims are stated as holding or not (1 or 0: ordering, era, interval, "cannot be known") are left to
    ``cfprob check``'s p-values. Returns the figure's axes."""
    import arviz_plots as azp

    by_family = _by_family(tree)
    observed = by_family["observed_data"]
    names = sorted(n for n in observed.data_vars if not np.isin(observed[n].values, (0.0, 1.0)).all())
    if not names:
        raise CfprobError("no claim family states a value to compare replicas with (only directions)")
    collection = azp.plot_ppc_dist(
        by_family, var_names=names, backend="matplotlib", figure_kwargs={"figsize": (4.0 * len(names), 3.6)}
    )
    axes = _collection_axes(collection)
    for ax in axes.flat:
        ax.set_xlabel("what each claim stated, as one number", fontsize="small")
    axes.flat[0].figure.suptitle(
        "Claims as stated (black) against claims replicated from the fit (blue), by claim family",
        fontsize="medium",
    )
    return axes


def _by_family(tree: Any) -> Any:
    """The stated numbers and their replicas (one variable over every claim) as one variable per claim
    family, over ``<family>_claim``."""
    import xarray as xr

    from cfprob.answers.groups import LIKELIHOOD
    from cfprob.claims import family_of

    kinds = tree["observed_data"].to_dataset()[LIKELIHOOD]["claim_kind"].values
    families = np.array([family_of(str(kind)).name for kind in kinds])
    groups = {}
    for group in ("observed_data", "posterior_predictive"):
        values = tree[group].to_dataset()[LIKELIHOOD].reset_coords(drop=True)
        groups[group] = xr.Dataset(
            {
                name: values.isel(claim=families == name).rename(claim=f"{name}_claim")
                for name in dict.fromkeys(families)
            }
        )
    return xr.DataTree.from_dict(groups)


def plot_kind(fit: Fit, kind: str, pods: Sequence[str], labels: Labels | None = None) -> Any:
    """The plot ``kind`` of :data:`PLOT_KINDS` for ``pods`` (posterior and ternary add real history at their
    years)."""
    if kind not in PLOT_KINDS:
        raise CfprobError(f"--kind: expected one of {', '.join(PLOT_KINDS)}, found '{kind}'")
    if kind == "forest":
        return plot_forest(fit, highlight=pods, labels=labels)
    if kind == "ternary":
        return plot_ternary(fit, pods, labels=labels)
    return plot_densities(fit, pods, labels=labels)


def claim_rows(
    fit: Fit, scenario: Scenario, lexicon: Lexicon, pod: str
) -> list[tuple[str, str, tuple[float, float, float] | None, NDArray[np.float64], str]]:
    """Each claim about ``pod`` that states a chance or a direction, one row per (claim, outcome): (label,
    outcome, what the words became as (low, middle, high) in probability or None for a direction, the pooled
    draws of P(outcome | pod), how it was said: "value", "at least", "at most", "range", "votes", or for a
    direction the sentence it states). Proposals, antecedents, excluded claims and claims about eras are not
    rows."""
    j_of = {o: j for j, o in enumerate(fit.outcomes)}
    pooled = fit.theta[:, fit.index(pod), :]
    rows: list[tuple[str, str, tuple[float, float, float] | None, NDArray[np.float64], str]] = []
    for c in scenario.claims_about(pod):
        if c.excluded or c.kind in ("proposal", "antecedent", "uncertain", "era", "level"):
            continue
        who = scenario.claimant(c.author).name
        if c.kind == "distribution" and c.distribution:
            for o, share in zip(fit.outcomes, c.distribution, strict=True):
                rows.append((f"{who}: {o}", o, (share, share, share), pooled[:, j_of[o]], "value"))
            continue
        outcome = str(c.outcome)
        draws = pooled[:, j_of[outcome]]
        if c.kind == "probability" and c.probability is not None:
            said = (c.probability, c.probability, c.probability)
        elif c.kind == "verbal":
            entry = lexicon.lookup(str(c.phrase))
            if entry is None:
                continue
            said = (entry.low90_pct / 100, entry.median_pct / 100, entry.high90_pct / 100)
        elif c.kind == "interval" and c.low is not None and c.high is not None:
            said = (c.low, (c.low + c.high) / 2, c.high)
        elif c.kind == "poll" and c.votes:
            total = sum(c.votes)
            middle = sum(n * (lo + hi) / 2 for (lo, hi), n in zip(c.bins, c.votes, strict=True)) / total
            said = (c.bins[0][0], middle, c.bins[-1][1])
        else:  # ordering, same: a direction against another divergence point or real history
            from cfprob.claims import KINDS

            says = KINDS[c.kind].says(c, lexicon, scenario.outcome_ids)
            rows.append((f"{who}: {outcome} ({c.kind})", outcome, None, draws, says))
            continue
        how = {"lower": "at least", "upper": "at most"}.get(c.bound, "votes" if c.kind == "poll" else "value")
        how = "range" if c.kind in ("verbal", "interval") and not c.bound else how
        rows.append((f"{who}: {outcome}", outcome, said, draws, how))
    return rows


def claim_label(row_label: str, outcome: str, labels: Labels) -> str:
    """A claim row's label ("who: outcome …") with the outcome's label in place of its id."""
    who, _, rest = row_label.partition(": ")
    return f"{who}: {labels.outcome(outcome)}{rest.removeprefix(outcome)}"


@_styled
def plot_claims(fit: Fit, scenario: Scenario, lexicon: Lexicon, pod: str, ax: Any = None) -> Any:
    """Each claim about ``pod`` as the chance its words became (a phrase: the lexicon's median and 90% range;
    a bound: an arrow; a direction: a mark), beside the pooled answer for the same outcome (mean and 90%
    interval): what forum readers weigh, each claimant against the crowd."""
    rows = claim_rows(fit, scenario, lexicon, pod)
    labels = Labels.of(scenario)
    ax = _axes(ax, (8.0, 0.42 * max(len(rows), 1) + 1.6))
    said_color, pooled_color = "#b2182b", "#2166ac"
    for i, (_, _, said, draws, how) in enumerate(rows):
        low, high = _eti(draws, CREDIBLE_MASS)
        ax.plot([low, high], [i + 0.15, i + 0.15], color=pooled_color, linewidth=4, alpha=0.6, solid_capstyle="butt")
        ax.plot([draws.mean()], [i + 0.15], "o", color=pooled_color, markersize=4)
        if said is None:
            ax.annotate(f"says: {how}", (0.01, i - 0.15), fontsize="x-small", color=said_color, va="center")
            continue
        s_low, middle, s_high = said
        if how in ("at least", "at most"):
            end = 1.0 if how == "at least" else 0.0
            ax.annotate("", (end, i - 0.15), (middle, i - 0.15), arrowprops={"arrowstyle": "->", "color": said_color})
        elif s_high > s_low:
            ax.plot([s_low, s_high], [i - 0.15, i - 0.15], color=said_color, linewidth=2, alpha=0.7)
        ax.plot([middle], [i - 0.15], "D", color=said_color, markersize=4)
    ax.set_yticks(range(len(rows)), [claim_label(r[0], r[1], labels) for r in rows], fontsize="small")
    ax.set_ylim(max(len(rows), 1) - 0.5, -0.6)
    ax.set_xlim(0, 1)
    ax.set_xticks(np.linspace(0, 1, 6), [f"{x:.0%}" for x in np.linspace(0, 1, 6)])
    ax.grid(axis="x", color="0.9")
    ax.plot([], [], "D", color=said_color, label="what the words became (median, 90% range; arrow: a bound)")
    ax.plot([], [], "o-", color=pooled_color, label=f"pooled answer (mean, {CREDIBLE_MASS:.0%} interval)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize="small", ncol=1, frameon=False)
    ax.set_title(f"Each claim about {labels.pod(pod)} against the pooled answer", fontsize="medium")
    if not rows:
        ax.annotate("No claim about this divergence states a chance.", (0.5, 0.5), ha="center")
    return ax
