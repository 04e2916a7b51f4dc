"""Reading the posts of one topic that the app has not seen yet.

/t/{id}.json gives the topic, its first 20 posts and the ids of all its posts
(``post_stream.stream``); the others come from /t/{id}/posts.json with
``post_ids[]``, 20 at a time (Discourse's own chunk size), newest first, so
that a topic seen for the first time can stop once it reaches posts older than
the window (its opening post is kept whatever its age, for context). A reply
names the post_number it answers; that becomes the post's id, from the posts
at hand or, for an older post, from /posts/by_number/{topic}/{number}.json.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from nc_discourse.forum import Forum, Refused
from nc_discourse.mapping import TopicInfo, is_readable, reply_to, topic_info
from networked_councillor.plugin_api import SourceError, iso_time

CHUNK = 20
MAX_NEW_POSTS = 200
"""Per topic and refresh; a busier topic keeps its newest posts."""


@dataclass(slots=True)
class TopicRead:
    topic: TopicInfo
    posts: list[dict]
    """Readable posts new to the app, oldest first."""
    last_seen: int
    """The highest post id now seen in this topic."""
    parents: dict[int, int] = field(default_factory=dict)
    """Post id -> id of the post it replies to."""
    skipped: int = 0
    """New posts left out because there were more than MAX_NEW_POSTS."""


def read_topic(forum: Forum, listed: TopicInfo, last_seen: int | None, window_start: datetime) -> TopicRead:
    """The new posts of ``listed``: after ``last_seen``, or (for a topic not seen before) since ``window_start``."""
    answer = forum.get(f"/t/{listed.id}.json")
    topic = _merged(listed, topic_info(answer))
    first = _posts(answer, forum)
    listed_ids = answer["post_stream"].get("stream")
    stream = [i for i in listed_ids if isinstance(i, int)] if isinstance(listed_ids, list) else [p["id"] for p in first]
    known = last_seen or 0
    posts = {p["id"]: p for p in first}
    missing = [i for i in stream if i > known and i not in posts]
    skipped = max(0, len(missing) - MAX_NEW_POSTS)
    missing = missing[skipped:]
    for end in range(len(missing), 0, -CHUNK):
        chunk = missing[max(0, end - CHUNK):end]
        fetched = _posts(forum.get(f"/t/{topic.id}/posts.json", params=[("post_ids[]", i) for i in chunk]), forum)
        posts.update((p["id"], p) for p in fetched)
        if last_seen is None and any(_before(p, window_start) for p in fetched):
            break
    new = sorted((p for p in posts.values() if p["id"] > known and is_readable(p)
                  and (last_seen is not None or p.get("post_number") == 1 or not _before(p, window_start))),
                 key=lambda p: (p.get("post_number") or 0, p["id"]))
    last_seen = max([known, *stream, *posts.keys()])
    return TopicRead(topic, new, last_seen, _parents(forum, topic.id, posts.values(), new), skipped)


def _merged(listed: TopicInfo, own: TopicInfo | None) -> TopicInfo:
    """The topic as it describes itself, keeping what only the list knew (its last activity)."""
    if own is None:
        return listed
    return replace(own, title=own.title or listed.title, slug=own.slug or listed.slug,
                   activity=listed.activity or own.activity, pinned=listed.pinned)


def _posts(answer: Any, forum: Forum) -> list[dict]:
    stream = answer.get("post_stream") if isinstance(answer, dict) else None
    if not isinstance(stream, dict) or not isinstance(stream.get("posts"), list):
        raise SourceError(f"{forum.host} sent a topic the app could not read (it had no posts in it).",
                          hint="Nothing was stored from this refresh; the app will try again at the next one.")
    return [p for p in stream["posts"] if isinstance(p, dict) and isinstance(p.get("id"), int)]


def _before(post: dict, moment: datetime) -> bool:
    created = iso_time(post.get("created_at"))
    return created is not None and created < moment


def _parents(forum: Forum, topic_id: int, at_hand: Iterable[dict], new: list[dict]) -> dict[int, int]:
    by_number = {p["post_number"]: p["id"] for p in at_hand if isinstance(p.get("post_number"), int)}
    parents = {}
    for post in new:
        number = reply_to(post)
        if number is None:
            continue
        if number not in by_number:
            by_number[number] = _post_id(forum, topic_id, number)
        if by_number[number] is not None:
            parents[post["id"]] = by_number[number]
    return parents


def _post_id(forum: Forum, topic_id: int, number: int) -> int | None:
    try:
        answer = forum.get(f"/posts/by_number/{topic_id}/{number}.json")
    except Refused:
        return None  # the post replied to was deleted or hidden: the reply keeps its topic, without a parent
    post_id = answer.get("id") if isinstance(answer, dict) else None
    return post_id if isinstance(post_id, int) else None
