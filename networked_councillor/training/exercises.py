"""The guided exercises: each step is recognised from what the trainee has actually done in the workspace.

A step's check reads the training database (pins, corrections, drafts,
casework, the audit log), never a click counter, so a step is done however the
trainee got there: from a menu, a shortcut, the command line or the casework
window. The demo posts an exercise is about are named by their ids in
``training_material/demo_ward/content.json`` and found by their addresses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.demo.render import Renderer
from networked_councillor.replies.checks import check_reply, reply_context
from networked_councillor.store import settings as settings_store

OAK_ROAD_CLOSURE = ("news-001", "forum-001", "bsky-001")
WRONG_TOPIC = "bsky-016"
"""About parking; the shipped model files it under parks, sure of it (tests/test_training.py checks it still does)."""
WRONG_FEELING = "bsky-015"
"""Sarcasm; the shipped model reads "what a lovely surprise 😍" as positive (checked likewise)."""
HEATED_POST = "bsky-002"
"""Rich Dawson's angry post in the heated Mill Lane diversion thread: the one exercise 3 names."""
MILL_LANE_THREAD = tuple(f"bsky-{n:03d}" for n in range(1, 12))
FLYTIPPING = ("fms-003", "forum-012", "reddit-007")
THREAT = "bsky-012"
FIRST_TRAINEE_ISSUE = "training.first_trainee_issue"
"""Issues from this id on were logged by trainees; those below came with the demo ward."""
FIRST_TRAINEE_EVENT = "training.first_trainee_event"
"""Likewise for casework events: a post linked from this event on was linked by a trainee."""


class DemoPosts:
    """The workspace's item ids for the demo content's post ids."""

    def __init__(self, material: Path) -> None:
        self.material = material

    @cached_property
    def _links(self) -> dict[str, str]:
        content = json.loads((self.material / "content.json").read_text(encoding="utf-8"))["items"]
        renderer = Renderer(content, {}, clock.utcnow())
        return {post["id"]: renderer.link(post) for post in content}

    def ids(self, db: Database, posts: Sequence[str]) -> list[int]:
        links = [self._links[p] for p in posts if p in self._links]
        if not links:
            return []
        return [row[0] for row in db.execute(
            f"SELECT id FROM items WHERE url IN ({', '.join('?' * len(links))}) ORDER BY id", links)]

    def id(self, db: Database, post: str) -> int | None:
        found = self.ids(db, [post])
        return found[0] if found else None


Check = Callable[[Database, DemoPosts], bool]


@dataclass(frozen=True)
class Step:
    text: str
    done: Check
    post: str | None = None
    """The demo post the step is about, which the panel's "Show me the post" finds."""


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    why: str
    """Why it matters, in the spirit of the LGA and Networked Councillor guidance."""
    steps: tuple[Step, ...]

    def progress(self, db: Database, posts: DemoPosts) -> list[bool]:
        return [step.done(db, posts) for step in self.steps]


# ---- the checks --------------------------------------------------------------------------------

