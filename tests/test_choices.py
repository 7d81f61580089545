"""The selection model's data and likelihood (cfprob.fitting.choices): which choices, by hand, and simulated
selection that keeps claims and choices together."""

from __future__ import annotations

import numpy as np
import pytest

from cfprob.answers.calibration import select_divergences
from cfprob.answers.likelihood import (
    choice_log_likelihood,
    claim_contribution,
    claim_log_likelihood,
    claim_order,
    draw_prior,
)
from cfprob.claims import FAMILIES
from cfprob.fitting.design import design
from cfprob.fitting.draws import seen_logits
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

from .conftest import WEIMAR


def _hope(draws, data, author):  # type: ignore[no-untyped-def]
    """The candidates, and the first outcome's log odds at each as ``author`` sees it: (S, candidates)."""
    candidates = np.flatnonzero(data.choices.candidate > 0.5)
    n = len(candidates)
    return candidates, seen_logits(draws, candidates, np.zeros(n, dtype=np.int64), np.full(n, author), np.ones(n))


def test_which_claims_are_choices() -> None:
    """Every fitted claim about a divergence point the claimant sees through their worldview, the divergence
    side of an ordering against real history, and every proposal; never real history, never an ordering of two
    divergences."""
    scenario = load_scenario(bundled_scenario())
    data = design(scenario)
    choices = data.choices
    assert (choices.pod >= 1).all() and (choices.pod < len(data.pods)).all()
    proposals = [c for c in scenario.claims if c.kind == "proposal" and not c.excluded]
    assert int((choices.family < 0).sum()) == len([c for c in proposals if c.pod != "otl"]) == 20
    ordering = [f.name for f in FAMILIES].index("ordering")
    block = data.blocks["ordering"]
    for i in np.flatnonzero(choices.family == ordering):
        j = choices.row[i]
        assert block.direction[j] != 0  # against real history
        assert choices.pod[i] == (block.pod[j] if choices.side[i] > 0 else block.other_pod[j])
    between_divergences = np.flatnonzero(block.direction == 0)
    assert not set(between_divergences) & set(choices.row[choices.family == ordering])
    ids = claim_order(data)
    chosen_claims = {ids[c]: int(p) for c, p in zip(choices.claim, choices.pod, strict=True) if c >= 0}
    assert chosen_claims["sillygoose-bukharin-more-democratic"] == data.pods.index("bukharin-1928")
    # a claim said under a condition speaks of a stack, and chose its own divergence point
    assert chosen_claims["phalamus-kosygin-full-democracy-possible"] == data.pods.index("kosygin-1965")


def test_a_choice_by_hand() -> None:
    """log P(d) = gamma * h_d - log sum_c exp(gamma * h_c), h the first outcome's log odds as the chooser sees it,
    c over every divergence point but real history."""
    from dataclasses import replace

    plain = design(load_scenario(WEIMAR))
    block = plain.blocks["point"]
    data = plain.with_blocks(point=replace(block, weight=np.full(len(block), 0.5)))  # a choice tempered with its claim
    draws = draw_prior(data, 3, np.random.default_rng(5))
    assert draws.selection is not None
    ll = choice_log_likelihood(draws, data)
    i = 0
    assert data.choices.weight[i] == 0.5
    a, d = data.choices.author[i], data.choices.pod[i]
    candidates, hope = _hope(draws, data, a)
    assert list(candidates) == list(range(1, len(data.pods)))  # every Weimar divergence point is put forward
    scores = draws.selection[:, None] * hope
    expected = scores[:, d - 1] - np.log(np.exp(scores).sum(axis=1))
    np.testing.assert_allclose(ll[:, i], data.choices.weight[i] * expected)
    # a claim's choice is part of what the claim adds to the model (its contribution), not of its likelihood
    without = claim_log_likelihood(draws, data)
    with_choice = claim_contribution(draws, data)
    column = data.choices.claim[i]
    np.testing.assert_allclose(with_choice[:, column] - without[:, column], ll[:, i])


def test_no_selection_makes_every_choice_equally_likely() -> None:
    data = design(load_scenario(WEIMAR))
    draws = draw_prior(data, 2, np.random.default_rng(6))
    flat = draws.__class__(**{**draws.__dict__, "selection": np.zeros(2)})
    expected = -np.log(len(data.pods) - 1) * data.choices.weight
    np.testing.assert_allclose(choice_log_likelihood(flat, data), np.tile(expected, (2, 1)))


def test_simulated_selection_moves_claims_with_their_choices() -> None:
    """Re-pointed claims stay where their choice went, and a strong selection picks the most hopeful point."""
    data = design(load_scenario(bundled_scenario()))
    truth = draw_prior(data, 1, np.random.default_rng(9))
    moved = select_divergences(data, truth, np.random.default_rng(10), strength=50.0)
    for f, family in enumerate(FAMILIES):
        block = moved.blocks[family.name]
        for i in np.flatnonzero(moved.choices.family == f):
            j = moved.choices.row[i]
            assert moved.choices.pod[i] == (block.pod[j] if moved.choices.side[i] > 0 else block.other_pod[j])
    candidates, hope = _hope(truth, data, moved.choices.author[0])
    assert moved.choices.pod[0] == candidates[np.argmax(hope[0])]
    assert len(moved.choices) == len(data.choices)


@pytest.mark.parametrize("weight", [0.0, 0.5])
def test_a_claims_weight_tempers_its_choice(weight: float) -> None:
    from dataclasses import replace

    data = design(load_scenario(WEIMAR))
    block = data.blocks["point"]
    tempered = data.with_blocks(point=replace(block, weight=np.full(len(block), weight)))
    point = [f.name for f in FAMILIES].index("point")
    assert (tempered.choices.weight[tempered.choices.family == point] == weight).all()


def test_a_point_nobody_put_forward_is_no_candidate(weimar) -> None:  # type: ignore[no-untyped-def]
    """A divergence point the scenario adds with no claim and no proposal (as the placebo check does) is not
    among the choices, so the selection model does not push it down for not being chosen."""
    (weimar / "pods.toml").write_text(
        (weimar / "pods.toml").read_text()
        + '\n[[pods]]\nid = "nobody-1931"\nyear = 1931\ntitle = "Nobody"\ndescription = "No claim is about it."\n'
    )
    data = design(load_scenario(weimar))
    index = data.pods.index("nobody-1931")
    assert data.choices.candidate[index] == 0.0 and data.choices.candidate[0] == 0.0
    assert data.choices.candidate.sum() == len(set(data.choices.pod.tolist()))
    draws = draw_prior(data, 2, np.random.default_rng(7))
    flat = draws.__class__(**{**draws.__dict__, "selection": np.zeros(2)})
    np.testing.assert_allclose(choice_log_likelihood(flat, data)[0], -np.log(data.choices.candidate.sum()))
