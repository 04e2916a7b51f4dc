"""Mastodon statuses (the REST API's Status entity) to RawItems.

Ids are the instance's own: ``id`` and ``in_reply_to_id`` share one id space,
so replies point at the stored item they answer. The ActivityPub ``uri``, the
same on every instance, is kept in ``extra``.
"""

from __future__ import annotations

import html
from collections.abc import MutableMapping
from typing import Any

from networked_councillor.plugin_api import Author, RawItem, iso_time

MEDIA_WORDS = {"image": "Image", "gifv": "Animation", "video": "Video", "audio": "Audio"}




def full_handle(acct: str, instance_host: str) -> str:
    """``acct`` is bare for the instance's own accounts and name@domain for others; always give both parts."""
    acct = acct.lstrip("@")
    return acct if "@" in acct else f"{acct}@{instance_host}"


def status_to_item(entry: dict, instance_host: str) -> RawItem | None:
    """A timeline entry as a RawItem; a boost becomes the post it boosts. None if it is no readable status."""
    status = entry.get("reblog") if isinstance(entry.get("reblog"), dict) else entry
    status_id = status.get("id")
    if not isinstance(status_id, str) or not status_id:
        return None
    account = status.get("account") if isinstance(status.get("account"), dict) else {}
    handle = full_handle(str(account.get("acct") or account.get("username") or "unknown"), instance_host)
    card = _card(status.get("card"))
    media = _media(status.get("media_attachments"))
    extra: dict[str, Any] = {
        "uri": status.get("uri"),
        "instance": instance_host,
        "visibility": status.get("visibility"),
        "sensitive": bool(status.get("sensitive")),
        "spoiler_text": _text(status.get("spoiler_text")),
        "mentions": [full_handle(m["acct"], instance_host) for m in _dicts(status.get("mentions"))
                     if isinstance(m.get("acct"), str)],
        "in_reply_to_account_id": status.get("in_reply_to_account_id"),
        "edited_at": status.get("edited_at"),
        "created_at": status.get("created_at"),  # as sent, in case it could not be read
        "card": card,
    }
    if status is not entry:
        booster = entry.get("account") if isinstance(entry.get("account"), dict) else {}
        extra["boosted_by"] = full_handle(str(booster.get("acct") or "unknown"), instance_host)
        extra["boost_id"] = entry.get("id")
    engagement = {"reply": status.get("replies_count"), "repost": status.get("reblogs_count"),
                  "like": status.get("favourites_count"), "quote": status.get("quotes_count")}
    return RawItem(
        external_id=status_id,
        url=status.get("url") or status.get("uri"),
        html=_body(status, media, card),
        author=Author(handle=f"@{handle}", url=account.get("url"),
                      display_name=account.get("display_name") or account.get("username") or handle),
        created_at=iso_time(status.get("created_at")),
        updated_at=iso_time(status.get("edited_at")),
        kind="post",
        thread_id=status_id,  # replaced by the conversation's root in assign_threads
        parent_id=status.get("in_reply_to_id") or None,
        categories=[t["name"] for t in _dicts(status.get("tags")) if isinstance(t.get("name"), str)],
        engagement={k: v for k, v in engagement.items() if isinstance(v, int)},
        enclosures=media,
        langs=[status["language"]] if isinstance(status.get("language"), str) else [],
        extra={k: v for k, v in extra.items() if v not in (None, [])},
        raw=entry,
    )


def _body(status: dict, media: list[dict], card: dict | None) -> str:
    """The post's HTML, with its content warning first and image descriptions and link card after it."""
    parts = []
    warning = _text(status.get("spoiler_text"))
    if warning:
        parts.append(f"<p><strong>Content warning: {html.escape(warning)}</strong></p>")
    parts.append(_text(status.get("content")) or "")
    for attachment in media:
        if attachment.get("alt"):
            word = MEDIA_WORDS.get(attachment.get("type") or "", "Attachment")
            parts.append(f"<p><i>{word}: {html.escape(attachment['alt'])}</i></p>")
    if card and card.get("title"):
        parts.append(f'<p>Link: <a href="{html.escape(card["url"], quote=True)}">{html.escape(card["title"])}</a></p>')
    return "".join(parts)


def _media(attachments: Any) -> list[dict]:
    found = []
    for attachment in _dicts(attachments):
        url = attachment.get("url") or attachment.get("remote_url")
        if isinstance(url, str) and url:
            found.append({"url": url, "type": attachment.get("type"), "alt": attachment.get("description"),
                          "preview": attachment.get("preview_url")})
    return found


def _card(card: Any) -> dict | None:
    if not isinstance(card, dict) or not isinstance(card.get("url"), str):
        return None
    return {"url": card["url"], "title": card.get("title") or None, "description": card.get("description") or None,
            "provider": card.get("provider_name") or None}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dicts(values: Any) -> list[dict]:
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


def assign_threads(items: list[RawItem], known_roots: MutableMapping[str, str]) -> None:
    """Give each reply the id of its conversation's first post.

    The API names only the post replied to, so the root is found by walking up
    through this run's posts and the roots remembered from earlier runs
    (``known_roots``, updated here); where the chain leaves what the app has
    seen, the furthest known ancestor stands in for the root.
    """
    parents = {item.external_id: item.parent_id for item in items}

    def root_of(status_id: str) -> str:
        seen = set()
        current = status_id
        while current not in seen:
            seen.add(current)
            if current in known_roots:
                return known_roots[current]
            parent = parents.get(current)
            if not parent:
                return current
            current = parent
        return current  # a loop in the data: stop where it closed

    for item in items:
        item.thread_id = root_of(item.external_id)
    for item in items:
        known_roots[item.external_id] = item.thread_id
