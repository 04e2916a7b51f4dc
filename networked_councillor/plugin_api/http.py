"""The one HTTP client every plugin uses.

Council wifi is flaky and public APIs rate-limit, so this client retries 429
and 5xx with backoff (honouring ``Retry-After``), caps every body it reads
(gzip bombs included), re-uses ETag / Last-Modified so unchanged feeds cost a
304, and turns every failure into a `SourceError` with a sentence a
councillor can act on. It also reads ``file:`` URLs, so a feed saved to disk
(or the bundled demo ward) works exactly like a live one.
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import logging
import os
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import httpx

from networked_councillor import __version__
from networked_councillor.base import clock
from networked_councillor.base.errors import Cancelled, SourceError
from networked_councillor.base.netguard import OffTheNetwork

log = logging.getLogger(__name__)

USER_AGENT = f"networked-councillor/{__version__} (open-source desktop app for UK councillors)"
MB = 1024 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
Validators = dict[str, dict[str, Any]]


@dataclass(slots=True)
class HttpResponse:
    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def text(self) -> str:
        charset = "utf-8"
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return jsonlib.loads(self.content)
        except ValueError as exc:
            raise SourceError(
                f"{_host(self.url)} sent data the app could not read (not valid JSON).",
                hint="The service may be down or have changed; nothing was stored from this answer.",
            ) from exc


class CouldNotConnect(SourceError):
    """No connection was made, so nothing reached the server: safe to send again, even a report."""


class HttpClient:
    """A thread-safe client shared by all sources of one run."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        deadline: float = 120.0,
        max_bytes: int = 20 * MB,
        retries: int = 3,
        backoff: float = 1.0,
        max_retry_wait: float = 60.0,
        user_agent: str = USER_AGENT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float, threading.Event | None], None] | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.deadline = deadline
        """Seconds one request may take in all: every attempt, redirect and wait between them."""
        self.retries = retries
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self._sleep = sleep or _interruptible_sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,  # followed by hand in `_follow`, so credentials stay with their host
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def make_transport(self) -> httpx.BaseTransport:
        """A transport for a plugin whose SDK brings its own httpx client (the atproto SDK does), so the
        app's size cap and deadline apply to it as well (and, below it, training mode's network guard)."""
        return _GuardedTransport(self)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, **kwargs: Any) -> HttpResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> HttpResponse:
        return self.request("POST", url, **kwargs)

    def post_once(self, url: str, **kwargs: Any) -> HttpResponse:
        """A POST that must not be made twice (a report, a reply): resent only when it surely did not arrive,
        and an error answer is returned, body and all, for the caller to read rather than raised."""
        return self.request("POST", url, idempotent=False, raise_for_status=False, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        validators: Validators | None = None,
        cancel: threading.Event | None = None,
        idempotent: bool | None = None,
        raise_for_status: bool = True,
    ) -> HttpResponse:
        """Send a request; return the response, or raise `SourceError`.

        With ``validators`` (a dict the caller keeps between runs, usually in
        its source state) a GET is conditional, and a 304 comes back as a
        response whose ``not_modified`` is true.

        A request that must not be repeated (``idempotent`` false; POST by
        default) is resent only when it surely was not acted on: no connection
        could be made, or the answer was 429, 502, 503 or 504. With
        ``raise_for_status`` false an error answer is returned, body and all,
        instead of raised (a council's report service lists what was wrong).
        """
        if url.startswith("file:"):
            return _read_file(url, self.max_bytes, validators)
        idempotent = method in ("GET", "HEAD") if idempotent is None else idempotent
        deadline = time.monotonic() + self.deadline
        send_headers = dict(headers or {})
        cached = (validators or {}).get(url) or {}
        if method == "GET" and cached.get("etag"):
            send_headers["If-None-Match"] = cached["etag"]
        if method == "GET" and cached.get("last_modified"):
            send_headers["If-Modified-Since"] = cached["last_modified"]

        attempt = 0
        while True:
            _check_cancel(cancel)
            try:
                response = self._follow(method, url, params, send_headers, data, json, cancel, deadline)
            except (httpx.HTTPError, httpx.InvalidURL, _Truncated) as exc:
                error = _transport_error(url, exc)
                resend = idempotent or isinstance(error, CouldNotConnect)
                if attempt >= self.retries or not resend or _off_the_network(exc):
                    raise error from exc
                wait = self.backoff * 2**attempt
            else:
                retry = response.status in (429, 502, 503, 504) or (idempotent and response.status == 500)
                if not retry or attempt >= self.retries:
                    return self._finish(response, validators, raise_for_status)
                wait = retry_after(response.headers)
                if wait is None:
                    wait = self.backoff * 2**attempt
                elif wait > self.max_retry_wait or wait > deadline - time.monotonic():
                    return self._finish(response, validators, raise_for_status, wait)
                log.info("%s answered %s; retrying in %.1f s", _host(url), response.status, wait)
                error = _status_error(response, wait)
            wait += random.uniform(0, self.backoff / 4)
            if wait > deadline - time.monotonic():
                raise error  # no time left for another try: the last failure stands
            self._sleep(wait, cancel)
            attempt += 1

    def _finish(self, response: HttpResponse, validators: Validators | None, raise_for_status: bool = True,
                wait: float | None = None) -> HttpResponse:
        if response.status == 304:
            return response
        if response.status >= 400:
            if raise_for_status:
                raise _status_error(response, wait if wait is not None else retry_after(response.headers))
            return response
        if validators is not None:
            etag = response.headers.get("etag")
            modified = response.headers.get("last-modified")
            if etag or modified:
                validators[response.url] = {"etag": etag, "last_modified": modified}
        return response

    def _follow(self, method, url, params, headers, data, json, cancel, deadline) -> HttpResponse:
        """Send, following redirects by hand: the caller's headers (API keys, tokens) and a request's body go
        only to the site the caller named, and https never steps down to http."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(method, current, params, headers, data, json, cancel, deadline)
            location = response.headers.get("location")
            if response.status not in REDIRECTS or not location:
                response.url = url  # the original address, not the last hop, keys the validators
                return response
            target = urljoin(str(response.url), location.strip())
            _check_redirect(current, target)
            if _origin(target) != _origin(url):
                if response.status in (307, 308) and (data is not None or json is not None):
                    raise SourceError(f"{_host(current)} sent the request on to {_host(target)}; the app did not "
                                      "follow, so what it was sending went nowhere else.",
                                      hint="Check the address in the settings: it should be the service's own.")
                headers = {}  # a key or token for one site is never shown to another
            if response.status == 303 or (response.status in (301, 302) and method not in ("GET", "HEAD")):
                method, data, json = "GET", None, None
            params = None  # the new address carries its own query
            current = target
        raise SourceError(f"{_host(url)} redirected too many times.", hint="Check the address in the settings.")

    def _send(self, method, url, params, headers, data, json, cancel, deadline) -> HttpResponse:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise httpx.ReadTimeout(f"no complete answer within {self.deadline:.0f} s")
        timeout = httpx.Timeout(min(self.timeout, remaining), connect=min(self.timeout, 10.0, remaining))
        with self._client.stream(method, url, params=params, headers=headers, data=data, json=json,
                                 timeout=timeout) as r:
            content = _read_body(r.headers, r.iter_raw(), url, self.max_bytes, deadline, cancel)
            return HttpResponse(url=str(r.url), status=r.status_code, headers=dict(r.headers), content=content)


class _GuardedTransport(httpx.BaseTransport):
    """The shared client's size cap and deadline for an SDK's own httpx client: each answer is read here,
    decompressed within the cap, and handed on whole."""

    def __init__(self, client: HttpClient) -> None:
        self._inner = httpx.HTTPTransport()
        self._max_bytes = client.max_bytes
        self._deadline = client.deadline

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self._deadline
        response = self._inner.handle_request(request)
        url = str(request.url)
        try:
            content = _read_body(response.headers, response.stream, url, self._max_bytes, deadline, None)
        except httpx.ReadTimeout as exc:
            raise SourceError(f"{_host(url)} took too long to answer.",
                              hint="Check the connection, or try again later.") from exc
        except _Truncated as exc:
            raise SourceError(f"The connection to {_host(url)} closed before the whole answer arrived.") from exc
        finally:
            response.close()
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=content, request=request,
                              extensions=response.extensions)

    def close(self) -> None:
        self._inner.close()


def _read_body(headers: Mapping[str, str], chunks: Iterable[bytes], url: str, max_bytes: int, deadline: float,
               cancel: threading.Event | None) -> bytes:
    """The whole body, decompressed, within ``max_bytes`` and by ``deadline`` (a slow drip counts too)."""
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(_too_big(url, max_bytes))
    decoder = _BoundedDecoder(headers.get("content-encoding", ""), max_bytes, url)
    parts = []
    for chunk in chunks:
        parts.append(decoder.feed(chunk))
        _check_cancel(cancel)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("no complete answer in time")
    parts.append(decoder.finish())
    return b"".join(parts)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _check_redirect(current: str, target: str) -> None:
    scheme = urlsplit(target).scheme
    if scheme not in ("http", "https"):
        raise SourceError(f"{_host(current)} redirected to an address the app does not follow ({scheme or 'none'}).")
    if urlsplit(current).scheme == "https" and scheme == "http":
        raise SourceError(f"{_host(current)} redirected from a secure (https) address to an insecure (http) one; "
                          "the app did not follow it.", hint="Check the address in the settings.")


class _Truncated(Exception):
    """The body ended before its compressed stream did."""


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
            raise SourceError(f"{_host(url)} sent its answer in an encoding the app cannot read ({encoding}).")

    def feed(self, chunk: bytes) -> bytes:
        if self._z is None:
            out = chunk
        else:
            try:
                out = self._z.decompress(chunk, self._remaining + 1)
            except zlib.error as exc:
                raise SourceError(f"{_host(self._url)} sent a damaged compressed answer.") from exc
            if self._z.unconsumed_tail:
                raise SourceError(_too_big(self._url, self._limit))
        self._remaining -= len(out)
        if self._remaining < 0:
            raise SourceError(_too_big(self._url, self._limit))
        return out

    def finish(self) -> bytes:
        if self._z is None:
            return b""
        if not self._z.eof:
            raise _Truncated("compressed stream ended early")
        return self._z.flush()


def _read_file(url: str, max_bytes: int, validators: Validators | None) -> HttpResponse:
    parts = urlsplit(url)
    path = Path(url2pathname(parts.path))
    if parts.netloc and parts.netloc != "localhost":
        path = Path(f"//{parts.netloc}") / path
    try:
        stat = path.stat()
    except OSError as exc:
        raise SourceError(f"The file {path} could not be opened ({exc.strerror}).") from exc
    if stat.st_size > max_bytes:
        raise SourceError(_too_big(url, max_bytes))
    stamp = {"mtime_ns": stat.st_mtime_ns, "size": stat.st_size}
    if validators is not None and validators.get(url) == stamp:
        return HttpResponse(url=url, status=304)
    content = path.read_bytes()
    if validators is not None:
        validators[url] = stamp
    return HttpResponse(url=url, status=200, content=content)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from Retry-After or the RateLimit-Reset family (None when the answer gives none)."""
    headers = {k.lower(): v for k, v in headers.items()}
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            return max(0.0, (when - clock.utcnow()).total_seconds())
    for name in ("ratelimit-reset", "x-ratelimit-reset"):
        value = (headers.get(name) or "").strip()
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return max(0.0, (when - clock.utcnow()).total_seconds())
        # Large numbers are Unix times (Bluesky); small ones are seconds from now.
        return max(0.0, number - clock.timestamp()) if number > 1e9 else number
    return None


