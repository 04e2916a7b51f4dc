"""Reading RSS and Atom feeds, for every plugin whose source publishes one (RSS, Reddit, FixMyStreet…).

feedparser is lenient: ill-formed XML sets ``bozo`` and is still parsed, so a
slightly broken council feed still gives its items. A feed that gives nothing
at all is an error, and so is one that simply stops: a connection that drops
mid-answer with no Content-Length looks complete to HTTP, and its last item
would be stored half-written.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import feedparser

from networked_councillor.base.errors import SourceError
from networked_councillor.base.text import html_to_plain
from networked_councillor.plugin_api.source import Author, RawItem, SourceApi

Entry = Any  # a feedparser entry


def read_feed(api: SourceApi, url: str, cancel: threading.Event, params: dict[str, str] | None = None) -> Any | None:
    """The parsed feed at ``url``, or None when it has not changed since last time (a 304).

    ``params`` go on the address but not into the source's saved validators or any message (a private feed
    token); the answer's headers are the parsed feed's ``headers``.
    """
    response = api.http.get(url, params=params, validators=api.state.setdefault("validators", {}), cancel=cancel)
    if response.not_modified:
        return None
    parsed = feedparser.parse(
        response.content,
        response_headers={"content-type": "application/xml", **{k.lower(): v for k, v in response.headers.items()}},
        sanitize_html=False,  # nh3 sanitises once, in the pipeline
    )
    if not parsed.get("entries"):
        _raise_if_unreadable(parsed, response, url)
    if parsed.get("bozo") and _cut_short(response.content):
        raise SourceError(f"The feed at {url} stopped part-way through: the answer was cut short.",
                          hint="Nothing from it was stored; the app will try again at the next refresh.")
    if parsed.get("bozo"):
        api.log.warning("feed %s is not well-formed (%s); read it leniently", url, parsed.get("bozo_exception"))
    return parsed


def feed_items(parsed: Any, kind: str, to_item: Callable[[Entry, str | None, str], RawItem | None] | None = None
               ) -> list[RawItem]:
    """Every readable entry as a RawItem (``to_item`` may specialise the mapping)."""
    to_item = to_item or entry_to_item
    feed_title = parsed.get("feed", {}).get("title")
    items = (to_item(entry, feed_title, kind) for entry in parsed.get("entries", []))
    return [item for item in items if item is not None]


_REPORT_DATE = re.compile(r", (?:\d{1,2}:\d{2}, \w{3} \d{1,2} \w+ \d{4}|\d{1,2}(?:st|nd|rd|th) [A-Z][a-z]+(?: \d{4})?)$")


def report_title(title: str | None) -> tuple[str | None, str | None]:
    """A street report's title without the date FixMyStreet appends to it (", 16th November", or on older
    sites ", 08:14, Mon 16 November 2026"), and that date: the item's own time shows when it was reported."""
    found = _REPORT_DATE.search(title or "")
    if not found or not title[: found.start()].strip():
        return title, None
    return title[: found.start()], found.group(0)[2:]


def entry_to_item(entry: Entry, feed_title: str | None, kind: str) -> RawItem | None:
    title = plain(entry.get("title_detail")) or entry.get("title")
    if kind == "report":  # a council's or FixMyStreet's street report
        title, _date = report_title(title)
    body = _best_body(entry)
    link = entry.get("link")
    if not (title or body or link):
        return None
    html = text = None
    if body is not None:
        if body.get("type") in ("text/plain", "text"):
            text = body.get("value")
        else:
            html = body.get("value")
    lat, lon = point(entry)
    extra = {k: own(entry, k) for k in ("published", "updated", "comments") if own(entry, k)}
    if feed_title:
        extra["feed_title"] = feed_title
    return RawItem(
        external_id=entry.get("id") or link or _fingerprint(entry),
        url=link,
        title=title,
        text=text,
        html=html,
        author=_author(entry),
        created_at=to_time(own(entry, "published_parsed") or own(entry, "updated_parsed")),
        updated_at=to_time(own(entry, "updated_parsed")),
        kind=kind,
        lat=lat,
        lon=lon,
        categories=[t["term"] for t in entry.get("tags", []) if t.get("term")],
        enclosures=_enclosures(entry),
        extra=extra,
    )


