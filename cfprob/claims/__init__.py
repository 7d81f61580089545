"""Claim kinds, one module per likelihood family, and the registry every other module iterates over.

To add a kind, write a module like :mod:`cfprob.claims.interval` (its fields and checks, design block,
PyMC and numpy log-likelihoods, replicas, simulation and the sentence that describes a claim) and list its
family in :data:`FAMILIES`; ARCHITECTURE.md's "Adding a claim kind" says what else a new kind needs.
"""

from __future__ import annotations

from cfprob.claims import (
    antecedent,
    distribution,
    era,
    interval,
    level,
    ordering,
    point,
    poll,
    proposal,
    same,
    uncertain,
)
from cfprob.claims.base import ClaimBlock, ClaimKind, DesignContext, Family, KindContext, ModelTerms, Parameter

__all__ = [
    "FAMILIES",
    "KINDS",
    "LISTED",
    "ClaimBlock",
    "ClaimKind",
    "DesignContext",
    "Family",
    "KindContext",
    "ModelTerms",
    "Parameter",
    "family_of",
    "has_likelihood",
]

FAMILIES: tuple[Family, ...] = (
    point.FAMILY,
    interval.FAMILY,
    distribution.FAMILY,
    ordering.FAMILY,
    era.FAMILY,
    level.FAMILY,
    same.FAMILY,
    uncertain.FAMILY,
    poll.FAMILY,
    antecedent.FAMILY,
)
"""The likelihood families in model order: the order of the model's terms and of every per-claim array."""

LISTED: tuple[ClaimKind, ...] = (proposal.PROPOSAL,)
"""Kinds with no likelihood: listed with their divergence point, never fitted."""

KINDS: dict[str, ClaimKind] = {kind.name: kind for family in FAMILIES for kind in (*family.kinds,)} | {
    kind.name: kind for kind in LISTED
}
"""Every claim kind by the name claim files give in ``kind``."""

_FAMILY_OF = {kind.name: family for family in FAMILIES for kind in family.kinds}


def has_likelihood(kind: str) -> bool:
    """Whether claims of ``kind`` enter the fit (a family's kind, not a listed one)."""
    return kind in _FAMILY_OF


def family_of(kind: str) -> Family:
    """The likelihood family of a claim kind."""
    return _FAMILY_OF[kind]
