"""cfprob: forecasting the past.

Bayesian, Monte Carlo answers to counterfactual-history questions, with every number traceable to who
claimed what and to real data.

    >>> import cfprob
    >>> fit = cfprob.fit(cfprob.load_scenario())
    >>> fit.answer("kosygin-1965").to_dict()

The public API (:mod:`cfprob.api`): :func:`load_scenario`, :func:`fit` (a :class:`Fit` with ``answer``,
``compare``, ``curve``, ``to_datatree``), :func:`build_model` (the PyMC model), ``KINDS`` (the claim kinds),
:func:`load_lexicon` (the verbal-probability lexicon), :class:`Scenario`, :class:`SamplerSettings`,
:class:`Priors`. Importing the package imports none of them
(nor PyMC): the command line stays quick; they load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cfprob.version import __version__

if TYPE_CHECKING:
    from cfprob.api import (
        KINDS,
        Fit,
        Lexicon,
        Priors,
        SamplerSettings,
        Scenario,
        build_model,
        fit,
        load_lexicon,
        load_scenario,
    )

__all__ = [
    "KINDS",
    "Fit",
    "Lexicon",
    "Priors",
    "SamplerSettings",
    "Scenario",
    "__version__",
    "build_model",
    "fit",
    "load_lexicon",
    "load_scenario",
]

_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from cfprob import api

        return getattr(api, name)
    raise AttributeError(f"module 'cfprob' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API)
