"""How long a reply is on each platform, and splitting one that is too long into a numbered thread.

Bluesky counts graphemes (what a reader sees as one character: an emoji with a
skin tone, a family joined with zero-width joiners, a letter with an accent are
each one) up to 300. Mastodon counts graphemes up to 500, but any link counts as
23 and a mention of someone on another server counts only its @name part.
Other platforms have no limit the app knows of.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import regex

from networked_councillor.replies.context import Finding, ReplyContext

LIMITS = {"bluesky": 300, "mastodon": 500}
PLATFORM_NAMES = {"bluesky": "Bluesky", "mastodon": "Mastodon"}
MASTODON_LINK_LENGTH = 23

_GRAPHEME = regex.compile(r"\X")
# Links end before trailing punctuation; remote mentions are @name@server.
_MASTODON_TOKEN = regex.compile(
    r"https?://\S*[^\s.,;:!?)\]'\"’”]|(?<![\w@])(@\w+)@[\w-]+(?:\.[\w-]+)+")
_ABBREVIATION = r"(?<!\b(?:Mr|Mrs|Ms|Dr|St|Cllr|Rd|No|approx|e\.g|i\.e|etc|vs)\.)"
_SENTENCE_END = regex.compile(_ABBREVIATION + r"(?<=[.!?…][\"'’”)\]]*)[ \t]+|\s*\n\s*")
_WORD = regex.compile(r"\S+\s*")


def _units(text: str, platform: str | None) -> Iterator[tuple[int, int]]:
    """(start offset, weight) of each counted unit of ``text``."""
    if platform != "mastodon":
        for m in _GRAPHEME.finditer(text):
            yield m.start(), 1
        return
    at = 0
    for token in _MASTODON_TOKEN.finditer(text):
        for m in _GRAPHEME.finditer(text, at, token.start()):
            yield m.start(), 1
        yield token.start(), _mastodon_weight(token)
        at = token.end()
    for m in _GRAPHEME.finditer(text, at):
        yield m.start(), 1


def length(text: str, platform: str | None) -> int:
    """The length of ``text`` as ``platform`` counts it."""
    if platform != "mastodon":
        return _graphemes_in(text)
    total, at = 0, 0
    for token in _MASTODON_TOKEN.finditer(text):
        total += _graphemes_in(text[at:token.start()]) + _mastodon_weight(token)
        at = token.end()
    return total + _graphemes_in(text[at:])


def _graphemes_in(text: str) -> int:
    if text.isascii() and "\r" not in text:  # one grapheme per character, except \r\n
        return len(text)
    return len(_GRAPHEME.findall(text))


def _mastodon_weight(token: regex.Match) -> int:
    return len(token.group(1)) if token.group(1) else MASTODON_LINK_LENGTH


def overflow_start(text: str, platform: str | None) -> int | None:
    """The offset from which ``text`` is over the platform's limit; None if it fits."""
    limit = LIMITS.get(platform or "")
    if limit is None:
        return None
    total = 0
    for start, weight in _units(text, platform):
        total += weight
        if total > limit:
            return start
    return None


def check_length(text: str, ctx: ReplyContext) -> Iterable[Finding]:
    start = overflow_start(text, ctx.platform)
    if start is None:
        return
    limit, name = LIMITS[ctx.platform], PLATFORM_NAMES[ctx.platform]
    over = length(text, ctx.platform) - limit
    parts = len(split_thread(text, ctx.platform))
    yield Finding("too_long", "block", f"This is {over} character{'s' * (over != 1)} longer than {name} allows "
                  f"({limit}).", f"Shorten it, or post it as a thread of {parts} parts.", (start, len(text)))


def split_thread(text: str, platform: str | None) -> list[str]:
    """``text`` as a thread of parts that each fit the platform, numbered "(1/3)" when there is more than one.

    Parts break between sentences (and paragraphs) where they can, then between
    words, and only inside a word (a very long link) when nothing else fits.
    """
    text = text.strip()
    limit = LIMITS.get(platform or "")
    if not text:
        return []
    if limit is None or length(text, platform) <= limit:
        return [text]
    digits = 1
    while True:  # the numbering's width depends on how many parts there are
        budget = limit - len(f" ({'9' * digits}/{'9' * digits})")
        parts = _pack(text, budget, platform, level=0)
        if len(str(len(parts))) <= digits:
            break
        digits += 1
    return [f"{part} ({n}/{len(parts)})" for n, part in enumerate(parts, 1)]


def _sentences(text: str, platform: str | None) -> list[str]:
    return _pieces_between(text, _SENTENCE_END)


def _words(text: str, platform: str | None) -> list[str]:
    return [m.group() for m in _WORD.finditer(text)]


def _graphemes(text: str, platform: str | None) -> list[str]:
    starts = [start for start, _ in _units(text, platform)]
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


_SPLITTERS = (_sentences, _words, _graphemes)


def _pieces_between(text: str, boundary: regex.Pattern) -> list[str]:
    """``text`` cut after each boundary, each piece keeping the whitespace that followed it."""
    pieces, at = [], 0
    for m in boundary.finditer(text):
        if m.end() > at:
            pieces.append(text[at:m.end()])
            at = m.end()
    if at < len(text):
        pieces.append(text[at:])
    return pieces


def _pack(text: str, budget: int, platform: str | None, *, level: int) -> list[str]:
    """Greedily fill parts of at most ``budget`` with pieces of ``text``, splitting finer where a piece is too long.

    Pieces end in the whitespace that followed them and never share a
    grapheme or a link, so their lengths add up: each is measured once.
    """
    parts: list[str] = []
    current, used = "", 0  # used: the length of current, trailing whitespace included
    for piece in _SPLITTERS[level](text, platform):
        words = piece.rstrip()
        gap = piece[len(words):]
        size, spacing = length(words, platform), length(gap, platform)
        if used + size > budget:  # start a new part
            if current.strip():
                parts.append(current.strip())
            current, used = "", 0
            if size > budget:
                *full, words = _pack(words, budget, platform, level=level + 1)
                parts += full
                size = length(words, platform)
        current += words + gap
        used += size + spacing
    if current.strip():
        parts.append(current.strip())
    return parts
