"""Cross-validation (cfprob.answers.crossval): errors first, then hand-computed scores, then the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from cfprob.answers.crossval import (
    GroupScore,
    ModelScore,
    compare_scores,
    groups_of,
    no_pooling_elpd,
    pit_uniformity,
    psis_elpd,
    refit_elpd,
    score_fit,
)
from cfprob.answers.likelihood import claim_order
from cfprob.fitting.design import design
from cfprob.fitting.draws import Draws
from cfprob.fitting.priors import Priors
from cfprob.reading.loader import load_scenario

from .fakes import fake_fit, install_fake_fit, invoke


def test_unknown_grouping_is_refused(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    with pytest.raises(ValueError, match="expected one of claimant, source, claim, found 'author'"):
        groups_of(scenario, design(scenario), "author")


def test_crossval_unknown_grouping_is_a_usage_error() -> None:
    code, _, err = invoke("crossval", "--by", "author")
    assert code == 2
    assert "'author' is not one of 'claimant', 'source', 'claim'" in err


# -- hand-computed values --------------------------------------------------------------------------
def test_groups_cover_every_claim_once(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    data = design(scenario)
    for by in ("claimant", "source", "claim"):
        groups = groups_of(scenario, data, by)
        assert sorted(i for index in groups.values() for i in index) == list(range(len(scenario.claims)))
    by_claimant = groups_of(scenario, data, "claimant")
    ids = claim_order(data)
    for claim in scenario.claims:
        assert ids.index(claim.id) in by_claimant[claim.author]


def test_a_constant_likelihood_scores_itself() -> None:
    """Every draw equally likely: the weights are uniform and elpd is the log-likelihood itself."""
    elpd, khat, weights = psis_elpd(np.full(400, -2.5), chains=4)
    assert elpd == pytest.approx(-2.5)
    np.testing.assert_allclose(weights, 1 / 400)
    assert khat == 0.0


def test_a_refit_scores_the_mean_density() -> None:
    ll = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    assert refit_elpd(ll) == pytest.approx(np.log(0.25))


def test_psis_elpd_is_below_the_in_sample_mean_density() -> None:
    """Leaving a group out can only make its predictive density lower than the full posterior's."""
    rng = np.random.default_rng(0)
    ll = rng.normal(-1.0, 0.5, 4000)
    elpd, khat, _ = psis_elpd(ll, chains=4)
    assert khat < 0.7
    assert elpd < np.log(np.mean(np.exp(ll)))


def test_differences_and_their_standard_error_by_hand() -> None:
    def score(name: str, values: list[float]) -> ModelScore:
        return ModelScore(name, tuple(GroupScore(str(i), (), v, 0.0, "psis") for i, v in enumerate(values)))

    reference = score("model", [-1.0, -2.0, -3.0])
    other = score("baseline", [-1.5, -2.0, -4.0])
    (c,) = compare_scores(reference, [other])
    assert c.difference == pytest.approx(-1.5)
    d = np.array([-0.5, 0.0, -1.0])
    assert c.se == pytest.approx(np.sqrt(3 * d.var(ddof=1)))
    assert reference.elpd == -6.0
    assert reference.se == pytest.approx(np.sqrt(3 * np.var([-1.0, -2.0, -3.0], ddof=1)))


def test_pit_counts_and_uniformity() -> None:
    counts, p = pit_uniformity(np.linspace(0.01, 0.99, 50))
    assert counts == [10, 10, 10, 10, 10]
    assert p > 0.9
    counts, p = pit_uniformity(np.full(50, 0.99))
    assert counts == [0, 0, 0, 0, 50]
    assert p < 1e-6


def test_no_pooling_baseline_by_hand(weimar: Path) -> None:
    """A held-out point claim: Normal density at the mean of the other claims on its divergence point and
    outcome (logit 1/K without any), with the spread of the training claims about their cells."""
    scenario = load_scenario(weimar)
    data = design(scenario)
    groups = groups_of(scenario, data, "claim")
    scores = {g.group: g for g in no_pooling_elpd(data, groups).groups}
    point = data.blocks["point"]
    j = 0
    others = [
        i for i in range(len(point)) if i != j and point.pod[i] == point.pod[j] and point.outcome[i] == point.outcome[j]
    ]
    centre = np.mean(point.value[others]) if others else np.log(1 / (len(data.outcomes) - 1))
    cells: dict[tuple[int, int], list[float]] = {}
    for i in range(len(point)):
        if i != j:
            cells.setdefault((point.pod[i], point.outcome[i]), []).append(point.value[i])
    deviations = [v - np.mean(vs) for vs in cells.values() if len(vs) > 1 for v in vs]
    dof = sum(len(vs) - 1 for vs in cells.values() if len(vs) > 1)
    spread = np.sqrt(np.sum(np.square(deviations)) / dof) if dof else 1.0
    sd = np.hypot(spread / point.confidence[j], point.extra[j])
    expected = point.weight[j] * stats.norm.logpdf(point.value[j], centre, sd)
    assert scores[point.ids[j]].elpd == pytest.approx(expected)
    assert scores[point.ids[j]].pit == pytest.approx((stats.norm.cdf((point.value[j] - centre) / sd),))


def test_a_fit_is_scored_group_by_group(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    data = design(scenario)
    tree = fake_fit(scenario)
    draws = Draws.from_posterior(tree["posterior"].to_dataset())
    groups = groups_of(scenario, data, "claimant")
    calls = []

    def refit(changed):
        calls.append(changed)
        return draws  # a stand-in for the refit's draws

    score = score_fit("model", draws, data, groups, 2, Priors(), refit=refit, max_refits=0)
    assert [g.group for g in score.groups] == list(groups)
    assert not calls  # no refit allowed
    assert all(np.isfinite(g.elpd) for g in score.groups)
    assert all(g.method in ("psis", "psis (k > 0.7)") for g in score.groups)
    point_claims = sum(len(score.groups[i].pit) for i in range(len(score.groups)))
    assert point_claims == len(data.blocks["point"])


def test_crossval_command_reports_every_model(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    install_fake_fit(scenario)
    install_fake_fit(scenario, priors=Priors(worldview_loading_sd=0.0))
    code, out, err = invoke("crossval", "--scenario", str(weimar), "--refits", "0", "--json")
    assert code == 0, err
    report = json.loads(out)
    names = [m["name"] for m in report["models"]]
    assert names == [
        "model (worldview factor)",
        "model without the worldview factor",
        "no pooling (claims at their stated values)",
    ]
    assert [d["model"] for d in report["differences"]] == names[1:]
    assert report["groups"] == len(scenario.claimants)
    code, out, _ = invoke("crossval", "--scenario", str(weimar), "--refits", "0")
    assert code == 0
    assert "Cross-validation: claims held out by claimant" in out
    assert "Best:" in out or "no clear best" in out


def test_no_model_is_called_best_within_one_standard_error() -> None:
    from cfprob.answers.crossval import Comparison
    from cfprob.outputs.check_tables import _verdict

    def score(name: str, elpd: float) -> ModelScore:
        return ModelScore(name, (GroupScore("g", ("c",), elpd, 0.0, "psis"),))

    model, other = score("model", -10.0), score("no pooling", -9.5)
    assert _verdict([model, other], {"no pooling": Comparison("no pooling", 0.5, 1.0)}).endswith("no clear best.")
    assert _verdict([model, other], {"no pooling": Comparison("no pooling", 0.5, 0.2)}) == "Best: no pooling."
    assert _verdict([other, model], {"model": Comparison("model", -0.5, 0.2)}) == "Best: no pooling."
