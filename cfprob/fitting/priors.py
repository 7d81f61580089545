"""The model's fixed prior scales: plain numbers, importable without PyMC."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["Priors"]


@dataclass(frozen=True)
class Priors:
    """The model's fixed prior scales (all on the logit scale unless stated)."""

    class_logit_sd: float = 1.5
    """Normal prior sd of the reference class's outcome logits."""
    offset_sd: float = 1.0
    """How far this case's baseline may sit from its reference class."""
    beta_sd: float = 1.0
    """Normal prior sd of each mechanism feature's effect."""
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
    year_level_sd: float = 1.0
    """Normal prior sd of the year effect's mean: how a dated divergence as such moves the logits."""
    year_step_scale: float = 0.3
    """Half-normal scale of the year effect's random-walk step per knot (5 years)."""

    def as_attrs(self) -> dict[str, float]:
        return {f"prior_{k}": float(v) for k, v in asdict(self).items()}
