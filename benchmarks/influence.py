"""How much the claimant with most claims moves an answer, with the worldview factor and without it.

    scripts/with-env.sh python benchmarks/influence.py [--pod kosygin-1965] [--outcome collapse]

Fits the bundled scenario with the shipped model and with the model without the worldview factor, each
with every claim and again with the claims of the claimant who made most of them at weight 0 (exact refits,
same compiled code), at cfprob's default sampler settings, and writes the posterior mean of
P(outcome | pod) in each case to ``benchmarks/results/influence.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from cfprob.answers.sensitivity import without_claims
from cfprob.fitting.design import design
from cfprob.fitting.inference import fit
from cfprob.fitting.priors import Priors
from cfprob.fitting.provenance import SamplerSettings
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario

RESULTS = Path(__file__).resolve().parent / "results" / "influence.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pod", default="kosygin-1965")
    parser.add_argument("--outcome", default="collapse")
    parser.add_argument("--scenario", type=Path, default=None)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario or bundled_scenario())
    data = design(scenario)
    author, count = Counter(c.author for c in scenario.scored_claims).most_common(1)[0]
    left_out = [c.id for c in scenario.claims if c.author == author]
    settings = SamplerSettings()
    pod, outcome = data.pods.index(args.pod), data.outcomes.index(args.outcome)

    def mean(tree) -> float:  # type: ignore[no-untyped-def]
        return float(np.asarray(tree["posterior"]["theta"].values)[..., pod, outcome].mean())

    rows = []
    for name, priors in (("with the worldview factor", Priors()), ("without it", Priors(worldview_loading_sd=0.0))):
        print(f"{name}: fitting with every claim, then without {author}'s", file=sys.stderr)
        every = mean(fit(scenario, settings, priors=priors))
        without = mean(fit(scenario, settings, data=without_claims(data, left_out), priors=priors))
        rows.append(f"| {name} | {every:.3f} | {without:.3f} | {without - every:+.3f} |")
    name = scenario.claimant(author).name
    lines = [
        f"# Influence of {name} ({count} of {len(scenario.scored_claims)} fitted claims)",
        "",
        f"Posterior mean of P({args.outcome} | {args.pod}), {settings.label}; exact refits with {name}'s claims at "
        "weight 0.",
        "",
        f"| model | every claim | without {name} | change |",
        "|---|---|---|---|",
        *rows,
        "",
        "Reproduce: `scripts/with-env.sh python benchmarks/influence.py`",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
