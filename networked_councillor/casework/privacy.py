"""One person's data-protection rights: find everything the app holds about them, erase it, or export a copy.

How a person is recognised (the councillor reviews every match before anything is erased):

- **name**: as whole words, ignoring case, with any spacing between them: "Sam" finds "SAM" and "Sam's" but never
  "Samuel"; "Sam Patel" needs both words together. Inside a record that names them in full, their single names
  ("Sam", "Patel") are removed as well, so "Sam Patel says… Sam thinks" keeps no trace.
- **handle**: in the forms platforms write it: ``sam.bsky.social`` or ``@sam.bsky.social``; ``@sam@mastodon.social``
  or its profile address ``mastodon.social/@sam`` (a bare ``@sam`` is removed inside records that already mention
  them, never searched for on its own); ``u/sam`` or ``/u/sam``; ``@sam`` or ``sam`` for forum usernames.
- **email**: the whole address, ignoring case.
- **phone**: by its digits, whatever the spaces, dashes or brackets; +44, 0044 and a leading 0 are the same, so
  "+44 (0)7700 900123" is "07700-900-123".

Posts, conversations and authors may number a million, so SQL first narrows them to rows holding a likely word (and
the full-text index finds the name in any letter case); Python then confirms each match. Casework, drafts and the
tagger's examples are few and are read in full.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.errors import ConfigError, ExportError
from networked_councillor.base.files import write_whole
from networked_councillor.store.items import chunks

REMOVED = "[removed]"

# How a column holds text, which decides how a match in it is found and removed.
TEXT, HTML, LINK, JSON_TEXT, CONTACT = "text", "html", "link", "json", "contact"
ITEM_FIELDS = {"title": TEXT, "text": TEXT, "html": HTML, "url": LINK, "raw": JSON_TEXT, "extra": JSON_TEXT,
               "evidence": JSON_TEXT, "enclosures": JSON_TEXT, "categories": JSON_TEXT}


@dataclass(frozen=True)
class Place:
    """A kind of record that can hold personal data, and what erasure does to it."""

    kind: str
    table: str
    label: str
    fields: dict[str, str]
    action: str  # "delete", "redact" (matches become [removed]) or "erase" (a timeline entry becomes the marker)
    large: bool = False  # narrowed by SQL before Python reads it


PLACES = (
    Place("account", "authors", "Their account", {"handle": TEXT, "display_name": TEXT, "url": LINK}, "delete",
          large=True),
    Place("own_post", "items", "Post they wrote", {}, "delete"),
    Place("mention", "items", "Post that mentions them", ITEM_FIELDS, "redact", large=True),
    Place("conversation", "threads", "Conversation title or link", {"title": TEXT, "url": LINK}, "redact",
          large=True),
    Place("training_example", "training_examples", "Example the tagger learns from", {"text": TEXT}, "delete"),
    Place("draft", "drafts", "Reply draft", {"text": TEXT}, "redact"),
    Place("snippet", "snippets", "Reply snippet", {"name": TEXT, "text": TEXT}, "redact"),
    Place("casework", "issues", "Casework that names them",
          {"title": TEXT, "description": TEXT, "address": TEXT, "contact": CONTACT}, "redact"),
    Place("linked_casework", "issues", "Casework linked to a post they wrote", {}, "unlink"),
    Place("casework_event", "issue_events", "Casework timeline entry", {"detail": JSON_TEXT}, "erase"),
    Place("shared_post", "shared_posts", "Copy of a post a colleague logged casework from",
          {"text": TEXT, "author": TEXT, "url": LINK}, "redact"),
)
PLACE = {place.kind: place for place in PLACES}


# ---- who -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonQuery:
    """Whatever identifies the person; at least one is needed."""

    name: str = ""
    handles: tuple[str, ...] = ()
    email: str = ""
    phone: str = ""

    def __post_init__(self) -> None:
        handles = (self.handles,) if isinstance(self.handles, str) else self.handles
        object.__setattr__(self, "handles", tuple(h.strip() for h in handles if h and h.strip()))

    def describe(self) -> str:
        parts = [f"name {self.name.strip()}" if self.name.strip() else "",
                 *(f"handle {h}" for h in self.handles),
                 f"email {self.email.strip()}" if self.email.strip() else "",
                 f"phone {self.phone.strip()}" if self.phone.strip() else ""]
        return "; ".join(p for p in parts if p)


@dataclass(frozen=True)
class Needle:
    """A literal that every match contains, so SQL can narrow a big table; ``digits`` ignores punctuation."""

    text: str
    digits: bool = False


@dataclass(frozen=True)
class Matcher:
    strong: re.Pattern[str]  # finds the person
    removes: re.Pattern[str]  # what is removed in a record they are found in (also their single names)
    needles: tuple[Needle, ...]
    name_phrase: str | None  # for the full-text index

    def finds(self, text: str | None) -> re.Match[str] | None:
        return self.strong.search(text) if text else None

    def redact(self, text: str) -> str:
        return self.removes.sub(REMOVED, text)


def matcher_for(who: PersonQuery) -> Matcher:
    """The patterns for ``who``; a ConfigError in plain words when nothing usable was given."""
    strong: list[str] = []
    weak: list[str] = []
    needles: list[Needle] = []
    phrase = None
    words = who.name.split()
    if who.name.strip():
        if not re.search(r"\w", who.name):
            raise ConfigError(f"{who.name.strip()!r} is not a name to search for.")
        spaced = r"\s+".join(map(re.escape, words))
        strong.append(rf"(?<!\w){spaced}(?!\w)")
        if len(words) > 1:
            weak += [rf"(?<!\w){re.escape(w)}(?!\w)" for w in words if len(re.findall(r"\w", w)) >= 2]
        needles.append(Needle(max(words, key=len).lower()))
        phrase = '"' + " ".join(words).replace('"', '""') + '"'
    for handle in who.handles:
        forms = _handle_forms(handle)
        strong += forms[0]
        weak += forms[1]
        needles += [Needle(n) for n in forms[2]]
    if who.email.strip():
        email = who.email.strip().lower()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise ConfigError(f"{who.email.strip()!r} does not look like an email address.")
        strong.append(rf"(?<![\w.+-]){re.escape(email)}(?![\w-]|\.\w)")
        needles.append(Needle(email))
    if who.phone.strip():
        digits = national_digits(who.phone)
        if len(digits) < 7:
            raise ConfigError(f"{who.phone.strip()!r} is too short to be a phone number.",
                              hint="Give the whole number, for example 07700 900123.")
        separated = r"[\s().-]{0,3}".join(digits)
        strong.append(rf"(?<![\d+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)?{separated}(?!\d)")
        needles.append(Needle(digits, digits=True))
    if not strong:
        raise ConfigError("Give a name, a handle, an email address or a phone number to search for.")
    return Matcher(re.compile("|".join(strong), re.I), re.compile("|".join(strong + weak), re.I), tuple(needles),
                   phrase)


def national_digits(phone: str) -> str:
    """A UK number's digits without +44, 0044 or the leading 0: "+44 (0)7700 900123" -> "7700900123"."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+44") or digits.startswith("0044"):
        digits = digits[2:] if phone.strip().startswith("+") else digits[4:]
    return digits[1:] if digits.startswith("0") else digits


