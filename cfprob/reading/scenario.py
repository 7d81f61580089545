"""Frozen, validated scenario objects.

A :class:`Scenario` is what :func:`cfprob.reading.loader.load_scenario` returns after checking every file of a
scenario folder. Nothing here reads files or validates; these classes only hold what was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ERA_COMPARISONS",
    "ERA_MEANINGS",
    "OTL",
    "PROBABILITY_FLOOR",
    "Claim",
    "Claimant",
    "Evidence",
    "Feature",
    "LeaderChange",
    "LeaderChanges",
    "Outcome",
    "Passage",
    "Pod",
    "ReferenceClass",
    "Scenario",
    "Source",
    "era_years",
    "placeholders",
    "timeline_of",
]

OTL = "otl"
"""The id of the divergence point that is no divergence: real history."""


ERA_COMPARISONS = ("earlier", "later", "outside")
"""What an era claim's window is compared with: the timeline's years before it, after it, or both."""

ERA_MEANINGS = ("history", "divergences")
"""What an era claim speaks about: real history's curve, or how much a divergence in those years can change."""

PROBABILITY_FLOOR = 1e-6
"""Stated probabilities closer than this to 0 or 1 are moved this far inside, so their logits stay finite."""


def era_years(start: int, end: int, compared_with: str, timeline: tuple[int, int]) -> tuple[range, tuple[range, ...]]:
    """An era claim's window of years and the (non-empty) runs of years it is compared with.

    ``timeline`` is (first, last) year: ``earlier`` compares with the years from ``first`` to before
    ``start``, ``later`` with those after ``end`` to ``last``, ``outside`` with both.
    """
    first, last = timeline
    before, after = range(first, start), range(end + 1, last + 1)
    compared = {"earlier": (before,), "later": (after,), "outside": (before, after)}[compared_with]
    return range(start, end + 1), tuple(r for r in compared if len(r))


def timeline_of(pods: tuple[Pod, ...] | list[Pod], observed_year: int) -> tuple[int, int]:
    """The timeline a scenario that declares none gets: from its first divergence point's year (the observed
    year when there is none) to its last divergence point's or the observed year, whichever is later."""
    years = [p.year for p in pods if p.year is not None]
    return (min([*years, observed_year]) if years else observed_year - 1, max([*years, observed_year]))


@dataclass(frozen=True)
class Outcome:
    id: str
    label: str
    definition: str


@dataclass(frozen=True)
class Feature:
    id: str
    description: str


@dataclass(frozen=True)
class Source:
    id: str
    file: str
    title: str
    kind: str
    url: str
    text: str = field(repr=False)


@dataclass(frozen=True)
class Claimant:
    id: str
    name: str
    aliases: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Passage:
    source: str
    quote: str


@dataclass(frozen=True)
class Pod:
    """A divergence point: a dated change to real history, described by mechanism features."""

    id: str
    year: int | None
    title: str
    description: str
    features: tuple[tuple[str, float], ...]
    passages: tuple[Passage, ...]

    def feature_value(self, feature: str) -> float:
        return dict(self.features).get(feature, 0.0)


@dataclass(frozen=True)
class Claim:
    """One statement by one claimant about outcome probabilities.

    Which of the optional attributes are set depends on ``kind`` (see ``priors/README.md``).
    ``distribution`` is ordered like the scenario's outcomes and sums to 1.
    """

    id: str
    kind: str
    author: str
    written_author: str
    source: str
    locator: str
    quote: str
    file: str
    confidence: float = 1.0
    weight: float = 1.0
    tags: tuple[str, ...] = ()
    note: str = ""
    pod: str | None = None
    outcome: str | None = None
    probability: float | None = None
    low: float | None = None
    high: float | None = None
    phrase: str | None = None
    distribution: tuple[float, ...] | None = None
    higher: str | None = None
    lower: str | None = None
    other: str | None = None
    start: int | None = None
    end: int | None = None
    compared_with: str | None = None
    about: str | None = None
    bins: tuple[tuple[float, float], ...] = ()
    """A poll's probability bins, (low, high) each."""
    votes: tuple[int, ...] = ()
    """A poll's votes per bin."""
    year: int | None = None
    """A claim about real history: the year up to which history is given (see :meth:`history_year`)."""
    bound: str = ""
    """A probability or phrase read as a bound: "lower" (at least this likely) or "upper" (at most)."""
    after: str | None = None
    """An antecedent claim's previous step: the claim is about how plausible ``pod`` is once ``after`` has
    happened (a chain of steps)."""
    given: tuple[str, ...] = ()
    """The condition a claim was stated under: further divergence points, stacked on ``pod`` (the claim is
    about the stack, not about ``pod`` alone); empty for an unconditional claim."""
    author_outcome: str = ""
    """The author's own notion of the outcome, when it differs from the scenario's definition."""
    excluded: str = ""
    """Why the claim is kept out of the fit ("" when it is in)."""
    review: str = ""
    """A draft not yet reviewed (`cfprob draft` writes ``review = "todo"``): listed, never fitted, and `run`
    refuses to fit while any is left."""

    pods: tuple[str, ...] = ()
    """The divergence points the claim is about (none for an era claim: it is about years); set by the loader
    from its kind (:data:`cfprob.claims.KINDS`)."""
    likelihood: bool = False
    """Whether the claim's kind has a likelihood (a proposal has none); set by the loader from the registry."""

    @property
    def scored(self) -> bool:
        """Whether the claim enters the fit: its kind has a likelihood and it is not excluded."""
        return self.likelihood and not self.excluded and not self.review

    @property
    def stack(self) -> tuple[str, ...]:
        """What a claim with a condition is about: its ``pod`` and the divergence points it is ``given``;
        empty for an unconditional claim."""
        return (str(self.pod), *self.given) if self.given else ()


