"""Settings > Council: where the council's Open311 reporting service is, with its API key in the keyring; and
the shared casework database (`settings_shared`)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base.errors import NcError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.exporters.open311 import (
    SECRETS,
    SETTING_ENDPOINT,
    SETTING_JURISDICTION,
    Open311Client,
    Open311Endpoint,
)
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.store import settings as settings_store
from networked_councillor.ui.errors import explain
from networked_councillor.ui.operations import perform
from networked_councillor.ui.settings_shared import SharedCaseworkBox
from networked_councillor.ui.widgets.help import help_label

API_KEY = "api_key"


class CouncilPage(QWidget):

    def __init__(self, app, runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.runner = app, runner
        with app.store.read() as db:
            url = settings_store.get_setting(db, SETTING_ENDPOINT) or ""
            jurisdiction = settings_store.get_setting(db, SETTING_JURISDICTION) or ""
        self.endpoint = QLineEdit(str(url), placeholderText="https://council.example/open311/v2/")
        self.endpoint.setAccessibleName("Open311 address")
        self.jurisdiction = QLineEdit(str(jurisdiction), placeholderText="Only if the council asks for one")
        self.jurisdiction.setAccessibleName("Open311 jurisdiction")
        self.key_state = QLabel(wordWrap=True)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_state, 1)
        key_row.addWidget(QPushButton("Set…", clicked=self.set_key))
        key_row.addWidget(QPushButton("Forget", clicked=self.forget_key))
        self.result = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(QPushButton("Check connection", clicked=self.check))
        buttons.addWidget(QPushButton("Save", clicked=self.save))
        form = QFormLayout()
        form.addRow("Open311 address", self.endpoint)
        form.addRow("", help_label("Many councils (and FixMyStreet for them) take reports through Open311 "
                                   "GeoReport v2. Ask the council's digital team for the address and a key."))
        form.addRow("Jurisdiction", self.jurisdiction)
        form.addRow("API key", key_row)
        form.addRow("", help_label("Kept in your computer's password store, never in the app's database."))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Report casework straight to the council's system from the casework window "
                                "(“Report to council…”), and bring its updates back.", wordWrap=True))
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        self.shared = SharedCaseworkBox(app, runner, self)
        layout.addWidget(self.shared)
        layout.addStretch(1)
        self._show_key()

    def _show_key(self) -> None:
        try:
            has_key = bool(SecretStore(SECRETS).get(API_KEY))
        except NcError as exc:
            self.key_state.setText(f"⚠ {exc}")
            return
        self.key_state.setText("✔ Saved in the password store" if has_key else "Not set")

    def _endpoint(self) -> Open311Endpoint | None:
        """What is typed, checked (https only, a real address); None (after saying why) if it will not do."""
        try:
            return Open311Endpoint(self.endpoint.text(), self.jurisdiction.text(), SecretStore(SECRETS).get(API_KEY))
        except NcError as exc:
            explain(self, exc, "Council")
            return None

    def save(self) -> None:
        url = self.endpoint.text().strip()
        if url and self._endpoint() is None:
            return
        if perform(self.app, self, settings_store.save_settings,
                   {SETTING_ENDPOINT: url or None, SETTING_JURISDICTION: self.jurisdiction.text().strip() or None}):
            self.result.setText("Saved.")

    def set_key(self) -> None:
        from networked_councillor.ui.secret_prompt import SecretPrompt

        key = SecretPrompt.ask(self, "Open311 API key")
        if key:
            try:
                SecretStore(SECRETS).set(API_KEY, key)
            except NcError as exc:
                explain(self, exc, "Council")
        self._show_key()

    def forget_key(self) -> None:
        try:
            SecretStore(SECRETS).delete(API_KEY)
        except NcError as exc:
            explain(self, exc, "Council")
        self._show_key()

    def check(self) -> None:
        endpoint = self._endpoint()
        if endpoint is None:
            return
        self.result.setText(f"Asking {endpoint.host} for its report types…")

        def services(cancel, progress):
            with HttpClient() as http:
                return Open311Client(http, endpoint).services()

        self.runner.submit("open311", services, on_done=self._checked,
                           on_error=lambda error: self.result.setText(f"⚠ {error}"))

    def _checked(self, services: list) -> None:
        names = ", ".join(s.name for s in services[:8]) + ("…" if len(services) > 8 else "")
        self.result.setText(f"✔ Connected: {len(services)} report types ({names})." if services else
                            "Connected, but the service lists no report types.")
