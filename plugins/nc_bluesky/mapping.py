"""Bluesky payloads (PostView, ThreadViewPost) to RawItems."""

from __future__ import annotations

import html
from typing import Any

from nc_bluesky.richtext import to_html
from networked_councillor.plugin_api import Author, RawItem, iso_time

RESTRICTED_LABEL = "!no-unauthenticated"


def web_url(uri: str, handle: str | None) -> str | None:
    """at://did/app.bsky.feed.post/rkey -> https://bsky.app/profile/handle/post/rkey"""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return None
    return f"https://bsky.app/profile/{handle or parts[0]}/post/{parts[2]}"


def profile_url(actor: str) -> str:
    return f"https://bsky.app/profile/{actor}"




def post_to_item(post: dict, *, reposted_by: str | None = None) -> RawItem | None:
    """A PostView as a RawItem; None if it is not a readable post."""
    uri, record = post.get("uri"), post.get("record") or {}
    if not isinstance(uri, str) or not isinstance(record, dict):
        return None
    author = post.get("author") or {}
    handle = author.get("handle") or author.get("did") or "unknown"
    text = record.get("text") if isinstance(record.get("text"), str) else ""
    facets = record.get("facets") if isinstance(record.get("facets"), list) else []
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    root = reply.get("root") or {}
    parent = reply.get("parent") or {}
    links, media, alt_texts = _embeds(post.get("embed") or {})
    labels = {label.get("val") for label in (author.get("labels") or []) + (post.get("labels") or [])
              if isinstance(label, dict)}
    extra: dict[str, Any] = {
        "cid": post.get("cid"),
        "did": author.get("did"),
        "indexed_at": post.get("indexedAt"),
        "facets": facets,
        "mentions": [f.get("did") for facet in facets for f in facet.get("features") or []
                     if str(f.get("$type", "")).endswith("#mention")],
        "links": links,
        "reply_root": root if root.get("uri") else None,
        "reply_parent": parent if parent.get("uri") else None,
        "labels": sorted(v for v in labels if v),
        "restricted": RESTRICTED_LABEL in labels,
    }
    if reposted_by:
        extra["reposted_by"] = reposted_by
    body = text
    for alt in alt_texts:
        body += f"\n\n[Image: {alt}]"
    for link in links:
        if link.get("title"):
            body += f"\n\n[Link: {link['title']}]"
    return RawItem(
        external_id=uri,
        url=web_url(uri, author.get("handle")),
        text=body,
        html=to_html(text, facets, profile_url) + "".join(
            f"<p><i>Image: {html.escape(alt)}</i></p>" for alt in alt_texts),
        author=Author(handle=handle, display_name=author.get("displayName") or handle,
                      url=profile_url(handle)),
        created_at=iso_time(record.get("createdAt")) or iso_time(post.get("indexedAt")),
        updated_at=iso_time(post.get("indexedAt")),
        kind="post",
        thread_id=root.get("uri") or uri,
        parent_id=parent.get("uri"),
        engagement={k: int(post.get(f"{k}Count") or 0) for k in ("like", "reply", "repost", "quote")},
        enclosures=media,
        langs=[lang for lang in record.get("langs") or [] if isinstance(lang, str)],
        extra=extra,
        raw=post,
    )


def _embeds(embed: dict) -> tuple[list[dict], list[dict], list[str]]:
    """(links, media, image alt texts) from an embed view, including quoted records with media."""
    links, media, alts = [], [], []
    kind = str(embed.get("$type", ""))
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        inner = _embeds(embed.get("media") or {})
        links, media, alts = inner[0], inner[1], inner[2]
        record = (embed.get("record") or {}).get("record") or {}
        if record.get("uri"):
            links.append({"uri": record["uri"], "kind": "quote"})
        return links, media, alts
    if kind.startswith("app.bsky.embed.images"):
        for image in embed.get("images") or []:
            media.append({"url": image.get("fullsize") or image.get("thumb"), "type": "image", "alt": image.get("alt")})
            if image.get("alt"):
                alts.append(image["alt"])
    elif kind.startswith("app.bsky.embed.external"):
        external = embed.get("external") or {}
        if external.get("uri"):
            links.append({"uri": external["uri"], "title": external.get("title"),
                          "description": external.get("description"), "kind": "link"})
    elif kind.startswith("app.bsky.embed.record"):
        record = embed.get("record") or {}
        if record.get("uri"):
            links.append({"uri": record["uri"], "kind": "quote"})
    elif kind.startswith("app.bsky.embed.video"):
        media.append({"url": embed.get("playlist"), "type": "video", "alt": embed.get("alt")})
        if embed.get("alt"):
            alts.append(embed["alt"])
    return links, media, alts


def thread_items(view: dict) -> list[RawItem]:
    """Every post of a getPostThread answer: ancestors, the post, all replies; gaps marked as such."""
    items: list[RawItem] = []
    parent = view.get("parent")
    ancestors = []
    while isinstance(parent, dict):
        ancestors.append(parent)
        parent = parent.get("parent")
    for node in reversed(ancestors):
        items.append(_node_item(node))
    _walk_down(view, items)
    items = [i for i in items if i is not None]
    root = next((i.thread_id for i in items if i.kind != "unavailable"), None)
    for item in items:
        if item.kind == "unavailable":  # a gap keeps its place in the conversation
            item.thread_id = root or item.external_id
    return items


def _walk_down(node: dict, items: list) -> None:
    items.append(_node_item(node))
    for reply in node.get("replies") or []:
        if isinstance(reply, dict):
            _walk_down(reply, items)


def _node_item(node: dict) -> RawItem | None:
    kind = str(node.get("$type", ""))
    uri = node.get("uri") or (node.get("post") or {}).get("uri")
    if node.get("notFound") or kind.endswith("#notFoundPost"):
        return RawItem(external_id=uri, text="[This post has been deleted.]", kind="unavailable",
                       extra={"unavailable": "deleted"})
    if node.get("blocked") or kind.endswith("#blockedPost"):
        return RawItem(external_id=uri, text="[A post from an account that is blocked, or that blocks you.]",
                       kind="unavailable", extra={"unavailable": "blocked"})
    post = node.get("post")
    return post_to_item(post) if isinstance(post, dict) else None


