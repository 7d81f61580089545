"""Text of the checks: predictive checks and their verdict, power-scaling sensitivity, leave-one-out
influence, claimants, cross-validation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cfprob.answers.sources import KHAT_LIMIT
from cfprob.fitting.provenance import CHECK_LEVEL
from cfprob.outputs.tables import (
    INTERVAL,
    _pod_title,
    diagnostics_lines,
    diagnostics_problems,
    percent,
    scenario_line,
    text_table,
    wrapped,
)
from cfprob.reading.scenario import Scenario

if TYPE_CHECKING:
    from cfprob.answers.checks import ClaimCheck
    from cfprob.answers.claimants import ClaimantView
    from cfprob.answers.crossval import Comparison, ModelScore
    from cfprob.answers.placebo import PlaceboResult
    from cfprob.answers.sensitivity import Influence

__all__ = [
    "check_failures",
    "format_checks",
    "format_claimants",
    "format_crossval",
    "format_sensitivity",
    "power_scaling_lines",
    "verdict_lines",
]


def check_failures(checks: Sequence[ClaimCheck], attrs: Mapping[Any, Any]) -> list[str]:
    """Why the checks fail, one reason per line; empty when every check passes."""
    reasons = [f"sampler: {p}" for p in diagnostics_problems(attrs)]
    misfits = [c.claim for c in checks if c.misfit]
    if misfits:
        reasons.append(
            f"posterior predictive: {len(misfits)} claim{'s' if len(misfits) > 1 else ''} not reproduced by the "
            f"fit (p < {CHECK_LEVEL}): {', '.join(misfits)}"
        )
    conflicts = [c.claim for c in checks if c.conflict]
    if conflicts:
        reasons.append(
            f"prior predictive: {len(conflicts)} claim{'s' if len(conflicts) > 1 else ''} outside what the prior "
            f"allows (p < {CHECK_LEVEL}): {', '.join(conflicts)}"
        )
    return reasons


SENSITIVE = 0.05
"""arviz-stats' threshold: a power-scaling sensitivity above it is reported as sensitive."""


def power_scaling_lines(
    pod: str, scaling: Mapping[str, tuple[float, float, str]], conflicts: int | None = None
) -> list[str]:
    """Power-scaling sensitivity of each P(outcome | pod) (prior, likelihood, arviz-stats' diagnosis) and what
    the diagnosis means here; ``conflicts``: how many claims the prior predictive check flagged, when known."""
    lines = [f"Power-scaling sensitivity of P(outcome | {pod}) (arviz-stats psense; above {SENSITIVE} is sensitive):"]
    rows = [[o, f"{p:.3f}", f"{q:.3f}", d] for o, (p, q, d) in scaling.items()]
    lines += text_table(["outcome", "prior", "likelihood", "diagnosis"], rows, [False, True, True, False])
    both = [o for o, (p, q, _) in scaling.items() if p > SENSITIVE and q > SENSITIVE]
    prior_only = [o for o, (p, q, _) in scaling.items() if p > SENSITIVE >= q]
    notes = [
        "Power-scaling raises the prior, or all claims together, to a power near 1 and sees how far the answer moves."
    ]
    if both:
        notes.append(
            f"Moved by both ({', '.join(both)}): the answer balances the prior's structure against the claims, "
            "which pull elsewhere; arviz-stats calls this a potential prior-data conflict."
        )
    if prior_only:
        notes.append(
            f"Moved by the prior alone ({', '.join(prior_only)}): the claims say little about it; the answer "
            "is mostly the model's structure."
        )
    if conflicts is not None and (both or prior_only):
        found = "none does" if conflicts == 0 else f"{conflicts} do"
        notes.append(
            "This is about the answer, not single claims: the prior predictive check above asks whether any claim "
            f"lies outside what the prior allows, and {found}."
        )
    return [*lines, *wrapped([" ".join(notes)])]


