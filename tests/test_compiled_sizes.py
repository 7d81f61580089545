"""The compiled model graph does not depend on the scenario's sizes: a new divergence point changes data, not
code, so its refit loads the cached machine code instead of compiling it again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cfprob.fitting.design import design, dim_lengths
from cfprob.reading.loader import load_scenario

pytestmark = pytest.mark.mcmc

WEIMAR = Path(__file__).parent / "scenarios" / "weimar"

NEW_POD = """
[[pods]]
id = "another-divergence-1931"
year = 1931
title = "Another divergence"
description = "Added by a test."
features = { economy_spared = 0.5 }
"""


def _keys(folder: Path) -> tuple[int, str, str]:
    from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS

    from cfprob.fitting.compiled import _functions
    from cfprob.fitting.model import build_model
    from cfprob.fitting.runtime import prepare

    prepare()
    n_dim, _, logp, expand, _, _ = _functions(build_model(design(load_scenario(folder))))
    keys = [CACHED_SRC_FUNCTIONS.get(f.vm.jit_fn.py_func) for f in (logp, expand)]
    assert all(keys), "PyTensor could not hash the compiled graph"
    return n_dim, str(keys[0]), str(keys[1])


def test_a_new_divergence_point_keeps_the_compiled_graph(tmp_path: Path) -> None:
    grown = tmp_path / "weimar"
    shutil.copytree(WEIMAR, grown)
    (grown / "pods.toml").write_text((grown / "pods.toml").read_text() + NEW_POD)
    before, after = _keys(WEIMAR), _keys(grown)
    assert after[0] > before[0]  # more free parameters...
    assert after[1:] == before[1:]  # ...and the same graphs, hence the same machine code
    assert dim_lengths(design(load_scenario(grown)))["pod"] == dim_lengths(design(load_scenario(WEIMAR)))["pod"] + 1
