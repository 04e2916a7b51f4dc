"""Reddit: a subreddit's newest posts (``/r/<name>/new/.rss``) and, optionally, comments (``/r/<name>/comments/.rss``).

Both are Atom feeds of Reddit listings, so they take the listings' own paging:
``limit`` (up to 100) and ``after=<fullname of the last entry>``. A run reads
back only as far as the last successful run (a week, the first time), and an
unchanged first page costs a 304 when Reddit sends validators.

Reddit now allows apps that are not signed in about one request a minute,
and blocks some networks outright. Its supported way for feed readers is
the private feed token (reddit.com/prefs/feeds): with it the same feeds are
read as the councillor's own account. Either way the source keeps to the
rate Reddit states in its ``x-ratelimit-*`` headers (and to one read a
minute without a token), skipping a refresh that comes too soon rather than
being blocked, and a 429 or 403 is explained in plain words.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any, NoReturn

from nc_reddit.entries import reddit_item
from nc_reddit.subreddit import parse_subreddit
from networked_councillor.plugin_api import API_VERSION, ConfigField, Progress, RawItem, SourceApi, SourceError, utcnow
from networked_councillor.plugin_api.feeds import feed_items, read_feed
from networked_councillor.plugin_api.paging import Page, reaches, read_pages

PAGE_SIZE = 100  # the most a Reddit listing gives at once
MAX_PAGES = 4
FIRST_DAYS = 7
UNSIGNED_INTERVAL = 60.0
"""Seconds between reads without a feed token: Reddit's stated rate for apps that are not signed in."""


class RedditSource:
    id = "reddit"
    name = "Reddit"
    api_version = API_VERSION
    config_fields = (
        ConfigField("subreddit", "Subreddit", required=True,
                    help="For example r/Ashcombe, Ashcombe, or https://www.reddit.com/r/Ashcombe."),
        ConfigField("include_comments", "Also read new comments", "bool", default=False,
                    help="One more request each refresh; Reddit limits how often apps may ask."),
        ConfigField("feed_user", "Your Reddit user name (with a feed token)", "text",
                    help="The user= part of your private feed links at reddit.com/prefs/feeds."),
        ConfigField("feed_token", "Private feed token", "secret",
                    help="The feed= part of your private feed links at reddit.com/prefs/feeds. Reddit's "
                         "supported way for feed readers: without it Reddit allows about one read a minute."),
    )

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        value = str(api.config.get("subreddit") or "").strip()
        if not value:
            raise SourceError("This Reddit source has no subreddit.",
                              hint="Add one in its settings, for example r/Ashcombe.")
        self.site, self.subreddit = parse_subreddit(value)
        self.include_comments = bool(api.config.get("include_comments"))
        token, user = api.secrets.get("feed_token"), str(api.config.get("feed_user") or "").strip()
        self.params = {"feed": token.strip(), "user": user} if token and user else None

    def feeds(self) -> list[tuple[str, str]]:
        """(what, address) of each feed to read."""
        feeds = [("posts", f"{self.site}/r/{self.subreddit}/new/.rss")]
        if self.include_comments:
            feeds.append(("comments", f"{self.site}/r/{self.subreddit}/comments/.rss"))
        return feeds

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        wait_until = self.api.state.get("next_read_at")
        if wait_until and utcnow() < datetime.fromisoformat(wait_until):
            who = "your feed token" if self.params else "apps that are not signed in"
            due = datetime.fromisoformat(wait_until).astimezone()
            self.api.warn(f"Not read this time: Reddit allows {who} only so many reads, and the next is due "
                          f"after {due:%H:%M}.")
            return []
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
            parsed = read_feed(self.api, url, cancel, self.params)
        except SourceError as exc:
            self._raise_plainly(exc)
        self._pace((parsed or {}).get("headers") or {})
        return parsed

    def _pace(self, headers: dict) -> None:
        """When the next read may be: after Reddit's stated reset once its allowance is spent, else a minute on
        (without a token; Reddit's rate for apps that are not signed in)."""
        try:
            remaining = float(headers.get("x-ratelimit-remaining", "nan"))
            reset = float(headers.get("x-ratelimit-reset", "0"))
        except ValueError:
            remaining, reset = float("nan"), 0.0
        wait = reset if remaining < 1 else (0.0 if self.params else UNSIGNED_INTERVAL)
        if wait > 0:
            self.api.state["next_read_at"] = (utcnow() + timedelta(seconds=wait)).isoformat(timespec="seconds")
        else:
            self.api.state.pop("next_read_at", None)

    def _raise_plainly(self, exc: SourceError) -> NoReturn:
        """A refusal from Reddit, said in words: rate limited, blocked, or no such subreddit."""
        status = exc.status
        if status == 429:
            raise SourceError(f"Reddit is limiting how often the app may read r/{self.subreddit} (HTTP 429).",
                              hint="Reddit lets apps that are not signed in read about once a minute; a private feed "
                                   f"token (reddit.com/prefs/feeds) is its supported way for feed readers. {exc.hint}",
                              retry_after=exc.retry_after) from exc
        if status == 403:
            token = ("Check the feed token and user name in the source's settings (a new token from "
                     "reddit.com/prefs/feeds replaces the old one)." if self.params else
                     "A private feed token (reddit.com/prefs/feeds, in the source's settings) is Reddit's "
                     "supported way in for feed readers.")
            raise SourceError(
                f"Reddit refused to show r/{self.subreddit} (HTTP 403).",
                hint="Reddit blocks some apps and networks (VPNs, work and cloud networks among them), and "
                     f"private or banned subreddits refuse everyone. If r/{self.subreddit} opens in a web "
                     f"browser on this computer, Reddit is blocking the app. {token}") from exc
        if status == 404:
            raise SourceError(f"Reddit has no subreddit called r/{self.subreddit} (HTTP 404).",
                              hint="Check the name in the source's settings.") from exc
        raise exc

    def _keep_validators_of(self, urls: set[str]) -> None:
        """Only first pages are worth a conditional request; forget the others so the state stays small."""
        validators = self.api.state.get("validators", {})
        for url in [u for u in validators if u not in urls]:
            del validators[url]


def first_page(url: str) -> str:
    return f"{url}?limit={PAGE_SIZE}"