def format_checks(
    checks: Sequence[ClaimCheck],
    prior: Mapping[str, Sequence[tuple[float, float, float]]],
    scenario: Scenario,
    attrs: Mapping[Any, Any],
    prior_draws: int,
    placebo: PlaceboResult | None = None,
    power_scaling: Mapping[str, Mapping[str, tuple[float, float, str]]] | None = None,
) -> str:
    """The prior predictive table, stated against fitted claims (worst first), the power-scaling sensitivity of
    each divergence point's answer in ``power_scaling``, diagnostics, the placebo divergence when it was fitted,
    and the verdict."""
    lines = [scenario_line(scenario, attrs), ""]
    lines.append(f"Prior predictive: P(outcome) before any claim or evidence ({prior_draws} prior draws)")
    header = ["pod", *(f"{o} ({INTERVAL})" for o in scenario.outcome_ids)]
    rows = [[pod, *(f"{m:.2f} [{lo:.2f}, {hi:.2f}]" for m, lo, hi in values)] for pod, values in prior.items()]
    lines += text_table(header, rows, [False, *([True] * len(scenario.outcome_ids))])
    by_id = {c.id: c for c in scenario.claims}
    lines += ["", "Posterior predictive: each claim as stated and as fitted (the claimant's own view, bias included)"]
    rows = []
    for c in checks:
        claim = by_id[c.claim]
        flag = "MISFIT" if c.misfit else ("prior conflict" if c.conflict else "")
        rows.append(
            [
                c.claim,
                scenario.claimant(claim.author).name,
                "/".join(claim.pods) or f"years {claim.start}-{claim.end}",
                c.stated,
                c.fitted,
                f"{c.posterior_p:.3f}",
                f"{c.prior_p:.3f}",
                flag,
            ]
        )
    header = ["claim", "claimant", "pod", "stated", f"fitted ({INTERVAL})", "p post", "p prior", ""]
    lines += text_table(header, rows, [False, False, False, True, True, True, True, False])
    lines += [
        f"p post / p prior: predictive p-values (how extreme the claim is among claims replicated from the "
        f"posterior / prior); below {CHECK_LEVEL} is flagged.",
        "",
    ]
    conflicts = sum(c.conflict for c in checks)
    for pod, scaling in (power_scaling or {}).items():
        lines += [*power_scaling_lines(pod, scaling, conflicts), ""]
    lines += diagnostics_lines(attrs)
    failures = check_failures(checks, attrs)
    if placebo is not None:
        from cfprob.answers.placebo import BAND

        low, high = BAND
        leans = ", ".join(f"{o} {p:.2f}" for o, p in placebo.p_raise.items())
        verdict = "PASS" if placebo.passed else "FAIL"
        lines.append(
            f"Placebo divergence in {placebo.year} (no features, no claims): P(raises) {leans}; "
            f"must lie in {low}-{high} for every outcome: {verdict}."
        )
    lines += ["", *verdict_lines(failures + (placebo.failures if placebo is not None else []), placebo is not None)]
    return "\n".join(lines)


CHECKS = ("sampler", "posterior predictive", "prior predictive", "placebo")
"""The checks ``cfprob check`` passes or fails, by the prefix of their reasons (:func:`check_failures`)."""


def verdict_lines(failures: Sequence[str], placebo: bool) -> list[str]:
    """PASS or FAIL for each check (the placebo only when it ran), each failure with its reason."""
    lines = ["Checks:"]
    for name in CHECKS if placebo else CHECKS[:-1]:
        reasons = [r for r in failures if r.startswith(name)]
        lines += [f"  FAIL  {reason}" for reason in reasons] or [f"  PASS  {name}"]
    return lines


def _who(row: Influence, scenario: Scenario) -> str:
    if row.group == "claimant":
        return f"{scenario.claimant(row.id).name}'s claims"
    return f"claim {row.id}"


def format_sensitivity(
    rows: Sequence[Influence],
    scenario: Scenario,
    top: int,
    power_scaling: Mapping[str, tuple[float, float, str]],
) -> str:
    """One divergence point's influences (largest first), the top ones in words with quotes, and the
    power-scaling sensitivity of each outcome (prior, likelihood, diagnosis)."""
    outcomes = scenario.outcome_ids
    pod = rows[0].pod
    base = rows[0].base
    lines = [
        f"Sensitivity of {_pod_title(scenario.pod(pod))}: which claims drive P(outcome | {pod})",
        "Every claim in: " + ", ".join(f"{o} {percent(b)}" for o, b in zip(outcomes, base, strict=True)),
        "",
    ]
    shown = list(rows[:top])
    table_rows = []
    for r in shown:
        exact = "refit" if r.refit is not None else "reweighted"
        exact += ", unreliable" if r.refit is None and r.khat > KHAT_LIMIT else ""
        values = r.refit if r.refit is not None else r.without
        table_rows.append(
            [
                f"{r.group} {r.id}",
                str(len(r.claims)),
                *(f"{v:.2f} ({s:+.2f})" for v, s in zip(values, r.shift, strict=True)),
                f"{r.khat:.2f}",
                exact if r.refit is None else f"refit (reweighted {', '.join(percent(w) for w in r.without)})",
            ]
        )
    label = {o.id: o.label for o in scenario.outcomes}  # labels: their spaces let headers wrap between words
    header = ["left out", "claims", *(f"{label[o]} without" for o in outcomes), "Pareto k", "how"]
    lines += text_table(header, table_rows, [False, True, *([True] * len(outcomes)), True, False])
    lines.append(
        f"Reweighted: Pareto-smoothed importance sampling of one fit, unreliable above Pareto k {KHAT_LIMIT} "
        f"(`cfprob sensitivity {pod} --refit` samples those again); refit: sampled again with those claims at "
        "weight 0."
    )
    by_id = {c.id: c for c in scenario.claims}
    lines.append("")
    for r in shown[:3]:
        j = max(range(len(outcomes)), key=lambda i: abs(r.shift[i]))
        after = (r.refit or r.without)[j]
        verb = "rises" if after > r.base[j] else "falls"
        about = [c for c in r.claims if pod in by_id[c].pods]
        quoted = by_id[(about or list(r.claims))[0]].quote.split("\n")[0]
        quoted = quoted if len(quoted) <= 140 else quoted[:137] + "..."
        lines.append(
            f"Without {_who(r, scenario)}, P({outcomes[j]} | {pod}) {verb} "
            f"from {percent(r.base[j])} to {percent(after)} "
            f'({len(about) or "none"} of {len(r.claims)} about {pod}; "{quoted}")'
        )
    if power_scaling:
        lines += ["", *power_scaling_lines(pod, power_scaling)]
    return "\n".join(lines)


