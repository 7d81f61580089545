"""A predictive check that can fail: a placebo divergence must stay real history.

The check adds a divergence point that changes nothing (no features, no claims) to a copy of the scenario,
fits it with everything else as it is, and asks what the model predicts for it. Its answer must not lean
either way: for every outcome the share of draws in which the placebo raises the outcome's probability over
real history at its year must lie between 0.35 and 0.65. A model that lets claims about some divergence
points move every divergence point through shared terms fails it: version 3's shared year effect, which
hopeful claims lifted, gave 0.92 for stable democracy (the v3 pathology); claims about one divergence point
driving another's answer show up the same way, since the placebo has none of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from cfprob.reading.scenario import OTL, Pod, Scenario

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["BAND", "PLACEBO", "PlaceboResult", "placebo_check", "placebo_year", "with_placebo"]

PLACEBO = "placebo"
"""The id of the added divergence point (a suffix is added if the scenario uses it)."""
BAND = (0.35, 0.65)
"""The range P(the placebo raises an outcome) must lie in, for every outcome."""


@dataclass(frozen=True)
class PlaceboResult:
    """What the model predicts for a divergence point that changes nothing."""

    pod: str
    year: int
    p_raise: dict[str, float]
    """P(the placebo's outcome probability > real history's at its year), per outcome."""
    change: dict[str, float]
    """Posterior mean change against real history at its year, per outcome."""

    @property
    def failures(self) -> list[str]:
        low, high = BAND
        return [
            f"placebo divergence in {self.year}: P(raises {o}) = {p:.2f}, outside {low}-{high} (a divergence that "
            "changes nothing moves the answer)"
            for o, p in self.p_raise.items()
            if not low <= p <= high
        ]

    @property
    def passed(self) -> bool:
        return not self.failures


def placebo_year(scenario: Scenario) -> int:
    """The median year of the scenario's divergence points (the middle of its timeline without any)."""
    years = [p.year for p in scenario.pods if p.id != OTL and p.year is not None]
    if not years:
        first, last = scenario.timeline
        return (first + last) // 2
    return int(np.median(years))


def with_placebo(scenario: Scenario, year: int) -> tuple[Scenario, str]:
    """A copy of ``scenario`` with a divergence point in ``year`` that changes nothing, and its id."""
    pod_id = PLACEBO
    while pod_id in scenario.pod_ids:
        pod_id += "-added"
    placebo = Pod(pod_id, year, "Placebo", "A divergence that changes nothing (added by the placebo check).", (), ())
    digest = hashlib.sha256(f"{scenario.content_hash}\nplacebo {pod_id} {year}".encode()).hexdigest()
    return replace(scenario, pods=(*scenario.pods, placebo), content_hash=digest), pod_id


def placebo_check(scenario: Scenario, fit: Callable[[Scenario], xr.DataTree], year: int | None = None) -> PlaceboResult:
    """Fit ``scenario`` with a placebo divergence added (``fit`` samples a scenario) and read its answer."""
    from cfprob.answers.query import Fit, answer

    year = placebo_year(scenario) if year is None else year
    changed, pod_id = with_placebo(scenario, year)
    result = answer(Fit.from_tree(fit(changed)), [pod_id])
    return PlaceboResult(
        pod_id,
        year,
        {r.outcome: r.p_raise for r in result.rows},
        {r.outcome: r.change_mean for r in result.rows},
    )
