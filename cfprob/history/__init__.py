"""Real history from data: regimes observed year by year, the competing-risks hazard model fitted to them, and
real history's curve it gives (pure numpy)."""

from cfprob.history.hazard import HazardFit, HazardPriors, fit_hazards, outcome_probabilities
from cfprob.history.prior import CurvePrior, history_prior
from cfprob.history.regimes import Regime, case_at_hand, reference_regimes

__all__ = [
    "CurvePrior",
    "HazardFit",
    "HazardPriors",
    "Regime",
    "case_at_hand",
    "fit_hazards",
    "history_prior",
    "outcome_probabilities",
    "reference_regimes",
]
