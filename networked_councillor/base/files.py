"""Files a person chose: reading JSON (a ward profile, a boundary), and writing files whole or not at all.

Any failure is one plain sentence. A file is written beside its target and
moved over it only when complete, so an error, a full disk or Ctrl+C never
leaves half a file, nor spoils the one already there, nor leaves a
``.part`` file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from networked_councillor.base.errors import ConfigError, NcError

MAX_BYTES = 50 * 1024 * 1024
"""A ward's boundary at full detail is a few megabytes; much more is not a ward file."""


def read_json(path: str | Path, what: str) -> Any:
    """The JSON in ``path``, or a `ConfigError` that names ``what`` it should have been."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError(f"{path} is too large to be {what} (over {MAX_BYTES // 1024 // 1024} MB).")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Could not read {what} from {path} ({exc.strerror or type(exc).__name__}).") from exc
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not a text file, so it cannot be {what}.") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ConfigError(f"{path} is nested too deeply to be {what}.") from None
    except ValueError as exc:
        raise ConfigError(f"{path} is not valid JSON, so it cannot be {what} ({exc}).") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


@contextmanager
def staged(target: Path, error: type[NcError] = ConfigError) -> Iterator[Path]:
    """A new file beside ``target`` to write in; when the block ends it is gone, whatever happened: moved over
    ``target`` by `put_in_place`, or else deleted."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise _write_error(target, exc, error) from exc
    os.close(handle)
    path = Path(name)
    try:
        yield path
    except OSError as exc:
        raise _write_error(target, exc, error) from exc
    finally:
        path.unlink(missing_ok=True)


def put_in_place(path: Path, target: Path, error: type[NcError] = ConfigError) -> None:
    """Move a staged file, flushed to disk, over ``target`` in one step."""
    try:
        with open(path, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(path, target)
    except OSError as exc:
        raise _write_error(target, exc, error) from exc


def write_whole(target: Path, write: Callable[[Path], Any], error: type[NcError] = ConfigError) -> Any:
    """``write(path)`` into a staged file, then put it in place; what ``write`` returned."""
    with staged(target, error) as path:
        result = write(path)
        put_in_place(path, target, error)
    return result


def _write_error(target: Path, exc: OSError, error: type[NcError]) -> NcError:
    reason = exc.strerror or type(exc).__name__
    return error(f"Could not save {target.name} in {target.parent} ({reason}), so nothing was saved.",
                 hint="Check that the folder exists, that you may save files there and that the disk has room, "
                      "or choose another folder. If the file is open in another program, close it first.")
