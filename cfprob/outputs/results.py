"""A fit with one answer attached: what `cfprob run --out` saves."""

from __future__ import annotations

import json

import xarray as xr

from cfprob.answers.query import Answer

__all__ = ["with_answer"]


def with_answer(tree: xr.DataTree, answer: Answer) -> xr.DataTree:
    """A copy of ``tree`` with an ``answer`` group (per-outcome summaries) and the question in its attrs."""
    outcomes = [r.outcome for r in answer.rows]
    summary = xr.Dataset(
        {
            "mean": ("outcome", [r.mean for r in answer.rows]),
            "low": ("outcome", [r.low for r in answer.rows]),
            "high": ("outcome", [r.high for r in answer.rows]),
            "change_mean": ("outcome", [r.change_mean for r in answer.rows]),
            "change_low": ("outcome", [r.change_low for r in answer.rows]),
            "change_high": ("outcome", [r.change_high for r in answer.rows]),
            "p_raise": ("outcome", [r.p_raise for r in answer.rows]),
            "simulated_histories": ("outcome", [answer.histories[o] for o in outcomes]),
        },
        coords={"outcome": outcomes},
        attrs={
            "question": answer.label,
            "pods": json.dumps(list(answer.pods)),
            "features": json.dumps(dict(answer.features)),
            "extrapolation": int(answer.extrapolation),
            "year": int(answer.year),
            "semantics": answer.to_dict()["semantics"],
        },
    )
    result = tree.copy()
    result["answer"] = xr.DataTree(summary)
    result.attrs["pod"] = answer.label
    return result
