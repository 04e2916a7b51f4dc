"""Reddit: a subreddit's newest posts (``/r/<name>/new/.rss``) and, optionally, comments (``/r/<name>/comments/.rss``).

Both are Atom feeds of Reddit listings, so they take the listings' own paging:
``limit`` (up to 100) and ``after=<fullname of the last entry>``. A run reads
back only as far as the last successful run (a week, the first time), and an
unchanged first page costs a 304 when Reddit sends validators.

Reddit limits apps that are not signed in to a few requests a minute and
blocks some clients outright; the shared client backs off and honours
Retry-After, and a 429 or 403 is explained in plain words.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from nc_reddit.entries import reddit_item
from nc_reddit.subreddit import parse_subreddit
from networked_councillor.plugin_api import API_VERSION, ConfigField, Progress, RawItem, SourceApi, SourceError, utcnow
from networked_councillor.plugin_api.feeds import feed_items, read_feed
from networked_councillor.plugin_api.paging import Page, reaches, read_pages

PAGE_SIZE = 100  # the most a Reddit listing gives at once
MAX_PAGES = 4
FIRST_DAYS = 7


class RedditSource:
    id = "reddit"
    name = "Reddit"
    api_version = API_VERSION
    config_fields = (
        ConfigField("subreddit", "Subreddit", required=True,
                    help="For example r/Ashcombe, Ashcombe, or https://www.reddit.com/r/Ashcombe."),
        ConfigField("include_comments", "Also read new comments", "bool", default=False,
                    help="One more request each refresh; Reddit limits how often apps may ask."),
    )

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        value = str(api.config.get("subreddit") or "").strip()
        if not value:
            raise SourceError("This Reddit source has no subreddit.",
                              hint="Add one in its settings, for example r/Ashcombe.")
        self.site, self.subreddit = parse_subreddit(value)
        self.include_comments = bool(api.config.get("include_comments"))

    def feeds(self) -> list[tuple[str, str]]:
        """(what, address) of each feed to read."""
        feeds = [("posts", f"{self.site}/r/{self.subreddit}/new/.rss")]
        if self.include_comments:
            feeds.append(("comments", f"{self.site}/r/{self.subreddit}/comments/.rss"))
        return feeds

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        horizon = since or utcnow() - timedelta(days=FIRST_DAYS)
        feeds = self.feeds()
        found: dict[str, RawItem] = {}
        for done, (what, url) in enumerate(feeds):
            progress(done / len(feeds), f"reading r/{self.subreddit} {what}")
            for item in self._read(what, url, horizon, cancel):
                found.setdefault(item.external_id, item)
        self._keep_validators_of({first_page(url) for _, url in feeds})
        items = list(found.values())
        progress(1.0, f"{len(items)} items")
        return items

    def _read(self, what: str, url: str, horizon: datetime, cancel: threading.Event) -> list[RawItem]:
        """The feed's entries back to ``horizon``, a page of the listing at a time."""

        def read(after: str | None) -> Page[RawItem]:
            parsed = self._feed(first_page(url) + (f"&after={after}" if after else ""), cancel)
            if parsed is None:
                return Page()  # unchanged since last time
            page = feed_items(parsed, "post", reddit_item)
            entries = parsed.get("entries", [])
            following = entries[-1].get("id") if entries else None
            last = len(entries) < PAGE_SIZE or not following or reaches((item.created_at for item in page), horizon)
            return Page(page, None if last else following)

        return read_pages(read, max_pages=MAX_PAGES, too_many=lambda _n: self.api.warn(
            f"r/{self.subreddit} had more than {MAX_PAGES * PAGE_SIZE} new {what}; the oldest of them were left out."))

    def _feed(self, url: str, cancel: threading.Event) -> Any | None:
        try:
            return read_feed(self.api, url, cancel)
        except SourceError as exc:
            status = exc.status
            if status == 429:
                raise SourceError(f"Reddit is limiting how often the app may read r/{self.subreddit} (HTTP 429).",
                                  hint=f"Reddit lets apps that are not signed in ask only a few times a minute. "
                                       f"{exc.hint}", retry_after=exc.retry_after) from exc
            if status == 403:
                raise SourceError(
                    f"Reddit refused to show r/{self.subreddit} (HTTP 403).",
                    hint="Reddit blocks some apps and networks (VPNs, work and cloud networks among them), and "
                         f"private or banned subreddits refuse everyone. If r/{self.subreddit} opens in a web "
                         "browser on this computer, Reddit is blocking the app: try again later or from another "
                         "network.") from exc
            if status == 404:
                raise SourceError(f"Reddit has no subreddit called r/{self.subreddit} (HTTP 404).",
                                  hint="Check the name in the source's settings.") from exc
            raise

    def _keep_validators_of(self, urls: set[str]) -> None:
        """Only first pages are worth a conditional request; forget the others so the state stays small."""
        validators = self.api.state.get("validators", {})
        for url in [u for u in validators if u not in urls]:
            del validators[url]


def first_page(url: str) -> str:
    return f"{url}?limit={PAGE_SIZE}"




