"""Fitting: a scenario to arrays, the PyMC model (the specification), the hand-written log density nutpie
samples and its compiled code, reported values, sampling and provenance."""
