"""Text from the internet made safe and tidy: sanitised HTML, its plain form, capped one-line values.

HTML from the internet is untrusted: `sanitise_html` removes scripts, styles, iframes and images and keeps links
with rel="noopener noreferrer nofollow", so nothing stored can run code or fetch a remote resource when displayed.
Control characters (a terminal's escape codes among them) never get through any helper here.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from typing import Any

import nh3

MAX_HTML_CHARS = 400_000
MAX_LINE_CHARS = 500
"""A title, a name, a category: longer is never a real one."""
MAX_ADDRESS_CHARS = 2_000
"""An id or a web address (browsers stop at about 2,000 characters)."""

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "li", "ol",
    "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"},
    attributes={"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|pre|tr|dt|dd|figure|figcaption)>|<hr\s*/?>", re.I)
_BLOCK_START = re.compile(r"<(?:p|div|li|h[1-6]|blockquote|pre|table|ul|ol)\b", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\n\s*\n\s*")
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])
"""C0 and C1 control characters and DEL (ESC and BEL among them), for str.translate (several times faster than
a regular expression on a long post); tab, newline and return are whitespace."""


def sanitise_html(html: str) -> str:
    return _CLEANER.clean(html[:MAX_HTML_CHARS])


def html_to_text(safe_html: str) -> str:
    """Plain text from *sanitised* HTML (regexes are safe on its well-formed output)."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", _BLOCK_START.sub(_break_after_text, safe_html)))
    return fold_whitespace(htmllib.unescape(text))


def _break_after_text(match: re.Match) -> str:
    """A block that starts straight after text starts a new line: "Please prioritise.<p>State: open</p>" is
    two lines (after a tag, the tag that closed the block before has made the break already)."""
    text, i = match.string, match.start() - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return match.group(0) if i < 0 or text[i] == ">" else "\n" + match.group(0)


def html_to_plain(untrusted_html: str) -> str:
    """Plain text from untrusted HTML, for plugins whose titles or fields come as HTML."""
    return html_to_text(sanitise_html(untrusted_html))


def fold_whitespace(text: str) -> str:
    """One space between words, at most one blank line between paragraphs; no control characters."""
    text = _SPACES.sub(" ", text.translate(_CONTROLS).replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _NEWLINES.sub("\n\n", text).strip()


def one_line(value: Any, limit: int = MAX_LINE_CHARS) -> str | None:
    """A title, name or label as one line of at most ``limit`` characters (None when empty)."""
    if value is None:
        return None
    text = str(value)[: limit * 4]  # bounded work, however long the value
    if not text.isprintable():  # the common case, a plain title, needs no more
        text = text.translate(_CONTROLS)
    text = " ".join(text.split())
    return _cut(text, limit) or None


def address(value: Any) -> str | None:
    """An id or a web address, with no controls or spaces, capped (None when empty)."""
    if value is None:
        return None
    text = str(value)[: MAX_ADDRESS_CHARS * 2]
    if not text.isprintable():
        text = text.translate(_CONTROLS)
    text = "".join(text.split())
    return text[:MAX_ADDRESS_CHARS] or None


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 2].rstrip() + " …"


def dumps(value: Any) -> str | None:
    if value is None or value == {} or value == [] or value == ():
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
