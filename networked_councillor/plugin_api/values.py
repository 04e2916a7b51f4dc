"""Values every plugin reads from outside: ISO 8601 times in API answers, and site addresses people type."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Any
from urllib.parse import urlsplit

from networked_councillor.base.errors import SourceError


def iso_time(value: Any, *, assume: tzinfo = timezone.utc) -> datetime | None:
    """An aware datetime from "2026-11-24T10:02:41.000Z" or "…+01:00"; None if missing or unreadable.

    A time with no offset is taken to be in ``assume``.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=assume)


def site_address(value: Any, *, what: str, example: str, keep_path: bool = True) -> str:
    """``scheme://host[:port][/path]`` from what someone typed ("forum.example.org/", a profile address…).

    https:// is assumed when no scheme is given. ``keep_path`` keeps a site that
    lives under a folder (a forum at /community); without it only the host is kept.
    """
    text = str(value or "").strip()
    if not text:
        raise SourceError(f"This source has no address for {what}.",
                          hint=f"Add it in the source's settings, for example {example}.")
    parts = urlsplit(text if "://" in text else "https://" + text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"'{text}' is not the address of {what}.",
                          hint=f"Give it as a web address, for example {example}.")
    path = parts.path.rstrip("/") if keep_path else ""
    return f"{parts.scheme}://{parts.netloc}{path}"
