"""Interrupted runs leave no partial file and no damaged cache."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cfprob.errors import CfprobError
from cfprob.safe.files import write_atomically

from .conftest import WEIMAR


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "result.nc"
    target.write_text("earlier result")

    def interrupted(temporary: str) -> None:
        Path(temporary).write_text("half of a new res")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, interrupted)
    assert target.read_text() == "earlier result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.nc"]


def test_unwritable_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CfprobError, match="expected a writable folder"):
        write_atomically(tmp_path / "missing" / "x.nc", lambda _: None)


@pytest.mark.mcmc
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "term", "kill"])
def test_interrupted_run_writes_nothing(tmp_path: Path, isolated_cache: Path, how: signal.Signals) -> None:
    output = tmp_path / "result.nc"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cfprob",
            "run",
            "no-depression-1929",
            "--scenario",
            str(WEIMAR),
            "--draws",
            "100000",
            "--tune",
            "200",
            "--chains",
            "2",
            "--sampler",
            "nutpie",
            "--output",
            str(output),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        start_new_session=True,
        # a shell's background job starts with SIGINT ignored, and Python then keeps ignoring it: restore it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "sampling" in line:
            break
    time.sleep(5)
    os.killpg(process.pid, how)
    _, err = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "Traceback" not in err
    if how != signal.SIGKILL:  # nutpie would return the unfinished chains padded with NaN: they are never kept
        assert "cfprob: interrupted; nothing was written" in err and process.returncode == 130
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir()] == []
    fits = isolated_cache / "fits"
    assert not fits.exists() or list(fits.iterdir()) == []
