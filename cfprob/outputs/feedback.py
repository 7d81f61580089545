"""What each of a claimant's sentences became, as a reply they can answer (``cfprob claims --feedback``).

Expert-elicitation protocols (SHELF) show each expert how their judgements were read before pooling them; forum
pooling has no such step. This page lists, for one claimant, every sentence of theirs the scenario encodes: the
quote, its kind, the reading (the chance it was read as, through the lexicon where it is a phrase), what it is
about, the condition or the step it was said under, whether it enters the fit (and why not), and the
encoder's note. It is written to be posted as a reply, so the poster can say "that is not what I meant".
"""

from __future__ import annotations

from typing import Any

from cfprob.outputs.listings import claim_strength
from cfprob.reading.lexicon import Lexicon
from cfprob.reading.scenario import Claim, Scenario
from cfprob.safe.neutralise import for_bbcode

__all__ = ["feedback_page", "readings"]

_KIND_WORDS = {
    "probability": "a chance, as a number",
    "verbal": "a chance, in words",
    "interval": "a range of chances",
    "distribution": "a chance for every outcome",
    "ordering": "one divergence likelier than another to reach an outcome",
    "era": "when a divergence could work",
    "level": "real history's chance over some years",
    "same": "no difference between two divergences",
    "uncertain": "what follows cannot be known",
    "poll": "a poll's votes",
    "antecedent": "how plausible the divergence itself is",
    "proposal": "a divergence suggested, with no view on where it leads",
}


def _note(claim: Claim) -> str:
    """The encoder's note without the settling record (which reader's wording was kept)."""
    return claim.note.split(" Settled:")[0].strip()


def _about(claim: Claim, scenario: Scenario) -> str:
    titles = [f"{scenario.pod(p).title} ({p})" for p in claim.pods if p in scenario.pod_ids]
    return "; ".join(titles) or "real history's years"


def readings(scenario: Scenario, author: str, lexicon: Lexicon) -> list[dict[str, Any]]:
    """Each of claimant ``author``'s claims as read, in the scenario's order (file, then position)."""
    rows = []
    for c in scenario.claims:
        if c.author != author:
            continue
        condition = ""
        if c.given:
            condition = "said on condition that " + ", ".join(f"{scenario.pod(p).title} ({p})" for p in c.given)
        elif c.after:
            condition = f"the step after {scenario.pod(c.after).title} ({c.after})"
        in_fit = "yes" if c.scored else (f"no: {c.excluded}" if c.excluded else "no: listed only (a suggestion)")
        rows.append(
            {
                "id": c.id,
                "where": f"{scenario.source(c.source).title}, {c.locator}",
                "quote": c.quote,
                "kind": c.kind,
                "read_as": f"{_KIND_WORDS.get(c.kind, c.kind)}: {claim_strength(c, lexicon, scenario.outcome_ids)}",
                "about": _about(c, scenario),
                "condition": condition,
                "in_the_fit": in_fit,
                "note": _note(c),
            }
        )
    return rows


def feedback_page(scenario: Scenario, author: str, lexicon: Lexicon, bbcode: bool = False) -> str:
    """The reply for claimant ``author``: plain text, or BBCode to paste into a forum post."""
    name = scenario.claimant(author).name
    items = readings(scenario, author, lexicon)
    text = for_bbcode if bbcode else (lambda s: s)
    bold = (lambda s: f"[b]{s}[/b]") if bbcode else (lambda s: s)
    lines = [
        bold(f"How your posts were read, {text(name)}"),
        "",
        text(
            f'{len(items)} of your statements are in the scenario "{scenario.title}". This is what each became '
            "in the model; if a reading is not what you meant, say so and it will be read again."
        ),
    ]
    for i, item in enumerate(items, 1):
        quote = f"[quote]{text(item['quote'])}[/quote]" if bbcode else f'  > "{item["quote"]}"'
        lines += [
            "",
            bold(f"{i}. {text(item['where'])}"),
            quote,
            f"  Read as: {text(item['read_as'])}",
            f"  About: {text(item['about'])}",
            *([f"  Condition: {text(item['condition'])}"] if item["condition"] else []),
            f"  In the fit: {text(item['in_the_fit'])}",
            *([f"  How it was read: {text(item['note'])}"] if item["note"] else []),
        ]
    return "\n".join(lines)
