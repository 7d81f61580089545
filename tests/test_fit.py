"""The sampler itself: parameter recovery on simulated claims, and a real fit through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cfprob.answers.query import Fit, answer
from cfprob.cli import cli
from cfprob.fitting.design import interpolation_weights, knot_years, softmax_last
from cfprob.fitting.inference import fit
from cfprob.fitting.provenance import SamplerSettings
from cfprob.history.prior import curve_prior
from cfprob.history.regimes import Regime
from cfprob.reading.loader import load_scenario

pytestmark = pytest.mark.mcmc

OUTCOMES = ("a", "b", "c")
FEATURES = {"p1": (1.0, 0.0), "p2": (0.0, 1.0), "p3": (1.0, 1.0), "p4": (0.5, 0.0), "p5": (0.0, 0.5)}


def _simulate(folder: Path, seed: int = 7) -> dict[str, np.ndarray]:
    """Write a scenario whose claims are noisy reports of known outcome probabilities."""
    rng = np.random.default_rng(seed)
    alpha = np.array([0.2, -0.3])
    beta = np.array([[1.2, -0.4], [-0.9, 0.8]])
    pods = ["otl", *FEATURES]
    X = np.array([[0.0, 0.0], *FEATURES.values()])
    u = np.vstack([np.zeros(2), rng.normal(0, 0.3, (len(FEATURES), 2))])
    # real history is the hazard model's curve (its prior mean) for the simulated reference class below and
    # the case itself (1950-1960, ending in "b"); each divergence changes it at its year (1950 + i)
    knots = knot_years((1950, 1960), 1960)
    regimes = []
    for i in range(30):
        start, last, ended = int(rng.integers(1900, 1950)), 2000, None
        for year in range(start, 2001):
            if rng.random() < 0.03:
                last, ended = year, int(rng.choice(3, p=softmax_last(alpha[None, :])[0]))
                break
        regimes.append(Regime(f"case{i}", start, last, ended))
    prior = curve_prior((*regimes, Regime("real history", 1950, 1960, 1)), 3, 2000, 2, tuple(knots))
    history = prior.mean
    weights = interpolation_weights(np.array([1950.0 + i for i in range(len(pods))]), knots)
    theta = softmax_last(weights @ history + X @ beta + u)
    truth = {p: theta[i] for i, p in enumerate(pods)}

    quotes: list[str] = []
    claims: list[str] = []

    def claim(kind: str, author: int, body: str, quote: str) -> None:
        quotes.append(quote)
        claims.append(
            f'[[claims]]\nid = "c{len(claims)}"\nkind = "{kind}"\nauthor = "author{author}"\n'
            f'source = "sim"\nlocator = "line {len(quotes)}"\nquote = "{quote}"\n{body}\n'
        )

    for author in range(6):
        for i, pod in enumerate(pods[1:], start=1):
            for k in (0, 1):
                logit = np.log(theta[i, k] / (1 - theta[i, k])) + rng.normal(0, 0.4)
                p = float(1 / (1 + np.exp(-logit)))
                body = f'pod = "{pod}"\noutcome = "{OUTCOMES[k]}"\n'
                if (author + k) % 3 == 2:
                    low, high = max(0.0, p - 0.1), min(1.0, p + 0.1)
                    claim(
                        "interval",
                        author,
                        body + f"low = {low:.3f}\nhigh = {high:.3f}",
                        f"{author}: {pod} {OUTCOMES[k]} between {low:.3f} and {high:.3f}",
                    )
                else:
                    claim(
                        "probability", author, body + f"probability = {p:.4f}", f"{author}: {pod} {OUTCOMES[k]} {p:.4f}"
                    )
    for i, pod in enumerate(pods[1:], start=1):
        q = rng.dirichlet(40 * theta[i])
        q = np.maximum(q, 0.01) / np.maximum(q, 0.01).sum()
        text = ", ".join(f"{o} = {v:.4f}" for o, v in zip(OUTCOMES, q, strict=True))
        claim("distribution", 6, f'pod = "{pod}"\ndistribution = {{ {text} }}', f"6: {pod} {text}")
    for hi, lo in (("p1", "p2"), ("p3", "p2")):
        k = 0
        if theta[pods.index(hi), k] < theta[pods.index(lo), k]:
            hi, lo = lo, hi
        claim("ordering", 6, f'higher = "{hi}"\nlower = "{lo}"\noutcome = "a"', f"6: {hi} above {lo}")

    (folder / "claims").mkdir(parents=True)
    (folder / "sources").mkdir()
    (folder / "sources" / "sim.txt").write_text("\n".join(quotes) + "\n")
    (folder / "cases.csv").write_text(
        "case,ending,start,end\n"
        + "".join(
            f"{r.name},{OUTCOMES[2 if r.outcome is None else r.outcome]},{r.start},"
            f"{'' if r.outcome is None else r.last}\n"
            for r in regimes
        )
    )
    (folder / "claims" / "sim.toml").write_text("\n".join(claims))
    claimants = "".join(f'[[claimants]]\nid = "author{a}"\nname = "author{a}"\n\n' for a in range(7))
    outcomes = "".join(f'[[outcomes]]\nid = "{o}"\nlabel = "{o}"\ndefinition = "outcome {o}"\n\n' for o in OUTCOMES)
    observed = "b"
    (folder / "scenario.toml").write_text(
        'schema_version = 1\nid = "simulated"\ntitle = "Simulated"\nquestion = "Recovered?"\nhorizon_year = 2000\n\n'
        + outcomes
        + '[[features]]\nid = "f1"\ndescription = "one"\n\n[[features]]\nid = "f2"\ndescription = "two"\n\n'
        + '[[sources]]\nid = "sim"\nfile = "sources/sim.txt"\ntitle = "simulated claims"\nkind = "simulation"\n\n'
        + claimants
        + "[timeline]\nstart = 1950\nend = 1960\n\n"
        + f'[evidence]\nobserved_outcome = "{observed}"\nobserved_year = 1960\nsurvival_outcome = "c"\n\n'
        + '[evidence.reference_class]\nfile = "cases.csv"\ncase_column = "case"\noutcome_column = "ending"\n'
        + 'start_column = "start"\nend_column = "end"\ncensor_year = 2000\nrule = "identity"\n\n'
        + '[evidence.reference_class.outcome_map]\na = "a"\nb = "b"\nc = "c"\n'
    )
    pods_toml = "".join(
        f'[[pods]]\nid = "{p}"\nyear = {1951 + i}\ntitle = "{p}"\ndescription = "{p}"\n'
        f"features = {{ f1 = {x[0]}, f2 = {x[1]} }}\n\n"
        for i, (p, x) in enumerate(FEATURES.items())
    )
    (folder / "pods.toml").write_text(pods_toml)
    return truth


def test_recovers_known_probabilities(tmp_path: Path) -> None:
    truth = _simulate(tmp_path / "sim")
    scenario = load_scenario(tmp_path / "sim")
    tree = fit(scenario, SamplerSettings(draws=500, tune=500, chains=2, seed=11))
    posterior = Fit.from_tree(tree)
    inside, errors = 0, []
    cells = 0
    for pod in FEATURES:
        result = answer(posterior, [pod])
        for k, outcome in enumerate(OUTCOMES):
            row = result.row(outcome)
            inside += row.low <= truth[pod][k] <= row.high
            errors.append(abs(row.mean - truth[pod][k]))
            cells += 1
    assert inside / cells >= 0.8, f"only {inside} of {cells} true values inside the 90% intervals"
    assert float(np.mean(errors)) < 0.08
    assert tree.attrs["diag_divergences"] < 20
    assert tree.attrs["diag_max_rhat"] < 1.05


def test_cli_fit_is_cached_and_reproducible(weimar: Path) -> None:
    args = [
        "run",
        "no-depression-1929",
        "--scenario",
        str(weimar),
        "--draws",
        "200",
        "--tune",
        "200",
        "--chains",
        "2",
        "--seed",
        "5",
        "--json",
    ]
    runner = CliRunner()
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "sampling 2 chains x 200 draws" in first.stderr
    cached = runner.invoke(cli, args)
    assert cached.exit_code == 0 and "sampling" not in cached.stderr
    assert cached.stdout == first.stdout
    refit = runner.invoke(cli, [*args, "--refit"])
    assert refit.exit_code == 0 and "sampling" in refit.stderr
    assert json.loads(refit.stdout)["answer"] == json.loads(first.stdout)["answer"]
    provenance = json.loads(first.stdout)["provenance"]
    assert provenance["draws"] == 200 and provenance["chains"] == 2 and provenance["seed"] == 5
    assert provenance["model_version"] and provenance["cfprob_version"]
    assert {"diag_divergences", "diag_max_rhat", "diag_min_ess_bulk"} <= set(provenance)


def test_a_divergence_that_changes_nothing_stays_real_history(weimar: Path) -> None:
    """The placebo check passes on the shipped model: a divergence point with no claims and no features is no
    more likely to raise an outcome than to lower it (model version 3 lifted every dated divergence above real
    history through a shared year effect; `tests/test_placebo.py` shows the check failing on such a model), and
    a divergence in any year with no features is real history at that year."""
    from cfprob.answers.placebo import placebo_check

    trees = []

    def fitted(changed):  # type: ignore[no-untyped-def]
        trees.append(fit(changed, SamplerSettings(draws=500, tune=500, chains=2, seed=3)))
        return trees[-1]

    result = placebo_check(load_scenario(weimar), fitted, year=1931)
    assert result.passed, result.failures
    assert all(0.4 <= p <= 0.6 for p in result.p_raise.values()), result.p_raise
    posterior = Fit.from_tree(trees[0])
    history = answer(posterior, year=1931)
    expected = posterior.history_at(1931).mean(axis=0)
    assert [row.mean for row in history.rows] == pytest.approx(list(expected), abs=1e-12)


LATE_POD = """
[[pods]]
id = "union-treaty-1991"
year = 1991
title = "The new Union Treaty is signed"
description = "Added by a test: the August coup does not happen and the Union Treaty is signed."
"""

LATE_SOURCE = """
[[sources]]
id = "late-thread"
file = "sources/late.txt"
title = "A test thread about 1991"
kind = "forum thread"
"""

LATE_CLAIMANTS = """
[[claimants]]
id = "ines"
name = "Ines"

