"""A Discourse forum: new topics and posts, for a town's or a community's own forum.

Each run asks /latest.json for topics bumped since the last run, optionally
searches the forum for the ward's terms, then reads each topic's posts that it
has not seen. ``api.state`` keeps the highest ``bumped_at`` seen (so the next
run stops paging there) and, per topic, the highest post id seen (so it asks
only for newer posts). Topics are read oldest first: when more changed than
``max_topics``, the rest wait for the next refresh instead of being skipped.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from typing import Any

from nc_discourse.forum import Forum, Refused
from nc_discourse.listing import latest_topics, search_topics
from nc_discourse.mapping import TopicInfo, post_to_item
from nc_discourse.topics import MAX_NEW_POSTS, read_topic
from networked_councillor.plugin_api import (
    API_VERSION,
    Cancelled,
    ConfigField,
    Progress,
    RawItem,
    SourceApi,
    iso_time,
    site_address,
    utcnow,
)

MAX_REMEMBERED_TOPICS = 5000
MAX_SEARCHES = 20
_UNDATED_LAST = datetime.max.replace(tzinfo=timezone.utc)


class DiscourseSource:
    id = "discourse"
    name = "Discourse forum"
    api_version = API_VERSION
    config_fields = (
        ConfigField("base_url", "Forum address", "url", required=True,
                    help="The forum's main address, such as https://forum.millbrook.example."),
        ConfigField("category", "Only this category",
                    help="The category's short name: the part after /c/ in the address of its page (for example "
                         "roads). Leave empty to read the whole forum."),
        ConfigField("search_terms", "Also search the forum for", "list",
                    help="Words to look for across the whole forum, one per line; each is one search per refresh."),
        ConfigField("search_ward", "Also search for my ward's places and streets", "bool", default=False),
        ConfigField("max_topics", "Most topics to read per refresh", "int", default=50,
                    help="Any more are read at the next refresh."),
        ConfigField("first_days", "On the first fetch, look back this many days", "int", default=14),
        ConfigField("api_username", "Forum username (private forums only)",
                    help="The forum account the API key belongs to or acts for."),
        ConfigField("api_key", "API key (private forums only)", "secret",
                    help="A read-only key from the forum's administrators. Public forums need none."),
    )

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        config = api.config
        self.base_url = forum_address(config.get("base_url"))
        self.category = str(config.get("category") or "").strip().strip("/")
        self.max_topics = max(1, int(config.get("max_topics") or 50))
        self.first_days = max(1, int(config.get("first_days") or 14))
        ward_terms = [*api.ward.places, *api.ward.streets] if config.get("search_ward") else []
        self.search_terms = _unique([*ward_terms, *(config.get("search_terms") or [])])

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        forum = Forum(self.api, self.base_url, cancel)
        cutoff = self._cutoff(since)
        seen: dict[str, int] = dict(self.api.state.get("last_post_ids") or {})
        progress(0.0, "reading the latest topics")
        latest = latest_topics(forum, self.category, cutoff, self.api.warn)
        candidates = {**self._search(forum, cutoff, seen, progress), **latest}
        queue = sorted(candidates.values(), key=lambda t: t.activity or _UNDATED_LAST)
        if len(queue) > self.max_topics:
            self.api.warn(f"{len(queue) - self.max_topics} more changed topics will be read at the next refresh "
                          f"(at most {self.max_topics} are read each time).")
            queue = queue[:self.max_topics]
        items: list[RawItem] = []
        newest = iso_time(self.api.state.get("bumped_at"))
        for done, topic in enumerate(queue):
            if cancel.is_set():
                raise Cancelled()
            progress(0.1 + 0.9 * done / len(queue), f"reading “{topic.title or topic.id}”")
            items += self._read(forum, topic, seen, cutoff)
            if topic.id in latest and topic.activity and (newest is None or topic.activity > newest):
                newest = topic.activity
        self.api.state["last_post_ids"] = seen
        if newest is not None:
            self.api.state["bumped_at"] = newest.isoformat()
        progress(1.0, f"{len(items)} posts")
        return items

    def _cutoff(self, since: datetime | None) -> datetime:
        """Topics bumped after this are new: the newest bump seen last time, else the last run, else first_days."""
        saved = iso_time(self.api.state.get("bumped_at"))
        if saved is not None:
            return saved
        if since is not None:
            return since if since.tzinfo else since.replace(tzinfo=timezone.utc)
        return utcnow() - timedelta(days=self.first_days)

    def _search(self, forum: Forum, cutoff: datetime, seen: dict[str, int], progress: Progress
                ) -> dict[int, TopicInfo]:
        """Topics with posts matching the search terms; known topics with nothing new are left out."""
        terms = self.search_terms
        if len(terms) > MAX_SEARCHES:
            self.api.warn(f"Only the first {MAX_SEARCHES} of {len(terms)} search terms were searched for.")
            terms = terms[:MAX_SEARCHES]
        after: date = (cutoff - timedelta(days=1)).date()  # search takes a date; a day's margin for time zones
        found: dict[int, TopicInfo] = {}
        for done, term in enumerate(terms):
            progress(0.05 * done / len(terms), f"searching for {term}")
            for topic in search_topics(forum, term, after, self.api.warn):
                if str(topic.id) in seen and topic.activity is not None and topic.activity <= cutoff:
                    continue
                found.setdefault(topic.id, topic)
        return found

    def _read(self, forum: Forum, listed: TopicInfo, seen: dict[str, int], cutoff: datetime) -> list[RawItem]:
        key = str(listed.id)
        try:
            read = read_topic(forum, listed, seen.get(key), cutoff)
        except Refused as exc:
            self.api.warn(f"The topic “{listed.title or listed.id}” could not be read (HTTP {exc.status}): it may "
                          "have been deleted or made private. It was skipped.")
            return []
        if read.skipped:
            self.api.warn(f"Only the newest {MAX_NEW_POSTS} new posts of “{read.topic.title or listed.id}” were "
                          f"read; {read.skipped} older ones were left out.")
        _remember(seen, key, read.last_seen)
        return [post_to_item(post, read.topic, self.base_url, read.parents.get(post["id"])) for post in read.posts]


def forum_address(value: Any) -> str:
    """The forum's address without a trailing slash (a forum may live under a folder, such as /community)."""
    return site_address(value, what="a web forum", example="https://forum.example.org")


def _unique(terms: list[Any]) -> list[str]:
    """Terms with their spacing tidied, each once whatever its case."""
    unique: dict[str, str] = {}
    for term in terms:
        term = " ".join(str(term).split())
        if term:
            unique.setdefault(term.lower(), term)
    return list(unique.values())


def _remember(seen: dict[str, int], key: str, last_post_id: int) -> None:
    """Keep the highest post id seen per topic, most recently read last; forget the longest unread beyond the cap."""
    seen.pop(key, None)
    seen[key] = last_post_id
    while len(seen) > MAX_REMEMBERED_TOPICS:
        del seen[next(iter(seen))]
