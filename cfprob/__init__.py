"""cfprob: forecasting the past.

Bayesian, Monte Carlo answers to counterfactual-history questions, with every number traceable to who
claimed what and to real data. The pure core (scenario loading, validation, lexicon) imports no PyMC;
:mod:`cfprob.fitting.model` and :mod:`cfprob.fitting.inference` do.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
