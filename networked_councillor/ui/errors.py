"""The one place errors become dialogs."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from networked_councillor.base.errors import NcError

log = logging.getLogger(__name__)


def explain(parent: QWidget | None, error: BaseException, title: str = "Networked Councillor") -> None:
    if isinstance(error, NcError):
        QMessageBox.warning(parent, title, f"{error.message}\n\n{error.hint}".strip())
        return
    log.error("unexpected error", exc_info=error)
    QMessageBox.critical(parent, title, "Something went wrong that the app did not expect: "
                         f"{type(error).__name__}: {error}\n\nYour data is safe. The details are in the log file.")
