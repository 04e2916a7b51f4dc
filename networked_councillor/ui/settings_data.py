"""Settings > Passwords, Data and Appearance: the keyring, retention and backups, the look and the rhythm."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import NcError
from networked_councillor.base.secrets import AppSecret, SecretStore, keyring_status
from networked_councillor.casework.ops import apply_retention_now
from networked_councillor.casework.retention import CONTACT_DAYS_SETTING, DAYS_SETTING
from networked_councillor.ingest import ops as ingest_ops
from networked_councillor.ingest.wardsetup import MAPIT_SECRET
from networked_councillor.shared.connection import PASSWORD as SHARED_PASSWORD
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store
from networked_councillor.ui.errors import explain
from networked_councillor.ui.itemmodels.sources import (
    SourceIdRole,
)
from networked_councillor.ui.secret_prompt import SecretPrompt
from networked_councillor.ui.settings_page import SettingsPage
from networked_councillor.ui.theme import TEXT_SIZES, THEMES
from networked_councillor.ui.widgets.help import help_label

APP_SECRETS = (SHARED_PASSWORD, MAPIT_SECRET)
"""The app's own secrets, beside each source's."""


class PasswordsPage(SettingsPage):
    """Passwords and keys, which live in the computer's password store only."""

    def __init__(self, dialog) -> None:
        super().__init__(dialog)
        self.ops.changed.connect(lambda changes, _by: changes.sources and self._refresh_passwords())
        ok, message = keyring_status()
        status = QLabel(("✔ " if ok else "⚠ ") + message, wordWrap=True)
        status.setAccessibleName("Password store status")
        self.secret_list = QListWidget()
        self.secret_list.setAccessibleName("Passwords and keys the sources use")
        buttons = QHBoxLayout()
        buttons.addWidget(QPushButton("Set…", clicked=self._set_secret))
        buttons.addWidget(QPushButton("Forget", clicked=self._forget_secret))
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(status)
        layout.addWidget(QLabel("Passwords, app passwords and API keys are kept in your computer's password store, "
                                "never in the app's database or its logs. For Bluesky, use an app password, "
                                "never your account password.", wordWrap=True))
        layout.addWidget(self.secret_list)
        layout.addLayout(buttons)
        self._refresh_passwords()


    def _refresh_passwords(self) -> None:
        current = self.secret_list.currentRow()
        self.secret_list.clear()
        with self.app.store.read() as db:
            rows = source_store.all_sources(db)
        secrets = [AppSecret(row.id, field.key, f"{row.name}: {field.label}") for row in rows
                   for field in getattr(self.app.registry.get(row.plugin), "config_fields", ()) if field.kind == "secret"]
        for secret in [*secrets, *APP_SECRETS]:
            item = QListWidgetItem(secret.label)
            item.setData(SourceIdRole, secret)
            self.secret_list.addItem(item)
        self.secret_list.setCurrentRow(min(current, self.secret_list.count() - 1))

    def _set_secret(self) -> None:
        item = self.secret_list.currentItem()
        target = item.data(SourceIdRole) if item else None
        if not target:
            return
        secret = SecretPrompt.ask(self, target.label)
        if secret:
            if self.ops.perform(self, ingest_ops.save_secret, target.namespace, target.name, secret,
                                of_source=target not in APP_SECRETS) is None:
                return
            QMessageBox.information(self, "Passwords", f"{target.label} saved in the password store.")

    def _forget_secret(self) -> None:
        item = self.secret_list.currentItem()
        target = item.data(SourceIdRole) if item else None
        if target:
            try:
                SecretStore(target.namespace).delete(target.name)
            except NcError as exc:
                explain(self, exc)


