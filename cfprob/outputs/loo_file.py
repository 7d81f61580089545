"""A fit's leave-one-out weights, computed once and kept in the cache as a sealed ``.npz``.

Every report and every ``sensitivity`` of a fit reweights its draws to leave out each claimant and each claim
(:class:`cfprob.answers.sensitivity.LeaveOneOut`): the Pareto-smoothed weights do not depend on the divergence
point asked about, so they are computed once per fit and kept under the fit's key. A file that is damaged, cut
short or made for another fit is never used (the weights are computed again and the file rewritten).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cfprob.answers.sensitivity import LeaveOneOut
from cfprob.paths import cache_folder
from cfprob.safe.sealed_arrays import read_sealed_arrays, write_sealed_arrays

__all__ = ["leave_one_out_path", "read_leave_one_out", "write_leave_one_out"]


def leave_one_out_path(key: str) -> Path:
    """Where the leave-one-out weights of the fit with key ``key`` are kept."""
    return cache_folder("leave-one-out") / f"{key}.npz"


def write_leave_one_out(loo: LeaveOneOut, path: Path, key: str) -> None:
    """``loo`` to ``path`` for the fit key ``key``, sealed, atomically."""
    members = [list(index) for _, _, index in loo.groups]
    arrays = {
        "key": np.asarray(key),
        "claim_ids": np.asarray(loo.claim_ids, dtype=str),
        "kinds": np.asarray([kind for kind, _, _ in loo.groups], dtype=str),
        "ids": np.asarray([gid for _, gid, _ in loo.groups], dtype=str),
        "members": np.asarray([i for index in members for i in index], dtype=np.int64),
        "sizes": np.asarray([len(index) for index in members], dtype=np.int64),
        "weights": loo.weights,
        "khat": loo.khat,
    }
    write_sealed_arrays(path, arrays)


def read_leave_one_out(path: Path, key: str) -> LeaveOneOut | None:
    """The weights in ``path`` when the file is whole and was made for the fit key ``key``, else None."""
    arrays = read_sealed_arrays(path)
    if arrays is None:
        return None
    try:
        if str(arrays["key"]) != key:
            return None
        sizes = arrays["sizes"].astype(int)
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        members = arrays["members"].astype(int)
        groups = tuple(
            (str(kind), str(gid), tuple(int(i) for i in members[start:end]))
            for kind, gid, start, end in zip(arrays["kinds"], arrays["ids"], bounds[:-1], bounds[1:], strict=True)
        )
        weights, khat = arrays["weights"].astype(float), arrays["khat"].astype(float)
    except (ValueError, KeyError):  # an array missing or of the wrong kind
        return None
    if weights.shape != (len(groups), weights.shape[-1]) or khat.shape != (len(groups),):
        return None
    if not np.isfinite(weights).all():
        return None
    return LeaveOneOut(tuple(str(x) for x in arrays["claim_ids"]), groups, weights, khat)