def _pinned(db: Database, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    return {row[0] for row in db.execute(
        f"SELECT id FROM items WHERE pinned = 1 AND id IN ({', '.join('?' * len(ids))})", list(ids))}


def closure_posts_pinned(db: Database, posts: DemoPosts) -> bool:
    ids = posts.ids(db, OAK_ROAD_CLOSURE)
    return len(ids) == len(OAK_ROAD_CLOSURE) and _pinned(db, ids) == set(ids)


def only_closure_posts_pinned(db: Database, posts: DemoPosts) -> bool:
    closure = set(posts.ids(db, OAK_ROAD_CLOSURE))
    pinned = {row[0] for row in db.execute("SELECT id FROM items WHERE pinned = 1")}
    return bool(closure) and pinned == closure


def _corrected(db: Database, item_id: int | None, kind: str, label: str) -> bool:
    return item_id is not None and db.execute(
        "SELECT 1 FROM tags WHERE item_id = ? AND kind = ? AND label = ? AND origin = 'user'",
        [item_id, kind, label]).fetchone() is not None


def wrong_topic_corrected(db: Database, posts: DemoPosts) -> bool:
    return _corrected(db, posts.id(db, WRONG_TOPIC), "topic", "parking")


def wrong_feeling_corrected(db: Database, posts: DemoPosts) -> bool:
    return _corrected(db, posts.id(db, WRONG_FEELING), "sentiment", "negative")


def _drafts(db: Database, item_ids: Sequence[int], status: str) -> list[str]:
    if not item_ids:
        return []
    return [row[0] for row in db.execute(
        f"SELECT text FROM drafts WHERE status = ? AND item_id IN ({', '.join('?' * len(item_ids))})",
        [status, *item_ids])]


def thread_draft_started(db: Database, posts: DemoPosts) -> bool:
    ids = posts.ids(db, MILL_LANE_THREAD)
    return bool(_drafts(db, ids, "draft") or _drafts(db, ids, "posted"))


def passes_every_check(db: Database, text: str) -> bool:
    findings = check_reply(text, reply_context(db, platform="bluesky"))
    return bool(text.strip()) and not [f for f in findings if f.severity in ("block", "warn")]


def clean_reply_posted(db: Database, posts: DemoPosts) -> bool:
    return any(passes_every_check(db, text) for text in _drafts(db, posts.ids(db, MILL_LANE_THREAD), "posted"))


def _issues_linking(db: Database, item_ids: Sequence[int]) -> dict[int, int]:
    """Issue id -> how many of ``item_ids`` it links, for issues the trainee logged (not the demo's own)."""
    if not item_ids:
        return {}
    first = settings_store.get_setting(db, FIRST_TRAINEE_ISSUE, 0)
    rows = db.execute(f"SELECT issue_id, count(*) FROM issue_items WHERE issue_id >= ? AND item_id IN "
                      f"({', '.join('?' * len(item_ids))}) GROUP BY issue_id", [first, *item_ids])
    return dict(rows.fetchall())


def _flytipping_issues(db: Database, posts: DemoPosts) -> dict[int, str]:
    """Issues holding two or more fly-tipping posts that a trainee put there, and when: a new issue logged from
    them, or a post added to the issue the demo ward already had (the right move when the app says a post is
    casework already)."""
    ids = posts.ids(db, FLYTIPPING)
    found = {}
    for issue_id in [i for i, n in _issues_linking(db, ids).items() if n >= 2]:
        found[issue_id] = db.execute("SELECT created_at FROM issues WHERE id = ?", [issue_id]).fetchone()[0]
    first_event = settings_store.get_setting(db, FIRST_TRAINEE_EVENT, None)
    if first_event is None or not ids:
        return found
    marks = ", ".join("?" * len(ids))
    for issue_id, at in db.execute(
            f"SELECT e.issue_id, min(e.at) FROM issue_events e WHERE e.id >= ? AND e.kind = 'linked_item' "
            f"AND json_extract(e.detail, '$.item_id') IN ({marks}) AND (SELECT count(*) FROM issue_items i "
            f"WHERE i.issue_id = e.issue_id AND i.item_id IN ({marks})) >= 2 GROUP BY e.issue_id",
            [first_event, *ids, *ids]):
        found.setdefault(issue_id, at)
    return found


def flytipping_issue_logged(db: Database, posts: DemoPosts) -> bool:
    return bool(_flytipping_issues(db, posts))


def flytipping_issue_exported(db: Database, posts: DemoPosts) -> bool:
    """An export made after the trainee put the posts in one issue, carrying at least one issue."""
    done = _flytipping_issues(db, posts)
    if not done:
        return False
    return db.execute("SELECT 1 FROM audit_log WHERE action = 'export' AND records > 0 AND at >= ?",
                      [min(done.values())]).fetchone() is not None


def threat_recorded(db: Database, posts: DemoPosts) -> bool:
    item = posts.id(db, THREAT)
    return item is not None and bool(_issues_linking(db, [item]))


def threat_closed_without_reply(db: Database, posts: DemoPosts) -> bool:
    item = posts.id(db, THREAT)
    if item is None:
        return False
    state = db.execute("SELECT state FROM items WHERE id = ?", [item]).fetchone()[0]
    return state == "done" and not _drafts(db, [item], "posted")


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "listen-first", "Listen first: find the three posts about the Oak Road closure",
        "Listening comes before talking. Before you say anything online, find out what people are actually "
        "saying, where, and who is saying it: the same news often arrives through a paper, a forum and social "
        "media at once.",
        (Step("Search for the closure (try: Oak Road closed) and pin each of the three posts about it (Ctrl+P)",
              closure_posts_pinned),
         Step("Pin only those three: unpin anything else", only_closure_posts_pinned))),
    Exercise(
        "teach-the-tagger", "Correct a wrong topic, and a wrong feeling",
        "The app's tags are a first guess. Your corrections win at once and teach it for next time, so the "
        "dashboard tells you what your ward is really talking about.",
        (Step("Becky L's “Millbrook Park is basically a car park now…” is tagged as parks, "
              "but it is about parking: change its topic (Ctrl+T)", wrong_topic_corrected, WRONG_TOPIC),
         Step("Si Morton's “Oh great, another pothole on Station Road, what a lovely surprise” is tagged as "
              "positive, but it is sarcastic: set its feeling to Negative", wrong_feeling_corrected,
              WRONG_FEELING))),
    Exercise(
        "reply-that-passes", "Draft a reply that passes every check",
        "Never post what you would not say in a public meeting. You need not reply at once; when you do, "
        "acknowledge the person, say what you know or will do, and invite them to carry on the conversation. "
        "In the pre-election period, say nothing that reads as campaigning.",
        (Step("Rich Dawson's “Mill Lane resident here. 412 cars past my window…” opens a heated thread: start a "
              "reply to it, or to anyone in that thread (Ctrl+R)", thread_draft_started, HEATED_POST),
         Step("Post a reply with no warnings left (training mode only pretends to post it)", clean_reply_posted))),
    Exercise(
        "one-issue-many-posts", "Log one issue from two posts and export it",
        "Residents report the same problem in different places. One issue, linked to every post about it, "
        "means one report to the council and one answer to everyone who raised it.",
        (Step("Select two posts about the flytipping behind Cooper's Yard and log them as one issue (Ctrl+L); if "
              "the app says one is casework already, add the other to that issue", flytipping_issue_logged),
         Step("Export the casework from the casework window (Ctrl+I, Export…)", flytipping_issue_exported))),
    Exercise(
        "hostile-post", "Answer a hostile post, or decide not to, and record it",
        "You do not have to answer abuse, and you should never answer a threat. Keep a record, do not engage, "
        "and tell your council's monitoring officer, or the police where someone threatens your safety, as the "
        "LGA's guidance on handling intimidation advises.",
        (Step("Find the post that hints it knows where you live, and log it as casework to keep a record",
              threat_recorded, THREAT),
         Step("Mark it done without replying (Ctrl+E)", threat_closed_without_reply))),
)
EXERCISE = {exercise.id: exercise for exercise in EXERCISES}