def _status_error(response: HttpResponse, retry_after: float | None) -> SourceError:
    error = _describe_status(response, retry_after)
    error.status = response.status
    return error


def _describe_status(response: HttpResponse, retry_after: float | None) -> SourceError:
    host, status = _host(response.url), response.status
    if status == 429:
        when = "later"
        if retry_after is not None:
            when = "after " + datetime.fromtimestamp(clock.timestamp() + retry_after).strftime("%H:%M")
        return SourceError(
            f"{host} is limiting how often the app may ask (HTTP 429).",
            hint=f"The app will try again {when}.",
            retry_after=retry_after,
        )
    if status in (401, 403):
        return SourceError(
            f"{host} refused access (HTTP {status}).",
            hint="The source may need a sign-in, an app password or an API key in its settings.",
        )
    if status in (404, 410):
        return SourceError(
            f"Nothing was found at {response.url} (HTTP {status}).",
            hint="Check the address in the source's settings.",
        )
    if status >= 500:
        return SourceError(
            f"{host} had a problem of its own (HTTP {status}).",
            hint="This is usually temporary; the app will try again at the next refresh.",
            retry_after=retry_after,
        )
    return SourceError(f"{host} did not accept the request (HTTP {status}).")


def _transport_error(url: str, exc: Exception) -> SourceError:
    host = _host(url)
    if _off_the_network(exc):
        return CouldNotConnect(str(_off_the_network(exc)), hint="Leave training mode to fetch real sources.")
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return CouldNotConnect(f"Could not connect to {host}.", hint="Check the internet connection and the address.")
    if isinstance(exc, httpx.TimeoutException):
        return SourceError(f"{host} took too long to answer.", hint="Check the connection, or try again later.")
    if isinstance(exc, (httpx.RemoteProtocolError, _Truncated)):
        return SourceError(f"The connection to {host} closed before the whole answer arrived.")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return CouldNotConnect(f"{url} is not a web address the app can read.", hint="Check the address.")
    return SourceError(f"Could not talk to {host} ({type(exc).__name__}).")


def _off_the_network(exc: BaseException | None) -> OffTheNetwork | None:
    """The training-mode refusal behind a transport error, if that is what it was."""
    while exc is not None:
        if isinstance(exc, OffTheNetwork):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _too_big(url: str, limit: int) -> str:
    return f"{_host(url)} sent more than {limit // MB} MB; the app stopped reading to stay safe."


def _host(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "file":
        return os.path.basename(url2pathname(parts.path)) or "The file"
    return parts.hostname or url


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()


def _interruptible_sleep(seconds: float, cancel: threading.Event | None) -> None:
    if cancel is None:
        time.sleep(seconds)
    elif cancel.wait(seconds):
        raise Cancelled()
