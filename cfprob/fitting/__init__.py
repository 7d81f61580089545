"""Fitting: a scenario to arrays, the PyMC model, its compiled code, sampling and provenance."""
