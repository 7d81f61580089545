"""Answers and checks from draws: queries, curves, likelihoods, predictive checks, sensitivity, calibration,
backtest."""
