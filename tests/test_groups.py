"""A saved fit is a complete ArviZ object (cfprob.answers.groups)."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from cfprob.answers.groups import GROUPS
from cfprob.answers.likelihood import Draws, claim_log_likelihood, claim_order
from cfprob.fitting.design import design
from cfprob.fitting.priors import Priors
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
    code, _, err = invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--out", str(out), "--whole")
    assert code == 0, err
    tree = xr.open_datatree(out, engine="h5netcdf").load()  # the file as ArviZ reads it
    assert set(GROUPS) <= set(tree.children) and "design" not in tree.children
    data = design(scenario)
    internal = load_tree(out)  # the same file as cfprob reads it back
    posterior = internal["posterior"].to_dataset()
    # the log-likelihood is each claim's, in claim order, with its author and kind
    ll = tree["log_likelihood"].to_dataset()["claims"]
    assert list(ll["claim"].values) == list(claim_order(data))
    expected = claim_log_likelihood(Draws.from_posterior(posterior), data)
    np.testing.assert_allclose(ll.values.reshape(expected.shape), expected)
    kinds = dict(zip(ll["claim"].values, ll["claim_kind"].values, strict=True))
    assert kinds["poll-no-depression"] == "poll" and kinds["ada-late-republic"] == "level"
    # what each claim stated as one number, beside the same number read off its replicas (posterior and prior),
    # under the log-likelihood's name and coords
    observed = tree["observed_data"].to_dataset()["claims"]
    assert list(observed["claim"].values) == list(ll["claim"].values)
    for group in ("posterior_predictive", "prior_predictive"):
        predictive = tree[group].to_dataset()
        assert list(predictive.data_vars) == ["claims"] and predictive["claims"].dims == ll.dims
    stated = dict(zip(observed["claim"].values, observed.values, strict=True))
    point = data.blocks["point"]
    for i, claim in enumerate(point.ids):
        assert stated[claim] == point.value[i]  # a stated logit
    votes = data.blocks["poll"].votes[0]
    assert stated["poll-no-depression"] == (votes * np.arange(len(votes))).sum() / votes.sum()  # the average bin
    assert stated["ada-late-republic"] == data.blocks["level"].value[0]
    replicas = tree["posterior_predictive"].to_dataset()["claims"]
    for kind in ("interval", "ordering", "uncertain", "era"):  # stated as holding: 1, replicas 1 or 0
        chosen = (observed["claim_kind"] == kind).values
        if chosen.any():
            assert (observed.values[chosen] == 1).all() and np.isin(replicas.values[..., chosen], (0, 1)).all()
    # ArviZ's names: p_outcome instead of theta, nothing named like an ArviZ dimension, lp in sample_stats
    exported = tree["posterior"].to_dataset()
    assert "theta" not in exported and "alpha" not in exported and "intercept" in exported
    p = exported["p_outcome"]
    assert p.dims == ("chain", "draw", "pod", "outcome") and set(p.coords) == {"chain", "draw", "pod", "outcome"}
    np.testing.assert_array_equal(p.values, posterior["theta"].values)
    # the prior has the posterior's names and dims
    prior = tree["prior"].to_dataset()
    for name in ("p_outcome", "intercept", "sigma_u", "u", "history"):
        assert prior[name].dims == exported[name].dims, name
    labels = tree["constant_data"].to_dataset()
    assert "Survives" in list(labels["outcome_label"].values) and labels["pod_title"].dims == ("pod",)
    # the test scenario declares no leader changes: every feature's prior sd is the judgement of the fit
    assert labels["feature_prior_sd"].dims == ("feature",) and not labels["feature_prior_from_data"].values.any()
    judgement = float(tree.attrs.get("prior_beta_sd", Priors().beta_sd))
    assert labels["feature_prior_sd"].values.tolist() == [judgement] * labels.sizes["feature"]
    # read back, the result answers as the fit it came from
    code, saved, _ = invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--from", str(out), "--json")
    code_cached, cached_json, _ = invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--json")
    assert code == code_cached == 0
    assert json.loads(saved)["answer"] == json.loads(cached_json)["answer"]


def test_run_output_keeps_the_groups(tmp_path) -> None:
    scenario = load_scenario(WEIMAR)
    install_fake_fit(scenario)
    out = tmp_path / "r.nc"
    code, _, err = invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--output", str(out))
    assert code == 0, err
    with xr.open_datatree(out, engine="h5netcdf") as tree:
        assert set(GROUPS) | {"posterior", "sample_stats", "answer"} <= set(tree.children)


def test_one_answer_is_slim_and_says_what_it_holds(tmp_path) -> None:
    """`run POD --out` keeps that answer's draws (and real history's) with every group; --whole the whole fit;
    the slim file cannot answer other questions, and says so."""
    scenario = load_scenario(WEIMAR)
    install_fake_fit(scenario)
    slim, whole = tmp_path / "slim.nc", tmp_path / "whole.nc"
    code, _, err = invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--out", str(slim))
    assert code == 0 and "saved this answer's draws (otl, no-depression-1929)" in err, err
    code, _, err = invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--out", str(whole), "--whole")
    assert code == 0 and "saved the whole fit" in err, err
    with xr.open_datatree(slim, engine="h5netcdf") as small, xr.open_datatree(whole, engine="h5netcdf") as big:
        assert list(small["posterior"].to_dataset().data_vars) == ["p_outcome", "sigma_u"]
        assert list(small["posterior"]["pod"].values) == ["otl", "no-depression-1929"]
        assert set(small.children) == set(big.children)
        assert "compares the fit with itself" in small.attrs["note"]
    assert slim.stat().st_size < whole.stat().st_size / 2
    code, _, err = invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--from", str(slim))
    assert code == 1 and "expected a whole fit (saved with run --out --whole)" in err and str(slim) in err
    assert invoke("run", "--scenario", str(WEIMAR), "no-depression-1929", "--whole")[0] == 2  # needs --out
