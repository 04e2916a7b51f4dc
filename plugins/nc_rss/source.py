"""Read an RSS or Atom feed with feedparser.

feedparser is lenient: ill-formed XML sets ``bozo`` and is still parsed, so
a slightly broken council feed still gives its items. Only a feed that gives
nothing at all is an error.
"""

from __future__ import annotations

import calendar
import hashlib
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import feedparser

from networked_councillor.plugin_api import (
    API_VERSION,
    Author,
    ConfigField,
    Progress,
    RawItem,
    SourceApi,
    SourceError,
    html_to_plain,
)
from nc_rss.opml import import_sources

KINDS = ("post", "article", "report", "consultation", "meeting", "planning")


class RssSource:
    id = "rss"
    name = "RSS or Atom feed"
    api_version = API_VERSION
    config_fields = (
        ConfigField("url", "Feed address", "url", required=True,
                    help="The feed's web address (https://...), or a file: address for a saved feed."),
        ConfigField("ward_feed", "Everything in this feed is about my ward", "bool", default=False,
                    help="Tick for ward-only feeds, such as FixMyStreet's feed for your ward."),
        ConfigField("kind", "What the feed's items are", "choice", default="post", choices=KINDS),
    )
    import_sources = staticmethod(import_sources)

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        self.url = str(api.config.get("url") or "").strip()
        self.kind = api.config.get("kind") or "post"
        if not self.url:
            raise SourceError("This feed source has no address.", hint="Add the feed's address in its settings.")

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        progress(0.0, "downloading")
        response = self.api.http.get(self.url, validators=self.api.state.setdefault("validators", {}), cancel=cancel)
        if response.not_modified:
            progress(1.0, "no change since last time")
            return []
        progress(0.5, "reading")
        parsed = feedparser.parse(
            response.content,
            response_headers={"content-type": response.headers.get("content-type", "application/xml")},
            sanitize_html=False,  # nh3 sanitises once, in the pipeline
        )
        items = list(self._items(parsed))
        if not items:
            _raise_if_unreadable(parsed, response, self.url)
        if parsed.get("bozo"):
            self.api.log.warning("feed %s is not well-formed (%s); read it leniently",
                                 self.url, parsed.get("bozo_exception"))
        progress(1.0, f"{len(items)} items")
        return items

    def _items(self, parsed: Any) -> Iterator[RawItem]:
        feed_title = parsed.get("feed", {}).get("title")
        for entry in parsed.get("entries", []):
            item = self._item(entry, feed_title)
            if item is not None:
                yield item

    def _item(self, entry: Any, feed_title: str | None) -> RawItem | None:
        title = _plain(entry.get("title_detail")) or entry.get("title")
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
        lat, lon = _point(entry)
        extra = {k: _own(entry, k) for k in ("published", "updated", "comments") if _own(entry, k)}
        if feed_title:
            extra["feed_title"] = feed_title
        return RawItem(
            external_id=entry.get("id") or link or _fingerprint(entry),
            url=link,
            title=title,
            text=text,
            html=html,
            author=_author(entry),
            created_at=_time(_own(entry, "published_parsed") or _own(entry, "updated_parsed")),
            updated_at=_time(_own(entry, "updated_parsed")),
            kind=self.kind,
            lat=lat,
            lon=lon,
            categories=[t["term"] for t in entry.get("tags", []) if t.get("term")],
            enclosures=_enclosures(entry),
            extra=extra,
        )


def _own(entry: Any, key: str) -> Any:
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


def _describe(problem: BaseException) -> str:
    text = str(problem).strip()
    return text[:200] if text else type(problem).__name__


def _plain(detail: Any) -> str | None:
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


def _time(parsed: Any) -> datetime | None:
    """feedparser's struct_time is already UTC (the original offset is in extra['published'])."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (OverflowError, ValueError, TypeError):
        return None


def _point(entry: Any) -> tuple[float | None, float | None]:
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
    basis = "\x1f".join(str(_own(entry, k) or "") for k in ("title", "summary", "published", "updated"))
    return "sha1:" + hashlib.sha1(basis.encode()).hexdigest()
