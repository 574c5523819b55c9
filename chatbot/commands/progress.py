"""A one-line progress bar for large imports, drawn on standard error only when it is a
terminal (never in a pipe, a log or cron's mail)."""

from __future__ import annotations

import time
from typing import TextIO

LARGE = 2_000
"""Rows from which a file counts as large enough for a bar."""
WIDTH = 30
REDRAW_SECONDS = 0.1


def shows_progress(stream: TextIO, total: int) -> bool:
    return total >= LARGE and stream.isatty()


class ProgressBar:
    """``reading staff.csv [##########--------------------]  33% 6600/20000``, redrawn in
    place at most every ``REDRAW_SECONDS``; ``close`` draws the last state and ends the line.
    Without ``shown`` it draws nothing."""

    def __init__(self, stream: TextIO, label: str, total: int, *, shown: bool) -> None:
        self._stream = stream
        self._label = label
        self._total = max(total, 1)
        self._shown = shown
        self._done = 0
        self._drawn_at = 0.0

    def update(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self._total = max(total, 1)
        self._done = min(done, self._total)
        now = time.monotonic()
        if self._shown and now - self._drawn_at >= REDRAW_SECONDS:
            self._drawn_at = now
            self._draw()

    def close(self) -> None:
        if self._shown:
            self._done = self._total
            self._draw()
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self) -> None:
        filled = WIDTH * self._done // self._total
        percent = 100 * self._done // self._total
        bar = "#" * filled + "-" * (WIDTH - filled)
        self._stream.write(f"\r{self._label} [{bar}] {percent:3d}% {self._done}/{self._total}")
        self._stream.flush()