@dataclass(frozen=True)
class ReferenceClass:
    """Real comparable cases, each mapped to an outcome, with the years each was observed."""

    file: str
    rule: str
    cases: tuple[tuple[str, str], ...]
    spans: tuple[tuple[int, int | None], ...]
    """Each case's first year and the year it ended (None: it had not ended by ``censor_year``)."""
    censor_year: int
    """The last year the data cover: a case that had not ended is observed up to it."""
    countries: tuple[str, ...] = ()
    """Each case's country code (``country_column``), as other evidence tables name it; empty when the
    scenario declares no country column."""

    def counts(self, outcomes: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(sum(1 for _, o in self.cases if o == k) for k in outcomes)


@dataclass(frozen=True)
class LeaderChange:
    """A leader who left office unscheduled (died in office, was assassinated) while a regime was in power."""

    country: str
    year: int
    leader: str


@dataclass(frozen=True)
class LeaderChanges:
    """Unscheduled leader changes in the reference class's countries and the case at hand's: the evidence for
    the effect of a change at the top (:mod:`cfprob.history.leaders`)."""

    file: str
    rule: str
    changes: tuple[LeaderChange, ...]
    case_country: str
    """The case at hand's country code (its own changes count too)."""
    window: int
    """Years after a change within which the regime's ending is counted."""
    features: tuple[str, ...]
    """The features whose effect's prior scale this evidence sets."""


@dataclass(frozen=True)
class Evidence:
    observed_outcome: str
    observed_year: int
    observed_note: str
    reference_class: ReferenceClass | None
    survival_outcome: str
    """The outcome of a regime still there at the horizon (the hazard model's survival)."""
    leaders: LeaderChanges | None = None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. ``pods[0]`` is always ``otl``."""

    path: Path
    id: str
    title: str
    question: str
    horizon_year: int
    outcomes: tuple[Outcome, ...]
    features: tuple[Feature, ...]
    sources: tuple[Source, ...]
    claimants: tuple[Claimant, ...]
    pods: tuple[Pod, ...]
    claims: tuple[Claim, ...]
    evidence: Evidence
    content_hash: str
    declared_timeline: tuple[int, int] | None = None

    @property
    def outcome_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.outcomes)

    @property
    def pod_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.pods)

    @property
    def feature_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.features)

    @property
    def claimant_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.claimants)

    @property
    def timeline(self) -> tuple[int, int]:
        """The first and last year of real history's curve: declared in ``[timeline]``, else
        :func:`timeline_of` the divergence points and the observed year."""
        return self.declared_timeline or timeline_of(self.pods, self.evidence.observed_year)

    def history_year(self, claim: Claim) -> int:
        """The year of real history a claim about ``otl`` speaks of: its ``year``; for an ordering against a
        divergence point, that point's year (real history where it diverges); else the timeline's start."""
        if claim.year is not None:
            return claim.year
        others = [p for p in claim.pods if p != OTL]
        if others:
            return int(self.pod(others[0]).year or self.timeline[0])
        return self.timeline[0]

    def pod(self, pod_id: str) -> Pod:
        return next(p for p in self.pods if p.id == pod_id)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    def claimant(self, claimant_id: str) -> Claimant:
        return next(c for c in self.claimants if c.id == claimant_id)

    @property
    def scored_claims(self) -> tuple[Claim, ...]:
        """The claims that enter the fit (:attr:`Claim.scored`)."""
        return tuple(c for c in self.claims if c.scored)

    @property
    def drafts(self) -> tuple[Claim, ...]:
        """Draft claims still to review (``review = "todo"``)."""
        return tuple(c for c in self.claims if c.review)

    def claims_about(self, pod_id: str) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if pod_id in c.pods)


PLACEHOLDER = "Replace:"
"""How the values of a new scenario's skeleton (``cfprob new``) start until the user writes them."""


def placeholders(scenario: Scenario) -> list[str]:
    """Where ``scenario`` still holds a skeleton's value (a text starting with :data:`PLACEHOLDER`), as paths
    such as ``outcomes[0].label``: a valid scenario, not yet a written one."""
    from dataclasses import fields, is_dataclass

    found: list[str] = []

    def walk(value: object, where: str) -> None:
        if isinstance(value, str):
            if value.lstrip().startswith(PLACEHOLDER):
                found.append(where)
        elif isinstance(value, tuple | list):
            for i, item in enumerate(value):
                walk(item, f"{where}[{i}]")
        elif is_dataclass(value) and not isinstance(value, type):
            for f in fields(value):
                walk(getattr(value, f.name), f"{where}.{f.name}" if where else f.name)

    walk(scenario, "")
    return found