def _handle_forms(handle: str) -> tuple[list[str], list[str], list[str]]:
    """(patterns that find it, extra patterns removed beside them, needles) for one handle."""
    text = handle.strip().lower()
    reddit = re.fullmatch(r"/?u/([\w-]+)", text)
    text = text.lstrip("@")
    if len(re.findall(r"\w", text)) < 2:
        raise ConfigError(f"{handle!r} is not a handle to search for.",
                          hint="Write it as the platform shows it, for example @sam.bsky.social.")
    if reddit:
        user = reddit.group(1)
        return [rf"(?<![\w/])/?u/{re.escape(user)}(?![\w-])"], [], [f"u/{user}"]
    if "@" in text:  # Mastodon and other fediverse accounts: user@host
        user, host = text.split("@", 1)
        u, h = re.escape(user), re.escape(host)
        return ([rf"(?<![\w.@+-])@?{u}@{h}(?![\w-]|\.\w)", rf"(?<![\w.-]){h}/@{u}(?![\w.-])"],
                [rf"(?<![\w@/])@{u}(?![\w@-]|\.\w)"], [f"{user}@{host}", f"{host}/@{user}"])
    return [rf"(?<![\w.@-])@?{re.escape(text)}(?![\w-]|\.\w)"], [], [text]


# ---- finding ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # a key of PLACE
    row_id: int
    fields: tuple[str, ...]  # the columns they were found in
    excerpt: str

    @property
    def place(self) -> Place:
        return PLACE[self.kind]


@dataclass
class PersonReport:
    """Everything found about one person, for the councillor to review (and prune) before erasing."""

    query: PersonQuery
    findings: list[Finding] = field(default_factory=list)

    def ids(self, kind: str) -> list[int]:
        return [f.row_id for f in self.findings if f.kind == kind]

    def counts(self) -> dict[str, int]:
        return dict(Counter(f.kind for f in self.findings))

    def describe(self) -> str:
        if not self.findings:
            return f"Nothing is held about {self.query.describe()}."
        lines = [f"Found about {self.query.describe()}:"]
        for f in self.findings:
            lines.append(f"- {f.place.label} #{f.row_id}: {f.excerpt}")
        return "\n".join(lines)