[[claimants]]
id = "jonas"
name = "Jonas"
"""

LATE_CLAIMS = """
[[claims]]
id = "ines-even-chance"
kind = "probability"
author = "Ines"
source = "late-thread"
locator = "post 1"
quote = "With the treaty signed I'd put the break-up at an even chance."
pod = "union-treaty-1991"
outcome = "collapse"
probability = 0.5

[[claims]]
id = "jonas-even-chance"
kind = "probability"
author = "Jonas"
source = "late-thread"
locator = "post 2"
quote = "Fifty-fifty that the union still breaks apart."
pod = "union-treaty-1991"
outcome = "collapse"
probability = 0.5
"""


def test_a_late_divergence_can_have_a_large_effect(tmp_path: Path) -> None:
    """Model 6 pinned real history at the observed year at P(collapse) >= 0.95, so a divergence in 1991 could
    not come near an even chance; model 7's curve comes from hazards, and claims that say "an even chance"
    bring the answer there."""
    import shutil

    from cfprob.paths import bundled_scenario

    folder = tmp_path / "ussr"
    shutil.copytree(bundled_scenario(), folder)
    (folder / "pods.toml").write_text((folder / "pods.toml").read_text() + LATE_POD)
    (folder / "sources" / "late.txt").write_text(
        "post 1: With the treaty signed I'd put the break-up at an even chance.\n"
        "post 2: Fifty-fifty that the union still breaks apart.\n"
    )
    (folder / "claims" / "late.toml").write_text(LATE_CLAIMS)
    text = (folder / "scenario.toml").read_text()
    text = text.replace("# Claimants are listed below", LATE_SOURCE + "\n# Claimants are listed below", 1)
    (folder / "scenario.toml").write_text(text + LATE_CLAIMANTS)
    scenario = load_scenario(folder)
    tree = fit(scenario, SamplerSettings(draws=500, tune=500, chains=2, seed=4))
    result = answer(Fit.from_tree(tree), ["union-treaty-1991"])
    assert result.row("collapse").mean <= 0.7
    assert result.row("collapse").low < 0.5 < result.row("collapse").high


def test_a_conditional_claim_speaks_of_its_stack(weimar: Path) -> None:
    """Cleo's claim is said of no Depression *with* the coalition holding in 1930 (``given``), here made a
    confident 95%: fitted, it raises that stack's answer (what ``run no-depression-1929 grand-coalition-1930``
    asks) well above where it is without the claim, and more than it raises the point's alone. Read without
    its condition (the claim on the point alone) it would do the reverse: measured 0.21 on the point, 0.11 on
    the stack, against 0.17 and 0.26 with it (seed 5)."""
    claims = weimar / "claims" / "thread.toml"
    text = claims.read_text()
    at = text.index('id = "cleo-both-spared"')
    claim = text[at:].replace('kind = "verbal"', 'kind = "probability"')
    claims.write_text(text[:at] + claim.replace('phrase = "likely"', "probability = 0.95\nconfidence = 2"))
    settings = SamplerSettings(draws=500, tune=500, chains=2, seed=5)
    stack = ["no-depression-1929", "grand-coalition-1930"]
    with_claim = Fit.from_tree(fit(load_scenario(weimar), settings))
    claims.write_text(
        claims.read_text().replace(
            'given = ["grand-coalition-1930"]', 'given = ["grand-coalition-1930"]\nexcluded = "a test"'
        )
    )
    without = Fit.from_tree(fit(load_scenario(weimar), settings))

    def raised(pods: list[str]) -> float:
        return answer(with_claim, pods).row("survives").mean - answer(without, pods).row("survives").mean

    assert answer(with_claim, stack).row("survives").mean > 0.6
    assert raised(stack) > raised(stack[:1]) + 0.05, (raised(stack), raised(stack[:1]))
