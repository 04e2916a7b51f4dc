"""A subject access request: a copy of everything the app holds about one person, as JSON and as readable text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.changes import NOTHING, Changes
from networked_councillor.casework import audit
from networked_councillor.casework import issues as casework
from networked_councillor.casework.privacy import PLACES, PersonQuery, PersonReport, find_person, marks, write_text
from networked_councillor.store import attachments
from networked_councillor.store.items import chunks


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
    "shared_posts": ("issue_id", "source", "url", "author", "text", "created_at"),
}


def subject_access_export(db: Database, who: PersonQuery, path: Path, now: str) -> AccessExport:
    """Write everything held about ``who`` as JSON (``path`` with .json) and readable text (.txt) beside it.

    Records "subject_access" in the audit log with counts only. The councillor should read the copy before
    sending it: posts that mention the person may also name other people.
    """
    report = find_person(db, who)
    data = _access_data(db, report, now)
    path = Path(path)
    files = _their_attachments(db, report.ids("own_post"), path.with_name(f"{path.stem}-attachments"))
    if files:
        data["Files they sent (copies beside this export)"] = files
    json_path = write_text(path.with_suffix(".json"), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    text_path = write_text(path.with_suffix(".txt"), "\n".join(_readable(data)) + "\n")
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
        issue_ids |= {r[0] for r in db.execute(f"SELECT issue_id FROM issue_events WHERE id IN ({marks(chunk)})",
                                               chunk)}
    if issue_ids:
        theirs = set(report.ids("own_post")) | set(report.ids("mention"))
        data["Casework"] = [_issue_record(db, issue_id, theirs) for issue_id in sorted(issue_ids)]
    return data


def _their_attachments(db: Database, item_ids: list[int], folder: Path) -> list[dict]:
    """Copies of the files the person sent (an email's attachments), in ``folder``; what each is and where."""
    found = []
    for chunk in chunks(item_ids):
        found += [a for item_id in chunk for a in attachments.of_item(db, item_id)]
    if not found:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    listed = []
    for a in found:
        entry = {"name": a["name"], "type": a["content_type"], "bytes": a["size"], "with_item": a["item_id"]}
        entry["copy"] = attachments.save_copy(db, a["id"], folder).name if a["kept"] else None
        listed.append(entry)
    return listed


def _export_rows(db: Database, table: str, ids: list[int]) -> list[dict]:
    rows = []
    for chunk in chunks(ids):
        rows += db.query(f"SELECT id, {', '.join(EXPORT_COLUMNS[table])} FROM {table} "
                         f"WHERE id IN ({marks(chunk)}) ORDER BY id", chunk)
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
