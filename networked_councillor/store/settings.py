"""Small persistent things: app settings and the ward profile."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from networked_councillor.base.changes import Changes
from networked_councillor.base.ward import WardProfile


def get_setting(db: Database, key: str, default: Any = None) -> Any:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return json.loads(row[0]) if row else default


def set_setting(db: Database, key: str, value: Any) -> None:
    db["settings"].upsert({"key": key, "value": json.dumps(value)}, pk="key")


def save_settings(db: Database, values: Mapping[str, Any]) -> Changes:
    """The operation behind every settings page: its values saved together."""
    for key, value in values.items():
        set_setting(db, key, value)
    return Changes(settings=True)


def save_view(db: Database, name: str, flt: dict) -> Changes:
    """A search saved as a view in the sidebar (one of that name is replaced)."""
    saved = [s for s in get_setting(db, "saved_views", []) if s["name"] != name]
    return save_settings(db, {"saved_views": [*saved, {"name": name, "filter": flt}]})


def delete_view(db: Database, name: str) -> Changes:
    return save_settings(db, {"saved_views": [s for s in get_setting(db, "saved_views", []) if s["name"] != name]})


def load_ward(db: Database) -> WardProfile:
    row = db.execute("SELECT data FROM ward_profile WHERE id = 1").fetchone()
    return WardProfile.from_dict(json.loads(row[0])) if row else WardProfile()


def save_ward(db: Database, ward: WardProfile, now: str) -> Changes:
    ward.validate()
    db["ward_profile"].upsert({"id": 1, "data": json.dumps(ward.to_dict()), "updated_at": now}, pk="id")
    return Changes(ward=True, inbox=True)
