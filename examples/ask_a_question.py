"""Ask the bundled USSR scenario a question from Python, the way `cfprob run` does.

    python examples/ask_a_question.py                  # Kosygin beats Brezhnev
    python examples/ask_a_question.py malenkov-1953 --draws 500

The first call fits every divergence point at once (a minute or two); the fit is cached, so later
questions, stacks and feature-defined divergences are answered from it without refitting.
"""

from __future__ import annotations

import argparse

from cfprob.answers.query import Fit, answer
from cfprob.fitting.provenance import SamplerSettings
from cfprob.outputs.store import cached_fit
from cfprob.paths import bundled_scenario
from cfprob.reading.loader import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pod", nargs="?", default="kosygin-1965")
    parser.add_argument("--draws", type=int, default=SamplerSettings().draws)
    args = parser.parse_args()

    scenario = load_scenario(bundled_scenario())
    tree, from_cache = cached_fit(scenario, SamplerSettings(draws=args.draws), on_stage=print)
    fit = Fit.from_tree(tree)

    for question in (
        answer(fit, [args.pod]),
        answer(fit, [args.pod, "no-ww2-1939"]),  # stacked: an extrapolation
        answer(fit, features={"reform_leader": 1.0, "political_competition": 1.0}, year=1965),  # by features
        answer(fit, [args.pod], given_history=True),  # given what really happened (rung 3)
    ):
        kind = "extrapolation" if question.extrapolation else "fitted"
        print(f"\n{question.label} ({kind}, {question.n_draws} draws)")
        for row in question.rows:
            print(
                f"  {row.outcome:<17} {row.mean:.2f} [{row.low:.2f}, {row.high:.2f}]"
                f"  change vs otl {row.change_mean:+.2f}  P(raises) {row.p_raise:.2f}"
            )
    print(f"\nfit {'read from the cache' if from_cache else 'sampled'}; scenario hash {scenario.content_hash[:12]}")


if __name__ == "__main__":
    main()
