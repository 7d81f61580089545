"""Trace the bundled scenario's numbers to people: claims per claimant and what verbal phrases became.

    python examples/who_said_what.py

Pure Python: no model is fitted.
"""

from __future__ import annotations

from collections import Counter

import cfprob


def main() -> None:
    scenario = cfprob.load_scenario()
    lexicon = cfprob.load_lexicon()
    per_author = Counter(c.author for c in scenario.claims)
    print(f"{scenario.title}: {len(scenario.claims)} claims by {len(per_author)} claimants\n")
    for author, count in per_author.most_common():
        claimant = scenario.claimant(author)
        aliases = f" (also posts as {', '.join(claimant.aliases)})" if claimant.aliases else ""
        print(f"{claimant.name}{aliases}: {count} claims")
        for claim in (c for c in scenario.claims if c.author == author):
            says = cfprob.KINDS[claim.kind].says(claim, lexicon, scenario.outcome_ids)
            print(f"    {'/'.join(claim.pods)}: {says}")


if __name__ == "__main__":
    main()
