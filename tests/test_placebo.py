"""The placebo check (cfprob.answers.placebo) fails on a broken model (it passes on the shipped one in
``tests/test_fit.py::test_a_divergence_that_changes_nothing_stays_real_history``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cfprob.answers.placebo import PlaceboResult, placebo_check, placebo_year, with_placebo
from cfprob.fitting.inference import fit
from cfprob.fitting.provenance import SamplerSettings
from cfprob.reading.loader import load_scenario


def test_the_band_decides(weimar: Path) -> None:
    inside = PlaceboResult("placebo", 1930, {"a": 0.35, "b": 0.65}, {"a": 0.0, "b": 0.0})
    assert inside.passed
    outside = PlaceboResult("placebo", 1930, {"a": 0.92, "b": 0.5}, {"a": 0.2, "b": 0.0})
    assert not outside.passed
    assert outside.failures == [
        "placebo divergence in 1930: P(raises a) = 0.92, outside 0.35-0.65 (a divergence that changes nothing "
        "moves the answer)"
    ]


def test_the_placebo_is_added_apart(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    year = placebo_year(scenario)
    years = sorted(p.year for p in scenario.pods if p.year is not None and p.id != "otl")
    assert year == int(np.median(years))
    changed, pod = with_placebo(scenario, year)
    assert changed.pod_ids == (*scenario.pod_ids, pod)
    assert changed.content_hash != scenario.content_hash  # fitted and cached apart
    assert changed.pod(pod).features == ()
    assert not changed.claims_about(pod)


SETTINGS = SamplerSettings(draws=500, tune=500, chains=2, seed=3, sampler="pymc")


@pytest.mark.mcmc
def test_a_model_with_a_shared_divergence_effect_fails(weimar: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The version-3 pathology, put back: every divergence point shares one effect (and has none of its own:
    its features' and own effects are dropped), which the claims about some of them set. The placebo inherits
    it and leans the way the claims do. (With the own effects kept, the shared one leaned the placebo only to
    the band's edge, 0.63 / 0.36 / 0.60, and the verdict turned on rounding.)"""
    import pymc as pm

    import cfprob.fitting.model as model

    shipped = model.divergence_logits

    def shared(history, era, year_weights, effect, xp):  # type: ignore[no-untyped-def]
        eta = shipped(history, era, year_weights, effect * 0.0, xp)
        common = pm.Normal("shared_divergence_effect", 0.0, 1.5, shape=eta.shape[-1])
        divergences = np.ones((year_weights.get_value().shape[0], 1))
        divergences[0] = 0.0  # real history keeps none
        return eta + divergences * common

    monkeypatch.setattr(model, "divergence_logits", shared)
    result = placebo_check(load_scenario(weimar), lambda s: fit(s, SETTINGS))
    assert not result.passed, result.p_raise
    assert max(abs(p - 0.5) for p in result.p_raise.values()) > 0.25, result.p_raise  # far outside, not at the edge
