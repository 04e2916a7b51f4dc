"""The "Set up my ward" step: one postcode in, the ward's name, boundary and postcodes out."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from networked_councillor.core import postcodes
from networked_councillor.core.wardsetup import (
    WardSetup,
    apply_setup,
    default_sources,
    finder_for,
)
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.store import settings as settings_store
from networked_councillor.ui.errors import explain
from networked_councillor.ui.screen import fit_on_screen


class WardSetupDialog(QDialog):
    done_setup = Signal()

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.setup: WardSetup | None = None
        self.setWindowTitle("Set up my ward")
        fit_on_screen(self, 560, 380)
        self.postcode = QLineEdit(placeholderText="A postcode in your ward, e.g. CB1 1AA")
        self.postcode.setAccessibleName("Postcode")
        self.look_up = QPushButton("Look up", clicked=self._look_up)
        self.postcode.returnPressed.connect(self._look_up)
        self.result = QLabel("The app asks postcodes.io which ward the postcode is in and MapIt for the ward's "
                             "boundary. You can add your streets and handles afterwards.", wordWrap=True)
        self.result.setAccessibleName("What the look-up found")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, rejected=self.reject)
        self.use = self.buttons.addButton("Use this ward", QDialogButtonBox.ButtonRole.AcceptRole)
        self.use.setEnabled(False)
        self.use.clicked.connect(self._use)
        form = QFormLayout()
        form.addRow("Postcode", self.postcode)
        form.addRow("", self.look_up)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result, 1)
        layout.addWidget(self.buttons)

    def _look_up(self) -> None:
        postcode = self.postcode.text()
        app = self.window_.app

        def job(cancel, progress):
            with HttpClient() as http:
                return finder_for(app, http).find(postcode, cancel, progress)

        self.look_up.setEnabled(False)
        self.result.setText("Looking up…")
        self.window_.runner.submit("ward-setup", job, on_done=self._found, on_error=self._failed)

    def _found(self, setup: WardSetup) -> None:
        self.setup = setup
        self.look_up.setEnabled(True)
        sectors = sorted({postcodes.sector(p) for p in setup.postcodes})
        sources = [name for _plugin, name, _config in default_sources(setup)]
        lines = [f"<b>{html.escape(setup.ward)}</b> ward, {html.escape(setup.district)}"
                 + (f", {html.escape(setup.county)}" if setup.county else ""),
                 f"Boundary: {'yes, from MapIt' if setup.boundary else 'none found'}",
                 f"Postcode sectors: {html.escape(', '.join(sectors))}",
                 f"Sources to add: {html.escape(', '.join(sources)) or 'none'}"]
        lines += [f"<i>{html.escape(note)}</i>" for note in setup.notes]
        self.result.setText("<br>".join(lines))
        self.use.setEnabled(True)

    def _failed(self, error: Exception) -> None:
        self.look_up.setEnabled(True)
        self.result.setText("")
        explain(self, error, "Set up my ward")

    def _use(self) -> None:
        if self.setup is None:
            return
        app = self.window_.app
        with app.store.read() as db:
            current = settings_store.load_ward(db)
        apply_setup(app, self.setup, current)
        self.done_setup.emit()
        self.accept()
