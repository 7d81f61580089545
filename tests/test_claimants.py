"""Claimants' worldview positions and influence (cfprob.answers.claimants) and the ``claimants`` command."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cfprob.answers.claimants import claimant_views, claims_by_claimant, loadings
from cfprob.fitting.design import design
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR
from .fakes import fake_fit, install_fake_fit, invoke


def test_claimants_unknown_pod_is_refused(weimar: Path) -> None:
    install_fake_fit(load_scenario(weimar))
    code, out, err = invoke("claimants", "no-depression-1928", "--scenario", str(weimar))
    assert code == 1
    assert out == ""
    assert 'divergence point "no-depression-1928": not in this scenario' in err


def test_every_claimant_with_claims_is_listed_from_low_to_high(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    data = design(scenario)
    tree = fake_fit(scenario)
    rows = claimant_views(tree, data)
    counts = {name: len(index) for name, index in claims_by_claimant(data).items() if index}
    assert {r.claimant: r.claims for r in rows} == counts
    positions = [r.position for r in rows]
    assert positions == sorted(positions)
    posterior = tree["posterior"]
    for r in rows:
        values = np.asarray(posterior["worldview"].sel(claimant=r.claimant).values).reshape(-1)
        assert r.position == pytest.approx(values.mean())
        assert r.low <= r.position <= r.high
    assert set(loadings(posterior.to_dataset())) == set(data.outcomes[:-1])


def test_a_claimant_whose_claims_weigh_nothing_moves_nothing(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    data = design(scenario)
    tree = fake_fit(scenario)
    name = next(n for n, index in claims_by_claimant(data).items() if index)
    author = data.claimants.index(name)
    blocks = {k: replace(b, weight=np.where(b.author == author, 0.0, b.weight)) for k, b in data.blocks.items()}
    row = next(r for r in claimant_views(tree, data.with_blocks(**blocks)) if r.claimant == name)
    assert row.shift == pytest.approx(0.0, abs=1e-12)
    assert row.khat == 0.0


def test_influence_on_a_named_pod(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    rows = claimant_views(fake_fit(scenario), design(scenario), "no-depression-1929")
    assert {r.pod for r in rows} == {"no-depression-1929"}


def test_a_fit_without_the_factor_lists_claimants_by_claims(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    rows = claimant_views(fake_fit(scenario, worldview=False), design(scenario))
    assert all(r.position is None for r in rows)
    assert [r.claims for r in rows] == sorted((r.claims for r in rows), reverse=True)


def test_claimants_command(weimar: Path) -> None:
    scenario = load_scenario(weimar)
    install_fake_fit(scenario)
    code, out, err = invoke("claimants", "no-depression-1929", "--scenario", str(weimar), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["pod"] == "no-depression-1929"
    assert len(report["claimants"]) == len(scenario.claimants)
    assert set(report["loadings"]) == set(scenario.outcome_ids[:-1])
    code, out, _ = invoke("claimants", "--scenario", str(weimar))
    assert code == 0
    assert "Claimants: worldview position and influence" in out
    assert all(len(line) <= 120 for line in out.splitlines()[4:])


def test_an_unreliable_reweighting_is_marked() -> None:
    """Above Pareto k 0.7 only a refit is reliable: the row says so in its own cell."""
    from cfprob.answers.claimants import ClaimantView
    from cfprob.outputs.check_tables import format_claimants

    rows = [
        ClaimantView("ada", 2, 0.1, -0.5, 0.7, "p", "survives", 0.05, 0.4),
        ClaimantView("bert", 3, -0.2, -0.9, 0.5, "p", "survives", -0.12, 1.1),
    ]
    lines = format_claimants(rows, {}, "p", load_scenario(WEIMAR)).splitlines()
    ada = next(line for line in lines if line.startswith("Ada"))  # the scenario's names, not ids
    bert = next(line for line in lines if line.startswith("Bert"))
    assert ada.endswith("0.40") and "unreliable" not in ada
    assert bert.endswith("1.10 unreliable")
