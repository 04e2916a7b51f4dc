"""What a ward report says, gathered from the store without Qt, so the CLI, the PDF and the tests share it.

A report covers whole days, ``start`` to ``end`` inclusive (UTC). It holds
counts and a few chosen posts, never a resident's contact details or an
author's handle: it is meant to be handed round a residents' meeting.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit

from sqlite_utils import Database

from networked_councillor.base.errors import ConfigError
from networked_councillor.casework.issues import DONE, STATUS_NAMES, STATUSES
from networked_councillor.insights.trends import end_of, rising_topics
from networked_councillor.printing.report_privacy import public_text
from networked_councillor.store import settings as settings_store
from networked_councillor.store import tags as tag_store
from networked_councillor.store.inbox import PUBLIC_ITEMS
from networked_councillor.tagger.topics import default_topics

TOP_ITEMS = 8
TOP_PER_SOURCE = 2  # so one busy platform cannot fill the list
EXCERPT_CHARS = 280
SENTIMENTS = ("negative", "neutral", "positive")
AUTHOR_PATHS = ("users", "user", "u", "profile", "people", "members")  # a path segment that names who follows
HEARD = f"items.created_at >= ? AND items.created_at < ? AND items.relevance >= ? AND {PUBLIC_ITEMS}"
"""Heard in the period, about the ward, in public (a resident's email to their councillor is casework)."""


@dataclass(frozen=True)
class OverdueIssue:
    reference: str
    title: str
    due_date: str  # YYYY-MM-DD
    status: str  # in words


@dataclass(frozen=True)
class TopItem:
    title: str  # may be empty: many posts have none
    source: str
    date: str  # YYYY-MM-DD
    excerpt: str
    url: str
    topic: str  # in words


@dataclass(frozen=True)
class RisingTopic:
    topic: str  # in words
    this_week: int
    usual_week: float
    change: str  # in words, as the dashboard says it


@dataclass(frozen=True)
class Feeling:
    topic: str  # in words
    negative: int
    neutral: int
    positive: int

    @property
    def total(self) -> int:
        return self.negative + self.neutral + self.positive


@dataclass
class ReportData:
    ward: str
    council: str
    councillor: str
    start: date
    end: date  # inclusive
    generated: date
    issues_logged: int = 0
    issues_open_at_end: int = 0
    issues_resolved: int = 0
    issues_by_status: list[tuple[str, int]] = field(default_factory=list)  # status in words, count
    issues_by_category: list[tuple[str, int]] = field(default_factory=list)
    overdue: list[OverdueIssue] = field(default_factory=list)
    items_heard: int = 0
    items_by_topic: list[tuple[str, int]] = field(default_factory=list)
    feeling_by_topic: list[Feeling] = field(default_factory=list)
    items_by_source: list[tuple[str, int]] = field(default_factory=list)
    rising: list[RisingTopic] = field(default_factory=list)
    top_items: list[TopItem] = field(default_factory=list)

    @property
    def issues_in_report(self) -> int:
        return sum(count for _, count in self.issues_by_status)

    @property
    def nothing_to_report(self) -> bool:
        return not self.items_heard and not self.issues_in_report


EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
MAX_REPORT_DAYS = 5 * 366


def check_period(start: date, end: date) -> None:
    """A period a ward report can cover, or a plain reason why not."""
    if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
        raise ConfigError(f"A ward report's dates must fall between {EARLIEST.year} and {LATEST.year}.")
    if end < start:
        raise ConfigError("The report's period ends before it starts.", hint="Choose an end date after the start.")
    if (end - start).days > MAX_REPORT_DAYS:
        raise ConfigError("A ward report covers at most five years.", hint="Choose a shorter period.")


def ward_report_data(db: Database, start: date, end: date, *, today: date) -> ReportData:
    """Everything the ward report shows for ``start`` to ``end`` (both whole days, UTC)."""
    check_period(start, end)
    ward = settings_store.load_ward(db)
    names = topic_names(db)
    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    data = ReportData(ward=ward.name or "Your ward", council=ward.council, councillor=ward.councillor,
                      start=start, end=end, generated=today)
    _add_casework(db, data, since, until, as_of=min(end, today), names=names)
    _add_items(db, data, since, until, ward.effective_threshold, names)
    data.top_items = _top_items(db, since, until, ward.effective_threshold, names, keep_handles=ward.handles)
    rising_at = end_of(min(end, today))
    data.rising = [RisingTopic(names.get(r.topic, r.topic), r.this_week, r.weekly_before, r.change)
                   for r in rising_topics(db, rising_at, ward.effective_threshold)]
    return data


def topic_names(db: Database) -> dict[str, str]:
    """Topic id -> the name the councillor sees (their own topics included)."""
    return {t.id: t.name for t in default_topics()} | {t["id"]: t["name"] for t in tag_store.user_topics(db)}


# ---- casework --------------------------------------------------------------------------


def _add_casework(db: Database, data: ReportData, since: str, until: str, *, as_of: date,
                  names: dict[str, str]) -> None:
    """Issues logged in the period, resolved in it, or still open at its end, with their status at that end."""
    issues = list(db.query("SELECT id, reference, title, category, status, due_date, created_at, closed_at "
                           "FROM issues WHERE created_at < ? ORDER BY reference", [until]))
    status_at_end = _statuses_at(db, issues, until)
    resolved = _resolved_between(db, since, until)
    in_report = [row for row in issues
                 if row["created_at"] >= since or status_at_end[row["id"]] not in DONE or row["id"] in resolved]
    open_at_end = [row for row in in_report if status_at_end[row["id"]] not in DONE]
    data.issues_logged = sum(1 for row in in_report if row["created_at"] >= since)
    data.issues_open_at_end = len(open_at_end)
    data.issues_resolved = sum(1 for row in in_report if row["id"] in resolved)
    by_status = Counter(status_at_end[row["id"]] for row in in_report)
    data.issues_by_status = [(STATUS_NAMES[s], by_status[s]) for s in STATUSES if by_status[s]]
    by_category = Counter(names.get(row["category"], row["category"]) if row["category"] else "Uncategorised"
                          for row in in_report)
    data.issues_by_category = by_category.most_common()
    data.overdue = sorted(
        (OverdueIssue(row["reference"], public_text(row["title"]), row["due_date"],
                      STATUS_NAMES.get(status_at_end[row["id"]], status_at_end[row["id"]]))
         for row in open_at_end if row["due_date"] and row["due_date"] < as_of.isoformat()),
        key=lambda issue: (issue.due_date, issue.reference))


def _statuses_at(db: Database, issues: list[dict], until: str) -> dict[int, str]:
    """Each issue's status just before ``until``, read back from its timeline.

    The last change before then says it; failing that, the first change after it says what the
    status was "from"; an issue that never changed has the status it has now.
    """
    before: dict[int, str] = {}
    after: dict[int, str] = {}
    for issue_id, at, detail in db.execute(
            "SELECT issue_id, at, detail FROM issue_events WHERE kind = 'status' ORDER BY at, id").fetchall():
        change = _json(detail)
        if at < until and change.get("to"):
            before[issue_id] = change["to"]
        elif at >= until and change.get("from"):
            after.setdefault(issue_id, change["from"])
    return {row["id"]: before.get(row["id"]) or after.get(row["id"]) or row["status"] for row in issues}


def _resolved_between(db: Database, since: str, until: str) -> set[int]:
    """Issues resolved or closed in the period (by their timeline, or their closing time)."""
    found = {row["id"] for row in db.query(
        "SELECT id FROM issues WHERE closed_at >= ? AND closed_at < ?", [since, until])}
    for issue_id, detail in db.execute(
            "SELECT issue_id, detail FROM issue_events WHERE kind = 'status' AND at >= ? AND at < ?",
            [since, until]).fetchall():
        if _json(detail).get("to") in DONE:
            found.add(issue_id)
    return found


# ---- what the ward said -----------------------------------------------------------------


def _add_items(db: Database, data: ReportData, since: str, until: str, threshold: float,
               names: dict[str, str]) -> None:
    """Posts and reports heard in the period, counted by topic, feeling and source."""
    params = [since, until, threshold]
    feelings: dict[str, Counter] = defaultdict(Counter)
    for topic, sentiment, count in db.execute(
            f"SELECT coalesce(topic, 'other'), coalesce(sentiment, 'neutral'), count(*) FROM items WHERE {HEARD} "
            "GROUP BY 1, 2", params).fetchall():
        feelings[names.get(topic, topic)][sentiment if sentiment in SENTIMENTS else "neutral"] += count
    by_topic = Counter({topic: sum(counts.values()) for topic, counts in feelings.items()})
    data.items_heard = sum(by_topic.values())
    data.items_by_topic = by_topic.most_common()
    data.feeling_by_topic = [Feeling(topic, *(feelings[topic][s] for s in SENTIMENTS))
                             for topic, _ in by_topic.most_common()]
    data.items_by_source = [tuple(row) for row in db.execute(
        "SELECT coalesce(sources.name, items.source_id), count(*) FROM items "
        f"LEFT JOIN sources ON sources.id = items.source_id WHERE {HEARD} GROUP BY items.source_id "
        "ORDER BY 2 DESC, 1", params).fetchall()]


def _top_items(db: Database, since: str, until: str, threshold: float, names: dict[str, str], *,
               keep_handles: list[str]) -> list[TopItem]:
    """The posts most worth reading: the most relevant, lifted by how many people engaged with them.

    A hundred likes, replies or comments add as much as the surest relevance score (1.0), so a busy
    thread rises without drowning out a quiet but certain report; no source gives more than
    ``TOP_PER_SOURCE``. Authors are left out, and so is anyone's contact detail quoted in a post.
    """
    rows = list(db.query(
        "SELECT items.title, items.text, items.url, items.external_id, items.created_at, items.topic, items.relevance, "
        "items.engagement, items.source_id, coalesce(sources.name, items.source_id) AS source FROM items "
        f"LEFT JOIN sources ON sources.id = items.source_id WHERE {HEARD}", [since, until, threshold]))
    rows.sort(key=lambda r: -(r["relevance"] + math.log10(1 + _engagement(r["engagement"])) / 2))
    chosen: list[TopItem] = []
    per_source: Counter = Counter()
    for row in rows:
        if len(chosen) == TOP_ITEMS:
            break
        if per_source[row["source_id"]] == TOP_PER_SOURCE:
            continue
        per_source[row["source_id"]] += 1
        title, text = (_fold(public_text(row[key] or "", keep_handles)) for key in ("title", "text"))
        chosen.append(TopItem(title=title, source=row["source"], date=(row["created_at"] or "")[:10],
                              excerpt=_excerpt(_without_title(text, title), EXCERPT_CHARS),
                              url=_anonymous_link(row["url"] or "", row["external_id"] or "", keep_handles),
                              topic=names.get(row["topic"] or "other", row["topic"] or "")))
    return chosen


def _anonymous_link(url: str, external_id: str, keep_handles: list[str] = ()) -> str:
    """A post's address that does not name its author, or nothing when there is none.

    Bluesky's addresses work with the account's permanent id in place of its handle. Others
    that carry a handle (Mastodon's ``/@jane/…``, ``/users/jane/…``, Reddit's ``/user/jane``)
    have no such form, so they are left out, unless the handle is the councillor's own.
    """
    parts = external_id.removeprefix("at://").split("/")
    if url.startswith("https://bsky.app/profile/") and len(parts) == 3 and parts[1] == "app.bsky.feed.post":
        return f"https://bsky.app/profile/{parts[0]}/post/{parts[2]}"
    segments = urlsplit(url).path.split("/")
    named = [s.lstrip("@") for s in segments if s.startswith("@") and len(s) > 1]
    named += [after for before, after in zip(segments, segments[1:]) if before in AUTHOR_PATHS and after]
    own = {h.lower().lstrip("@").split("@")[0] for h in keep_handles}
    return "" if any(name.lower().split("@")[0] not in own for name in named) else url


def _engagement(text: str | None) -> int:
    """Likes, replies, reposts, comments... added up; anything unreadable counts as none."""
    counts = _json(text)
    return sum(int(v) for v in counts.values() if isinstance(v, (int, float)) and v > 0)


def _without_title(text: str, title: str) -> str:
    return text[len(title):].lstrip(" .:-–—") if title and text.startswith(title) else text


def _excerpt(text: str | None, limit: int) -> str:
    text = _fold(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,.;:-") + "…"


def _fold(text: str | None) -> str:
    return " ".join((text or "").split())


def _json(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _day_start(day: date) -> str:
    return datetime.combine(day, time(), timezone.utc).isoformat(timespec="seconds")
