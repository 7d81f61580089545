"""Leave-one-out influence (cfprob.answers.sensitivity) and `cfprob sensitivity`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from cfprob.answers.sensitivity import KHAT_LIMIT, influences, without_claims
from cfprob.fitting.design import design
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

from .fakes import install_fake_fit, invoke


def test_needs_a_pod() -> None:
    code, _, err = invoke("sensitivity")
    assert code == 2 and "Missing argument" in err


def test_plot_path_checked_before_fitting(tmp_path: Path) -> None:
    code, _, err = invoke("sensitivity", "kosygin-1965", "--plot", str(tmp_path / "x.pdf"))
    assert code == 2 and "expected a file name ending in .png or .svg" in err


def test_without_claims_zeroes_only_their_weights(weimar: Path) -> None:
    data = design(load_scenario(weimar))
    changed = without_claims(data, ["cleo-ordering", "ada-no-depression"])
    assert changed.ordering.weight.tolist() == [0.0]
    assert changed.point.weight[list(data.point.ids).index("ada-no-depression")] == 0.0
    assert changed.point.weight.sum() == data.point.weight.sum() - 1.0
    assert changed.distribution.weight.tolist() == data.distribution.weight.tolist()


def test_reweighting_by_hand() -> None:
    """Two equally likely draws; leaving out a claim with likelihood ratio 3:1 between them moves the mean
    to 1/4 * first + 3/4 * second. (Pareto smoothing leaves so few draws unchanged.)"""
    theta = np.array([[[0.2, 0.8]], [[0.6, 0.4]]] * 50)  # 100 draws, 1 pod, 2 outcomes
    ll = np.log(np.array([[3.0], [1.0]] * 50))  # the claim favours the first draw 3:1
    (row,) = [r for r in influences(theta, ll, ["c1"], ["a"], ["otl"], ["otl"], 2) if r.group == "claim"]
    assert row.base == pytest.approx((0.4, 0.6))
    assert row.without == pytest.approx((0.25 * 0.2 + 0.75 * 0.6, 0.25 * 0.8 + 0.75 * 0.4))
    assert row.khat < KHAT_LIMIT


def test_a_claimant_row_leaves_out_all_their_claims() -> None:
    rng = np.random.default_rng(1)
    theta = rng.dirichlet([2, 2, 2], size=(400, 1))
    ll = rng.normal(0, 0.3, (400, 3))
    rows = influences(theta, ll, ["x1", "x2", "y1"], ["x", "x", "y"], ["p"], ["p"], 4)
    by_id = {(r.group, r.id): r for r in rows}
    assert by_id[("claimant", "x")].claims == ("x1", "x2")
    assert [r.size for r in rows] == sorted((r.size for r in rows), reverse=True)


def test_sensitivity_command_on_a_fake_fit(tmp_path: Path) -> None:
    install_fake_fit(load_scenario(bundled_scenario()))
    plot = tmp_path / "s.png"
    code, out, _ = invoke("sensitivity", "kosygin-1965", "--refits", "0", "--plot", str(plot))
    assert code == 0, out
    assert "which claims drive P(outcome | kosygin-1965)" in " ".join(out.split())
    assert "Power-scaling sensitivity" in out and "Without " in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = invoke("sensitivity", "kosygin-1965", "--refits", "0", "--json")
    rows = json.loads(out)["pods"]["kosygin-1965"]["left_out"]
    scored = load_scenario(bundled_scenario()).scored_claims
    assert len(rows) == len({c.author for c in scored}) + len(scored)  # every claimant, every fitted claim
    assert invoke("sensitivity", "kosygin-1965", "--refits", "0", "--plot", str(plot))[0] == 1  # no overwrite


@pytest.mark.mcmc
def test_reweighting_agrees_with_exact_refits(weimar: Path) -> None:
    """On the small scenario, PSIS-reweighted answers match refits without the claims (k <= 0.7)."""
    code, out, err = invoke(
        "sensitivity",
        "--scenario",
        str(weimar),
        "no-depression-1929",
        "--refits",
        "4",
        "--json",
        "--draws",
        "500",
        "--tune",
        "500",
        "--target-accept",
        "0.95",
    )
    assert code == 0, err
    refitted = [r for r in json.loads(out)["pods"]["no-depression-1929"]["left_out"] if r["refit"]]
    assert len(refitted) >= 3
    compared = [r for r in refitted if r["pareto_k"] <= KHAT_LIMIT]
    assert compared
    base = json.loads(out)["pods"]["no-depression-1929"]["base"]
    for r in compared:
        for outcome, value in r["refit"].items():
            # Monte Carlo error of a 2,000-draw refit plus importance-sampling error at k up to 0.7: a few
            # hundredths; a wrong weight (a sign error, say) is off by tenths
            assert abs(r["without"][outcome] - value) < 0.1, r
            if abs(value - base[outcome]) > 0.05:  # a clear move: reweighting sees it in the same direction
                assert (r["without"][outcome] - base[outcome]) * (value - base[outcome]) > 0, r


def test_leave_one_out_weights_are_kept_with_the_fit_and_refused_when_not_its_own(tmp_path: Path) -> None:
    """The weights read back equal those written; a file for another fit, or a damaged one, is never used."""
    from cfprob.answers.sensitivity import leave_one_out
    from cfprob.outputs.loo_file import read_leave_one_out, write_leave_one_out

    rng = np.random.default_rng(2)
    loo = leave_one_out(rng.normal(0, 0.3, (400, 3)), ["x1", "x2", "y1"], ["x", "x", "y"], 4)
    path = tmp_path / "weights.npz"
    write_leave_one_out(loo, path, "fit-a")
    back = read_leave_one_out(path, "fit-a")
    assert back is not None
    assert (
        back.groups
        == loo.groups
        == (
            ("claimant", "x", (0, 1)),
            ("claimant", "y", (2,)),
            ("claim", "x1", (0,)),
            ("claim", "x2", (1,)),
            ("claim", "y1", (2,)),
        )
    )
    np.testing.assert_array_equal(back.weights, loo.weights)
    np.testing.assert_array_equal(back.khat, loo.khat)
    assert read_leave_one_out(path, "fit-b") is None  # another fit's key
    body = path.read_bytes()
    path.write_bytes(body[: len(body) // 2])
    assert read_leave_one_out(path, "fit-a") is None  # cut short
    assert read_leave_one_out(tmp_path / "missing.npz", "fit-a") is None


def test_the_kept_weights_give_the_influences_computed_afresh(tmp_path: Path) -> None:
    """sensitivity reads the weights a first run kept: the same rows as computing them again."""
    install_fake_fit(load_scenario(bundled_scenario()))
    first = invoke("sensitivity", "kosygin-1965", "--refits", "0", "--json")
    kept = list((Path(os.environ["CFPROB_CACHE_DIR"]) / "leave-one-out").glob("*.npz"))
    assert first[0] == 0 and len(kept) == 1
    again = invoke("sensitivity", "kosygin-1965", "--refits", "0", "--json")
    assert again[0] == 0 and json.loads(again[1])["pods"] == json.loads(first[1])["pods"]
