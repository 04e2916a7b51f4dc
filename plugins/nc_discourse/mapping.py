"""Discourse JSON (topic lists, topics, posts) to RawItems.

Forums run Discourse versions from 2013 to today, so fields are read by every
name they have had: a post's display name is ``name`` (``display_username`` on
old forums), likes are ``like_count`` where given and otherwise the count of
action 2 ("like") in ``actions_summary``; a topic's title is ``title`` (or,
failing that, the HTML ``fancy_title``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from networked_councillor.plugin_api import Author, RawItem, html_to_plain, iso_time

LIKE_ACTION = 2
SMALL_ACTION = 3
"""post_type 3: "closed the topic", "pinned globally"… notices with no words of their own."""
_ROOT_RELATIVE = re.compile(r"""(\s(?:href|src)=["'])(//|/)""")


@dataclass(slots=True)
class TopicInfo:
    """What every post of a topic shares: its id, title, address and labels."""

    id: int
    title: str | None = None
    slug: str | None = None
    category_id: int | None = None
    tags: list[str] = field(default_factory=list)
    activity: datetime | None = None
    """When it last changed (bumped_at or last_posted_at, whichever is later); None if unreadable."""
    pinned: bool = False




def topic_info(raw: Any) -> TopicInfo | None:
    """A topic from a topic list, a search answer or /t/{id}.json; None without a usable id."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), int):
        return None
    times = [t for t in (iso_time(raw.get("bumped_at")), iso_time(raw.get("last_posted_at"))) if t]
    title = raw.get("title") if isinstance(raw.get("title"), str) else None
    if not title and isinstance(raw.get("fancy_title"), str):
        title = html_to_plain(raw["fancy_title"])
    return TopicInfo(
        id=raw["id"],
        title=title or None,
        slug=raw.get("slug") if isinstance(raw.get("slug"), str) else None,
        category_id=raw.get("category_id") if isinstance(raw.get("category_id"), int) else None,
        tags=_tag_names(raw.get("tags")),
        activity=max(times, default=None),
        pinned=bool(raw.get("pinned") or raw.get("pinned_globally")),
    )


def _tag_names(tags: Any) -> list[str]:
    """Tags are strings, or {id, name, slug} objects on recent forums."""
    names = []
    for tag in tags if isinstance(tags, list) else []:
        name = tag.get("name") if isinstance(tag, dict) else tag
        if isinstance(name, str) and name:
            names.append(name)
    return names


def is_readable(post: dict) -> bool:
    """A post with words a councillor could read: not a small-action notice, hidden or deleted."""
    return (post.get("post_type") != SMALL_ACTION and not post.get("hidden") and not post.get("deleted_at")
            and isinstance(post.get("cooked"), str) and bool(post["cooked"].strip()))


def post_to_item(post: dict, topic: TopicInfo, base_url: str, parent_id: int | None) -> RawItem:
    number = post.get("post_number")
    slug = topic.slug or post.get("topic_slug") or "topic"
    username = post.get("username") or "unknown"
    created = iso_time(post.get("created_at"))
    updated = iso_time(post.get("updated_at"))
    url = f"{base_url}/t/{slug}/{topic.id}" + (f"/{number}" if isinstance(number, int) else "")
    return RawItem(
        external_id=str(post["id"]),
        url=url,
        title=topic.title if number == 1 else None,
        html=absolute_links(post["cooked"], base_url),
        author=Author(handle=username, display_name=post.get("name") or post.get("display_username") or username,
                      url=f"{base_url}/u/{username}"),
        created_at=created or updated,
        updated_at=updated,
        kind="post",
        thread_id=str(topic.id),
        thread_title=topic.title,
        parent_id=str(parent_id) if parent_id is not None else None,
        categories=topic.tags,
        engagement=engagement(post),
        extra={k: v for k, v in {
            "topic_id": topic.id,
            "post_number": number,
            "reply_to_post_number": reply_to(post),
            "category_id": topic.category_id,
            "forum": base_url,
        }.items() if v is not None},
        raw=post,
    )


def reply_to(post: dict) -> int | None:
    """The post_number this post answers (some schemas type it as a string)."""
    value = post.get("reply_to_post_number")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and value > 0 else None


def engagement(post: dict) -> dict[str, int]:
    counts = {name: post.get(key) for name, key in (("reply", "reply_count"), ("quote", "quote_count"),
                                                     ("read", "reads"))}
    counts["like"] = likes(post)
    return {name: count for name, count in counts.items() if isinstance(count, int)}


def likes(post: dict) -> int | None:
    if isinstance(post.get("like_count"), int):
        return post["like_count"]
    actions = post.get("actions_summary")
    if not isinstance(actions, list):
        return None
    for action in actions:
        if isinstance(action, dict) and action.get("id") == LIKE_ACTION:
            return action.get("count") if isinstance(action.get("count"), int) else 0
    return 0  # the forum leaves out actions nobody has taken


def absolute_links(html: str, base_url: str) -> str:
    """Cooked HTML links to "/u/name" and "//cdn…"; the app shows it away from the forum, so make them whole."""
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return _ROOT_RELATIVE.sub(lambda m: m.group(1) + (f"{parts.scheme}://" if m.group(2) == "//" else f"{origin}/"),
                              html)
