"""Copying a data folder somewhere else whole: for a councillor whose data ended up in a synced folder."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from networked_councillor.base.errors import StoreError
from networked_councillor.base.paths import DB_NAME, database_path


def copy_data_folder(source: Path, target: Path) -> Path:
    """Copy ``source`` into ``target``, which must hold no database yet: the database through SQLite's own backup
    (consistent even with a write-ahead log pending), every other file as it is. The source is left untouched."""
    if database_path(target).exists():
        raise StoreError(f"{target} already holds a Networked Councillor database; nothing was copied.",
                         hint="Move that folder aside first, or choose another place.")
    try:
        target.mkdir(parents=True, exist_ok=True)
        for item in source.iterdir():
            if item.name.startswith(DB_NAME):
                continue  # the database, its log and shared memory: copied below, as one
            if item.is_dir():
                shutil.copytree(item, target / item.name, dirs_exist_ok=True)
            else:
                shutil.copy2(item, target / item.name)
        original, copy = sqlite3.connect(database_path(source)), sqlite3.connect(database_path(target))
        try:
            original.backup(copy)
        finally:
            original.close()
            copy.close()
    except (OSError, sqlite3.DatabaseError) as exc:
        raise StoreError(f"The data could not be copied to {target} ({exc}).",
                         hint="Nothing was changed in the original folder.") from exc
    return target
