"""Any RSS or Atom feed (the reading itself is shared in plugin_api.feeds)."""

from __future__ import annotations

import threading
from datetime import datetime

from nc_rss.opml import import_sources
from networked_councillor.plugin_api import API_VERSION, ConfigField, Progress, RawItem, SourceApi, SourceError
from networked_councillor.plugin_api.feeds import feed_items, read_feed

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
        parsed = read_feed(self.api, self.url, cancel)
        if parsed is None:
            progress(1.0, "no change since last time")
            return []
        items = feed_items(parsed, self.kind)
        progress(1.0, f"{len(items)} items")
        return items
