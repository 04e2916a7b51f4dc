"""The demo ward's casework: issues at different stages, linked to the demo posts they came from.

Loaded after the demo's first fetch, so the posts are there to link; each issue's
timeline is written as it would have happened, with times relative to now.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from networked_councillor.casework import issues as casework
from networked_councillor.casework.issues import NewIssue
from networked_councillor.demo.render import Renderer


def load_demo_casework(db: Database, material: Path, now: datetime) -> int:
    """Add the demo issues unless the folder already has casework; how many were added."""
    if db.execute("SELECT count(*) FROM issues").fetchone()[0]:
        return 0
    content = json.loads((material / "content.json").read_text(encoding="utf-8"))
    renderer = Renderer(content["items"], {}, now)
    ward = json.loads((material / "ward.json").read_text(encoding="utf-8"))["name"]
    issues = json.loads((material / "casework.json").read_text(encoding="utf-8"))["issues"]
    for spec in issues:
        links = [renderer.link(renderer.by_id[post]) for post in spec["posts"]]
        item_ids = [row[0] for row in db.execute(
            f"SELECT id FROM items WHERE url IN ({', '.join('?' * len(links))})", links)]
        created = now - timedelta(days=spec["created_days_ago"])
        issue_id = casework.create_issue(db, NewIssue(
            title=spec["title"], category=spec["category"], ward=ward, address=spec.get("address", ""),
            postcode=spec.get("postcode", ""), priority=spec["priority"],
            due_date=(now + timedelta(days=spec["due_in_days"])).date().isoformat(), item_ids=item_ids,
        ), _iso(created))
        for step in spec["steps"]:
            when = _iso(now - timedelta(days=step["days_ago"]))
            changes = {key: step[key] for key in ("status", "agency", "agency_ref") if key in step}
            if changes:
                casework.update_issue(db, issue_id, changes, when, note=step.get("note", ""))
            elif step.get("note"):
                casework.add_note(db, issue_id, step["note"], when)
    return len(issues)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
