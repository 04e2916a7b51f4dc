"""Casework records as JSON, for other casework systems and scripts.

The layout is documented by ``docs/issue-export.schema.json`` (JSON Schema
2020-12); ``schema`` in every file names that schema and its version, so a
reader can tell which layout it has. Lists stay lists and numbers numbers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from networked_councillor.base import clock

SCHEMA_ID = "urn:networked-councillor:issue-export:1"


def export_document(records: Sequence[dict[str, Any]], *, ward: str = "", exported_at: str | None = None) -> dict:
    return {"schema": SCHEMA_ID, "exported_at": exported_at or clock.now_iso(), "ward": ward,
            "issues": list(records)}


def write_json(records: Sequence[dict[str, Any]], path: Path, *, ward: str = "", exported_at: str | None = None) -> None:
    document = export_document(records, ward=ward, exported_at=exported_at)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2, allow_nan=False)
        handle.write("\n")
