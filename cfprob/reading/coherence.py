"""Coherence warnings: claims that cannot all be true together, found before anything is fitted.

Claimants are not always coherent: the same person may rank divergence points in a circle, give outcomes
probabilities that sum above 1 or say two things that cannot both hold, and a crowd that each judges one
outcome tends to give the outcomes more than 1 in total (Tetlock & Lebow's *unpacking* effect). These are
warnings, not errors: the scenario stays valid and the model still weighs every claim by its noise.

Numbers are read from claims the way :mod:`cfprob.fitting.design` reads them: a ``probability`` claim gives its
probability, an ``interval`` claim its range, a ``verbal`` claim the lexicon's fitted logit-normal (its
median, sigmoid of ``logit_mu``, and its central 90% range). ``distribution`` claims sum to 1 by
construction and are not used.

Pure: the standard library and the scenario and lexicon modules only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from cfprob.reading.lexicon import Lexicon, load_lexicon
from cfprob.reading.scenario import Claim, Scenario

__all__ = [
    "COHERENCE_KINDS",
    "FAR_YEARS",
    "POINT_GAP",
    "QUOTE_CHARACTERS",
    "SUM_TOLERANCE",
    "VERBAL_Z",
    "CoherenceWarning",
    "coherence_warnings",
    "describe",
]

COHERENCE_KINDS = ("cycle", "sum_above_one", "contradiction", "unpacking", "far_year")
"""The kinds of warning, in the order they are reported."""

SUM_TOLERANCE = 0.05
"""Probabilities over the outcomes of one divergence point may sum to ``1 + SUM_TOLERANCE`` unwarned."""

POINT_GAP = 0.25
"""Two point probabilities for the same outcome and divergence point contradict when further apart than this."""

FAR_YEARS = 100
"""A divergence point more than this many years from every other dated one is warned about (a typo such as
196 for 1960 stretches the timeline over centuries)."""

VERBAL_Z = 1.645
"""A verbal phrase covers ``sigmoid(logit_mu +- VERBAL_Z * logit_sd)``: the central 90% of its readers."""

QUOTE_CHARACTERS = 160
"""Quotes longer than this are cut, with an ellipsis, by :func:`describe`."""

_EPSILON = 1e-9
"""Rounding slack, so that a sum exactly at the tolerance is not warned about."""

_POINT_KINDS = ("probability", "interval", "verbal")


@dataclass(frozen=True)
class CoherenceWarning:
    """Claims that are incoherent together.

    Attributes
    ----------
    kind
        One of :data:`COHERENCE_KINDS`.
    claimant
        The claimant's id, or ``None`` for a scenario-wide warning (``unpacking``).
    pod
        The divergence point's id, or ``None`` when the warning is about several (``cycle``, and a
        ``contradiction`` between an ordering and numbers).
    message
        One self-contained line saying what is incoherent, with the numbers.
    claims
        The ids of the claims involved, in scenario order.
    """

    kind: str
    claimant: str | None
    pod: str | None
    message: str
    claims: tuple[str, ...]


@dataclass(frozen=True)
class _Statement:
    """What one probability, interval or verbal claim says about one outcome under one pod."""

    claim: Claim
    value: float
    """The lowest probability the claim commits to (a verbal phrase: its median)."""
    low: float
    high: float
    shown: str


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _statement(claim: Claim, lexicon: Lexicon) -> _Statement | None:
    if claim.kind == "probability" and claim.probability is not None:
        p = claim.probability
        return _Statement(claim, p, p, p, f"{p:.2f}")
    if claim.kind == "interval" and claim.low is not None and claim.high is not None:
        return _Statement(claim, claim.low, claim.low, claim.high, f"[{claim.low:.2f}, {claim.high:.2f}]")
    if claim.kind == "verbal":
        entry = lexicon.lookup(str(claim.phrase))
        if entry is None:
            return None
        low = _sigmoid(entry.logit_mu - VERBAL_Z * entry.logit_sd)
        high = _sigmoid(entry.logit_mu + VERBAL_Z * entry.logit_sd)
        median = _sigmoid(entry.logit_mu)
        return _Statement(claim, median, low, high, f'"{claim.phrase}" {median:.2f} (90%: {low:.2f}-{high:.2f})')
    return None


def _lowest(statements: list[_Statement]) -> _Statement:
    """The statement committing to the lowest probability; the first such in scenario order."""
    return min(statements, key=lambda s: s.value)


def _name(scenario: Scenario, claimant: str) -> str:
    return scenario.claimant(claimant).name


def _cycles(edges: dict[tuple[str, str], list[str]], order: dict[str, int]) -> list[list[str]]:
    """Every elementary cycle of the directed graph, once each, starting at its first pod in ``order``."""
    successors: dict[str, list[str]] = defaultdict(list)
    for higher, lower in edges:
        successors[higher].append(lower)
    for targets in successors.values():
        targets.sort(key=order.__getitem__)
    found: list[list[str]] = []
    for start in sorted(successors, key=order.__getitem__):
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in reversed(successors[node]):
                if nxt == start:
                    found.append(path)
                elif order[nxt] > order[start] and nxt not in path:
                    stack.append((nxt, [*path, nxt]))
    return sorted(found, key=lambda cycle: [order[p] for p in cycle])


def _cycle_warnings(scenario: Scenario, order: dict[str, int]) -> list[CoherenceWarning]:
    graphs: dict[tuple[str, str], dict[tuple[str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for c in scenario.scored_claims:
        if c.kind == "ordering":
            graphs[c.author, str(c.outcome)][str(c.higher), str(c.lower)].append(c.id)
    warnings = []
    for (author, outcome), edges in graphs.items():
        for cycle in _cycles(edges, order):
            steps = list(zip(cycle, [*cycle[1:], cycle[0]], strict=True))
            ids = {i for step in steps for i in edges[step]}
            warnings.append(
                CoherenceWarning(
                    kind="cycle",
                    claimant=author,
                    pod=None,
                    message=(
                        f"{_name(scenario, author)}'s orderings on {outcome} form a cycle: "
                        f"{' > '.join([*cycle, cycle[0]])} (no probabilities can satisfy them all)"
                    ),
                    claims=_in_order(scenario, ids),
                )
            )
    return warnings


def _in_order(scenario: Scenario, ids: set[str]) -> tuple[str, ...]:
    return tuple(c.id for c in scenario.claims if c.id in ids)


def _sum_warnings(
    scenario: Scenario, statements: dict[tuple[str, str, str], list[_Statement]]
) -> list[CoherenceWarning]:
    by_claimant_pod: dict[tuple[str, str], dict[str, _Statement]] = defaultdict(dict)
    for (author, pod, outcome), said in statements.items():
        by_claimant_pod[author, pod][outcome] = _lowest(said)
    warnings = []
    for (author, pod), lowest in by_claimant_pod.items():
        terms = [(k, lowest[k]) for k in scenario.outcome_ids if k in lowest]
        total = math.fsum(s.value for _, s in terms)
        if total > 1 + SUM_TOLERANCE + _EPSILON:
            shown = ", ".join(f"{k} {s.value:.2f}" for k, s in terms)
            warnings.append(
                CoherenceWarning(
                    kind="sum_above_one",
                    claimant=author,
                    pod=pod,
                    message=(
                        f"{_name(scenario, author)}'s probabilities for the outcomes of {pod} sum to {total:.2f}, "
                        f"above 1 ({shown}; each outcome's lowest statement)"
                    ),
                    claims=_in_order(scenario, {s.claim.id for _, s in terms}),
                )
            )
    return warnings


def _disagree(a: _Statement, b: _Statement) -> bool:
    if a.claim.kind == b.claim.kind == "probability":
        return abs(a.value - b.value) > POINT_GAP + _EPSILON
    return a.high < b.low or b.high < a.low


def _contradiction_warnings(
    scenario: Scenario, statements: dict[tuple[str, str, str], list[_Statement]]
) -> list[CoherenceWarning]:
    warnings = []
    for (author, pod, outcome), said in statements.items():
        for i, a in enumerate(said):
            for b in said[i + 1 :]:
                if not _disagree(a, b):
                    continue
                reason = (
                    f"more than {POINT_GAP:.2f} apart"
                    if a.claim.kind == b.claim.kind == "probability"
                    else "the ranges do not overlap"
                )
                warnings.append(
                    CoherenceWarning(
                        kind="contradiction",
                        claimant=author,
                        pod=pod,
                        message=(
                            f"{_name(scenario, author)} gives P({outcome} | {pod}) as {a.shown} and as {b.shown}: "
                            f"{reason}"
                        ),
                        claims=(a.claim.id, b.claim.id),
                    )
                )
    for c in scenario.scored_claims:
        if c.kind != "ordering":
            continue
        higher = statements.get((c.author, str(c.higher), str(c.outcome)), [])
        lower = statements.get((c.author, str(c.lower), str(c.outcome)), [])
        if not higher or not lower:
            continue
        top = max(s.high for s in higher)
        bottom = min(s.low for s in lower)
        if top < bottom:
            warnings.append(
                CoherenceWarning(
                    kind="contradiction",
                    claimant=c.author,
                    pod=None,
                    message=(
                        f"{_name(scenario, c.author)} says P({c.outcome}) is higher under {c.higher} than under "
                        f"{c.lower}, but gives it at most {top:.2f} under {c.higher} and at least {bottom:.2f} "
                        f"under {c.lower}"
                    ),
                    claims=_in_order(scenario, {c.id} | {s.claim.id for s in [*higher, *lower]}),
                )
            )
    return warnings


def _unpacking_warnings(
    scenario: Scenario, statements: dict[tuple[str, str, str], list[_Statement]]
) -> list[CoherenceWarning]:
    by_pod: dict[str, dict[str, dict[str, _Statement]]] = defaultdict(lambda: defaultdict(dict))
    for (author, pod, outcome), said in statements.items():
        by_pod[pod][outcome][author] = _lowest(said)
    warnings = []
    for pod, outcomes in by_pod.items():
        if len({a for per_author in outcomes.values() for a in per_author}) < 2:
            continue  # one claimant alone: a sum_above_one warning, if anything
        terms = []
        for k in scenario.outcome_ids:
            if k in outcomes:
                values = [s.value for s in outcomes[k].values()]
                terms.append((k, math.fsum(values) / len(values), len(values)))
        total = math.fsum(mean for _, mean, _ in terms)
        if total > 1 + SUM_TOLERANCE + _EPSILON:
            shown = ", ".join(f"{k} {mean:.2f} from {n} claimant{'s' if n != 1 else ''}" for k, mean, n in terms)
            ids = {s.claim.id for per_author in outcomes.values() for s in per_author.values()}
            warnings.append(
                CoherenceWarning(
                    kind="unpacking",
                    claimant=None,
                    pod=pod,
                    message=(
                        f"claims about {pod} unpack to a total of {total:.2f} across outcomes ({shown}); "
                        "Tetlock & Lebow found that unpacking a history into its outcomes inflates their total"
                    ),
                    claims=_in_order(scenario, ids),
                )
            )
    return warnings


def _far_year_warnings(scenario: Scenario) -> list[CoherenceWarning]:
    """Divergence points dated far from every other one (with at least two others to compare with)."""
    dated = [p for p in scenario.pods if p.year is not None]
    warnings = []
    for pod in dated:
        others = [abs(int(o.year) - int(pod.year)) for o in dated if o.id != pod.id]  # type: ignore[arg-type]
        if len(others) >= 2 and min(others) > FAR_YEARS:
            warnings.append(
                CoherenceWarning(
                    "far_year",
                    None,
                    pod.id,
                    f"divergence point {pod.id} is dated {pod.year}, {min(others)} years from the nearest other "
                    f"divergence point: is the year a typo? The timeline spans every year between them",
                    (),
                )
            )
    return warnings


def coherence_warnings(scenario: Scenario, lexicon: Lexicon | None = None) -> tuple[CoherenceWarning, ...]:
    """Every coherence warning about a validated scenario.

    Parameters
    ----------
    scenario
        A scenario from :func:`cfprob.reading.loader.load_scenario`.
    lexicon
        The lexicon verbal claims are read with; the bundled one by default. A verbal claim whose phrase
        it does not know is left out.

    Returns
    -------
    tuple of CoherenceWarning
        Sorted by kind (as in :data:`COHERENCE_KINDS`), then claimant and divergence point (scenario
        order, scenario-wide and multi-pod warnings first), then the claims involved.
    """
    lexicon = lexicon or load_lexicon()
    statements: dict[tuple[str, str, str], list[_Statement]] = defaultdict(list)
    for c in scenario.scored_claims:
        if c.kind in _POINT_KINDS and not c.given:  # a claim under a condition is about a stack: compared with none
            s = _statement(c, lexicon)
            if s is not None:
                statements[c.author, str(c.pod), str(c.outcome)].append(s)
    pods = {p: i for i, p in enumerate(scenario.pod_ids)}
    claimants = {a: i for i, a in enumerate(scenario.claimant_ids)}
    claims = {c.id: i for i, c in enumerate(scenario.claims)}
    warnings = [
        *_cycle_warnings(scenario, pods),
        *_sum_warnings(scenario, statements),
        *_contradiction_warnings(scenario, statements),
        *_unpacking_warnings(scenario, statements),
        *_far_year_warnings(scenario),
    ]

    def key(w: CoherenceWarning) -> tuple[int, int, int, list[int]]:
        return (
            COHERENCE_KINDS.index(w.kind),
            -1 if w.claimant is None else claimants[w.claimant],
            -1 if w.pod is None else pods[w.pod],
            [claims[i] for i in w.claims],
        )

    return tuple(sorted(warnings, key=key))


def _quote(text: str) -> str:
    one_line = " ".join(text.split())
    if len(one_line) <= QUOTE_CHARACTERS:
        return one_line
    return one_line[: QUOTE_CHARACTERS - 3].rstrip() + "..."


def describe(warning: CoherenceWarning, scenario: Scenario) -> list[str]:
    """The warning's message, then one indented line per claim involved, quoting it.

    Parameters
    ----------
    warning
        A warning from :func:`coherence_warnings` about ``scenario``.
    scenario
        The scenario the claims are in.

    Returns
    -------
    list of str
        ``[message, '  - <claim id> (<author name>): "<quote>"', ...]``; quotes are put on one line and
        cut to :data:`QUOTE_CHARACTERS` characters with ``...``.
    """
    by_id = {c.id: c for c in scenario.claims}
    lines = [warning.message]
    for claim_id in warning.claims:
        claim = by_id[claim_id]
        lines.append(f'  - {claim.id} ({_name(scenario, claim.author)}): "{_quote(claim.quote)}"')
    return lines
