"""Parameter draws as plain numpy arrays, and the logits claims are located at.

:class:`Draws` is what every numpy computation from a fit reads (checks, sensitivity, calibration, the
claim families' log-likelihoods), whether the draws come from a posterior or from the prior.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "TINY",
    "Draws",
    "located_logits",
    "logit_theta",
    "nonfinite_draws",
    "posterior_draws",
    "seen_logits",
    "seen_theta",
]

Floats = NDArray[np.float64]
TINY = 1e-300


@dataclass(frozen=True)
class Draws:
    """Parameter draws, flattened over chains: ``S`` draws of each array.

    ``theta`` (S, rows, outcomes): the divergence points, then real history at the years claims about it
    speak of (:attr:`~cfprob.fitting.design.ModelData.history_years`), then the stacks claims with a condition
    speak of (:attr:`~cfprob.fitting.design.ModelData.stacks`); ``bias`` (S, claimants, outcomes);
    ``noise`` (S, claimants); ``kappa`` (S, claimants), only when the scenario has distribution claims;
    ``history`` (S, knots,
    outcomes - 1), real history's logits at the knots; ``era`` (S, knots), the era scale; ``tendency``
    (S, claimants, outcomes), claimants' tendency to call divergences better; ``worldview`` (S, claimants,
    outcomes), how each claimant's worldview shifts the logits of the divergence points they speak of (last
    outcome 0), only when the model has the worldview factor; ``plausibility`` (S, divergence points but
    otl), how plausible each divergence itself is (logits), only with antecedent claims; ``spread`` (S, rows),
    each row's unpredictability (0 where no uncertain claim names it), only with uncertain claims;
    ``poll_location`` and ``poll_dispersion`` (S, polls), each poll's crowd, only with poll claims;
    ``selection`` (S,), the strength of the selection of divergence points, only with choices. ``extra`` holds any
    further parameters (kept for calibration checks), by name.
    """

    theta: Floats
    bias: Floats
    noise: Floats
    kappa: Floats | None = None
    history: Floats | None = None
    era: Floats | None = None
    tendency: Floats | None = None
    extra: dict[str, Floats] | None = None
    worldview: Floats | None = None
    plausibility: Floats | None = None
    spread: Floats | None = None
    poll_location: Floats | None = None
    poll_dispersion: Floats | None = None
    selection: Floats | None = None

    def __len__(self) -> int:
        return int(self.theta.shape[0])

    @classmethod
    def from_posterior(cls, posterior: xr.Dataset) -> Draws:
        """The draws of a fit's posterior group."""

        def flat(name: str) -> Floats | None:
            if name not in posterior:
                return None
            values = np.asarray(posterior[name].transpose("chain", "draw", ...).values, dtype=float)
            return values.reshape(-1, *values.shape[2:])

        theta, bias, noise = flat("theta"), flat("bias"), flat("noise")
        assert theta is not None and bias is not None and noise is not None, "checked when a fit is loaded"
        for name in ("history_theta", "stack_theta"):
            rows = flat(name)
            if rows is not None:
                theta = np.concatenate([theta, rows], axis=1)
        spread = flat("claim_spread")
        if spread is not None:
            spread = np.concatenate([spread, np.zeros((spread.shape[0], theta.shape[1] - spread.shape[1]))], axis=1)
        shift = flat("worldview_shift")
        if shift is not None:
            shift = np.concatenate([shift, np.zeros((*shift.shape[:-1], 1))], axis=-1)
        return cls(
            theta,
            bias,
            noise,
            flat("kappa"),
            flat("history"),
            flat("era"),
            flat("tendency"),
            worldview=shift,
            plausibility=flat("plausibility"),
            spread=spread,
            poll_location=flat("poll_location"),
            poll_dispersion=flat("poll_dispersion"),
            selection=flat("selection"),
        )

    def take(self, index: NDArray[np.int64]) -> Draws:
        """The draws at ``index``."""

        def pick(a: Floats | None) -> Floats | None:
            return None if a is None else a[index]

        extra = {k: v[index] for k, v in self.extra.items()} if self.extra else None
        return Draws(
            self.theta[index],
            self.bias[index],
            self.noise[index],
            pick(self.kappa),
            pick(self.history),
            pick(self.era),
            pick(self.tendency),
            extra,
            pick(self.worldview),
            pick(self.plausibility),
            pick(self.spread),
            pick(self.poll_location),
            pick(self.poll_dispersion),
            pick(self.selection),
        )


def posterior_draws(tree: xr.DataTree) -> Draws:
    """A fit's posterior draws (:meth:`Draws.from_posterior` of its ``posterior`` group)."""
    return Draws.from_posterior(tree["posterior"].to_dataset())


def logit_theta(theta: Floats) -> Floats:
    """log(theta / (1 - theta)), clipped away from 0 and 1."""
    q = np.clip(theta, TINY, 1.0)
    result: Floats = np.log(q) - np.log(np.clip(1.0 - theta, TINY, 1.0))
    return result


def seen_theta(draws: Draws, rows: NDArray[np.int64], authors: NDArray[np.int64], seen: Floats) -> Floats:
    """The outcome probabilities of ``rows`` as each claim's author sees them: (S, n, outcomes). A divergence
    point (``seen`` 1) is seen through the author's worldview (its logits shifted by
    :attr:`Draws.worldview`); real history as it is."""
    theta = draws.theta[:, rows, :]
    if draws.worldview is None:
        return theta
    logits = np.log(np.clip(theta, TINY, 1.0)) + seen[None, :, None] * draws.worldview[:, authors, :]
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    result: Floats = weights / weights.sum(axis=-1, keepdims=True)
    return result


def seen_logits(
    draws: Draws, rows: NDArray[np.int64], outcome: NDArray[np.int64], authors: NDArray[np.int64], seen: Floats
) -> Floats:
    """logit theta_dk of each claim's row and outcome as its author sees it: (S, n)."""
    theta = seen_theta(draws, rows, authors, seen)
    return logit_theta(np.take_along_axis(theta, outcome[None, :, None], axis=-1)[..., 0])


def located_logits(draws: Draws, block: Any) -> Floats:
    """logit theta_dk, as claimant ``a`` sees it, plus their bias b_ak for each draw and claim of ``block`` (a
    :class:`~cfprob.claims.ClaimBlock`): (S, n)."""
    seen = seen_logits(draws, block.pod, block.outcome, block.author, block.seen)
    result: Floats = seen + draws.bias[:, block.author, block.outcome]
    return result


def nonfinite_draws(posterior: xr.Dataset) -> str:
    """Where ``posterior`` holds non-finite draws ("" when every draw is finite).

    An interrupted or failed sampler leaves NaN (or infinite) draws in some chains; such a fit must never be
    cached, saved or answered from.
    """
    import numpy as np

    for name in sorted(map(str, posterior.data_vars)):
        values = np.asarray(posterior[name].values)
        if values.dtype.kind not in "fc":
            continue
        bad = ~np.isfinite(values)
        if not bad.any():
            continue
        if posterior[name].dims[:2] == ("chain", "draw"):
            per_chain = bad.reshape(bad.shape[0], bad.shape[1], -1).any(axis=2).sum(axis=1)
            chains = ", ".join(f"{c + 1} ({n} draws)" for c, n in enumerate(per_chain) if n)
            return f"non-finite draws of {name} in chain {chains}"
        return f"non-finite values of {name}"
    return ""
