"""Bringing emails in: files dropped on the window (from a folder, a mail client, or classic Outlook) or chosen
with File > Bring in emails. Reading and storing runs on the task runner, so a flood of 10,000 files leaves the
window responsive (and cancellable); the status bar and, for files that could not be read, a message say what
happened. What came in opens in the Casework mail view.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from networked_councillor.ingest.imports import file_types
from networked_councillor.store.inbox import InboxFilter

log = logging.getLogger(__name__)

# Classic Outlook drags a message as a "virtual file": its name in FileGroupDescriptorW, its bytes in FileContents.
OUTLOOK_NAMES = 'application/x-qt-windows-mime;value="FileGroupDescriptorW"'
OUTLOOK_CONTENTS = 'application/x-qt-windows-mime;value="FileContents"'
SHOWN_PROBLEMS = 10
TEMPORARY = "nc-outlook-"


class BringIn(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.suffixes = tuple(file_types(window.app.registry))
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and self._wanted(event.mimeData()):
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Drop and self._wanted(event.mimeData()):
            event.acceptProposedAction()
            self.bring_in(self.paths(event.mimeData()))
            return True
        return False

    def _wanted(self, mime: QMimeData) -> bool:
        return mime.hasFormat(OUTLOOK_NAMES) or any(
            url.isLocalFile() and url.toLocalFile().lower().endswith(self.suffixes) for url in mime.urls())

    def paths(self, mime: QMimeData) -> list[Path]:
        found = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        if not found and mime.hasFormat(OUTLOOK_NAMES):
            saved = outlook_message(mime)
            found = [saved] if saved else []
        return [p for p in found if p.suffix.lower() in self.suffixes]

    def choose(self) -> None:
        """File > Bring in emails…: for a councillor who saves messages rather than dragging them."""
        names, _ = QFileDialog.getOpenFileNames(self.window, "Bring in emails", str(Path.home()),
                                                f"Emails ({' '.join('*' + s for s in self.suffixes)})")
        if names:
            self.bring_in([Path(n) for n in names])

    def bring_in(self, paths: list[Path]) -> None:
        if not paths:
            return
        window = self.window
        window.statusBar().showMessage(f"Bringing in {len(paths)} email(s)…")
        def job(cancel, progress):
            try:
                return window.app.import_files(paths, cancel=cancel, progress=progress)
            finally:  # a copy of a resident's email must not linger in the temporary folder, whatever happened
                for folder in {p.parent for p in paths if p.parent.name.startswith(TEMPORARY)}:
                    shutil.rmtree(folder, ignore_errors=True)

        window.ops.run("import", job, parent=window, on_done=self._done)

    def _done(self, report) -> None:
        window = self.window
        window.statusBar().showMessage(f"Emails: {report.summary()}", 15000)
        if report.problems:
            shown = report.problems[:SHOWN_PROBLEMS]
            more = len(report.problems) - len(shown)
            QMessageBox.warning(window, "Some files were not brought in",
                                "\n".join(shown) + (f"\n…and {more} more (see the log)." if more else ""))
        if report.item_ids:
            window.set_filter(InboxFilter(view="mail", min_relevance=0.0))
            window.show_item(report.item_ids[0])


def outlook_message(mime: QMimeData) -> Path | None:
    """The first message of a drag from classic Outlook, saved as a .msg file in a private temporary folder."""
    names = bytes(mime.data(OUTLOOK_NAMES))
    contents = bytes(mime.data(OUTLOOK_CONTENTS))
    if len(names) < 4 + 592 or not contents:
        return None
    # FILEGROUPDESCRIPTORW: a count, then 592-byte FILEDESCRIPTORW records whose last 520 bytes are the name.
    raw_name = names[4 + 72:4 + 592].decode("utf-16-le", "replace").split("\x00", 1)[0]
    name = Path(raw_name.replace("\\", "/")).name or "message.msg"
    if not name.lower().endswith(".msg"):
        name += ".msg"
    folder = Path(tempfile.mkdtemp(prefix=TEMPORARY))
    target = folder / name
    target.write_bytes(contents)
    return target
