"""Small persistent things: app settings and the ward profile."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.ward import WardProfile


def get_setting(db: Database, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else default


def set_setting(db: Database, key: str, value: Any) -> None:
    db["settings"].upsert({"key": key, "value": json.dumps(value)}, pk="key")


def load_ward(db: Database) -> WardProfile:
    row = db.execute("SELECT data FROM ward_profile WHERE id = 1").fetchone()
    return WardProfile.from_dict(json.loads(row[0])) if row else WardProfile()


def save_ward(db: Database, ward: WardProfile, now: str) -> None:
    ward.validate()
    db["ward_profile"].upsert({"id": 1, "data": json.dumps(ward.to_dict()), "updated_at": now}, pk="id")
