"""Mastodon's paging: the ``Link`` header's ``rel="next"`` and status ids that only grow.

Mastodon's own next link keeps ``local``, ``limit`` and ``only_media`` but drops
``since_id`` (and ``any[]``), so following it blindly would page back past
posts the app already has. The plugin takes only ``max_id`` from it and asks
again with its own parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qs, urlsplit

_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";,]+)"?')


def next_max_id(headers: Mapping[str, str]) -> str | None:
    """The ``max_id`` of the next (older) page, or None when there is no further page."""
    header = next((v for k, v in headers.items() if k.lower() == "link"), "")
    for url, rel in _LINK.findall(header):
        if "next" in rel.split():
            values = parse_qs(urlsplit(url).query).get("max_id")
            return values[0] if values else None
    return None


def id_order(status_id: str) -> tuple[int, str]:
    """Sort key for status ids: numbers in strings, so "99" comes before "100"."""
    return len(status_id), status_id


def newest_id(ids: Iterable[str]) -> str | None:
    return max(ids, key=id_order, default=None)
