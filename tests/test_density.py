"""The hand-written log density nutpie samples is the PyMC model's: the same free parameters in the same order,
the same initial point, the same log density and gradient at random points for every claim family, on the
bundled and the test scenario, and the same reported values; its scalar helpers against scipy."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import special

from cfprob.claims import FAMILIES
from cfprob.claims import density as dn
from cfprob.fitting import density
from cfprob.fitting.derived import DIMS, reported
from cfprob.fitting.design import ModelData, design
from cfprob.fitting.free import free_parameters, initial_point
from cfprob.fitting.priors import Priors
from cfprob.reading.loader import load_scenario

from .conftest import REPO, WEIMAR

SCENARIOS = {"ussr": REPO / "priors" / "ussr", "weimar": WEIMAR}
RELATIVE, ABSOLUTE = 1e-6, 1e-5
"""Agreement asked of the hand-written density with PyTensor's: PyTensor's normal log cdf is accurate to about
3e-8 (scipy's, and the hand-written one, to 1e-14: the first test), over some dozens of claims."""


def test_log_ndtr_and_its_slope_match_scipy_in_both_tails() -> None:
    for z in (-45.0, -31.0, -29.0, -8.0, -1.0, -0.3, 0.0, 0.4, 3.0, 12.0):
        assert dn.log_ndtr(z) == pytest.approx(float(special.log_ndtr(z)), rel=1e-12, abs=1e-300)
        slope = math.exp(dn.log_phi(z) - float(special.log_ndtr(z)))
        assert dn.d_log_ndtr(z) == pytest.approx(slope, rel=1e-9)


def test_digamma_matches_scipy() -> None:
    for x in (1e-3, 0.2, 1.0, 2.5, 5.9, 6.0, 40.0, 1e4):
        assert dn.digamma(x) == pytest.approx(float(special.digamma(x)), rel=1e-12, abs=1e-12)


def test_softplus_and_sigmoid_are_stable_far_out() -> None:
    assert dn.softplus(800.0) == 800.0 and dn.softplus(-800.0) == 0.0
    assert dn.sigmoid(-800.0) == 0.0 and dn.sigmoid(800.0) == 1.0
    assert dn.softplus(0.0) == pytest.approx(math.log(2.0))


def test_half_normal_log_is_pymcs_density_with_the_jacobian() -> None:
    value, log_density, slope = dn.half_normal_log(math.log(0.3), 0.5)
    assert value == pytest.approx(0.3)
    expected = math.log(2.0) - 0.5 * math.log(2 * math.pi) - math.log(0.5) - 0.5 * (0.3 / 0.5) ** 2 + math.log(0.3)
    assert log_density == pytest.approx(expected)
    assert slope == pytest.approx(1.0 - (0.3 / 0.5) ** 2)


class _Oracle:
    """The PyMC model of a scenario, compiled once: log density and gradient at a point of the free vector."""

    def __init__(self, data: ModelData, priors: Priors) -> None:
        from cfprob.fitting.model import build_model
        from cfprob.fitting.runtime import prepare

        prepare()
        self.model = build_model(data, priors)
        self.parameters = free_parameters(data, priors)
        self.logp = self.model.compile_logp()
        self.dlogp = self.model.compile_dlogp()

    def set_weights(self, data: ModelData) -> None:
        """Give the compiled model the claims' weights of ``data`` (its inputs: no new compile)."""
        for family in FAMILIES:
            if len(data.blocks[family.name]):
                self.model[f"{family.name}_weight"].set_value(data.blocks[family.name].weight)
        if len(data.choices):  # a claim's choice is tempered with it
            self.model["choice_weight"].set_value(data.choices.weight)

    def point(self, x: np.ndarray) -> dict[str, np.ndarray]:
        return {p.parameter.sampled_name: x[p.start : p.stop].reshape(p.shape) for p in self.parameters}

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        point = self.point(x)
        return float(self.logp(point)), np.asarray(self.dlogp(point))


def _hand_written(data: ModelData, priors: Priors, x: np.ndarray, families: Any = None) -> tuple[float, np.ndarray]:
    parameters = free_parameters(data, priors)
    floats, ints = density.pack(data, priors, parameters)
    grad = np.zeros_like(x)
    value = density.log_density(x, grad, floats, ints, families or density.families_function())
    return value, grad


@pytest.fixture(scope="module", params=sorted(SCENARIOS))
def scenario_data(request: pytest.FixtureRequest) -> tuple[str, ModelData]:
    return request.param, design(load_scenario(SCENARIOS[request.param]))


@pytest.fixture(scope="module")
def oracle(scenario_data: tuple[str, ModelData]) -> _Oracle:
    return _Oracle(scenario_data[1], Priors())


@pytest.mark.compiles
def test_free_parameters_and_initial_point_are_pymcs(scenario_data: tuple[str, ModelData], oracle: _Oracle) -> None:
    model = oracle.model
    names = [model.rvs_to_values[v].name for v in model.free_RVs]
    assert [p.parameter.sampled_name for p in oracle.parameters] == names
    start = model.initial_point()
    assert [p.shape for p in oracle.parameters] == [np.shape(start[n]) for n in names]
    expected = np.concatenate([np.ravel(start[n]) for n in names])
    np.testing.assert_allclose(initial_point(oracle.parameters, Priors()), expected)


@pytest.mark.compiles
def test_log_density_and_gradient_are_pymcs_at_random_points(
    scenario_data: tuple[str, ModelData], oracle: _Oracle
) -> None:
    _, data = scenario_data
    start = np.asarray(initial_point(oracle.parameters, Priors()))
    rng = np.random.default_rng(7)
    for scale in (0.3, 1.0, 1.5):
        x = start + rng.normal(0.0, scale, start.shape)
        value, grad = _hand_written(data, Priors(), x)
        expected, expected_grad = oracle(x)
        assert value == pytest.approx(expected, rel=RELATIVE, abs=ABSOLUTE)
        np.testing.assert_allclose(grad, expected_grad, rtol=RELATIVE, atol=ABSOLUTE)


@pytest.mark.compiles
def test_every_claim_family_alone_is_pymcs(scenario_data: tuple[str, ModelData], oracle: _Oracle) -> None:
    """Each family's density on its own (every other claim at weight 0, in both models), so a wrong term cannot
    hide behind a larger one; the test scenario has claims of every family."""
    name, data = scenario_data
    present = [f for f in FAMILIES if len(data.blocks[f.name])]
    if name == "weimar":
        assert len(present) == len(FAMILIES)
    start = np.asarray(initial_point(oracle.parameters, Priors()))
    rng = np.random.default_rng(11)
    try:
        for family in present:
            silenced = {f.name: np.zeros(len(data.blocks[f.name])) for f in present if f is not family}
            alone = data.with_blocks(**{f: replace(data.blocks[f], weight=w) for f, w in silenced.items()})
            oracle.set_weights(alone)
            x = start + rng.normal(0.0, 0.8, start.shape)
            value, grad = _hand_written(alone, Priors(), x)
            expected, expected_grad = oracle(x)
            assert value == pytest.approx(expected, rel=RELATIVE, abs=ABSOLUTE), family.name
            np.testing.assert_allclose(grad, expected_grad, rtol=RELATIVE, atol=ABSOLUTE, err_msg=family.name)
    finally:
        oracle.set_weights(data)


@pytest.mark.compiles
def test_a_model_variant_is_data_too() -> None:
    """Prior scales reach the hand-written density as data: a variant agrees with its own PyMC model."""
    data = design(load_scenario(WEIMAR))
    variant = Priors(worldview_loading_sd=0.0, ordering_tau=0.8, poll_dispersion_scale=0.7)
    oracle = _Oracle(data, variant)
    start = np.asarray(initial_point(oracle.parameters, variant))
    x = start + np.random.default_rng(3).normal(0.0, 0.7, start.shape)
    value, grad = _hand_written(data, variant, x)
    expected, expected_grad = oracle(x)
    assert value == pytest.approx(expected, rel=RELATIVE, abs=ABSOLUTE)
    np.testing.assert_allclose(grad, expected_grad, rtol=RELATIVE, atol=ABSOLUTE)


@pytest.mark.compiles
def test_the_oracle_catches_a_wrong_gradient(
    scenario_data: tuple[str, ModelData], oracle: _Oracle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A family density that forgets one gradient term (the claimant's bias) is caught."""
    from cfprob.claims import point

    _, data = scenario_data
    x = np.asarray(initial_point(oracle.parameters, Priors())) + 0.4
    original = point.FAMILY.density

    def forgetful(b: Any, s: Any, g: Any, own: Any, gown: Any) -> float:
        kept = g.bias.copy()
        result = original(b, s, g, own, gown)
        g.bias[...] = kept
        return result

    monkeypatch.setattr(point, "FAMILY", replace(point.FAMILY, density=forgetful))
    monkeypatch.setattr(density, "FAMILIES", tuple(point.FAMILY if f.name == "point" else f for f in FAMILIES))
    value, grad = _hand_written(data, Priors(), x, density.families_function())
    expected, expected_grad = oracle(x)
    assert value == pytest.approx(expected, rel=RELATIVE, abs=ABSOLUTE)  # the value is right...
    assert not np.allclose(grad, expected_grad, rtol=RELATIVE, atol=ABSOLUTE)  # ...and the gradient is caught


@pytest.mark.compiles
def test_reported_values_are_the_pymc_models(scenario_data: tuple[str, ModelData], oracle: _Oracle) -> None:
    _, data = scenario_data
    model = oracle.model
    sampled = {p.parameter.sampled_name for p in oracle.parameters}
    outputs = [v for v in model.unobserved_value_vars if v.name not in sampled]
    values = model.compile_fn(outputs, inputs=model.value_vars, on_unused_input="ignore")
    start = np.asarray(initial_point(oracle.parameters, Priors()))
    xs = start + np.random.default_rng(5).normal(0.0, 0.8, (4, len(start)))
    free = {p.parameter.sampled_name: xs[:, p.start : p.stop].reshape(4, *p.shape) for p in oracle.parameters}
    got = reported(free, oracle.parameters, data, Priors())
    assert set(got) == {v.name for v in outputs}
    for i in range(4):
        for variable, expected in zip(outputs, values(oracle.point(xs[i])), strict=True):
            np.testing.assert_allclose(got[variable.name][i], expected, rtol=1e-9, atol=1e-12, err_msg=variable.name)
    for name in got:
        if name in DIMS:
            assert DIMS[name] == tuple(model.named_vars_to_dims.get(name) or ()), name


@pytest.mark.compiles
def test_compiled_log_density_is_the_plain_one(tmp_path: Path) -> None:
    """Numba's machine code computes what the plain Python functions do (compiled once per test session)."""
    pytest.importorskip("numba")
    import ctypes

    from cfprob.fitting.compiled import _assemble, _callbacks, code_key

    data = design(load_scenario(WEIMAR))
    priors = Priors()
    callbacks = _callbacks(code_key(), may_compile=True)
    model = _assemble(data, priors, callbacks)
    x = np.asarray(initial_point(free_parameters(data, priors), priors)) + 0.3
    grad = np.zeros_like(x)
    logp = np.zeros(())
    double = ctypes.POINTER(ctypes.c_double)
    code = callbacks[0].ctypes(
        len(x), x.ctypes.data_as(double), grad.ctypes.data_as(double), logp.ctypes.data_as(double),
        model.user_data.ctypes.data_as(ctypes.c_void_p),
    )  # fmt: skip
    assert code == 0
    value, expected_grad = _hand_written(data, priors, x)
    assert float(logp) == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-10, atol=1e-12)
    wrong = np.zeros(len(x) + 1)  # a vector of another length than the model's is refused
    pointer = wrong.ctypes.data_as(double)
    user_data = model.user_data.ctypes.data_as(ctypes.c_void_p)
    assert callbacks[0].ctypes(len(wrong), pointer, pointer, logp.ctypes.data_as(double), user_data) == -1
