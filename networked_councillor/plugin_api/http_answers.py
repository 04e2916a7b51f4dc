"""What a server answered, as the app keeps it, and every way an exchange can fail, in words a councillor can
act on (who answered, what it means, what to do)."""

from __future__ import annotations

import email.utils
import json as jsonlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from networked_councillor.base import clock
from networked_councillor.base.errors import Cancelled, SourceError
from networked_councillor.base.netguard import OffTheNetwork

MB = 1024 * 1024
Validators = dict[str, dict[str, Any]]
"""ETag and Last-Modified per address, kept by the caller between runs."""


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
                f"{host_of(self.url)} sent data the app could not read (not valid JSON).",
                hint="The service may be down or have changed; nothing was stored from this answer.",
            ) from exc


class CouldNotConnect(SourceError):
    """No connection was made, so nothing reached the server: safe to send again, even a report."""


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


def status_error(response: HttpResponse, retry_after: float | None) -> SourceError:
    error = _describe_status(response, retry_after)
    error.status = response.status
    return error


def _describe_status(response: HttpResponse, retry_after: float | None) -> SourceError:
    host, status = host_of(response.url), response.status
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


def transport_error(url: str, exc: Exception) -> SourceError:
    host = host_of(url)
    if off_the_network(exc):
        return CouldNotConnect(str(off_the_network(exc)), hint="Leave training mode to fetch real sources.")
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return CouldNotConnect(f"Could not connect to {host}.", hint="Check the internet connection and the address.")
    if isinstance(exc, httpx.TimeoutException):
        return SourceError(f"{host} took too long to answer.", hint="Check the connection, or try again later.")
    if isinstance(exc, (httpx.RemoteProtocolError, Truncated)):
        return SourceError(f"The connection to {host} closed before the whole answer arrived.")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return CouldNotConnect(f"{url} is not a web address the app can read.", hint="Check the address.")
    return SourceError(f"Could not talk to {host} ({type(exc).__name__}).")


def off_the_network(exc: BaseException | None) -> OffTheNetwork | None:
    """The training-mode refusal behind a transport error, if that is what it was."""
    while exc is not None:
        if isinstance(exc, OffTheNetwork):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def too_big(url: str, limit: int) -> str:
    return f"{host_of(url)} sent more than {limit // MB} MB; the app stopped reading to stay safe."


def host_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "file":
        return os.path.basename(url2pathname(parts.path)) or "The file"
    return parts.hostname or url


class Truncated(Exception):
    """The body ended before its compressed stream did."""


def check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()
