"""Proposal claims: a divergence point suggested or asked about ("what about Bukharin?"), with no view on
what follows from it. A proposal has no likelihood: it is listed with its divergence point (``claims``,
``pods``, the report) and never enters the fit, so a suggestion is not read as a probability.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cfprob.claims.base import ClaimKind
from cfprob.reading import fields as f

if TYPE_CHECKING:
    from cfprob.reading.lexicon import Lexicon
    from cfprob.reading.scenario import Claim

__all__ = ["PROPOSAL"]


def _says(claim: Claim, lexicon: Lexicon, outcomes: Sequence[str]) -> str:
    return f"proposes {claim.pod} (no view on its outcome; not in the fit)"


PROPOSAL = ClaimKind("proposal", {"pod": f.identifier()}, _says)
