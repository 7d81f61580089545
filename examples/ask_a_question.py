"""Ask the bundled USSR scenario a question from Python, the way `cfprob run` does.

    python examples/ask_a_question.py                  # Kosygin beats Brezhnev
    python examples/ask_a_question.py malenkov-1953 --draws 500

The first call fits every divergence point at once (a minute or two); the fit is cached, so later
questions, stacks and feature-defined divergences are answered from it without refitting.
"""

from __future__ import annotations

import argparse

import cfprob


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pod", nargs="?", default="kosygin-1965")
    parser.add_argument("--draws", type=int, default=cfprob.SamplerSettings.draws)
    args = parser.parse_args()

    scenario = cfprob.load_scenario()
    fit = cfprob.fit(scenario, draws=args.draws, on_stage=print)

    for question in (
        fit.answer(args.pod),
        fit.answer(args.pod, "no-ww2-1939"),  # stacked: an extrapolation
        fit.answer(features={"reform_leader": 1.0, "political_competition": 1.0}, year=1965),  # by features
        fit.answer(args.pod, given_history=True),  # given what really happened (rung 3)
    ):
        kind = "extrapolation" if question.extrapolation else "fitted"
        print(f"\n{question.label} ({kind}, {question.n_draws} draws)")
        for row in question.rows:
            print(
                f"  {row.outcome:<17} {row.mean:.2f} [{row.low:.2f}, {row.high:.2f}]"
                f"  change vs otl {row.change_mean:+.2f}  P(raises) {row.p_raise:.2f}"
            )
    ranked = fit.compare(by="stable_democracy")
    print(f"\nMost likely to end in stable democracy: {', '.join(a.label for a in ranked[:3])}")
    print(f"fit {'read from the cache' if fit.from_cache else 'sampled'}; diagnostics {fit.diagnostics}")


if __name__ == "__main__":
    main()
