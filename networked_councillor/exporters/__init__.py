"""Exports of casework: CSV, XLSX and JSON files, and reports to councils over Open311.

`export_issues` is the one entry point the command line and the desktop app
call. It writes the whole file beside the target and only then moves it into
place, so a crash, a full disk or a missing folder never leaves half a file
(an older file of the same name stays as it was), and it records every export
in the audit log: which format, how many issues, whether it carried personal
data, and the file's name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError
from networked_councillor.base.files import put_in_place, staged
from networked_councillor.casework import audit
from networked_councillor.exporters.jsonexport import write_json
from networked_councillor.exporters.records import carries_contact, export_records
from networked_councillor.exporters.tabular import write_csv, write_xlsx
from networked_councillor.store import settings as settings_store
from networked_councillor.store.db import Store

Writer = Callable[[list[dict[str, Any]], Path, str], None]
"""Writes records to a path; the third argument is the ward's name."""

WRITERS: dict[str, Writer] = {
    "csv": lambda records, path, ward: write_csv(records, path),
    "xlsx": lambda records, path, ward: write_xlsx(records, path),
    "json": lambda records, path, ward: write_json(records, path, ward=ward),
}


@dataclass(frozen=True)
class ExportResult:
    count: int
    path: Path
    personal_data: bool


def export_issues(store: Store, fmt: str, path: str | os.PathLike, *, issue_ids: Sequence[int] | None = None,
                  include_personal: bool = False) -> ExportResult:
    """Write the issues (all, or ``issue_ids``) to ``path`` as ``fmt`` and record it in the audit log."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in WRITERS:
        raise ConfigError(f"The app cannot export to {fmt!r}: choose one of {', '.join(WRITERS)}.")
    target = Path(path).expanduser()
    if target.is_dir():
        raise ConfigError(f"{target} is a folder: give a file name to export to.")
    with store.read() as db:
        records = export_records(db, issue_ids, include_personal=include_personal, today=clock.today())
        ward = settings_store.load_ward(db).name
    personal = any(carries_contact(r) for r in records)
    with staged(target) as file:
        WRITERS[fmt](records, file, ward)
        with store.write() as db:
            audit.record(db, "export", f"Exported {len(records)} issue(s) as {fmt.upper()} to {target.name}",
                         clock.now_iso(), records=len(records), personal_data=personal,
                         detail={"format": fmt, "file": target.name, "personal_data_requested": include_personal})
            put_in_place(file, target)  # inside the transaction: no file, no audit entry
    return ExportResult(count=len(records), path=target, personal_data=personal)
