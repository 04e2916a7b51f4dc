"""Reading a body without trusting it: capped in size (gzip bombs included), within the deadline, and `file:`
addresses read like web ones."""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from networked_councillor.base.errors import SourceError
from networked_councillor.plugin_api.http_answers import (
    HttpResponse,
    Truncated,
    Validators,
    check_cancel,
    host_of,
    too_big,
)


def read_body(headers: Mapping[str, str], chunks: Iterable[bytes], url: str, max_bytes: int, deadline: float,
               cancel: threading.Event | None) -> bytes:
    """The whole body, decompressed, within ``max_bytes`` and by ``deadline`` (a slow drip counts too)."""
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(too_big(url, max_bytes))
    decoder = _BoundedDecoder(headers.get("content-encoding", ""), max_bytes, url)
    parts = []
    for chunk in chunks:
        parts.append(decoder.feed(chunk))
        check_cancel(cancel)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("no complete answer in time")
    parts.append(decoder.finish())
    return b"".join(parts)


class _BoundedDecoder:
    """Decompresses gzip/deflate without ever holding more than the cap."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        encoding = encoding.strip().lower()
        self._remaining = limit
        self._limit = limit
        self._url = url
        if encoding in ("", "identity"):
            self._z = None
        elif encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise SourceError(f"{host_of(url)} sent its answer in an encoding the app cannot read ({encoding}).")

    def feed(self, chunk: bytes) -> bytes:
        if self._z is None:
            out = chunk
        else:
            try:
                out = self._z.decompress(chunk, self._remaining + 1)
            except zlib.error as exc:
                raise SourceError(f"{host_of(self._url)} sent a damaged compressed answer.") from exc
            if self._z.unconsumed_tail:
                raise SourceError(too_big(self._url, self._limit))
        self._remaining -= len(out)
        if self._remaining < 0:
            raise SourceError(too_big(self._url, self._limit))
        return out

    def finish(self) -> bytes:
        if self._z is None:
            return b""
        if not self._z.eof:
            raise Truncated("compressed stream ended early")
        return self._z.flush()


def read_file(url: str, max_bytes: int, validators: Validators | None) -> HttpResponse:
    parts = urlsplit(url)
    path = Path(url2pathname(parts.path))
    if parts.netloc and parts.netloc != "localhost":
        path = Path(f"//{parts.netloc}") / path
    try:
        stat = path.stat()
    except OSError as exc:
        raise SourceError(f"The file {path} could not be opened ({exc.strerror}).") from exc
    if stat.st_size > max_bytes:
        raise SourceError(too_big(url, max_bytes))
    stamp = {"mtime_ns": stat.st_mtime_ns, "size": stat.st_size}
    if validators is not None and validators.get(url) == stamp:
        return HttpResponse(url=url, status=304)
    content = path.read_bytes()
    if validators is not None:
        validators[url] = stamp
    return HttpResponse(url=url, status=200, content=content)
