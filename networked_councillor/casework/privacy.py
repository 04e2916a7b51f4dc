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

import html as htmllib
import json
import re
import secrets
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.changes import NOTHING, Changes
from networked_councillor.base.errors import ConfigError, ExportError, StoreError
from networked_councillor.base.files import write_whole
from networked_councillor.base.text import dumps, html_to_text
from networked_councillor.casework import audit
from networked_councillor.casework import issues as casework
from networked_councillor.casework.retention import remove_unreferenced, secure_delete
from networked_councillor.store.items import chunks
from networked_councillor.store.schema import ERASED_DETAIL

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
                                for row, hits, excerpt in _matching_rows(db, place, matcher)]
        if place.kind == "account":
            report.findings += _own_posts(db, report.ids("account"))
        elif place.kind == "casework":
            report.findings += _linked_casework(db, report.ids("own_post"), set(report.ids("casework")))
    own = set(report.ids("own_post"))  # a post they wrote is deleted, not also redacted
    report.findings = [f for f in report.findings if not (f.kind == "mention" and f.row_id in own)]
    return report


def _matching_rows(db: Database, place: Place, matcher: Matcher,
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


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure did, as counts ("items.deleted", "issues.redacted"…); no identifiers."""

    erasure_id: str
    at: str
    counts: dict[str, int]
    backups: tuple[Path, ...] = ()  # copies made before the erasure, which still hold the data

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def changes(self) -> Changes:
        return Changes(inbox=True, issues=True) if self.total else NOTHING

    def describe(self) -> str:
        lines = [f"Erasure {self.erasure_id} at {self.at}:"]
        lines += [f"- {key.split('.')[0].replace('_', ' ')}: {n} {key.split('.')[1].replace('_', ' ')}"
                  for key, n in sorted(self.counts.items())]
        if self.backups:
            lines.append(f"{len(self.backups)} backup copies made before now still hold the erased data; "
                         f"delete them from {self.backups[0].parent} if they are not needed.")
        return "\n".join(lines)


def erase_person(db: Database, report: PersonReport, now: str) -> ErasureReport:
    """Erase what ``report`` lists, all in one transaction, and log counts (never who) in the audit log.

    Each listed record is read again and only what still matches is removed. Erasing an account erases every post
    it wrote (with tags, embeddings, sightings, drafts and training examples; casework keeps the issue and notes
    "linked item erased"). Mentions become "[removed]". Follow with `scrub` (or use `erase_and_scrub`), so no
    erased word lingers in the file's free space.
    """
    matcher = matcher_for(report.query)
    erasure_id = secrets.token_hex(8)
    counts: Counter[str] = Counter()
    with secure_delete(db), db.atomic():
        _erase_posts(db, report, erasure_id, now, counts)
        for kind in ("mention", "conversation", "draft", "snippet"):
            place = PLACE[kind]
            redacted = _redact(db, place, report.ids(kind), matcher)
            counts[f"{place.table}.redacted"] += len(redacted)
            if place.table == "items":  # an embedding of the old words would still say who was there
                counts["embeddings.deleted"] += _delete_where(db, "embeddings", "item_id", redacted)
        _erase_from_casework(db, report, matcher, erasure_id, now, counts)
        counts["training_examples.deleted"] += _delete_where(
            db, "training_examples", "id", [row["id"] for row, _, _ in _matching_rows(
                db, PLACE["training_example"], matcher, report.ids("training_example"))])
        db.execute("INSERT INTO items_fts (items_fts) VALUES ('optimize')")  # drops the deleted words from the index
        counts = Counter({key: n for key, n in counts.items() if n})
        erasure = ErasureReport(erasure_id, now, dict(sorted(counts.items())))
        audit.record(db, "erase_person", f"Erased one person's data at their request ({erasure.total} records)",
                     now, records=erasure.total, personal_data=True,
                     detail={"erasure_id": erasure_id, "counts": erasure.counts})
    return erasure


def erase_and_scrub(store: Any, report: PersonReport, now: str) -> ErasureReport:
    """Erase (one transaction), then rewrite the file so the erased words are gone from disk too."""
    with store.write() as db:
        erasure = erase_person(db, report, now)
    scrub(store)
    backups = tuple(sorted(store.backup_dir.glob("*.sqlite"))) if store.backup_dir.is_dir() else ()
    return ErasureReport(erasure.erasure_id, erasure.at, erasure.counts, backups)


def scrub(store: Any) -> None:
    """Rebuild the database file (VACUUM) and empty its write-ahead log, leaving no deleted text in either."""
    with store.read() as db:
        try:
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"The data was erased, but the database file could not be tidied afterwards ({exc}).",
                             hint="Erased words may stay in the file's free space until it is: free some disk "
                                  "space and erase again.") from exc


def write_erasure_record(path: Path, report: PersonReport, erasure: ErasureReport) -> Path:
    """The full record of an erasure (with who it was about) for the councillor's own files; never stored."""
    return _write(Path(path), f"{report.describe()}\n\n{erasure.describe()}\n")


def _erase_posts(db: Database, report: PersonReport, erasure_id: str, now: str, counts: Counter[str]) -> None:
    authors = report.ids("account")
    item_ids = set(report.ids("own_post"))
    threads: set[int] = set()
    for chunk in chunks(authors):  # posts fetched since the report was made go too
        item_ids |= {r[0] for r in db.execute(f"SELECT id FROM items WHERE author_id IN ({_marks(chunk)})", chunk)}
    for chunk in chunks(sorted(item_ids)):
        marks = _marks(chunk)
        threads |= {r[0] for r in db.execute(f"SELECT thread_id FROM items WHERE id IN ({marks}) "
                                             "AND thread_id IS NOT NULL", chunk)}
        for issue_id, item_id in db.execute(f"SELECT issue_id, item_id FROM issue_items WHERE item_id IN ({marks}) "
                                            "ORDER BY issue_id, item_id", chunk).fetchall():
            casework.add_event(db, issue_id, "linked_item_erased", {"item_id": item_id, "erasure_id": erasure_id},
                               now)
        for table in ("issue_items", "drafts", "training_examples", "tags", "embeddings", "item_sightings"):
            counts[f"{table}.deleted"] += _delete_where(db, table, "item_id", chunk)
        counts["items.deleted"] += _delete_where(db, "items", "id", chunk)
    counts["authors.deleted"] += _delete_where(db, "authors", "id", authors)
    counts["threads.deleted"] += remove_unreferenced(db, "threads", "thread_id", threads)


def _redact(db: Database, place: Place, ids: list[int], matcher: Matcher) -> list[int]:
    """Replace the person's words in these rows (contact details aside); the ids of rows that changed."""
    changed = []
    for row, hits, _ in _matching_rows(db, place, matcher, ids):
        # Every text of a record that names them loses their words (a single name too); links only where found.
        columns = [c for c, kind in place.fields.items() if c in hits or kind in (TEXT, HTML, JSON_TEXT)]
        values = {c: _redacted(row[c], place.fields[c], matcher) for c in columns
                  if place.fields[c] != CONTACT and row[c]}
        values = {c: v for c, v in values.items() if v != row[c]}
        if values:
            db.execute(f"UPDATE {place.table} SET {', '.join(f'{c} = ?' for c in values)} WHERE id = ?",
                       [*values.values(), row["id"]])
            changed.append(row["id"])
    return changed


def _redacted(value: str, kind: str, matcher: Matcher) -> str | None:
    if kind == LINK:
        return None  # an address naming them is no use with the name cut out
    if kind == JSON_TEXT:
        try:
            return dumps(_redacted_json(json.loads(value), matcher))
        except ValueError:
            pass
    text = matcher.redact(value)
    if kind == HTML and matcher.finds(html_to_text(text)):  # split by tags or entities: keep the words only
        return "".join(f"<p>{htmllib.escape(p)}</p>" for p in matcher.redact(html_to_text(value)).split("\n\n"))
    return text


def _redacted_json(value: Any, matcher: Matcher) -> Any:
    if isinstance(value, str):
        return matcher.redact(value)
    if isinstance(value, dict):
        return {key: _redacted_json(item, matcher) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted_json(item, matcher) for item in value]
    return value


def _erase_from_casework(db: Database, report: PersonReport, matcher: Matcher, erasure_id: str, now: str,
                         counts: Counter[str]) -> None:
    """Issues stay; their contact details are cleared and the person's words removed, each noted on the timeline."""
    for row, hits, _ in list(_matching_rows(db, PLACE["casework"], matcher, report.ids("casework"))):
        if "contact" in hits:
            casework.update_issue(db, row["id"], {"contact": None}, now)
            counts["issues.contact_cleared"] += 1
        texts = [c for c in hits if c != "contact"]
        if texts:
            _redact(db, PLACE["casework"], [row["id"]], matcher)
            db.execute("UPDATE issues SET updated_at = ? WHERE id = ?", [now, row["id"]])
            casework.add_event(db, row["id"], "personal_data_erased",
                               {"fields": ", ".join(texts), "erasure_id": erasure_id}, now)
            counts["issues.redacted"] += 1
    events = [row["id"] for row, _, _ in _matching_rows(db, PLACE["casework_event"], matcher,
                                                        report.ids("casework_event"))]
    for chunk in chunks(events):  # the one change the append-only timeline allows
        counts["issue_events.erased"] += db.execute(
            f"UPDATE issue_events SET detail = ? WHERE id IN ({_marks(chunk)})", [ERASED_DETAIL, *chunk]).rowcount


def _delete_where(db: Database, table: str, column: str, ids: list[int]) -> int:
    return sum(db.execute(f"DELETE FROM {table} WHERE {column} IN ({_marks(chunk)})", chunk).rowcount
               for chunk in chunks(list(ids)))


def _marks(values: list) -> str:
    return ", ".join("?" * len(values))


# ---- subject access --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessExport:
    json_path: Path
    text_path: Path
    records: int
    changes: Changes = NOTHING  # only the audit log has a new line


EXPORT_COLUMNS = {
    "authors": ("source_id", "handle", "display_name", "url"),
    "items": ("source_id", "kind", "url", "title", "text", "created_at", "first_seen_at", "state", "topic",
              "sentiment", "lat", "lon", "extra", "raw"),
    "threads": ("source_id", "title", "url"),
    "training_examples": ("text", "topic", "sentiment", "origin", "created_at"),
    "drafts": ("item_id", "platform", "text", "status", "created_at", "updated_at", "posted_url"),
    "snippets": ("name", "text", "created_at", "updated_at"),
}


def subject_access_export(db: Database, who: PersonQuery, path: Path, now: str) -> AccessExport:
    """Write everything held about ``who`` as JSON (``path`` with .json) and readable text (.txt) beside it.

    Records "subject_access" in the audit log with counts only. The councillor should read the copy before
    sending it: posts that mention the person may also name other people.
    """
    report = find_person(db, who)
    data = _access_data(db, report, now)
    path = Path(path)
    json_path = _write(path.with_suffix(".json"), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    text_path = _write(path.with_suffix(".txt"), "\n".join(_readable(data)) + "\n")
    records = len(report.findings)
    audit.record(db, "subject_access", f"Subject access copy of one person's data ({records} records)", now,
                 records=records, personal_data=True, detail={"counts": report.counts()})
    return AccessExport(json_path, text_path, records)


def _access_data(db: Database, report: PersonReport, now: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "about": asdict(report.query), "made_at": now,
        "note": "Everything Networked Councillor holds about this person. Posts that mention them may name "
                "other people too: check before sending.",
    }
    for place in PLACES:
        if place.table in EXPORT_COLUMNS:
            rows = _export_rows(db, place.table, report.ids(place.kind))
            if rows:
                data[place.label] = rows
    issue_ids = set(report.ids("casework")) | set(report.ids("linked_casework"))
    for chunk in chunks(report.ids("casework_event")):
        issue_ids |= {r[0] for r in db.execute(f"SELECT issue_id FROM issue_events WHERE id IN ({_marks(chunk)})",
                                               chunk)}
    if issue_ids:
        theirs = set(report.ids("own_post")) | set(report.ids("mention"))
        data["Casework"] = [_issue_record(db, issue_id, theirs) for issue_id in sorted(issue_ids)]
    return data


def _export_rows(db: Database, table: str, ids: list[int]) -> list[dict]:
    rows = []
    for chunk in chunks(ids):
        rows += db.query(f"SELECT id, {', '.join(EXPORT_COLUMNS[table])} FROM {table} "
                         f"WHERE id IN ({_marks(chunk)}) ORDER BY id", chunk)
    for row in rows:
        for key in ("extra", "raw"):
            if row.get(key):
                row[key] = json.loads(row[key])
    return rows


def _issue_record(db: Database, issue_id: int, their_items: set[int]) -> dict[str, Any]:
    """An issue as the person may see it: its linked posts only where they wrote them or are named in them."""
    issue = casework.get_issue(db, issue_id)
    keep = ("reference", "title", "status", "priority", "category", "description", "address", "postcode",
            "created_at", "updated_at", "closed_at", "due_date", "agency", "agency_ref")
    return {**{key: issue.get(key) for key in keep},
            "contact": asdict(issue["contact"]) if issue["contact"] else None,
            "linked_posts": [{k: item[k] for k in ("id", "title", "text", "url", "created_at")}
                             for item in issue["items"] if item["id"] in their_items],
            "timeline": [{"at": e["at"], "event": casework.describe_event(e)} for e in issue["events"]]}


def _readable(value: Any, indent: str = "") -> Iterator[str]:
    """The export as indented plain text: headings, then "field: value" lines."""
    if isinstance(value, dict):
        for key, item in value.items():
            if item in (None, "", [], {}):
                continue
            if isinstance(item, (dict, list)):
                yield f"{indent}{key}:"
                yield from _readable(item, indent + "  ")
            else:
                yield f"{indent}{key}: {item}"
    elif isinstance(value, list):
        for n, item in enumerate(value, 1):
            yield f"{indent}{n}."
            yield from _readable(item, indent + "  ")
    else:
        yield f"{indent}{value}"


def _write(path: Path, text: str) -> Path:
    write_whole(path, lambda file: file.write_text(text, encoding="utf-8"), ExportError)
    return path
