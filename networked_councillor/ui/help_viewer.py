"""Help > Training material: the facilitator guide, quick reference and exercise sheet, read in the app.

The same Markdown the PDFs are printed from, shown in the safe browser (nothing is
ever loaded from anywhere); web links open in the system browser after a click.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base.errors import NcError
from networked_councillor.printing.handouts import HANDOUTS, handout_document, write_handout
from networked_councillor.ui.errors import explain
from networked_councillor.ui.links import open_address
from networked_councillor.ui.screen import fit_on_screen
from networked_councillor.ui.widgets.detail import SafeTextBrowser


class HelpViewer(QDialog):
    def __init__(self, parent: QWidget | None = None, document: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Training material")
        fit_on_screen(self, 1000, 760)
        self.names = list(HANDOUTS)
        self.contents = QListWidget()
        self.contents.setAccessibleName("Documents")
        self.contents.addItems(list(HANDOUTS.values()))
        self.contents.setMaximumWidth(220)
        self.page = SafeTextBrowser()
        self.page.setAccessibleName("Document")
        self.page.link_activated.connect(open_address)
        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(self.page)
        splitter.setStretchFactor(1, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(QPushButton("Save as PDF…", clicked=self.save_pdf))
        buttons.addWidget(QPushButton("Close", clicked=self.accept))
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.contents.currentRowChanged.connect(self._show)
        self.contents.setCurrentRow(self.names.index(document) if document in self.names else 0)

    @property
    def current(self) -> str:
        return self.names[max(0, self.contents.currentRow())]

    def _show(self, row: int) -> None:
        try:
            document = handout_document(self.names[row])
        except NcError as exc:
            self.page.setPlainText(str(exc))
            return
        self.page.setDocument(document)

    def save_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save as PDF", f"{self.current}.pdf", "PDF files (*.pdf)")
        if not path:
            return
        try:
            write_handout(self.current, Path(path))
        except NcError as exc:
            explain(self, exc, "Save as PDF")
            return
        QMessageBox.information(self, "Save as PDF", f"Saved {path}.")

