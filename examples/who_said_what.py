"""Trace the bundled scenario's numbers to people: claims per claimant and what verbal phrases became.

    python examples/who_said_what.py

Pure Python: no model is fitted.
"""

from __future__ import annotations

from collections import Counter

from cfprob.outputs.listings import claim_strength
from cfprob.paths import bundled_scenario
from cfprob.reading.lexicon import load_lexicon
from cfprob.reading.loader import load_scenario


def main() -> None:
    scenario = load_scenario(bundled_scenario())
    lexicon = load_lexicon()
    per_author = Counter(c.author for c in scenario.claims)
    print(f"{scenario.title}: {len(scenario.claims)} claims by {len(per_author)} claimants\n")
    for author, count in per_author.most_common():
        claimant = scenario.claimant(author)
        aliases = f" (also posts as {', '.join(claimant.aliases)})" if claimant.aliases else ""
        print(f"{claimant.name}{aliases}: {count} claims")
        for claim in (c for c in scenario.claims if c.author == author):
            print(f"    {'/'.join(claim.pods)}: {claim_strength(claim, lexicon, scenario.outcome_ids)}")


if __name__ == "__main__":
    main()
