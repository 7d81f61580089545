"""The live status line of long stages (cfprob.cli.status)."""

from __future__ import annotations

import io
import time

from cfprob.cli.status import StageStatus


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_still_lines_while_a_stage_lasts() -> None:
    out = io.StringIO()
    with StageStatus(out, tick=0.05, log_every=0.3) as say:
        say("compiling the model")
        time.sleep(1.5)
        say("sampling")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("cfprob: compiling the model [0 s]")
    assert any(line.startswith("cfprob: still compiling the model [1 s]") for line in lines)
    assert lines[-1].startswith("cfprob: sampling [")
    assert "\r" not in out.getvalue()  # a log file gets whole lines only


def test_a_terminal_sees_its_line_updated_and_ended() -> None:
    out = _Terminal()
    with StageStatus(out, tick=0.05, quiet_during=("sampling",)) as say:
        say("compiling the model")
        time.sleep(1.3)
        say("sampling 4 chains")
        out.write("BAR")  # the sampler's own progress bar
        time.sleep(1.3)
    text = out.getvalue()
    assert "\r\x1b[Kcfprob: compiling the model [1 s; 1 s in this stage]" in text
    assert "sampling 4 chains [1 s; " not in text  # the sampler's own bar is the live line there
    assert "cfprob: sampling 4 chains [1 s]\nBAR" in text  # and the bar starts on a line of its own
    assert "in this stage]\ncfprob: sampling" in text  # the live line is ended before the next stage
