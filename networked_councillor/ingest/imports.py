"""Files a councillor brings in (emails dragged from Outlook, `items import FILE...`) become items.

The plugin that declares a file's suffix reads it (`CanImportFiles`); what it reads is stored under that
plugin's "brought in by hand" source, which is never fetched. Files are stored a batch at a time, each batch in
one transaction: a file that cannot be read is named in the report and the others go in; a cancelled or failed
batch stores nothing of itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from networked_councillor.base import clock
from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import Cancelled, ConfigError, NcError
from networked_councillor.plugin_api.loader import PluginRegistry
from networked_councillor.plugin_api.source import Progress, RawItem, can_import_files
from networked_councillor.store import sources as source_store
from networked_councillor.store.sources import SourceRow

log = logging.getLogger(__name__)

BATCH = 200
MAX_FILE_BYTES = 160 * 1024 * 1024
"""Above the largest email any service sends (150 MB): such a file is refused before it is read into memory."""


@dataclass(slots=True)
class ImportReport:
    stored: int = 0
    already: int = 0
    problems: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)
    cancelled: bool = False

    @property
    def changes(self) -> Changes:
        return Changes(inbox=True, issues=True, sources=True) if self.stored else Changes()

    def summary(self) -> str:
        parts = [f"{self.stored} brought in"]
        if self.already:
            parts.append(f"{self.already} already here")
        if self.problems:
            parts.append(f"{len(self.problems)} could not be read")
        if self.cancelled:
            parts.append("cancelled: the rest were not brought in")
        return ", ".join(parts) + "."


def file_types(registry: PluginRegistry) -> dict[str, type]:
    """{".eml": plugin class, ...}: what can be dropped on the window."""
    readers: dict[str, type] = {}
    for plugin in registry.plugins.values():
        if can_import_files(plugin):
            readers.update({suffix.lower(): plugin for suffix in plugin.file_types})
    return readers


def import_files(pipeline, paths: Sequence[Path], *, cancel: threading.Event | None = None,
                 progress: Progress | None = None) -> ImportReport:
    """Read and store ``paths``; a file that cannot be read is reported, never half-stored."""
    readers = file_types(pipeline.registry)
    if not readers:
        raise ConfigError("No plugin that reads email files is installed.")
    cancel = cancel or threading.Event()
    report = ImportReport()
    for start in range(0, len(paths), BATCH):
        if cancel.is_set():
            report.cancelled = True
            break
        by_plugin: dict[type, list[RawItem]] = {}
        for path in paths[start:start + BATCH]:
            plugin = readers.get(Path(path).suffix.lower())
            if plugin is None:
                report.problems.append(f"{Path(path).name}: the app brings in {', '.join(sorted(readers))} files.")
                continue
            items = _read(plugin, Path(path), report)
            by_plugin.setdefault(plugin, []).extend(items)
        try:
            for plugin, items in by_plugin.items():
                outcome = pipeline.ingest(holding_source(pipeline.store, plugin), items, cancel)
                report.stored += outcome.new
                report.already += outcome.seen - outcome.new
                report.item_ids.extend(outcome.item_ids)
        except Cancelled:
            report.cancelled = True
            break
        if progress is not None:
            progress(min(1.0, (start + BATCH) / len(paths)), f"{report.stored} brought in")
    return report


def _read(plugin: type, path: Path, report: ImportReport) -> list[RawItem]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            report.problems.append(f"{path.name} is {size // 2**20} MB, larger than any email: it was not read.")
            return []
        return list(plugin.read_file(path.name, path.read_bytes()))
    except NcError as exc:
        report.problems.append(str(exc))
    except OSError as exc:
        report.problems.append(f"{path.name} could not be opened ({exc.strerror or exc}).")
    except Exception as exc:  # a plugin's bug must not stop the other files
        log.exception("%s could not read %s", plugin.id, path)
        report.problems.append(f"{path.name} could not be read ({type(exc).__name__}); details are in the log.")
    return []


def holding_source(store, plugin: type) -> SourceRow:
    """The source that holds what the councillor brings in for ``plugin``: made the first time, never fetched."""
    source_id = f"{plugin.id}-brought-in"
    with store.write() as db:
        if not db["sources"].count_where("id = ?", [source_id]):
            name = "Emails brought in by hand" if plugin.id == "email" else plugin.name
            source_store.add(db, plugin.id, name, {}, clock.now_iso(), source_id)
            source_store.set_enabled(db, source_id, False)
        return source_store.get(db, source_id)
