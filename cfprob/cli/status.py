"""The live status line of long stages (compiling, sampling, refitting) on stderr.

Each stage is announced with the time since the command began. While a stage lasts, a terminal sees its
line updated every second with the time spent in it; a log file or pipe (stderr not a terminal) gets a
"still …" line every half minute instead, so a first fit is never silent for minutes, whatever stdout is.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

__all__ = ["StageStatus"]


class StageStatus:
    """Stage lines on ``stream`` (stderr by default), live while a stage runs; use as a context manager.

    Parameters
    ----------
    stream
        Where the lines go.
    tick
        Seconds between updates of a terminal's line.
    log_every
        Seconds between "still …" lines when ``stream`` is not a terminal.
    quiet_during
        Stages whose message starts with one of these are not updated on a terminal (a progress bar of their
        own is on the screen).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        tick: float = 1.0,
        log_every: float = 30.0,
        quiet_during: tuple[str, ...] = (),
    ) -> None:
        self.stream = stream or sys.stderr
        self.tick = tick
        self.log_every = log_every
        self.quiet_during = quiet_during
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.perf_counter()
        self._stage = ""
        self._stage_started = self.started
        self._last_log = self.started
        self._open = False  # a terminal line without its newline yet
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, message: str) -> None:
        """Announce a stage."""
        with self._lock:
            now = time.perf_counter()
            self._close_line()
            self._stage, self._stage_started, self._last_log = message, now, now
            live = self.terminal and not self._quiet(message)  # a quiet stage's own bar starts on a new line
            self._write(f"cfprob: {message} [{now - self.started:.0f} s]", keep_open=live)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="cfprob-status", daemon=True)
            self._thread.start()

    def __enter__(self) -> StageStatus:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop updating and end the open line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * self.tick)
        with self._lock:
            self._close_line()

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            with self._lock:
                now = time.perf_counter()
                in_stage = now - self._stage_started
                if not self._stage or in_stage < 1.0:
                    continue
                if self.terminal:
                    if not self._quiet(self._stage):
                        total = now - self.started
                        line = f"cfprob: {self._stage} [{total:.0f} s; {in_stage:.0f} s in this stage]"
                        self.stream.write("\r\033[K" + line)
                        self.stream.flush()
                elif now - self._last_log >= self.log_every:
                    self._last_log = now
                    self._write(f"cfprob: still {self._stage} [{now - self.started:.0f} s]", keep_open=False)

    def _quiet(self, message: str) -> bool:
        return bool(self.quiet_during) and message.startswith(self.quiet_during)

    def _write(self, line: str, keep_open: bool) -> None:
        self.stream.write(line if keep_open else line + "\n")
        self.stream.flush()
        self._open = keep_open

    def _close_line(self) -> None:
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
