"""The model's free parameters as the hand-written log density samples them: names, dimensions, where each
sits in the unconstrained vector, and the initial point.

Pure Python: the same parameters, in the same order and on the same scale (half-normals as their logs), as
the PyMC model's free variables (:func:`cfprob.fitting.model.build_model`; a test holds them equal). The
core's parameters are listed here; each claim family lists its own (``Family.parameters``).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import log, prod

from cfprob.claims import FAMILIES, Parameter
from cfprob.fitting.design import ModelData, model_coords
from cfprob.fitting.priors import Priors

__all__ = ["CORE", "FreeParameter", "free_parameters", "initial_point", "lengths"]


def _zero(priors: Priors) -> float:
    return 0.0


def _log_scale(name: str) -> Parameter:
    """A half-normal core scale whose prior scale is the :class:`Priors` field ``name``'s."""
    scale = {
        "sigma_era": "era_step_scale",
        "sigma_u": "pod_sd_scale",
        "sigma_bias": "bias_sd_scale",
        "noise_spread": "noise_spread_scale",
        "sigma_tendency": "tendency_sd_scale",
        "worldview_loading_first": "worldview_loading_sd",
        "unpredictability": "unpredictability_scale",
    }[name]
    dims = ("cf_pod",) if name == "unpredictability" else ()
    return Parameter(name, dims, lambda priors: log(getattr(priors, scale)), log=True)


CORE: tuple[Parameter, ...] = (
    Parameter("history_z", ("history_coef",), _zero),
    _log_scale("sigma_era"),
    Parameter("era_z", ("era_step",), _zero),
    Parameter("beta", ("feature", "logit_outcome"), _zero),
    _log_scale("sigma_u"),
    Parameter("u_z", ("cf_pod", "logit_outcome"), _zero),
    _log_scale("sigma_bias"),
    Parameter("bias_z", ("claimant", "outcome"), _zero),
    Parameter("noise_log_mean", (), lambda priors: priors.noise_log_mean),
    _log_scale("noise_spread"),
    Parameter("noise_z", ("claimant",), _zero),
    Parameter("tendency_mean", ("outcome",), _zero),
    _log_scale("sigma_tendency"),
    Parameter("tendency_z", ("claimant", "outcome"), _zero),
    Parameter("worldview", ("claimant",), _zero),
    _log_scale("worldview_loading_first"),
    Parameter("worldview_loading_rest", ("worldview_rest",), _zero),
    _log_scale("unpredictability"),
    Parameter("selection", (), lambda priors: priors.selection_mean),
)
"""The core's parameters in model order; :func:`free_parameters` leaves out those a scenario does not have."""


@dataclass(frozen=True)
class FreeParameter:
    """One parameter of a scenario's model and its place in the unconstrained vector."""

    parameter: Parameter
    shape: tuple[int, ...]
    start: int

    @property
    def stop(self) -> int:
        return self.start + prod(self.shape)


def lengths(data: ModelData) -> dict[str, int]:
    """Each dimension's length (``worldview_rest``: the worldview's loadings after the first, K - 2)."""
    return {name: len(values) for name, values in model_coords(data).items()} | {
        "worldview_rest": max(len(data.outcomes) - 2, 0)
    }


def _present(name: str, data: ModelData, priors: Priors) -> bool:
    worldview = priors.has_worldview and bool(data.claimants)
    return {
        "beta": bool(data.features),
        "tendency_mean": data.has_tendency,
        "sigma_tendency": data.has_tendency,
        "tendency_z": data.has_tendency,
        "worldview": worldview,
        "worldview_loading_first": worldview,
        "worldview_loading_rest": worldview and len(data.outcomes) > 2,
        "unpredictability": bool(len(data.blocks["uncertain"])),
        "selection": bool(len(data.choices)),
    }.get(name, True)


def free_parameters(data: ModelData, priors: Priors) -> list[FreeParameter]:
    """The model's free parameters for ``data``, in order, each with its shape and offset."""
    size = lengths(data)
    chosen = [p for p in CORE if _present(p.name, data, priors)]
    chosen += [p for family in FAMILIES if len(data.blocks[family.name]) for p in family.parameters]
    result, start = [], 0
    for parameter in chosen:
        shape = tuple(size[d] for d in parameter.dims)
        result.append(FreeParameter(parameter, shape, start))
        start += prod(shape)
    return result


def initial_point(parameters: list[FreeParameter], priors: Priors) -> list[float]:
    """PyMC's initial point: each parameter at its start (prior mean, or the log of a half-normal's scale)."""
    return [p.parameter.start(priors) for p in parameters for _ in range(p.stop - p.start)]
