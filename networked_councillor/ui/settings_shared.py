"""Settings > Council > Shared casework: the PostgreSQL database council IT set up, and who you are there.

The password goes to the keyring. "Check connection" asks the database who you are and which wards you have,
without saving; "Save" starts syncing; "Stop sharing" stops it (this computer's copy of the casework stays).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from networked_councillor.base.errors import NcError
from networked_councillor.base.netguard import is_loopback
from networked_councillor.shared.admin import ROLE_NAMES
from networked_councillor.shared.connection import PASSWORD, SharedSettings, parse_address, save_settings
from networked_councillor.shared.sync import Me, check
from networked_councillor.ui.errors import explain
from networked_councillor.ui.operations import perform
from networked_councillor.ui.secret_prompt import SecretPrompt
from networked_councillor.ui.widgets.help import help_label

TITLE = "Shared casework"


class SharedCaseworkBox(QGroupBox):
    def __init__(self, app, runner, parent=None) -> None:
        super().__init__(TITLE, parent)
        self.app, self.runner = app, runner
        with app.store.read() as db:
            saved = SharedSettings.load(db)
        self.address = QLineEdit(saved.address, placeholderText="server/database, as council IT gave it")
        self.user = QLineEdit(saved.user, placeholderText="Your login there, like cllr_asmith")
        self.ward = QComboBox()
        self.ward.setToolTip("Where the issues you log on this computer go, if you work on more than one ward")
        if saved.ward:
            self.ward.addItem(saved.ward, saved.ward)
        self.ca_file = QLineEdit(saved.ca_file, placeholderText="Only if council IT gives you one")
        self.client_cert = QLineEdit(saved.client_cert,
                                     placeholderText="Only if council IT uses certificates instead of passwords")
        self.password_state = QLabel()
        for widget, name in ((self.address, "Shared casework address"), (self.user, "Shared casework login"),
                             (self.ward, "Ward for new casework"), (self.ca_file, "Certificate authority file"),
                             (self.client_cert, "Your certificate file")):
            widget.setAccessibleName(name)
        password_row = QHBoxLayout()
        password_row.addWidget(self.password_state, 1)
        password_row.addWidget(QPushButton("Set password…", clicked=self.set_password))
        self.result = QLabel(wordWrap=True)
        self.result.setAccessibleName("Shared casework connection")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(QPushButton("Stop sharing", clicked=self.stop_sharing))
        buttons.addWidget(QPushButton("Check connection", clicked=self.check))
        buttons.addWidget(QPushButton("Save and sync", clicked=self.save))
        layout = QVBoxLayout(self)
        layout.addWidget(help_label("Share casework with your ward colleagues and the member-support team through "
                                    "the council's database. You keep working offline; changes go both ways when it "
                                    "can be reached. Drafts, your inbox and the model stay on this computer."))
        form = QFormLayout()
        layout.addLayout(form)
        form.addRow("Address", self.address)
        form.addRow("Your login", self.user)
        form.addRow("Password", password_row)
        form.addRow("New casework goes to", self.ward)
        form.addRow("Certificate authority", self.ca_file)
        form.addRow("Your certificate", self.client_cert)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        self._show_password()

    def settings(self) -> SharedSettings | None:
        """What is typed, checked; None (after saying why) if it will not do."""
        settings = SharedSettings(address=self.address.text().strip(), user=self.user.text().strip(),
                                  ward=self.ward.currentData() or "", ca_file=self.ca_file.text().strip(),
                                  client_cert=self.client_cert.text().strip())
        try:
            host, _port, _db = parse_address(settings.address)
        except NcError as exc:
            explain(self, exc, TITLE)
            return None
        if not settings.user:
            self.result.setText("⚠ Give your login, as council IT gave it.")
            return None
        self.result.setText("" if is_loopback(host) else "The connection is encrypted, and the server's "
                                                         "certificate checked.")
        return settings

    def _show_password(self) -> None:
        try:
            has = bool(self.app.shared_secrets.get(PASSWORD.name))
        except NcError as exc:
            self.password_state.setText(f"⚠ {exc}")
            return
        self.password_state.setText("✔ Saved in the password store" if has else "Not set")

    def set_password(self) -> None:
        password = SecretPrompt.ask(self, "Certificate key passphrase" if self.client_cert.text().strip()
                                    else "Shared casework password")
        if password:
            try:
                self.app.shared_secrets.set(PASSWORD.name, password)
            except NcError as exc:
                explain(self, exc, TITLE)
        self._show_password()

    def check(self) -> None:
        settings = self.settings()
        if settings is None:
            return
        self.result.setText("Connecting…")
        secrets = self.app.shared_secrets
        self.runner.submit("shared-check", lambda cancel, progress: check(settings, secrets),
                           on_done=self._checked, on_error=lambda error: self.result.setText(f"⚠ {error}"))

    def _checked(self, me: Me) -> None:
        chosen = self.ward.currentData()
        self.ward.clear()
        for ward_id, name in me.wards.items():
            self.ward.addItem(f"{name} ({ward_id})", ward_id)
        self.ward.setCurrentIndex(max(0, self.ward.findData(chosen)))
        self.result.setText(f"✔ Connected as {me.name}, {ROLE_NAMES[me.role].lower()}: "
                            f"{', '.join(me.wards.values()) or 'no ward yet'}. Save to start sharing.")

    def save(self) -> None:
        settings = self.settings()
        if settings is not None and perform(self.app, self, save_settings, settings) is not None:
            self.result.setText("Saved: syncing now (the status bar says how it went).")

    def stop_sharing(self) -> None:
        if perform(self.app, self, save_settings, SharedSettings()) is None:
            return
        try:
            self.app.shared_secrets.delete(PASSWORD.name)
        except NcError as exc:
            explain(self, exc, TITLE)
        self.result.setText("This computer no longer shares its casework. Its copy stays here.")
        for box in (self.address, self.user, self.ca_file, self.client_cert):
            box.clear()
        self._show_password()