def own(entry: Any, key: str) -> Any:
    """The entry's own value, without feedparser's deprecated published/updated fallback."""
    return dict.get(entry, key)


# feedparser flags these but reads the feed fine: no reason to bother anyone.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _raise_if_unreadable(parsed: Any, response: Any, url: str) -> None:
    problem = parsed.get("bozo_exception")
    if isinstance(problem, _HARMLESS):
        problem = None
    if parsed.get("version") and problem is None:
        return  # a real feed that happens to be empty
    head = response.content[:2048].lower()
    is_page = b"<html" in head or "text/html" in response.headers.get("content-type", "")
    if problem is not None and not is_page:
        raise SourceError(f"The feed at {url} could not be read: {_describe(problem)}.",
                          hint="Nothing was changed; the app will try again at the next refresh.")
    raise SourceError(f"{url} is not an RSS or Atom feed (it may be a web page).",
                      hint="Look for the feed's own address, often ending in /rss or .xml.")


_ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>", re.I)
_FEED_END = re.compile(rb"</(?:[\w.-]+:)?(?:channel|feed|rss|rdf)\b", re.I)


def _cut_short(content: bytes) -> bool:
    """Whether an ill-formed feed just stops: nothing closes the channel or feed after its last entry (a
    dropped connection), rather than being odd somewhere along the way (a stray ampersand)."""
    body = content.replace(b"\x00", b"")  # UTF-16 reads as ASCII without its zero bytes
    ends = list(_ENTRY_END.finditer(body))
    return not _FEED_END.search(body[ends[-1].end():] if ends else body)


def _describe(problem: BaseException) -> str:
    text = str(problem).strip()
    return text[:200] if text else type(problem).__name__


def plain(detail: Any) -> str | None:
    if not detail or not detail.get("value"):
        return None
    value = detail["value"]
    return html_to_plain(value) if "html" in (detail.get("type") or "") else value


def _best_body(entry: Any) -> dict | None:
    """The fullest body the entry has: full content beats a summary."""
    bodies = [c for c in entry.get("content", []) if c.get("value")]
    if entry.get("summary_detail", {}).get("value"):
        bodies.append(entry["summary_detail"])
    return max(bodies, key=lambda b: len(b["value"]), default=None)


def _author(entry: Any) -> Author | None:
    detail = entry.get("author_detail") or {}
    name = detail.get("name") or entry.get("author")
    if not name:
        return None
    return Author(handle=name, display_name=name, url=detail.get("href"))


def to_time(parsed: Any) -> datetime | None:
    """feedparser's struct_time is already UTC (the original offset is in extra['published'])."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (OverflowError, ValueError, TypeError):
        return None


def point(entry: Any) -> tuple[float | None, float | None]:
    """GeoRSS gives (lon, lat), GeoJSON order; W3C geo gives geo_lat and geo_long."""
    where = entry.get("where") or {}
    coords = where.get("coordinates") if where.get("type") == "Point" else None
    try:
        if coords and len(coords) >= 2:
            return float(coords[1]), float(coords[0])
        if entry.get("geo_lat") and entry.get("geo_long"):
            return float(entry["geo_lat"]), float(entry["geo_long"])
    except (TypeError, ValueError):
        pass
    return None, None


def _enclosures(entry: Any) -> list[dict[str, Any]]:
    found = []
    for link in entry.get("enclosures", []):
        if link.get("href"):
            found.append({"url": link["href"], "type": link.get("type"), "length": link.get("length")})
    for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
        if media.get("url") and all(f["url"] != media["url"] for f in found):
            found.append({"url": media["url"], "type": media.get("type") or media.get("medium")})
    return found


def _fingerprint(entry: Any) -> str:
    basis = "\x1f".join(str(own(entry, k) or "") for k in ("title", "summary", "published", "updated"))
    return "sha1:" + hashlib.sha1(basis.encode()).hexdigest()
