"""The model's fixed prior scales: plain numbers, importable without PyMC."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import asdict, astuple, dataclass, fields
from typing import Any

import numpy as np

__all__ = ["PRIOR", "Priors", "feature_sd"]


@dataclass(frozen=True)
class Priors:
    """The model's fixed prior scales (all on the logit scale unless stated). Real history's curve has its own
    prior, from data (:mod:`cfprob.history`)."""

    era_step_scale: float = 0.2
    """Half-normal scale of the step (per knot) of the era scale's walk (log of what a divergence can change)."""
    beta_sd: float = 1.0
    """Normal prior sd of the effect of each mechanism feature the data say nothing about (a judgement); the
    scenario's evidence may set a feature's own (:mod:`cfprob.history.leaders`)."""
    pod_sd_scale: float = 1.0
    """Half-normal scale of sigma_u, the spread of per-PoD effects not explained by features."""
    bias_sd_scale: float = 0.5
    """Half-normal scale of the spread of claimants' biases."""
    noise_log_mean: float = 0.0
    """Prior mean of the log of a typical claimant's noise (noise 1 on the logit scale)."""
    noise_log_sd: float = 0.5
    noise_spread_scale: float = 0.5
    """Half-normal scale of how much claimants' noise differs."""
    kappa_log_mean: float = float(np.log(10.0))
    """Prior mean of the log Dirichlet concentration of a stated distribution."""
    kappa_log_sd: float = 1.0
    kappa_spread_scale: float = 0.5
    """Half-normal scale of how much claimants' Dirichlet concentrations differ."""
    ordering_tau: float = 0.5
    """Logit difference at which an ordering (or era) claim is sigmoid(2) = 88% sure to be stated correctly."""
    tendency_mean_sd: float = 1.0
    """Normal prior sd of the claimants' mean tendency to call divergences better (log odds of saying so)."""
    tendency_sd_scale: float = 0.5
    """Half-normal scale of how much claimants' tendencies differ."""
    unpredictability_scale: float = 1.0
    """Half-normal scale of the unpredictability of a divergence point that a claim says cannot be known (logit
    sd added to the noise of claims about it)."""
    poll_dispersion_scale: float = 1.5
    """Half-normal scale of how far a poll's voters' belief logits scatter about the crowd's location."""
    selection_mean: float = 0.5
    """Prior mean of the selection's strength: how much more often claimants speak about a divergence point
    per unit of log odds of the first outcome there (1: in proportion to the odds; 0: no selection)."""
    selection_sd: float = 0.5
    """Prior sd of the selection's strength (informative: a handful of choices identify it only weakly)."""
    worldview_loading_sd: float = 1.0
    """Prior sd of the worldview's loading on each outcome's logit (the first outcome's is half-normal, which
    fixes which end is "high"); 0 leaves the worldview factor out of the model."""

    @property
    def has_worldview(self) -> bool:
        """Whether the model has the worldview factor."""
        return self.worldview_loading_sd > 0

    def as_attrs(self) -> dict[str, float]:
        return {f"prior_{k}": float(v) for k, v in asdict(self).items()}

    def as_array(self) -> np.ndarray:
        """The scales in field order, as the hand-written log density reads them (indexed by :data:`PRIOR`)."""
        return np.asarray(astuple(self), dtype=float)


PRIOR: Any = namedtuple("PriorIndex", [f.name for f in fields(Priors)])(*range(len(fields(Priors))))
"""Each prior scale's position in :meth:`Priors.as_array` (``PRIOR.ordering_tau``), a constant to Numba."""


def feature_sd(from_data: np.ndarray, priors: Priors) -> np.ndarray:
    """Each feature's prior sd: the one the evidence gives (``from_data``), the judgement ``beta_sd`` where it
    gives none (NaN)."""
    return np.where(np.isnan(from_data), priors.beta_sd, from_data).astype(float)
