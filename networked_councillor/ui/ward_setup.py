"""The "Set up my ward" step: one postcode in, the ward's name, boundary and postcodes out.

Looking a postcode up needs the internet. Without it (a council laptop off the network, a blocked
site) the ward is typed in by hand instead: its name, council, streets and places, and postcodes
are enough to start; the boundary can be added later in Settings > Ward.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from networked_councillor.base import clock, postcodes
from networked_councillor.base.ward import WardProfile
from networked_councillor.ingest.ops import apply_setup
from networked_councillor.ingest.wardsetup import (
    WardSetup,
    default_sources,
    finder_for,
)
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.store import settings as settings_store
from networked_councillor.ui.operations import perform
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
        self.by_hand = QGroupBox("Or type your ward in yourself (no internet needed)")
        self.by_hand.setCheckable(True)
        self.by_hand.setChecked(False)
        self.by_hand.toggled.connect(self._by_hand_toggled)
        self.hand = {key: QLineEdit(placeholderText=hint) for key, hint in (
            ("name", "e.g. Petersfield"), ("council", "e.g. Cambridge City Council"),
            ("streets", "Streets and places, separated by commas"), ("postcodes", "e.g. CB1 1, CB1 2"))}
        hand_form = QFormLayout(self.by_hand)
        for key, label in (("name", "Ward name"), ("council", "Council"), ("streets", "Streets and places"),
                           ("postcodes", "Postcodes")):
            self.hand[key].setAccessibleName(label)
            self.hand[key].textChanged.connect(self._by_hand_toggled)
            hand_form.addRow(label, self.hand[key])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result, 1)
        layout.addWidget(self.by_hand)
        layout.addWidget(self.buttons)

    def _by_hand_toggled(self) -> None:
        if self.by_hand.isChecked():
            self.use.setEnabled(bool(self.hand["name"].text().strip()))
        else:
            self.use.setEnabled(self.setup is not None)

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
        """Said here, not in a box that closes onto an empty dialog; and the way on is opened below."""
        self.look_up.setEnabled(True)
        self.result.setText(f"{html.escape(str(error))}<br><br>You can type your ward in below instead and add "
                            "its boundary later in Settings &gt; Ward, or try the look-up again when you are "
                            "online.")
        self.by_hand.setChecked(True)
        self.hand["name"].setFocus()

    def _use(self) -> None:
        app = self.window_.app
        if self.by_hand.isChecked():
            with app.store.read() as db:
                ward = self._typed_ward(settings_store.load_ward(db))
            done = perform(app, self, settings_store.save_ward, ward, clock.now_iso(), title="Set up my ward")
        elif self.setup is not None:
            done = perform(app, self, apply_setup, app.registry, self.setup, title="Set up my ward")
        else:
            return
        if done is not None:
            self.done_setup.emit()
            self.accept()

    def _typed_ward(self, current: WardProfile) -> WardProfile:
        """The ward as typed, keeping what the profile already had that was not typed (hashtags, handles)."""
        def listed(key: str) -> list[str]:
            return [part.strip() for part in self.hand[key].text().split(",") if part.strip()]

        ward = WardProfile.from_dict(current.to_dict())
        ward.name, ward.council = self.hand["name"].text().strip(), self.hand["council"].text().strip()
        for street in listed("streets"):
            ward.add_term("streets", street)
        for code in listed("postcodes"):
            ward.add_term("postcodes", code)
        return ward
