"""The command line's one-line progress bar, shared by every long command."""

from __future__ import annotations

import shutil
import sys
import threading


class ProgressBar:
    """A one-line progress bar on stderr."""

    def __init__(self, width: int = 28) -> None:
        self.width = width
        self._lock = threading.Lock()

    def __call__(self, fraction: float | None, message: str) -> None:
        fraction = fraction or 0.0
        filled = int(self.width * fraction)
        columns = shutil.get_terminal_size((80, 20)).columns
        line = f"[{'#' * filled}{'-' * (self.width - filled)}] {fraction:4.0%} {message}"
        with self._lock:
            sys.stderr.write("\r" + line[: columns - 1].ljust(columns - 1))
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\r" + " " * (shutil.get_terminal_size((80, 20)).columns - 1) + "\r")
        sys.stderr.flush()
