"""One fetch at a time per data folder, across processes.

The window fetches on a timer; a council's IT may also schedule
`networked-councillor fetch`. Two fetches of one ward at once would only
repeat each other's requests, so the second is skipped with a message
rather than queued behind the first. The lock is the operating system's
(``flock`` on Linux and macOS, ``msvcrt.locking`` on Windows), so a fetch
killed mid-run never leaves it held.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from networked_councillor.base.errors import FetchBusy

LOCK_FILE = "fetch.lock"

if os.name == "nt":
    import msvcrt

    def _lock(handle: BinaryIO) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: BinaryIO) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(handle: BinaryIO) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: BinaryIO) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def only_fetch(folder: Path) -> Iterator[None]:
    """Hold the folder's fetch lock for the block, or raise `FetchBusy` at once if another fetch holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "a+b") as handle:
        try:
            _lock(handle)
        except OSError:
            raise FetchBusy("Another fetch of this ward is already running (in the window, or a scheduled "
                            "`networked-councillor fetch`), so this one was skipped.",
                            hint="Its new items appear when it finishes.") from None
        try:
            yield
        finally:
            _unlock(handle)
