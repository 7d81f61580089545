"""A saved fit is a complete ArviZ object (cfprob.answers.groups)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from cfprob.answers.groups import GROUPS
from cfprob.answers.likelihood import Draws, claim_log_likelihood, claim_order
from cfprob.fitting.design import design
from cfprob.fitting.provenance import SamplerSettings
from cfprob.outputs.store import cache_path, load_tree
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR
from .fakes import install_fake_fit, invoke


def test_a_saved_result_carries_every_group_and_reads_back(tmp_path) -> None:
    scenario = load_scenario(WEIMAR)
    install_fake_fit(scenario)
    cached = load_tree(cache_path(scenario, SamplerSettings()))
    assert not set(GROUPS) & set(cached.children)  # the cache stays lean: answers need only the posterior
    out = tmp_path / "r.nc"
    code, _, err = invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--out", str(out))
    assert code == 0, err
    tree = load_tree(out)
    assert set(GROUPS) <= set(tree.children)
    data = design(scenario)
    posterior = tree["posterior"].to_dataset()
    # the log-likelihood is each claim's, in claim order, with its author and kind
    ll = tree["log_likelihood"].to_dataset()["claims"]
    assert list(ll["claim"].values) == list(claim_order(data))
    expected = claim_log_likelihood(Draws.from_posterior(posterior), data)
    np.testing.assert_allclose(ll.values.reshape(expected.shape), expected)
    kinds = dict(zip(ll["claim"].values, ll["claim_kind"].values, strict=True))
    assert kinds["poll-no-depression"] == "poll" and kinds["ada-late-republic"] == "level"
    # what was stated, beside its replicas on the same scale; latent-only families are left out
    observed = tree["observed_data"].to_dataset()
    predictive = tree["posterior_predictive"].to_dataset()
    np.testing.assert_array_equal(observed["point"].values, data.point.value)
    np.testing.assert_array_equal(observed["poll"].values, data.blocks["poll"].votes)
    assert predictive["poll"].shape[-2:] == data.blocks["poll"].votes.shape
    assert "interval" not in observed and "uncertain" not in observed
    # the prior has the posterior's names and dims
    prior = tree["prior"].to_dataset()
    for name in ("theta", "alpha", "sigma_u", "u", "history"):
        assert prior[name].dims == posterior[name].dims, name
    # P(outcome | divergence point), labelled
    p = posterior["p_outcome"]
    assert p.dims == ("chain", "draw", "pod", "outcome")
    assert "Survives" in list(p["outcome_label"].values)


def test_run_output_keeps_the_groups(tmp_path) -> None:
    scenario = load_scenario(WEIMAR)
    install_fake_fit(scenario)
    out = tmp_path / "r.nc"
    code, _, err = invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--output", str(out))
    assert code == 0, err
    with xr.open_datatree(out, engine="h5netcdf") as tree:
        assert set(GROUPS) | {"posterior", "sample_stats", "answer"} <= set(tree.children)
