"""Casework as flat records: what a CSV, XLSX or JSON export (or a council's system) takes.

One record per issue, the same for every format, so an export in one format
says exactly what an export in another does. A resident's contact details are
personal data: they are in a record only when the councillor asks for them AND
the resident agreed to be contacted (``contact_consent``); otherwise the
contact fields are empty and ``contact_withheld`` says whether there were any.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.errors import ConfigError, NcError
from networked_councillor.casework.issues import STATUS_NAMES, describe_event, get_issue, is_overdue
from networked_councillor.store import tags as tag_store

CONTACT_FIELDS = ("name", "email", "phone", "address")

FIELDS = (
    "reference", "title", "description", "category", "category_name", "status", "status_name", "priority",
    "created_at", "updated_at", "closed_at", "due_date", "overdue", "ward", "address", "postcode", "lat", "lon",
    "agency", "agency_ref", "open311_service_code", "open311_token", "open311_status", "open311_checked_at",
    "linked_posts", "notes", "contact_consent", "contact_withheld",
    *(f"contact_{name}" for name in CONTACT_FIELDS),
)
"""Every record's keys, in the order the tabular exports show them."""


def export_records(db: Database, issue_ids: Sequence[int] | None = None, *, include_personal: bool = False,
                   today: date) -> list[dict[str, Any]]:
    """One flat record per issue (every issue when ``issue_ids`` is None), ordered by reference."""
    ids = _issue_ids(db, issue_ids)
    topic_names = _topic_names(db)
    records = [_record(get_issue(db, issue_id), topic_names, include_personal, today) for issue_id in ids]
    return sorted(records, key=lambda r: _reference_key(r["reference"]))


def carries_contact(record: dict[str, Any]) -> bool:
    """Whether a record holds any of the resident's contact details."""
    return any(record.get(f"contact_{name}") for name in CONTACT_FIELDS)


def _record(issue: dict, topic_names: dict[str, str], include_personal: bool, today: date) -> dict[str, Any]:
    contact = issue["contact"]
    consent = bool(issue.get("contact_consent"))
    share = include_personal and consent and contact is not None
    record = {key: issue.get(key) for key in (
        "reference", "title", "description", "category", "status", "priority", "created_at", "updated_at",
        "closed_at", "due_date", "ward", "address", "postcode", "agency", "agency_ref", "open311_service_code",
        "open311_token", "open311_status", "open311_checked_at")}
    record.update({
        "category_name": topic_names.get(issue.get("category") or "", issue.get("category")),
        "status_name": STATUS_NAMES.get(issue["status"], issue["status"]),
        "overdue": is_overdue(issue, today),
        "lat": _number(issue.get("lat")),
        "lon": _number(issue.get("lon")),
        "linked_posts": [item["url"] for item in issue["items"] if item.get("url")],
        "notes": [{"at": event["at"], "kind": event["kind"], "text": describe_event(event)}
                  for event in issue["events"]],
        "contact_consent": consent,
        "contact_withheld": contact is not None and not share,
    })
    for name in CONTACT_FIELDS:
        record[f"contact_{name}"] = (getattr(contact, name) or None) if share else None
    return {key: record[key] for key in FIELDS}


def _issue_ids(db: Database, issue_ids: Sequence[int] | None) -> list[int]:
    if issue_ids is None:
        return [row[0] for row in db.execute("SELECT id FROM issues")]
    wanted = list(dict.fromkeys(int(i) for i in issue_ids))
    found = {row[0] for row in db.execute(
        f"SELECT id FROM issues WHERE id IN ({', '.join('?' * len(wanted))})", wanted)} if wanted else set()
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ConfigError(f"There is no issue {', '.join(missing)}: nothing was exported.")
    return wanted


def _topic_names(db: Database) -> dict[str, str]:
    """Topic id -> the name the councillor sees; empty where the model's topic list cannot be read."""
    try:
        from networked_councillor.tagger.topics import default_topics

        names = {t.id: t.name for t in default_topics()}
    except (NcError, OSError, ValueError, KeyError):
        names = {}
    return names | {t["id"]: t["name"] for t in tag_store.user_topics(db)}


def _number(value: Any) -> float | None:
    """A coordinate as a finite number, or None (JSON has no NaN, spreadsheets no infinity)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _reference_key(reference: str) -> tuple:
    """MIL-0002 before MIL-0010 before MIL-10000: the number compared as a number."""
    prefix, _, number = reference.rpartition("-")
    return (prefix, 0, int(number), "") if re.fullmatch(r"\d+", number) else (reference, 1, 0, reference)
