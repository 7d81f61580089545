"""Where an answer comes from (cfprob.answers.sources): by hand, the JSON, thin features, and `run`."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from cfprob.answers.query import Answer, OutcomeRow
from cfprob.answers.sources import PodSources, Sources, feature_support
from cfprob.outputs.tables import sources_table
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR
from .fakes import install_fake_fit, invoke

OUTCOMES = ("survives", "dictatorship", "civil_war")


def _pod_sources(khat: tuple[float, float] = (0.2, 0.9)) -> PodSources:
    return PodSources(
        no_claims=np.array([0.3, 0.5, 0.2]),
        features_only=None,
        every_claim=np.array([0.4, 0.4, 0.2]),
        claimants=("ada", "bert"),
        without=np.array([[0.35, 0.45, 0.2], [0.6, 0.3, 0.1]]),
        khat=np.asarray(khat),
    )


def test_range_and_mover_by_hand() -> None:
    found = _pod_sources()
    assert found.range_without(0) == (0.35, 0.6)
    claimant, change, reliable = found.mover(0)  # type: ignore[misc]
    assert claimant == "bert" and change == pytest.approx(0.2) and not reliable  # k 0.9 > 0.7
    assert found.mover(2)[0] == "bert"  # type: ignore[index]


def test_json_has_no_nan() -> None:
    found = _pod_sources(khat=(0.2, math.inf))
    payload = json.loads(json.dumps(found.to_dict(OUTCOMES), allow_nan=False))
    assert payload["without_claimant"]["bert"]["pareto_k"] is None
    assert payload["features_only"] is None
    assert payload["leaving_out_each_claimant"]["survives"]["moved_most_by"]["claimant"] == "bert"


def test_sources_at_a_point_without_features() -> None:
    sources = Sources(
        claimants=("ada",),
        no_claims=np.full((2, 3), 1 / 3),
        features_only=np.array([[np.nan] * 3, [0.2, 0.3, 0.5]]),
        every_claim=np.full((2, 3), 1 / 3),
        without=np.full((1, 2, 3), 1 / 3),
        khat=np.array([0.1]),
    )
    assert sources.at(0).features_only is None
    np.testing.assert_allclose(sources.at(1).features_only, [0.2, 0.3, 0.5])  # type: ignore[arg-type]


def test_feature_support_counts_claimants_by_hand() -> None:
    """economy_spared is only on no-depression-1929; its effect rests on the claimants of claims about it."""
    scenario = load_scenario(WEIMAR)
    expected = {c.author for c in scenario.scored_claims if "no-depression-1929" in c.pods}
    assert set(feature_support(scenario, "economy_spared")) == expected
    assert feature_support(scenario, "elite_restraint")  # on two points, with claims


def test_a_thin_feature_is_flagged() -> None:
    """Ada alone speaks about the one divergence point with economy_spared: its effect is flagged."""
    from dataclasses import replace

    full = load_scenario(WEIMAR)
    scenario = replace(full, claims=tuple(c for c in full.claims if c.author == "ada"))
    voices = feature_support(scenario, "economy_spared")
    assert voices == ("ada",)
    rows = tuple(OutcomeRow(o, 1 / 3, 0.1, 0.6, 0.0, -0.1, 0.1, 0.5) for o in OUTCOMES)
    answer = Answer("no-depression-1929", ("no-depression-1929",), {}, False, rows, {}, 100, 1929,
                    sources=_pod_sources())  # fmt: skip
    _, table, sentence = sources_table(answer, scenario)
    assert [r[0] for r in table] == ["no claims (data and priors)", "every claim (the answer)", "one claimant left out"]
    assert "Leaving out Bert moves it most: survives 0.40 -> 0.60 (Pareto k above 0.7" in sentence
    assert "Thinly supported: the effect of economy_spared rests on the claims of 1 claimant (Ada)." in sentence
    _, _, full_sentence = sources_table(answer, full)
    assert "Thinly supported" not in full_sentence  # three claimants speak about it in the whole scenario


def test_run_prints_where_the_number_comes_from() -> None:
    install_fake_fit(load_scenario(WEIMAR))
    code, out, err = invoke("run", "grand-coalition-1930", "--scenario", str(WEIMAR))
    assert code == 0, err
    assert "Where the number comes from:" in out and "every claim (the answer)" in out
    code, out, _ = invoke("run", "grand-coalition-1930", "--scenario", str(WEIMAR), "--json")
    found = json.loads(out)["answer"]["where_it_comes_from"]
    assert set(found) >= {"no_claims", "features_only", "every_claim", "leaving_out_each_claimant"}


def test_selection_sensitivity_reads_each_strengths_fit_and_flags_bad_ones() -> None:
    from cfprob.cli.answers import SELECTION_STRENGTHS
    from cfprob.fitting.priors import Priors

    scenario = load_scenario(WEIMAR)
    install_fake_fit(scenario)
    for strength in SELECTION_STRENGTHS:  # each strength is a model variant, cached apart
        install_fake_fit(scenario, priors=Priors(selection_mean=strength, selection_sd=0.01))
    code, out, err = invoke("run", "grand-coalition-1930", "--scenario", str(WEIMAR), "--selection-sensitivity")
    assert code == 0, err
    assert "The answer across the selection's strength" in out
    assert all(f"fixed at {s:g}" in out for s in SELECTION_STRENGTHS)
    code, out, _ = invoke("run", "grand-coalition-1930", "--scenario", str(WEIMAR), "--selection-sensitivity", "--json")
    rows = json.loads(out)["selection_sensitivity"]
    assert [r["strength"] for r in rows] == list(SELECTION_STRENGTHS)


def test_a_strength_the_sampler_did_not_converge_on_says_so() -> None:
    from cfprob.outputs.tables import selection_lines

    rows = tuple(OutcomeRow(o, 1 / 3, 0.1, 0.6, 0.0, -0.1, 0.1, 0.5) for o in OUTCOMES)
    answer = Answer("x", ("x",), {}, False, rows, {}, 100, 1929)
    healthy = {"diag_divergences": 0, "diag_max_rhat": 1.004, "diag_min_ess_bulk": 900.0, "diag_ess_threshold": 400}
    stuck = {**healthy, "diag_max_rhat": 1.08, "diag_min_ess_bulk": 44.0}
    text = "\n".join(selection_lines(answer, [(0.0, answer, healthy), (2.0, answer, stuck)]))
    assert "fixed at 0" in text and "ok" in text
    assert "not converged (r_hat 1.08); few effective draws (44)" in " ".join(text.split())


def test_judged_priors_reweighted_by_hand() -> None:
    """Draws of a judged effect from N(0, 1), reweighted to the prior sd 0.5: the mean square becomes 0.25
    (the answer here is the effect's square, one value per draw)."""
    from types import SimpleNamespace

    from cfprob.answers.find_sources import _judged
    from cfprob.fitting.priors import Priors

    rng = np.random.default_rng(3)
    beta = rng.normal(0.0, 1.0, (8000, 2, 1))  # two features, one logit
    data = SimpleNamespace(feature_sd_data=np.array([np.nan, 0.8]))  # the second's prior is from data
    flat = beta[:, 0, :] ** 2
    sds, answers, khats = _judged(beta, data, 4, flat, Priors(beta_sd=1.0))  # type: ignore[arg-type]
    assert sds.tolist() == [0.5, 2.0]
    assert answers[0, 0] == pytest.approx(0.25, abs=0.03)
    assert khats[0] < 0.7  # a narrower prior: the weights are bounded
    data_only = SimpleNamespace(feature_sd_data=np.array([0.8, 0.8]))
    assert len(_judged(beta, data_only, 4, flat, Priors())[0]) == 0  # type: ignore[arg-type]


def test_judged_rows_and_the_feature_priors_sentence() -> None:
    from dataclasses import replace

    scenario = load_scenario(WEIMAR)
    judged = ((0.5, np.array([0.5, 0.3, 0.2]), 0.1), (2.0, np.array([0.3, 0.5, 0.2]), 0.9))
    rows = tuple(OutcomeRow(o, 1 / 3, 0.1, 0.6, 0.0, -0.1, 0.1, 0.5) for o in OUTCOMES)
    answer = Answer("no-depression-1929", ("no-depression-1929",), {}, False, rows, {}, 100, 1929,
                    sources=replace(_pod_sources(), judged=judged))  # fmt: skip
    _, table, sentence = sources_table(answer, scenario)
    assert [r[0] for r in table][-2:] == ["judged feature priors at sd 0.5", "judged feature priors at sd 2 (k > 0.7)"]
    assert table[-2][1:] == ["0.50", "0.30", "0.20"]
    assert (
        "Prior of each feature's effect (logits): economy_spared sd 1.00, a judgement, no data behind it." in sentence
    )
    dumped = answer.sources.to_dict(OUTCOMES)  # type: ignore[union-attr]
    assert dumped["judged_feature_priors"][1] == {
        "sd": 2.0,
        "answer": {"survives": 0.3, "dictatorship": 0.5, "civil_war": 0.2},
        "pareto_k": 0.9,
    }


def test_run_json_says_where_each_feature_prior_comes_from() -> None:
    install_fake_fit(load_scenario(WEIMAR))
    code, out, err = invoke("run", "grand-coalition-1930", "--scenario", str(WEIMAR), "--json")
    assert code == 0, err
    priors = json.loads(out)["feature_priors"]
    assert priors == {"elite_restraint": {"sd": 1.0, "from_data": False, "basis": "a judgement, no data behind it"}}
