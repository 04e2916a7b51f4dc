"""Turn what a source sent into what the app stores and shows.

HTML from the internet is untrusted: it is sanitised here, once, on the way
in (scripts, styles, iframes and images removed; links kept with
rel="noopener noreferrer nofollow"), so nothing stored can run code or fetch
a remote resource when displayed. A plain-text form is kept beside it for
search, relevance and the model. Times become UTC.

Every field is capped and stripped of control characters here too: a feed
is free to send a 10 MB title or a terminal's escape codes, and neither may
reach the database, the window or a councillor's terminal.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from networked_councillor.base.text import (
    MAX_HTML_CHARS,
    MAX_LINE_CHARS,
    address,
    dumps,
    fold_whitespace,
    html_to_text,
    one_line,
    sanitise_html,
)

if TYPE_CHECKING:
    from networked_councillor.plugin_api.source import RawItem

MAX_TEXT_CHARS = 100_000
MAX_LIST_ITEMS = 50
MAX_JSON_CHARS = 200_000
"""The raw payload and a plugin's extras are kept for reference; past this they are left out."""
MIN_LINKABLE_CHARS = 40
"""Shorter texts ("Thanks!", "+1") are too common to link across sources."""
_URL = re.compile(r"https?://\S+")


def to_utc(value: datetime | None) -> str | None:
    """ISO 8601 in UTC; a naive time is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def link_key(title: str | None, text: str) -> str | None:
    """A hash of the wording alone, to spot the same post seen through two sources."""
    basis = " ".join(re.findall(r"\w+", _URL.sub(" ", f"{title or ''} {text}").lower()))
    if len(basis) < MIN_LINKABLE_CHARS:
        return None
    return hashlib.blake2b(basis.encode(), digest_size=12).hexdigest()


@dataclass(slots=True)
class Normalised:
    """The columns of an item row that come from the source, and its author and thread."""

    row: dict[str, Any]
    link_key: str | None
    text: str
    author: tuple[str, str | None, str | None] | None = None
    """(handle, display name, profile address)"""
    thread: tuple[str, str | None] | None = None
    """(the source's id of the conversation, its title)"""


def normalise(raw: RawItem) -> Normalised:
    html = sanitise_html(raw.html) if raw.html else None
    if raw.text:
        text = fold_whitespace(raw.text[: MAX_HTML_CHARS])
    else:
        text = html_to_text(html) if html else ""
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS] + " …"
    title = one_line(raw.title)
    external_id = address(raw.external_id)
    if external_id is None:
        raise ValueError("an item with no id")
    row = {
        "external_id": external_id,
        "kind": one_line(raw.kind, 40) or "post",
        "url": address(raw.url),
        "title": title,
        "text": text,
        "html": html or None,
        "created_at": to_utc(raw.created_at),
        "updated_at": to_utc(raw.updated_at),
        "parent_external_id": address(raw.parent_id),
        **_coordinates(raw.lat, raw.lon),
        "categories": dumps(_lines(raw.categories)),
        "engagement": dumps(_counts(raw.engagement)),
        "enclosures": dumps([_enclosure(e) for e in list(raw.enclosures)[:MAX_LIST_ITEMS]]),
        "langs": dumps(_lines(raw.langs, 20)),
        "extra": _bounded_json(dict(raw.extra)),
        "raw": _bounded_json(raw.raw),
    }
    row["source_hash"] = hashlib.blake2b(
        json.dumps([row[k] for k in _HASHED], default=str).encode(), digest_size=12
    ).hexdigest()
    author = raw.author
    handle = one_line(author.handle, 200) if author else None
    thread_id = address(raw.thread_id)
    private = (raw.extra or {}).get("private") is True  # fifty residents sending one campaign letter are fifty
    return Normalised(                                    # people, not one post seen fifty times
        row=row, link_key=None if private else link_key(title, text), text=f"{title}\n{text}" if title else text,
        author=(handle, one_line(author.display_name, 200), address(author.url)) if handle else None,
        thread=(thread_id, one_line(raw.thread_title)) if thread_id else None,
    )


def _lines(values: Any, limit: int = MAX_LINE_CHARS) -> list[str]:
    found = (one_line(v, limit) for v in list(values or ())[:MAX_LIST_ITEMS])
    return [v for v in found if v]


def _counts(engagement: Any) -> dict[str, int]:
    """Likes, replies and the like: whole numbers only (a feed's "lots" or 1e400 is not a count)."""
    counts = {}
    for key, value in list(dict(engagement or {}).items())[:MAX_LIST_ITEMS]:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53:
            counts[one_line(key, 40) or "count"] = value
    return counts


def _enclosure(value: Any) -> dict[str, Any]:
    """A podcast's audio or an attached PDF: its address, type and size."""
    kept: dict[str, Any] = {}
    for key, item in list(dict(value).items())[:10]:
        if isinstance(item, int) and not isinstance(item, bool):
            kept[one_line(key, 40) or "?"] = item
        else:
            kept[one_line(key, 40) or "?"] = address(item) if key in ("url", "href") else one_line(item, 200)
    return kept


def _bounded_json(value: Any) -> str | None:
    text = dumps(value)
    return text if text is None or len(text) <= MAX_JSON_CHARS else None


def _coordinates(lat: Any, lon: Any) -> dict[str, float | None]:
    """Valid WGS84 coordinates, or none at all (a half or swapped pair is worse than nothing)."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return {"lat": None, "lon": None}
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or (lat == 0.0 and lon == 0.0):
        return {"lat": None, "lon": None}
    return {"lat": lat, "lon": lon}


_HASHED = ("kind", "url", "title", "text", "html", "created_at", "updated_at", "parent_external_id",
           "lat", "lon", "categories", "engagement", "enclosures", "extra")
