"""Reddit's Atom entries as RawItems, without the wrapping Reddit puts round every post.

A post's HTML is its own words between ``<!-- SC_OFF -->`` and
``<!-- SC_ON -->`` followed by "submitted by /u/name [link] [comments]"; a link
or image post is a table holding a thumbnail and that same line. Only the
post's own words are kept. Where [link] leads somewhere other than the post,
the address is kept in ``extra["link"]``, and is the body of a link post with
no words of its own.

Ids are Reddit's fullnames: ``t3_`` for a post, ``t1_`` for a comment. A
comment's link (``/comments/<post>/<slug>/<comment>/``) names its post, which
is both its thread and, as far as the feed tells, its parent.
"""

from __future__ import annotations

import html as htmllib
import re

from networked_councillor.plugin_api import RawItem, html_to_plain
from networked_councillor.plugin_api.feeds import Entry, entry_to_item

_SC_MARK = re.compile(r"<!--\s*SC_O(?:FF|N)\s*-->", re.I)
_TRAILER = re.compile(  # "submitted by…" (absent when the account is deleted), [link], [comments]
    r"(?:\s|&#32;)*(?:submitted\s+by\b|<br\s*/?>\s*<span>\s*<a\s[^>]*>\s*\[link\])"
    r".*?(?=(?:\s*</td>\s*</tr>\s*</table>)?\s*$)", re.S | re.I)
_LINK = re.compile(r'<a\s+href="([^"]+)"[^>]*>\s*\[link\]\s*</a>', re.I)
_COMMENT_LINK = re.compile(r"/comments/([a-z0-9]+)(?:/[^/?#]*/([a-z0-9]+))?", re.I)
_COMMENT_TITLE = re.compile(r"^/u/\S+ on (.+)$", re.S)
_FULLNAME = re.compile(r"t[13]_[a-z0-9]+", re.I)


def reddit_item(entry: Entry, feed_title: str | None, kind: str) -> RawItem | None:
    """A post (t3_) or comment (t1_) from a subreddit's feed; None if the entry is neither."""
    item = entry_to_item(entry, feed_title, kind)
    if item is None or not item.url:
        return None
    post_id, comment_id = _ids_in_link(item.url)
    fullname = item.external_id if _FULLNAME.fullmatch(item.external_id or "") else None
    fullname = fullname or (f"t1_{comment_id}" if comment_id else f"t3_{post_id}" if post_id else None)
    if fullname is None:
        return None
    original = item.html or ""
    body, link = strip_boilerplate(original)
    link = link if link != item.url else None  # a text post's [link] is its own page
    if not html_to_plain(body or ""):
        body = None  # nothing but a thumbnail, kept as an enclosure
    if body is None and link:
        body = f'<p><a href="{htmllib.escape(link, quote=True)}">{htmllib.escape(link)}</a></p>'
    item.html = body
    item.external_id = fullname
    item.raw = {"id": entry.get("id"), "link": item.url, "title": entry.get("title"), "content": original}
    item.extra = {**item.extra, "link": link} if link else dict(item.extra)
    if fullname.startswith("t1_"):
        title = _COMMENT_TITLE.match(item.title or "")
        item.thread_title = title.group(1) if title else None
        item.title = None  # "/u/name on <post title>" is not the comment's own title
        item.thread_id = item.parent_id = f"t3_{post_id}" if post_id else None
    else:
        item.thread_id = fullname
        item.thread_title = item.title
    return item


def strip_boilerplate(html: str) -> tuple[str | None, str | None]:
    """(the entry's own HTML, the address its [link] leads to) with Reddit's wrapping removed."""
    markers = list(_SC_MARK.finditer(html))
    own_words_end = markers[-1].end() if markers else 0  # nothing the author wrote comes after SC_ON
    link = None
    trailer = _TRAILER.search(html, own_words_end)
    if trailer:
        found = _LINK.search(trailer.group())
        link = htmllib.unescape(found.group(1)) if found else None
        html = html[: trailer.start()] + html[trailer.end():]
    html = _SC_MARK.sub("", html).replace("&#32;", " ").strip()
    return html or None, link


def _ids_in_link(url: str) -> tuple[str | None, str | None]:
    """(post id, comment id) from a Reddit permalink."""
    found = _COMMENT_LINK.search(url)
    if not found:
        return None, None
    return found.group(1).lower(), (found.group(2) or "").lower() or None
