"""Sampler settings, fit keys and the provenance recorded with every result."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.util import find_spec

from cfprob.errors import CfprobError
from cfprob.fitting.numeric import CREDIBLE_MASS
from cfprob.fitting.priors import Priors
from cfprob.version import __version__

__all__ = [
    "CHECK_LEVEL",
    "CREDIBLE_MASS",
    "MODEL_VERSION",
    "NUTPIE_ADAPTATION",
    "RUNG3_SEMANTICS",
    "SAMPLERS",
    "SAMPLER_LIMITS",
    "SEMANTICS",
    "SamplerSettings",
    "fit_key",
    "model_code_key",
    "model_key",
    "provenance_attrs",
]

CHECK_LEVEL = 0.01
"""A claim whose predictive p-value is below this is flagged by ``cfprob check`` (misfit, or prior-data
conflict)."""

MODEL_VERSION = "7.1"
"""Bumped whenever the model's structure or priors change: it is part of every cache key."""


def model_key(priors: Priors | None = None) -> str:
    """The model version, with a digest of the prior scales when they are not the defaults (a model variant,
    such as the model without the worldview factor, is cached and compiled apart)."""
    if priors is None or priors == Priors():
        return MODEL_VERSION
    digest = hashlib.sha256(json.dumps(priors.as_attrs(), sort_keys=True).encode()).hexdigest()
    return f"{MODEL_VERSION}+{digest[:12]}"


SEMANTICS = (
    "interventional (Pearl rung 2): P(outcome | do(divergence point)), the probability of each outcome "
    "had the divergence been imposed on real history at its year; it is not conditioned on what really "
    "happened afterwards; change is against real history at the same year"
)

RUNG3_SEMANTICS = (
    "counterfactual given what happened (Pearl rung 3): P(outcome in the divergent world | the real world "
    "ended in its observed outcome), assuming a Gumbel-max structural model whose noise is shared by both "
    "worlds (Oberst and Sontag 2019); change is against the observed outcome (probability 1)"
)


SAMPLER_LIMITS = {
    "seed": (0, 2**32 - 1, "Random seed."),
    "draws": (10, 1_000_000, "Draws per chain."),
    "tune": (0, 1_000_000, "Tuning steps per chain."),
    "chains": (1, 64, "Number of chains."),
}
"""Allowed range and meaning of each integer sampler setting (the CLI's options are built from it)."""

SAMPLERS = {
    "nutpie": "nutpie NUTS (draw_diag adaptation) on cfprob's hand-written log density, compiled once by Numba",
    "pymc": "PyMC NUTS",
}
"""The samplers cfprob can use, and how provenance names them. ``auto`` picks nutpie when installed. The
description is part of every fit key: a sampler whose implementation changes (and with it the draws of a
seed) gets a new description."""

DEFAULT_TARGET_ACCEPT = {"nutpie": 0.97, "pymc": 0.95}
"""Target acceptance rate of each sampler unless one is given. With nutpie's adaptation to the draws'
variances (``NUTPIE_ADAPTATION``), 0.97 gave model version 6 1.5 times the effective samples per second of
nutpie's default adaptation at 0.95 (``benchmarks/results/adaptation.md``). Version 6's divergent transitions
came from claims whose sd could reach zero, not from the hierarchy; with their floor
(:data:`cfprob.claims.base.SD_FLOOR`) version 7 has none at this setting on the bundled scenario (seeds 1-5)."""

NUTPIE_ADAPTATION = "draw_diag"
"""nutpie's mass-matrix adaptation: a diagonal from the draws' variances, which doubles the trajectories and
the effective sample size per draw on the bundled scenario."""


def nutpie_installed() -> bool:
    """Whether the optional nutpie back end (``cfprob[fast]``) is importable."""
    return find_spec("nutpie") is not None


@dataclass(frozen=True)
class SamplerSettings:
    """How the posterior is sampled. Part of every cache key.

    ``sampler="auto"`` becomes ``"nutpie"`` when nutpie is installed and ``"pymc"`` otherwise, and an unset
    ``target_accept`` becomes the sampler's default, so that a settings object always says what was run.
    """

    draws: int = 1000
    tune: int = 1000
    chains: int = 4
    seed: int = 20261123
    sampler: str = "auto"
    target_accept: float | None = None

    def __post_init__(self) -> None:
        for name, (low, high, _) in SAMPLER_LIMITS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise CfprobError(f"--{name}: expected an integer from {low} to {high}, found {value}")
        sampler = self.sampler
        if sampler == "auto":
            sampler = "nutpie" if nutpie_installed() else "pymc"
        if sampler not in SAMPLERS:
            raise CfprobError(f"--sampler: expected one of auto, {', '.join(SAMPLERS)}, found {self.sampler!r}")
        if sampler == "nutpie" and not nutpie_installed():
            raise CfprobError(
                "--sampler nutpie: expected the nutpie package, found it not installed "
                "(install cfprob[fast], or use --sampler pymc)"
            )
        object.__setattr__(self, "sampler", sampler)
        if self.target_accept is None:
            object.__setattr__(self, "target_accept", DEFAULT_TARGET_ACCEPT[sampler])
        if not 0.5 <= float(self.target_accept or 0) < 1:
            raise CfprobError(f"target_accept: expected a number in [0.5, 1), found {self.target_accept}")

    @property
    def label(self) -> str:
        return f"{self.chains} chains x {self.draws} draws ({self.tune} tuning), seed {self.seed}, {self.sampler}"


@cache
def model_code_key() -> str:
    """The hash of the model's code: the hand-written density and every family's
    (:func:`cfprob.fitting.density.source_key`), real history's hazard model and the leader features' prior
    (:mod:`cfprob.history`).
    Part of every fit key, so that a fit made by other model code is never served, whatever the version says."""
    import inspect

    from cfprob.fitting.density import source_key
    from cfprob.history import hazard, leaders, prior, regimes

    text = source_key() + "".join(inspect.getsource(m) for m in (hazard, leaders, prior, regimes))
    return hashlib.sha256(text.encode()).hexdigest()


def fit_key(content_hash: str, settings: SamplerSettings, model_version: str = MODEL_VERSION) -> str:
    """The key of a fit: scenario content, model version and code, sampler settings and implementation, cfprob's
    version."""
    payload = json.dumps(
        {
            "scenario": content_hash,
            "model": model_version,
            "model_code": model_code_key(),
            "settings": asdict(settings),
            "sampler": SAMPLERS[settings.sampler],
            "cfprob": __version__,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def provenance_attrs(
    scenario_id: str, content_hash: str, settings: SamplerSettings, model_version: str = MODEL_VERSION
) -> dict[str, str | int | float]:
    """Attributes saved on every result (NetCDF-safe: strings and numbers only)."""
    return {
        "cfprob_version": __version__,
        "scenario_id": scenario_id,
        "scenario_hash": content_hash,
        "model_version": model_version,
        "fit_key": fit_key(content_hash, settings, model_version),
        "sampler": settings.sampler,
        "sampler_description": SAMPLERS[settings.sampler],
        "draws": settings.draws,
        "tune": settings.tune,
        "chains": settings.chains,
        "seed": settings.seed,
        "target_accept": float(settings.target_accept or 0),
        "credible_interval": f"central {CREDIBLE_MASS:.0%} (equal-tailed)",
        "counterfactual_semantics": SEMANTICS,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
