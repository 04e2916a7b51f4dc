"""Turn what a source sent into what the app stores and shows.

HTML from the internet is untrusted: it is sanitised here, once, on the way
in (scripts, styles, iframes and images removed; links kept with
rel="noopener noreferrer nofollow"), so nothing stored can run code or fetch
a remote resource when displayed. A plain-text form is kept beside it for
search, relevance and the model. Times become UTC.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import nh3

if TYPE_CHECKING:
    from networked_councillor.plugin_api.source import RawItem

MAX_HTML_CHARS = 400_000
MAX_TEXT_CHARS = 100_000
MIN_LINKABLE_CHARS = 40
"""Shorter texts ("Thanks!", "+1") are too common to link across sources."""

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "li", "ol",
    "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"},
    attributes={"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|pre|tr|dt|dd|figure|figcaption)>|<hr\s*/?>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\n\s*\n\s*")
_URL = re.compile(r"https?://\S+")


def sanitise_html(html: str) -> str:
    return _CLEANER.clean(html[:MAX_HTML_CHARS])


def html_to_text(safe_html: str) -> str:
    """Plain text from *sanitised* HTML (regexes are safe on its well-formed output)."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", safe_html))
    return fold_whitespace(htmllib.unescape(text))


def html_to_plain(untrusted_html: str) -> str:
    """Plain text from untrusted HTML, for plugins whose titles or fields come as HTML."""
    return html_to_text(sanitise_html(untrusted_html))


def fold_whitespace(text: str) -> str:
    """One space between words, at most one blank line between paragraphs."""
    text = _SPACES.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _NEWLINES.sub("\n\n", text).strip()


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


def dumps(value: Any) -> str | None:
    if value is None or value == {} or value == [] or value == ():
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass(slots=True)
class Normalised:
    """The columns of an item row that come from the source."""

    row: dict[str, Any]
    link_key: str | None
    text: str


def normalise(raw: RawItem) -> Normalised:
    html = sanitise_html(raw.html) if raw.html else None
    if raw.text:
        text = fold_whitespace(raw.text)
    else:
        text = html_to_text(html) if html else ""
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS] + " …"
    title = fold_whitespace(raw.title) if raw.title else None
    row = {
        "external_id": str(raw.external_id),
        "kind": raw.kind,
        "url": raw.url,
        "title": title or None,
        "text": text,
        "html": html or None,
        "created_at": to_utc(raw.created_at),
        "updated_at": to_utc(raw.updated_at),
        "parent_external_id": raw.parent_id,
        **_coordinates(raw.lat, raw.lon),
        "categories": dumps(list(raw.categories)),
        "engagement": dumps(dict(raw.engagement)),
        "enclosures": dumps([dict(e) for e in raw.enclosures]),
        "langs": dumps(list(raw.langs)),
        "extra": dumps(dict(raw.extra)),
        "raw": dumps(raw.raw),
    }
    row["source_hash"] = hashlib.blake2b(
        json.dumps([row[k] for k in _HASHED], default=str).encode(), digest_size=12
    ).hexdigest()
    return Normalised(row=row, link_key=link_key(title, text), text=f"{title}\n{text}" if title else text)


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