class DataPage(SettingsPage):
    """Retention, erasure, the data folder and backups."""

    def __init__(self, dialog) -> None:
        super().__init__(dialog)
        with self.app.store.read() as db:
            days = _whole(settings_store.get_setting(db, DAYS_SETTING, 0))
            contact_days = _whole(settings_store.get_setting(db, CONTACT_DAYS_SETTING, 0))
        self.retention = QSpinBox(minimum=0, maximum=3650, value=days, suffix=" days")
        self.retention.setSpecialValueText("Keep everything")
        self.retention.setAccessibleName("Keep posts for")
        self.contact_retention = QSpinBox(minimum=0, maximum=3650, value=contact_days, suffix=" days")
        self.contact_retention.setSpecialValueText("Keep until I remove them")
        self.contact_retention.setAccessibleName("Keep residents' contact details after an issue closes for")
        save = QPushButton("Save", clicked=self._save_retention)
        purge = QPushButton("Apply now", clicked=self._purge_now)
        form = QFormLayout()
        form.addRow("Keep posts for", self.retention)
        form.addRow("Keep residents' contact details", self.contact_retention)
        form.addRow("", help_label("…after their issue is resolved or closed. The issue and its timeline stay."))
        row = QHBoxLayout()
        row.addWidget(save)
        row.addWidget(purge)
        row.addWidget(QPushButton("Find and erase a person…", clicked=self.window_.open_privacy))
        row.addStretch(1)
        form.addRow("", row)
        folder = QHBoxLayout()
        folder.addWidget(QLabel(str(self.app.data_dir)))
        folder.addWidget(QPushButton("Open folder", clicked=lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(self.app.data_dir)))))
        folder.addWidget(QPushButton("Back up now", clicked=self._backup))
        form.addRow("Data folder", folder)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("As the data controller for your casework you decide how long residents' posts "
                                "and contact details are kept. Older posts are deleted at each refresh; posts "
                                "linked to casework, drafts, pins or your corrections are always kept. Each "
                                "purge is in Tools > Audit log.", wordWrap=True))
        layout.addLayout(form)
        layout.addStretch(1)


    def _save_retention(self) -> Changes | None:
        return self.ops.perform(self, settings_store.save_settings, {
            DAYS_SETTING: self.retention.value(), CONTACT_DAYS_SETTING: self.contact_retention.value()})

    def _purge_now(self) -> None:
        if self._save_retention() is None:
            return
        if not (self.retention.value() or self.contact_retention.value()):
            QMessageBox.information(self, "Data", "Everything is being kept: choose how many days to keep posts "
                                    "or contact details for first.")
            return
        report = self.ops.perform(self, apply_retention_now)
        if report is not None:
            QMessageBox.information(self, "Data", report.summary())

    def _backup(self) -> None:
        path = self.app.store.backup("manual")
        QMessageBox.information(self, "Back up", f"Backed up to {path}.")


class AppearancePage(SettingsPage):
    """Theme, text size, how often to fetch, and notifications."""

    def __init__(self, dialog) -> None:
        super().__init__(dialog)
        prefs = self.window_.prefs
        self.theme = QComboBox()
        self.theme.setAccessibleName("Theme")
        for key, name in THEMES.items():
            self.theme.addItem(name, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(prefs.value("theme", "light"))))
        self.theme.currentIndexChanged.connect(self._theme_changed)
        self.text_size = QComboBox()
        self.text_size.setAccessibleName("Text size")
        for key, (name, _scale) in TEXT_SIZES.items():
            self.text_size.addItem(name, key)
        self.text_size.setCurrentIndex(max(0, self.text_size.findData(prefs.value("text_size", "normal"))))
        self.text_size.currentIndexChanged.connect(self._theme_changed)
        with self.app.store.read() as db:
            minutes = settings_store.get_setting(db, "refresh.minutes", 30)
            mentions = settings_store.get_setting(db, "notify.mentions", False)
            spikes = settings_store.get_setting(db, "notify.spikes", False)
        self.refresh = QSpinBox(minimum=0, maximum=24 * 60, value=minutes, suffix=" minutes")
        self.refresh.setSpecialValueText("Only when I ask")
        self.refresh.setAccessibleName("Fetch new items every")
        self.notify_mentions = QCheckBox("Tell me when a new post mentions me", checked=mentions)
        self.notify_spikes = QCheckBox("Tell me when a topic suddenly gets busy", checked=spikes)
        save = QPushButton("Save", clicked=self._save_appearance)
        form = QFormLayout(self)
        form.addRow("Theme", self.theme)
        form.addRow("Text size", self.text_size)
        form.addRow("Fetch new items every", self.refresh)
        form.addRow("Notifications", self.notify_mentions)
        form.addRow("", self.notify_spikes)
        form.addRow("", save)


    def _theme_changed(self) -> None:
        """Theme and text size apply as they are chosen, to every open window."""
        self.window_.set_theme(self.theme.currentData(), self.text_size.currentData())

    def _save_appearance(self) -> None:
        self.ops.perform(self, settings_store.save_settings, {
            "refresh.minutes": self.refresh.value(), "notify.mentions": self.notify_mentions.isChecked(),
            "notify.spikes": self.notify_spikes.isChecked()})


def _whole(value) -> int:
    """A days setting for a spin box; anything unreadable shows as 0 (the check on save explains it)."""
    try:
        return max(0, int(str(value)))
    except ValueError:
        return 0
