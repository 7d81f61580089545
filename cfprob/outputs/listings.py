"""Plain-text listings of a scenario: divergence points, claims with what they say, the lexicon, and the
backtest of the reference class. Pure formatting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cfprob.claims import KINDS
from cfprob.outputs.tables import percent, shown_year, text_table
from cfprob.reading.lexicon import Lexicon
from cfprob.reading.scenario import Claim, Scenario

if TYPE_CHECKING:
    from cfprob.answers.backtest import Backtest

__all__ = ["claim_strength", "format_backtest", "format_claims", "format_lexicon", "format_pods"]


def claim_strength(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    """What a claim says, with the numbers a verbal phrase became (its kind's own sentence)."""
    return KINDS[claim.kind].says(claim, lexicon, outcomes)


def format_pods(scenario: Scenario) -> str:
    header = ["id", "year", "title", "claims", "features"]
    rows = [
        [
            p.id,
            "" if p.year is None else shown_year(p.year),
            p.title,
            str(len(scenario.claims_about(p.id))),
            ", ".join(f"{k}={v:g}" for k, v in p.features) or "-",
        ]
        for p in scenario.pods
    ]
    return "\n".join(text_table(header, rows, [False, True, False, True, False]))


def format_claims(claims: Sequence[Claim], scenario: Scenario, lexicon: Lexicon) -> str:
    if not claims:
        return "No claims match."
    blocks = []
    for c in claims:
        about = KINDS[c.kind].about(c)
        blocks.append(
            "\n".join(
                [
                    f"{c.id}  [{c.kind}]  {scenario.claimant(c.author).name} on {about}",
                    f"  says: {claim_strength(c, lexicon, scenario.outcome_ids)}"
                    + (f" (confidence {c.confidence:g})" if c.confidence != 1 else ""),
                    f'  quote: "{c.quote}"',
                    f"  source: {scenario.source(c.source).title}, {c.locator}",
                    *([f"  note: {c.note}"] if c.note else []),
                    *([f"  the author's outcome: {c.author_outcome}"] if c.author_outcome else []),
                    *([f"  not in the fit: {c.excluded}"] if c.excluded else []),
                ]
            )
        )
    return "\n\n".join(blocks) + f"\n\n{len(claims)} claim{'s' if len(claims) != 1 else ''}."


def format_lexicon(lexicon: Lexicon) -> str:
    header = ["phrase", "median", "90% of readers", "n", "surveys"]
    rows = [
        [e.phrase, f"{e.median_pct:.0f}%", f"{e.low90_pct:.0f}-{e.high90_pct:.0f}%", str(e.n), e.datasets]
        for e in sorted(lexicon.phrases.values(), key=lambda e: -e.median_pct)
    ]
    idioms = [
        [idiom, f'-> "{lexicon.phrases[target].phrase}"', note]
        for idiom, (target, note) in sorted(lexicon.idioms.items())
    ]
    lines = [
        "Surveyed phrases (logit-normal fits to CAPphrase and zonination answers):",
        "",
        *text_table(header, rows, [False, True, True, True, False]),
    ]
    if idioms:
        lines += [
            "",
            "Forum idioms, each read as a surveyed phrase:",
            "",
            *text_table(["idiom", "read as", "why"], idioms, [False, False, False]),
        ]
    return "\n".join(lines)


def format_backtest(result: Backtest, scenario: Scenario) -> str:
    """Each real regime's leave-one-out forecasts, then the scores of the model and both baselines."""
    outcomes = result.outcomes
    lines = [
        f"Backtest on the reference class of scenario {scenario.id}: each real regime's outcome by "
        f"{result.horizon}, predicted by the hazard model fitted to the others, from several ages it lived to",
        "",
    ]
    header = ["regime", "age", "what happened", *(f"P({o})" for o in outcomes), "base rate"]
    rows = []
    for f in result.forecasts:
        k = outcomes.index(f.outcome)
        rows.append([f.case, str(f.age), f.outcome, *(percent(x) for x in f.model), percent(f.base_rate[k])])
    lines += text_table(header, rows, [False, True, False, *([True] * len(outcomes)), True])
    lines += ["", f"Scores over {len(result.forecasts)} forecasts of {result.regimes} regimes (lower is better):"]
    scores = [[name, f"{ll:.3f}", f"{b:.3f}"] for name, (ll, b) in result.scores.items()]
    lines += text_table(["forecast", "log loss", "Brier"], scores, [False, True, True])
    for name, (mean, se) in result.differences.items():
        verdict = "better" if mean + 2 * se < 0 else "worse" if mean - 2 * se > 0 else "no different, within 2 SE"
        lines.append(f"Model minus {name}, log loss paired by regime: {mean:+.3f} (SE {se:.3f}): {verdict}.")
    lines.append(
        "model: the hazard model's leave-one-regime-out forecast (a new regime's frailty and tilt from their "
        f"priors); base rate: the other regimes' outcomes by {result.horizon}, add-one smoothed; uniform: "
        f"1/{len(outcomes)} each."
    )
    return "\n".join(lines)
