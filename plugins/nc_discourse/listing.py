"""Which topics to read: those bumped since the last run (/latest.json) and, optionally, search hits.

/latest lists topics most recently bumped first, except that pinned topics
stay at the top whatever their age; so an old pinned topic is passed over, and
paging stops at the first page that reaches an unpinned topic older than the
cut-off. Search answers come in today's shape (an object with ``posts`` and
``topics``) or, from forums not updated since about 2014, as a list of typed
result groups; both give topic ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from nc_discourse.forum import Forum, Refused
from nc_discourse.mapping import TopicInfo, topic_info
from networked_councillor.plugin_api import SourceError
from networked_councillor.plugin_api.paging import Page, read_pages

MAX_PAGES = 10
"""At 30 topics a page, 300 topics bumped between two refreshes."""
_TOPIC_IN_URL = re.compile(r"/t/(?:[^/?#]+/)?(\d+)")


def latest_topics(forum: Forum, category: str, cutoff: datetime, warn: Callable[[str], None]) -> dict[int, TopicInfo]:
    """Topics bumped after ``cutoff``, by id."""
    path = f"/c/{quote(category, safe='/')}/l/latest.json" if category else "/latest.json"

    def read(next_path: str | None) -> Page[TopicInfo]:
        answer = _first_page(forum, path, category) if next_path is None else forum.get(next_path)
        topic_list = answer.get("topic_list") if isinstance(answer, dict) else None
        if not isinstance(topic_list, dict) or not isinstance(topic_list.get("topics"), list):
            raise SourceError(f"{forum.host} answered, but not like a Discourse forum (no list of topics).",
                              hint="Check that the address in this source's settings is the forum's main address.")
        topics, reached_old = [], False
        for topic in filter(None, map(topic_info, topic_list["topics"])):
            if topic.activity is not None and topic.activity <= cutoff:
                reached_old = reached_old or not topic.pinned
            else:
                topics.append(topic)
        more = topic_list.get("more_topics_url")
        last = reached_old or not isinstance(more, str) or not more
        return Page(topics, None if last else json_path(more, forum.base))

    topics = read_pages(read, max_pages=MAX_PAGES, key=lambda topic: topic.id, keep=_newer, too_many=lambda _n: warn(
        f"More topics changed on {forum.host} than the app reads in one go ({MAX_PAGES} pages); "
        "the oldest of them were skipped."))
    return {topic.id: topic for topic in topics}


def _newer(known: TopicInfo, topic: TopicInfo) -> TopicInfo:
    """A topic bumped while the listing was read: its latest activity wins."""
    return topic if topic.activity and known.activity and topic.activity > known.activity else known


def _first_page(forum: Forum, path: str, category: str) -> Any:
    """The first page, with a 404 explained: no forum at that address, or no such category."""
    try:
        return forum.get(path)
    except Refused as exc:
        if exc.status not in (404, 410):
            raise
        private = "" if forum.signed_in else (" A private forum also answers this way to visitors: if this one is "
                                               "private, add an API key in this source's settings.")
        if category:
            raise SourceError(f"{forum.host} has no category called '{category}' (HTTP {exc.status}).",
                              hint="Check the category's short name: it is the part after /c/ in the address of "
                                   "the category's page." + private) from exc
        raise SourceError(f"No Discourse forum was found at {forum.base} (HTTP {exc.status}).",
                          hint="Check the forum's address: use its main address, such as "
                               "https://forum.example.org." + private) from exc


def json_path(more_topics_url: str, base_url: str) -> str:
    """The path after ``base_url`` for ``more_topics_url``, which today lacks .json ("/latest?page=1")."""
    parts = urlsplit(more_topics_url)
    prefix = urlsplit(base_url).path.rstrip("/")  # a forum in a subfolder, such as /forum
    path = parts.path[len(prefix):] if prefix and parts.path.startswith(prefix + "/") else parts.path
    path = path if path.endswith(".json") else path.rstrip("/") + ".json"
    return path + (f"?{parts.query}" if parts.query else "")


def search_topics(forum: Forum, term: str, after: date, warn: Callable[[str], None]) -> list[TopicInfo]:
    """Topics with posts matching ``term`` made after the day ``after``."""
    phrase = f'"{term}"' if " " in term else term
    query = f"{phrase} order:latest after:{after.isoformat()}"
    try:
        answer = forum.get("/search.json", params={"q": query})
    except Refused as exc:
        warn(f"{forum.host} would not search for '{term}' (HTTP {exc.status}); only its latest topics were read.")
        return []
    if isinstance(answer, list):
        forum.api.log.info("%s answered search in the old (pre-2014) format", forum.host)
        return _legacy_results(answer)
    if not isinstance(answer, dict):
        warn(f"{forum.host} gave a search answer the app could not read; only its latest topics were read.")
        return []
    error = (answer.get("grouped_search_result") or {}).get("error")
    if error:
        warn(f"{forum.host} could not search for '{term}': {error}")
    topics = {t.id: t for t in map(topic_info, answer.get("topics") or []) if t is not None}
    for post in answer.get("posts") or []:
        topic_id = post.get("topic_id") if isinstance(post, dict) else None
        if isinstance(topic_id, int) and topic_id not in topics:
            topics[topic_id] = TopicInfo(id=topic_id)
    return list(topics.values())


def _legacy_results(groups: list) -> list[TopicInfo]:
    """Old search: [{"type": "topic", "results": [{"id", "title", "url"}]}, {"type": "user", …}, …]."""
    topics: dict[int, TopicInfo] = {}
    for group in groups:
        if not isinstance(group, dict) or group.get("type") in ("user", "category"):
            continue
        for result in group.get("results") or []:
            if not isinstance(result, dict):
                continue
            topic_id = result.get("id") if group.get("type") == "topic" else None
            if not isinstance(topic_id, int):
                match = _TOPIC_IN_URL.search(str(result.get("url") or ""))
                topic_id = int(match.group(1)) if match else None
            if topic_id is not None and topic_id not in topics:
                title = result.get("title") if group.get("type") == "topic" else None
                topics[topic_id] = TopicInfo(id=topic_id, title=title if isinstance(title, str) else None)
    return list(topics.values())
