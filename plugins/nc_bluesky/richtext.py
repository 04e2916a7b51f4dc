"""Bluesky rich text: grapheme counting, facets (UTF-8 byte ranges) and rendering them safely.

Bluesky limits a post to 300 graphemes (what a person sees as one character:
an emoji with skin tone, a flag, an accented letter are each one) and marks
links, mentions and hashtags with facets whose offsets count UTF-8 bytes, not
characters. Getting either wrong makes the post fail or link the wrong words.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import regex
from atproto_client.utils import facet_detection

MAX_GRAPHEMES = 300


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def build_facets(text: str, resolve_handle: Callable[[str], str | None]) -> list[dict]:
    """Link, hashtag and mention facets for ``text`` (mentions whose handle does not resolve are left plain)."""
    facets = []
    for facet in facet_detection.detect_facets(text):
        feature = facet.features[0]
        kind = "link" if hasattr(feature, "uri") else "tag"
        if kind == "tag" and feature.tag.startswith("$"):
            continue  # cashtags: share prices, not ward business
        facets.append({
            "index": {"byteStart": facet.index.byte_start, "byteEnd": facet.index.byte_end},
            "features": [{"$type": f"app.bsky.richtext.facet#{kind}",
                          **({"uri": feature.uri} if kind == "link" else {"tag": feature.tag})}],
        })
    for mention in facet_detection.detect_mentions(text):
        did = resolve_handle(mention.handle)
        if did:
            facets.append({"index": {"byteStart": mention.byte_start, "byteEnd": mention.byte_end},
                           "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}]})
    return sorted(facets, key=lambda f: f["index"]["byteStart"])


def to_html(text: str, facets: list[dict] | None, profile_url: Callable[[str], str]) -> str:
    """The post as HTML: its text escaped, links, mentions and hashtags made clickable, nothing else."""
    encoded = text.encode("utf-8")
    spans = []
    for facet in facets or []:
        index = facet.get("index") or {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        features = facet.get("features") or []
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(encoded)) or not features:
            continue  # a malformed facet is ignored, never trusted
        spans.append((start, end, features[0]))
    spans.sort(key=lambda s: s[0])
    out, position = [], 0
    for start, end, feature in spans:
        if start < position:
            continue  # overlapping facets: keep the first
        kind = feature.get("$type", "")
        if kind.endswith("#link"):
            href = feature.get("uri", "")
        elif kind.endswith("#mention"):
            href = profile_url(feature.get("did", ""))
        elif kind.endswith("#tag"):
            href = f"https://bsky.app/hashtag/{feature.get('tag', '')}"
        else:
            continue
        if not href.startswith(("https://", "http://")):
            continue
        out.append(_text(encoded[position:start]))
        out.append(f'<a href="{html.escape(href, quote=True)}">{_text(encoded[start:end])}</a>')
        position = end
    out.append(_text(encoded[position:]))
    return "<p>" + "".join(out).replace("\n", "<br>") + "</p>"


def _text(part: bytes) -> str:
    return html.escape(part.decode("utf-8", errors="replace"))