def find_person(db: Database, who: PersonQuery) -> PersonReport:
    """Every record that is about, by or mentions the person, each with a short excerpt."""
    matcher = matcher_for(who)
    report = PersonReport(who)
    for place in PLACES:
        if place.fields:
            report.findings += [Finding(place.kind, row["id"], tuple(hits), excerpt)
                                for row, hits, excerpt in matching_rows(db, place, matcher)]
        if place.kind == "account":
            report.findings += _own_posts(db, report.ids("account"))
        elif place.kind == "casework":
            report.findings += _linked_casework(db, report.ids("own_post"), set(report.ids("casework")))
    own = set(report.ids("own_post"))  # a post they wrote is deleted, not also redacted
    report.findings = [f for f in report.findings if not (f.kind == "mention" and f.row_id in own)]
    return report


def matching_rows(db: Database, place: Place, matcher: Matcher,
                   ids: list[int] | None = None) -> Iterator[tuple[dict, list[str], str]]:
    """(row, columns it matched in, excerpt) for rows of ``place`` that mention the person."""
    if ids is None and place.large:
        ids = sorted(_candidates(db, place, matcher))
    for row in _rows(db, place, ids):
        hits, excerpt = [], ""
        for column, kind in place.fields.items():
            found = next(((text, m) for text in _texts(row[column], kind) if (m := matcher.finds(text))), None)
            if found:
                hits.append(column)
                excerpt = excerpt or _excerpt(*found)
        if hits:
            yield row, hits, excerpt


def _rows(db: Database, place: Place, ids: list[int] | None) -> Iterator[dict]:
    columns = ", ".join(["id", *place.fields])
    if ids is None:
        yield from db.query(f"SELECT {columns} FROM {place.table} ORDER BY id")
        return
    for chunk in chunks(ids):
        yield from db.query(f"SELECT {columns} FROM {place.table} WHERE id IN ({', '.join('?' * len(chunk))}) "
                            "ORDER BY id", chunk)


def _candidates(db: Database, place: Place, matcher: Matcher) -> set[int]:
    """Ids of rows holding one of the matcher's needles (a superset of the matches)."""
    conditions, params = [], []
    for needle in matcher.needles:
        for column in place.fields:
            if needle.digits:
                stripped = column
                for char in (" ", "-", "(", ")", ".", "char(9)", "char(10)", "char(13)", "char(160)"):
                    stripped = f"replace({stripped}, {char if char.startswith('char') else repr(char)}, '')"
                conditions.append(f"instr({stripped}, ?)")
                params.append(needle.text)
            else:
                conditions.append(f"{column} LIKE ? ESCAPE '\\'")
                params.append("%" + re.sub(r"([\\%_])", r"\\\1", needle.text) + "%")
    found = {row[0] for row in db.execute(f"SELECT id FROM {place.table} WHERE {' OR '.join(conditions)}", params)}
    if place.table == "items" and matcher.name_phrase:
        try:  # the index folds letter case beyond ASCII, which LIKE does not
            found |= {row[0] for row in db.execute("SELECT rowid FROM items_fts WHERE items_fts MATCH ?",
                                                   [matcher.name_phrase])}
        except sqlite3.OperationalError:
            pass  # a name FTS cannot parse is still found by LIKE
    return found


def _own_posts(db: Database, author_ids: list[int]) -> list[Finding]:
    findings = []
    for chunk in chunks(author_ids):
        for row in db.query(f"SELECT id, title, text FROM items WHERE author_id IN ({', '.join('?' * len(chunk))}) "
                            "ORDER BY id", chunk):
            findings.append(Finding("own_post", row["id"], (), _shortened(row["title"] or row["text"] or "")))
    return findings


def _linked_casework(db: Database, item_ids: list[int], already: set[int]) -> list[Finding]:
    issues: dict[int, str] = {}
    for chunk in chunks(item_ids):
        for row in db.query("SELECT issues.id, issues.reference, issues.title FROM issues JOIN issue_items "
                            f"ON issue_items.issue_id = issues.id WHERE issue_items.item_id IN "
                            f"({', '.join('?' * len(chunk))})", chunk):
            issues[row["id"]] = f"{row['reference']}: {row['title']}"
    return [Finding("linked_casework", i, (), text) for i, text in sorted(issues.items()) if i not in already]


def _texts(value: Any, kind: str) -> list[str]:
    """The strings to search in a column's value (every string inside a JSON one)."""
    if not value:
        return []
    if kind in (JSON_TEXT, CONTACT):
        try:
            return list(_strings(json.loads(value)))
        except (TypeError, ValueError):
            pass
    return [str(value)]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _excerpt(text: str, match: re.Match[str], width: int = 45) -> str:
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return ("…" if start else "") + " ".join(text[start:end].split()) + ("…" if end < len(text) else "")


def _shortened(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width].rstrip() + "…"


# ---- erasing ---------------------------------------------------------------------------------------


def marks(values: list) -> str:
    """SQL placeholders for ``values``: "?, ?, ?"."""
    return ", ".join("?" * len(values))


def write_text(path: Path, text: str) -> Path:
    write_whole(path, lambda file: file.write_text(text, encoding="utf-8"), ExportError)
    return path
