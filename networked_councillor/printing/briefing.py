"""The morning briefing: one page on what needs the councillor today.

What is new since yesterday (by topic, and the residents' emails), the topics rising this week, the posts
waiting for a reply, casework that is overdue or changed, consultations closing and meetings in the coming
week, the sources that failed, and the saved searches the councillor asked to see here. Every figure is a count
of what is in the data folder; the rising topics are the dashboard's own measure. The same page is shown in
the window, written as HTML or PDF (`networked-councillor briefing --out`), and can be emailed to oneself.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlite_utils import Database

from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import ExportError
from networked_councillor.base.files import write_whole
from networked_councillor.casework.issues import STATUS_NAMES, list_issues
from networked_councillor.insights.trends import Rising, rising_topics
from networked_councillor.store import inbox as inbox_store
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store
from networked_councillor.store import tags as tag_store
from networked_councillor.store.inbox import PUBLIC_ITEMS, UNSURE, InboxFilter
from networked_councillor.tagger.topics import default_topics

SHOWN = 8
"""Rows per list: one page. Each list says how many more there are."""
SEARCHES_KEY = "briefing.searches"
LAST_SHOWN_KEY = "briefing.last_shown"
DAILY_KEY = "briefing.daily"


@dataclass
class Briefing:
    ward: str
    now: datetime
    since: datetime
    new_by_topic: list[tuple[str, int]] = field(default_factory=list)
    new_emails: int = 0
    rising: list[Rising] = field(default_factory=list)
    needs_reply: list[dict] = field(default_factory=list)
    needs_reply_total: int = 0
    overdue: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    closing: list[dict] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)
    failing: list[tuple[str, str]] = field(default_factory=list)
    searches: list[tuple[str, int]] = field(default_factory=list)
    topic_names: dict[str, str] = field(default_factory=dict)

    @property
    def new_total(self) -> int:
        return sum(n for _, n in self.new_by_topic)


def build(db: Database, now: datetime, since: datetime | None = None) -> Briefing:
    ward = settings_store.load_ward(db)
    threshold = ward.effective_threshold
    since = since or now - timedelta(days=1)
    names = {t.id: t.name for t in default_topics()} | {t["id"]: t["name"] for t in tag_store.user_topics(db)}
    names[UNSURE] = "topic unsure"
    b = Briefing(ward.name, now, since, topic_names=names)
    at, until, week = (_utc(moment) for moment in (since, now, now + timedelta(days=7)))
    b.new_by_topic = [(names.get(topic, topic), n) for topic, n in db.execute(  # counted as the dashboard does
        f"SELECT CASE WHEN topic_unsure = 1 THEN '{UNSURE}' ELSE coalesce(topic, 'other') END, count(*) FROM items "
        f"WHERE first_seen_at >= ? AND relevance >= ? AND {PUBLIC_ITEMS} GROUP BY 1 ORDER BY 2 DESC, 1",
        [at, threshold])]
    b.new_emails = db.execute("SELECT count(*) FROM items WHERE kind = 'email' AND first_seen_at >= ?",
                              [at]).fetchone()[0]
    b.rising = rising_topics(db, now, threshold)
    waiting = InboxFilter(view="needs_reply", min_relevance=threshold)
    b.needs_reply_total = inbox_store.count(db, waiting, until)
    ids = [item_id for item_id, _ in inbox_store.page(db, waiting, until, limit=SHOWN)]
    rows = inbox_store.rows(db, ids)
    b.needs_reply = [rows[i] for i in ids if i in rows]
    issues = list_issues(db, today=now.date())  # overdue is only ever an open issue's
    b.overdue = [i for i in issues if i["overdue"]]
    b.updated = [i for i in issues if (i.get("updated_at") or "") >= at and not i["overdue"]]
    b.closing = list(db.query(  # the council's closing time carries its own offset: compared as moments
        "SELECT id, title, url, json_extract(extra, '$.end') AS ends FROM items WHERE kind = 'consultation' "
        "AND datetime(json_extract(extra, '$.end')) >= datetime(?) AND datetime(json_extract(extra, '$.end')) "
        "< datetime(?) ORDER BY datetime(ends)", [until, week]))
    b.meetings = list(db.query(
        "SELECT id, title, url, created_at AS starts FROM items WHERE kind = 'meeting' AND created_at >= ? "
        "AND created_at < ? ORDER BY created_at", [until, week]))
    b.failing = [(s.name, s.last_error) for s in source_store.all_sources(db) if s.enabled and s.last_error]
    for saved in settings_store.get_setting(db, "saved_views", []):
        if saved["name"] in settings_store.get_setting(db, SEARCHES_KEY, []):
            flt = InboxFilter.from_dict(saved["filter"]).with_(since=at, min_relevance=threshold)
            b.searches.append((saved["name"], inbox_store.count(db, flt, until)))
    return b


def choose_searches(db: Database, names: list[str]) -> Changes:
    """The saved searches the briefing counts new posts for."""
    return settings_store.save_settings(db, {SEARCHES_KEY: sorted(set(names))})


def mark_shown(db: Database, day: str) -> Changes:
    settings_store.set_setting(db, LAST_SHOWN_KEY, day)
    return Changes()


def due_today(db: Database, day: str) -> bool:
    """Whether the window should open the briefing: on the first opening of each day, unless switched off."""
    return bool(settings_store.get_setting(db, DAILY_KEY, True)) and \
        settings_store.get_setting(db, LAST_SHOWN_KEY) != day


# ---- the page ---------------------------------------------------------------------------------------


def to_html(b: Briefing) -> str:
    """The briefing as HTML: every value escaped, no links to load, one page."""
    e = html.escape
    local = b.now.astimezone()
    parts = [f"<h1>Morning briefing: {e(b.ward or 'your ward')}</h1>",
             f"<p>{e(local.strftime('%A %d %B %Y, %H:%M'))}. New means first seen since "
             f"{e(b.since.astimezone().strftime('%a %d %b %H:%M'))}.</p>"]
    new = ", ".join(f"{e(name)} {n}" for name, n in b.new_by_topic) or "nothing new about the ward"
    emails = f" {b.new_emails} new casework email{'s' if b.new_emails != 1 else ''}." if b.new_emails else ""
    parts.append(f"<h2>New since yesterday</h2><p><b>{b.new_total} posts</b>: {new}.{emails}</p>")
    parts.append(_section("Topics rising this week", (
        f"{e(b.topic_names.get(r.topic, r.topic))}: {r.this_week} posts, {e(r.change)}" for r in b.rising),
        "No topic is busier than usual."))
    parts.append(_section(f"Waiting for your reply ({b.needs_reply_total})", (
        f"{e(_who(i))}: {e(_headline(i))}" for i in b.needs_reply), "Nothing is waiting for a reply.",
        more=b.needs_reply_total - len(b.needs_reply)))
    parts.append(_section(f"Casework overdue ({len(b.overdue)})", (
        f"{e(i['reference'])} {e(i['title'])}: due {e(i['due_date'])}" for i in b.overdue[:SHOWN]),
        "No casework is overdue.", more=len(b.overdue) - SHOWN))
    parts.append(_section(f"Casework changed since yesterday ({len(b.updated)})", (
        f"{e(i['reference'])} {e(i['title'])}: {e(STATUS_NAMES.get(i['status'], i['status']))}"
        for i in b.updated[:SHOWN]), "No casework changed.", more=len(b.updated) - SHOWN))
    parts.append(_section("Consultations closing in the next week", (
        f"{e(_day(c['ends']))}: {e(c['title'] or '')}" for c in b.closing), "None closes this week."))
    parts.append(_section("Meetings in the next week", (
        f"{e(_day(m['starts'], with_time=True))}: {e(m['title'] or '')}" for m in b.meetings), "No meetings."))
    if b.searches:
        parts.append(_section("Your saved searches (posted since yesterday)",
                              (f"{e(name)}: {n}" for name, n in b.searches)))
    parts.append(_section("Sources with a problem", (f"{e(name)}: {e(error)}" for name, error in b.failing),
                          "Every source fetched without a problem."))
    return "<html><body>" + "".join(parts) + "</body></html>"


def to_text(b: Briefing) -> str:
    """Plain text of the same page, for an email to oneself."""
    from networked_councillor.base.text import html_to_plain

    return html_to_plain(to_html(b))


def write(b: Briefing, path: Path) -> Path:
    """As .html or .pdf, by the name's ending; written whole or not at all."""
    path = Path(path).expanduser()
    if path.suffix.lower() in (".html", ".htm"):
        write_whole(path, lambda file: file.write_text(to_html(b), encoding="utf-8"), ExportError)
    elif path.suffix.lower() == ".pdf":
        from networked_councillor.printing.handouts import html_document, print_document

        document = html_document(to_html(b))
        write_whole(path, lambda file: print_document(document, "Morning briefing", file), ExportError)
    else:
        raise ExportError(f"The briefing is written as .pdf or .html, not {path.suffix or 'a file with no ending'}.")
    return path


def _utc(moment: datetime) -> str:
    """As the store writes times (UTC, to the second), so text comparison is time comparison."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _section(title: str, lines, empty: str = "", more: int = 0) -> str:
    """A heading and its lines (already escaped), or ``empty`` when there are none."""
    items = "".join(f"<li>{line}</li>" for line in lines)
    body = f"<ul>{items}</ul>" + (f"<p>…and {more} more.</p>" if more > 0 else "") if items else \
        f"<p>{html.escape(empty)}</p>"
    return f"<h2>{html.escape(title)}</h2>{body}"


def _who(item: dict) -> str:
    return item.get("author") or item.get("source_name") or ""


def _headline(item: dict) -> str:
    text = " ".join((item.get("title") or item.get("text") or "").split())
    return text if len(text) <= 110 else text[:107] + "…"


def _day(value: str | None, *, with_time: bool = False) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value).astimezone()
    return moment.strftime("%a %d %b, %H:%M" if with_time else "%a %d %b")
