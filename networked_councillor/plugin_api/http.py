"""The one HTTP client every plugin uses.

Council wifi is flaky and public APIs rate-limit, so this client retries 429
and 5xx with backoff (honouring ``Retry-After``), caps every body it reads
(gzip bombs included), re-uses ETag / Last-Modified so unchanged feeds cost a
304, and turns every failure into a `SourceError` with a sentence a
councillor can act on. It also reads ``file:`` URLs, so a feed saved to disk
(or the bundled demo ward) works exactly like a live one.
"""

from __future__ import annotations

import functools
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import truststore

from networked_councillor import __version__
from networked_councillor.base.errors import Cancelled, SourceError
from networked_councillor.plugin_api.http_answers import (  # noqa: F401  (re-exported for callers)
    MB,
    CouldNotConnect,
    HttpResponse,
    Truncated,
    Validators,
    check_cancel,
    host_of,
    off_the_network,
    retry_after,
    status_error,
    transport_error,
)
from networked_councillor.plugin_api.http_body import read_body, read_file

log = logging.getLogger(__name__)

USER_AGENT = f"networked-councillor/{__version__} (open-source desktop app for UK councillors)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


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
            verify=system_trust(),
            trust_env=True,  # HTTPS_PROXY, HTTP_PROXY, NO_PROXY: how a council's network reaches the internet
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
            return read_file(url, self.max_bytes, validators)
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
            check_cancel(cancel)
            try:
                response = self._follow(method, url, params, send_headers, data, json, cancel, deadline)
            except (httpx.HTTPError, httpx.InvalidURL, Truncated) as exc:
                error = transport_error(url, exc)
                resend = idempotent or isinstance(error, CouldNotConnect)
                if attempt >= self.retries or not resend or off_the_network(exc):
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
                log.info("%s answered %s; retrying in %.1f s", host_of(url), response.status, wait)
                error = status_error(response, wait)
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
                raise status_error(response, wait if wait is not None else retry_after(response.headers))
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
                    raise SourceError(f"{host_of(current)} sent the request on to {host_of(target)}; the app did not "
                                      "follow, so what it was sending went nowhere else.",
                                      hint="Check the address in the settings: it should be the service's own.")
                headers = {}  # a key or token for one site is never shown to another
            if response.status == 303 or (response.status in (301, 302) and method not in ("GET", "HEAD")):
                method, data, json = "GET", None, None
            params = None  # the new address carries its own query
            current = target
        raise SourceError(f"{host_of(url)} redirected too many times.", hint="Check the address in the settings.")

    def _send(self, method, url, params, headers, data, json, cancel, deadline) -> HttpResponse:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise httpx.ReadTimeout(f"no complete answer within {self.deadline:.0f} s")
        timeout = httpx.Timeout(min(self.timeout, remaining), connect=min(self.timeout, 10.0, remaining))
        target = httpx.URL(url).copy_merge_params(params) if params else url  # added to the address's own query
        with self._client.stream(method, target, headers=headers, data=data, json=json, timeout=timeout) as r:
            content = read_body(r.headers, r.iter_raw(), url, self.max_bytes, deadline, cancel)
            return HttpResponse(url=str(r.url), status=r.status_code, headers=dict(r.headers), content=content)


@functools.cache
def system_trust() -> ssl.SSLContext:
    """The computer's own certificate store (Windows', the Mac's keychain, the Linux system bundle), not a copy
    shipped with the app: behind a council proxy that inspects TLS, the council's certificate is installed there."""
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class _GuardedTransport(httpx.BaseTransport):
    """The shared client's size cap and deadline for an SDK's own httpx client: each answer is read here,
    decompressed within the cap, and handed on whole."""

    def __init__(self, client: HttpClient) -> None:
        self._inner = httpx.HTTPTransport(verify=system_trust())
        self._max_bytes = client.max_bytes
        self._deadline = client.deadline

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = time.monotonic() + self._deadline
        response = self._inner.handle_request(request)
        url = str(request.url)
        try:
            content = read_body(response.headers, response.stream, url, self._max_bytes, deadline, None)
        except httpx.ReadTimeout as exc:
            raise SourceError(f"{host_of(url)} took too long to answer.",
                              hint="Check the connection, or try again later.") from exc
        except Truncated as exc:
            raise SourceError(f"The connection to {host_of(url)} closed before the whole answer arrived.") from exc
        finally:
            response.close()
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=content, request=request,
                              extensions=response.extensions)

    def close(self) -> None:
        self._inner.close()


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _check_redirect(current: str, target: str) -> None:
    scheme = urlsplit(target).scheme
    if scheme not in ("http", "https"):
        raise SourceError(f"{host_of(current)} redirected to an address the app does not follow ({scheme or 'none'}).")
    if urlsplit(current).scheme == "https" and scheme == "http":
        raise SourceError(f"{host_of(current)} redirected from a secure (https) address to an insecure (http) one; "
                          "the app did not follow it.", hint="Check the address in the settings.")


def _interruptible_sleep(seconds: float, cancel: threading.Event | None) -> None:
    if cancel is None:
        threading.Event().wait(seconds)  # not time.sleep: a moved clock (faketime) makes that fail
    elif cancel.wait(seconds):
        raise Cancelled()