def format_claimants(
    rows: Sequence[ClaimantView],
    loadings: Mapping[str, tuple[float, float, float]],
    pod: str | None,
    scenario: Scenario,
) -> str:
    """Claimants from the lowest worldview position to the highest, with their claims and influence, under
    the scenario's names and labels."""
    lines = ["Claimants: worldview position and influence"]
    if loadings:
        shown = ", ".join(f"{o} {m:+.2f} [{lo:+.2f}, {hi:+.2f}]" for o, (m, lo, hi) in loadings.items())
        lines.append(f"The worldview's loadings on the log odds against the last outcome: {shown}.")
        lines.append("A high position sees every divergence as the loadings say; the answer is at position 0.")
    else:
        lines.append("This fit has no worldview factor.")
    what = f"P(outcome | {pod})" if pod else "the most-moved P(outcome | divergence point)"
    lines.append(f"Influence: how {what} moves when all of a claimant's claims are left out.")
    lines.append("")
    labels = {o.id: o.label for o in scenario.outcomes}
    titles = {p.id: p.title for p in scenario.pods}
    table = []
    for r in rows:
        position = "-" if r.position is None else f"{r.position:+.2f} [{r.low:+.2f}, {r.high:+.2f}]"
        moved = labels.get(r.outcome, r.outcome) + ("" if pod else f" | {titles.get(r.pod, r.pod)}")
        khat = f"{r.khat:.2f}" + (" unreliable" if r.khat > KHAT_LIMIT else "")
        table.append([scenario.claimant(r.claimant).name, str(r.claims), position, f"{r.shift:+.2f}", moved, khat])
    header = ["claimant", "claims", f"position {INTERVAL}", "influence", "on", "Pareto k"]
    lines += text_table(header, table, [False, True, True, True, False, True])
    lines.append("Influence is importance reweighted (Pareto-smoothed); above Pareto k 0.7 only a refit is reliable.")
    return "\n".join(lines)


def format_crossval(scores: Sequence[ModelScore], comparisons: Sequence[Comparison], by: str) -> str:
    """Held-out scores of each model, their differences from the first, and PIT calibration."""
    from cfprob.answers.crossval import pit_uniformity

    reference = scores[0]
    groups = len(reference.groups)
    lines = [f"Cross-validation: claims held out by {by} ({groups} groups); higher elpd predicts better", ""]
    difference = {c.name: c for c in comparisons}
    rows = []
    for score in scores:
        counts, p = pit_uniformity(score.pit)
        c = difference.get(score.name)
        rows.append(
            [
                score.name,
                f"{score.elpd:.1f}",
                f"{score.se:.1f}",
                "-" if c is None else f"{c.difference:+.1f} ({c.se:.1f})",
                " ".join(str(n) for n in counts),
                f"{p:.2f}",
            ]
        )
    header = ["model", "elpd", "SE", "minus the model (SE)", "PIT counts", "PIT p"]
    lines += text_table(header, rows, [False, True, True, True, False, True])
    refits = sum(g.method == "refit" for s in scores for g in s.groups)
    unreliable = [f"{s.name}: {g.group}" for s in scores for g in s.groups if g.method.startswith("psis (")]
    lines.append(
        f"Held-out densities by Pareto-smoothed importance sampling, {refits} exact refits where Pareto k > 0.7. "
        "PIT: held-out point claims in 5 bins, and the Kolmogorov-Smirnov p-value against uniform."
    )
    if unreliable:
        lines.append("Left at importance sampling with Pareto k > 0.7 (no refit allowed): " + ", ".join(unreliable))
    lines.append(_verdict(scores, difference))
    return "\n".join(lines)


def _verdict(scores: Sequence[ModelScore], difference: Mapping[str, Comparison]) -> str:
    """Which model predicts best, or that none does clearly: a difference from the first model within one
    standard error is not one to choose by."""
    reference, best = scores[0], max(scores, key=lambda s: s.elpd)
    if best is reference:
        close = [name for name, c in difference.items() if abs(c.difference) < c.se]
    else:
        close = [reference.name] if abs(difference[best.name].difference) < difference[best.name].se else []
    if close:
        return f"Highest: {best.name}, within one standard error of {', '.join(close)}: no clear best."
    return f"Best: {best.name}."
