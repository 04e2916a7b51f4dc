"""The audit log: what left the app or was erased, when, and whether it carried personal data.

Append-only (the database refuses updates and deletes), so a member-support
officer or a data-protection request can see every export, report to a council,
post and erasure.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

ACTIONS = ("export", "open311_submit", "post_reply", "erase_person", "subject_access", "purge")


def record(db: Database, action: str, summary: str, now: str, *, records: int = 0, personal_data: bool = False,
           detail: dict[str, Any] | None = None, actor: str = "councillor") -> int:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return db["audit_log"].insert({
        "at": now, "action": action, "summary": summary, "records": records, "personal_data": int(personal_data),
        "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True), "actor": actor,
    }).last_pk


def entries(db: Database, *, action: str | None = None, limit: int = 200) -> list[dict]:
    where, params = ("WHERE action = ?", [action]) if action else ("", [])
    rows = db.query(f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", [*params, limit])
    return [{**row, "detail": json.loads(row["detail"] or "{}"), "personal_data": bool(row["personal_data"])}
            for row in rows]
