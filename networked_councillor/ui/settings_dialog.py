"""Settings: sources, the ward, topics, passwords, data and appearance."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base import clock
from networked_councillor.base.errors import NcError
from networked_councillor.base.files import read_json
from networked_councillor.base.geo import Boundary
from networked_councillor.base.secrets import AppSecret, SecretStore, keyring_status
from networked_councillor.base.ward import TERM_KINDS, WardProfile
from networked_councillor.ingest import source_config
from networked_councillor.ingest.wardsetup import MAPIT_SECRET, ward_defaults
from networked_councillor.plugin_api.source import ConfigField
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store
from networked_councillor.store import tags as tag_store
from networked_councillor.store.sources import SourceRow
from networked_councillor.tagger.figures import headline
from networked_councillor.tagger.learning import heads_meta
from networked_councillor.tagger.topics import make_user_topic
from networked_councillor.ui.errors import explain
from networked_councillor.ui.itemmodels.sources import (
    SourceIdRole,
    SourceStatusModel,
    configure_view,
)
from networked_councillor.ui.screen import fit_on_screen
from networked_councillor.ui.theme import TEXT_SIZES, THEMES
from networked_councillor.ui.widgets.help import help_label
from networked_councillor.ui.widgets.text_box import text_box

TERM_LABELS = {"places": "Place names", "streets": "Streets", "postcodes": "Postcodes, sectors or districts",
               "hashtags": "Hashtags", "handles": "Your handles (Bluesky, Mastodon)"}


class SettingsDialog(QDialog):
    """Changes are saved as each section's Save button (or the source editor) is pressed."""

    changed = Signal(str)  # what changed: "sources", "ward", "topics", "settings", "appearance"

    def __init__(self, window, tab: str = "sources") -> None:
        super().__init__(window)
        self.window_ = window
        self.app = window.app
        self.setWindowTitle("Settings")
        fit_on_screen(self, 900, 620)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings sections")
        self._pages = {}
        pages = (("sources", "Sources", self._sources_page), ("ward", "Ward", self._ward_page),
                 ("topics", "Topics", self._topics_page), ("replies", "Replies", self._replies_page),
                 ("council", "Council", self._council_page), ("passwords", "Passwords", self._passwords_page),
                 ("data", "Data", self._data_page), ("appearance", "Appearance", self._appearance_page))
        for key, title, builder in pages:
            page = builder()
            self._pages[key] = page
            self.tabs.addTab(page, title)
        self.tabs.setCurrentWidget(self._pages.get(tab, self._pages["sources"]))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentWidget(self._pages[key])

    # ---- sources -----------------------------------------------------------------

    def _sources_page(self) -> QWidget:
        page = QWidget()
        self.sources_model = SourceStatusModel(self.app.store, self)
        self.sources_view = QTableView()
        self.sources_view.setAccessibleName("Sources")
        self.sources_view.setModel(self.sources_model)
        self.sources_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sources_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        configure_view(self.sources_view)
        self.sources_view.doubleClicked.connect(lambda _i: self._edit_source())
        self.test_result = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        for label, slot in (("Add…", self._add_source), ("Edit…", self._edit_source),
                            ("Turn on / off", self._toggle_source), ("Remove", self._remove_source),
                            ("Test connection", self._test_source), ("Import OPML…", self._import_opml)):
            button = QPushButton(label, clicked=slot)
            button.setAccessibleName(f"{label.rstrip('…')} source")
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.sources_view)
        layout.addLayout(buttons)
        layout.addWidget(self.test_result)
        return page

    def _selected_source(self) -> SourceRow | None:
        rows = self.sources_view.selectionModel().selectedRows()
        if not rows:
            QMessageBox.information(self, "Sources", "Choose a source in the list first.")
            return None
        return self.sources_model.source(rows[0].row())

    def _add_source(self) -> None:
        editor = SourceEditor(self, self.app.registry.plugins)
        if editor.exec() == QDialog.DialogCode.Accepted:
            self._sources_changed()

    def _edit_source(self) -> None:
        row = self._selected_source()
        if row and SourceEditor(self, self.app.registry.plugins, row).exec() == QDialog.DialogCode.Accepted:
            self._sources_changed()

    def _toggle_source(self) -> None:
        row = self._selected_source()
        if row:
            with self.app.store.write() as db:
                source_store.set_enabled(db, row.id, not row.enabled)
            self._sources_changed()

    def _remove_source(self) -> None:
        row = self._selected_source()
        if row is None:
            return
        answer = QMessageBox.question(self, "Remove source", f"Remove “{row.name}” and the items only it brought? "
                                      "Items you have pinned, corrected, replied to or logged as casework are kept.")
        if answer == QMessageBox.StandardButton.Yes:
            with self.app.store.write() as db:
                source_store.remove(db, row.id)
            self._sources_changed()

    def _test_source(self) -> None:
        row = self._selected_source()
        if row is None:
            return
        self.test_result.setText(f"Testing {row.name}…")
        pipeline = self.app.pipeline(tagger=None)
        self.window_.runner.submit(
            "test-source", lambda cancel, progress: pipeline.try_source(row, cancel),
            on_done=lambda items: self.test_result.setText(
                f"{row.name}: connected, {len(items)} items read. Nothing was stored."),
            on_error=lambda error: self.test_result.setText(f"{row.name}: {error}"))

    def _import_opml(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import feeds from OPML", "", "OPML files (*.opml *.xml)")
        if not path:
            return
        plugin = self.app.registry.get("rss")
        try:
            found = plugin.import_sources(Path(path).read_bytes())
            with self.app.store.write() as db:
                imported = source_config.import_sources(db, "rss", plugin.config_fields, found, clock.now_iso())
        except (NcError, OSError) as exc:
            explain(self, exc)
            return
        QMessageBox.information(self, "Import", imported.summary())
        self._sources_changed()

    def _sources_changed(self) -> None:
        self.sources_model.refresh()
        self._refresh_passwords()
        self.changed.emit("sources")

    # ---- ward --------------------------------------------------------------------

    def _ward_page(self) -> QWidget:
        page = QWidget()
        with self.app.store.read() as db:
            self.ward = settings_store.load_ward(db)
        form = QFormLayout()
        self.ward_fields = {}
        for key, label in (("name", "Ward name"), ("council", "Council"), ("councillor", "Councillor"),
                           ("gss_code", "GSS code")):
            edit = QLineEdit(getattr(self.ward, key))
            edit.setAccessibleName(label)
            form.addRow(label, edit)
            self.ward_fields[key] = edit
        self.term_edits = {}
        for kind in TERM_KINDS:
            edit = text_box("\n".join(getattr(self.ward, kind)))
            edit.setAccessibleName(TERM_LABELS[kind])
            edit.setPlaceholderText("One per line")
            edit.setMaximumHeight(70)
            form.addRow(TERM_LABELS[kind], edit)
            self.term_edits[kind] = edit
        self.threshold = QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.05, value=self.ward.threshold)
        self.threshold.setAccessibleName("Relevance threshold")
        self.threshold.setToolTip("Items scoring below this are kept but left out of the views (0 shows everything).")
        form.addRow("Relevance threshold", self.threshold)
        boundary_row = QHBoxLayout()
        self.boundary_label = QLabel()
        boundary_row.addWidget(self.boundary_label, 1)
        boundary_row.addWidget(QPushButton("Load GeoJSON…", clicked=self._load_boundary))
        boundary_row.addWidget(QPushButton("Clear", clicked=self._clear_boundary))
        form.addRow("Boundary", boundary_row)
        self._show_boundary()
        save = QPushButton("Save ward", clicked=self._save_ward)
        save.setAccessibleName("Save the ward profile")
        from_postcode = QPushButton("Set up from a postcode…", clicked=self._set_up_from_postcode)
        layout = QVBoxLayout(page)
        layout.addWidget(from_postcode)
        layout.addLayout(form)
        layout.addWidget(save)
        layout.addStretch(1)
        return page

    def _set_up_from_postcode(self) -> None:
        self.window_.set_up_ward()
        self.window_.ward_dialog.done_setup.connect(self._reload_ward)

    def _reload_ward(self) -> None:
        with self.app.store.read() as db:
            self.ward = settings_store.load_ward(db)
        for key, edit in self.ward_fields.items():
            edit.setText(getattr(self.ward, key))
        for kind, edit in self.term_edits.items():
            edit.setPlainText("\n".join(getattr(self.ward, kind)))
        self.threshold.setValue(self.ward.threshold)
        self._show_boundary()

    def _show_boundary(self) -> None:
        if self.ward.boundary:
            self.boundary_label.setText(f"Set ({len(Boundary(self.ward.boundary).polygons)} polygon(s))")
        else:
            self.boundary_label.setText("None: items are matched by names and postcodes only")

    def _load_boundary(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Ward boundary", "", "GeoJSON (*.geojson *.json)")
        if not path:
            return
        try:
            geojson = read_json(path, "a GeoJSON boundary")
            Boundary(geojson)
        except NcError as exc:
            explain(self, exc)
            return
        self.ward.boundary = geojson
        self._show_boundary()

    def _clear_boundary(self) -> None:
        self.ward.boundary = None
        self._show_boundary()

    def _save_ward(self) -> None:
        data = self.ward.to_dict()
        data.update({key: edit.text().strip() for key, edit in self.ward_fields.items()})
        data.update({kind: [line for line in edit.toPlainText().splitlines() if line.strip()]
                     for kind, edit in self.term_edits.items()})
        data["threshold"] = self.threshold.value()
        try:
            ward = WardProfile.from_dict(data)
            with self.app.store.write() as db:
                settings_store.save_ward(db, ward, clock.now_iso())
        except NcError as exc:
            explain(self, exc)
            return
        self.ward = ward
        self.changed.emit("ward")
        QMessageBox.information(self, "Ward", "Ward profile saved. New items are scored against it from the next fetch.")

    # ---- topics ------------------------------------------------------------------

    def _topics_page(self) -> QWidget:
        page = QWidget()
        self.topic_list = QListWidget()
        self.topic_list.setAccessibleName("Your topics")
        self.topic_name = QLineEdit(placeholderText="Name, e.g. Local heritage")
        self.topic_description = QLineEdit(placeholderText="What belongs in it, in a sentence")
        self.topic_examples = text_box(placeholder="A few example posts, one per line (optional)")
        self.topic_examples.setMaximumHeight(90)
        for widget, name in ((self.topic_name, "Topic name"), (self.topic_description, "Topic description"),
                             (self.topic_examples, "Topic examples")):
            widget.setAccessibleName(name)
        form = QFormLayout()
        form.addRow("Name", self.topic_name)
        form.addRow("Description", self.topic_description)
        form.addRow("Examples", self.topic_examples)
        buttons = QHBoxLayout()
        buttons.addWidget(QPushButton("Add topic", clicked=self._add_topic))
        buttons.addWidget(QPushButton("Remove selected", clicked=self._remove_topic))
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("The 19 default topics are always there. Topics you add here work at once, "
                                "by their description and examples; correcting items to them teaches the model."
                                , wordWrap=True))
        layout.addWidget(self.topic_list)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self._model_figures())
        self._refresh_topics()
        return page

    def _model_figures(self) -> QWidget:
        """How well the model does, measured on real public posts it never trained on: the figures a
        councillor should weigh the dashboard by (the same words as `model info`)."""
        box = QGroupBox("How well the model does")
        figures = QLabel("\n".join(headline(heads_meta(self.app.data_dir))), wordWrap=True)
        figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                        | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        figures.setAccessibleName("How well the model does")
        QVBoxLayout(box).addWidget(figures)
        return box

    def _refresh_topics(self) -> None:
        self.topic_list.clear()
        with self.app.store.read() as db:
            for topic in tag_store.user_topics(db):
                item = QListWidgetItem(f"{topic['name']}: {topic['description']}")
                item.setData(SourceIdRole, topic["id"])
                self.topic_list.addItem(item)

    def _add_topic(self) -> None:
        try:
            topic = make_user_topic(self.topic_name.text(), self.topic_description.text(),
                                    self.topic_examples.toPlainText().splitlines())
            with self.app.store.write() as db:
                tag_store.save_user_topic(db, topic.id, topic.name, topic.description, topic.examples, clock.now_iso())
        except NcError as exc:
            explain(self, exc)
            return
        for widget in (self.topic_name, self.topic_description, self.topic_examples):
            widget.clear()
        self._refresh_topics()
        self.changed.emit("topics")

    def _remove_topic(self) -> None:
        item = self.topic_list.currentItem()
        if item is None:
            return
        with self.app.store.write() as db:
            tag_store.remove_user_topic(db, item.data(SourceIdRole))
        self._refresh_topics()
        self.changed.emit("topics")

    # ---- passwords ---------------------------------------------------------------

    def _passwords_page(self) -> QWidget:
        page = QWidget()
        ok, message = keyring_status()
        status = QLabel(("✔ " if ok else "⚠ ") + message, wordWrap=True)
        status.setAccessibleName("Password store status")
        self.secret_list = QListWidget()
        self.secret_list.setAccessibleName("Passwords and keys the sources use")
        buttons = QHBoxLayout()
        buttons.addWidget(QPushButton("Set…", clicked=self._set_secret))
        buttons.addWidget(QPushButton("Forget", clicked=self._forget_secret))
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(status)
        layout.addWidget(QLabel("Passwords, app passwords and API keys are kept in your computer's password store, "
                                "never in the app's database or its logs. For Bluesky, use an app password, "
                                "never your account password.", wordWrap=True))
        layout.addWidget(self.secret_list)
        layout.addLayout(buttons)
        self._refresh_passwords()
        return page

    def _refresh_passwords(self) -> None:
        self.secret_list.clear()
        with self.app.store.read() as db:
            rows = source_store.all_sources(db)
        secrets = [AppSecret(row.id, field.key, f"{row.name}: {field.label}") for row in rows
                   for field in getattr(self.app.registry.get(row.plugin), "config_fields", ()) if field.kind == "secret"]
        for secret in [*secrets, MAPIT_SECRET]:
            item = QListWidgetItem(secret.label)
            item.setData(SourceIdRole, secret)
            self.secret_list.addItem(item)

    def _set_secret(self) -> None:
        item = self.secret_list.currentItem()
        target = item.data(SourceIdRole) if item else None
        if not target:
            return
        secret = SecretPrompt.ask(self, target.label)
        if secret:
            try:
                with self.app.store.write() as db:  # a keyring that refuses it leaves the source as it was
                    if target != MAPIT_SECRET:
                        source_store.note_secrets(db, target.namespace)
                    SecretStore(target.namespace).set(target.name, secret)
            except NcError as exc:
                explain(self, exc)
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

    def _replies_page(self) -> QWidget:
        from networked_councillor.ui.settings_replies import RepliesPage

        self.replies = RepliesPage(self.app, self.window_.topic_names, self)
        self.replies.changed.connect(lambda: self.changed.emit("settings"))
        return self.replies

    def _council_page(self) -> QWidget:
        from networked_councillor.ui.settings_council import CouncilPage

        self.council = CouncilPage(self.app, self.window_.runner, self)
        self.council.changed.connect(lambda: self.changed.emit("settings"))
        return self.council

    # ---- data ----------------------------------------------------------------------

    def _data_page(self) -> QWidget:
        from networked_councillor.casework.retention import CONTACT_DAYS_SETTING, DAYS_SETTING

        page = QWidget()
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
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("As the data controller for your casework you decide how long residents' posts "
                                "and contact details are kept. Older posts are deleted at each refresh; posts "
                                "linked to casework, drafts, pins or your corrections are always kept. Each "
                                "purge is in Tools > Audit log.", wordWrap=True))
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _save_retention(self) -> None:
        from networked_councillor.casework.retention import CONTACT_DAYS_SETTING, DAYS_SETTING

        with self.app.store.write() as db:
            settings_store.set_setting(db, DAYS_SETTING, self.retention.value())
            settings_store.set_setting(db, CONTACT_DAYS_SETTING, self.contact_retention.value())
        self.changed.emit("settings")

    def _purge_now(self) -> None:
        from networked_councillor.casework.retention import RetentionSettings, apply_retention

        self._save_retention()
        settings = RetentionSettings(self.retention.value(), self.contact_retention.value())
        if not (settings.days or settings.contact_days):
            QMessageBox.information(self, "Data", "Everything is being kept: choose how many days to keep posts "
                                    "or contact details for first.")
            return
        with self.app.store.write() as db:
            report = apply_retention(db, settings, clock.utcnow())
        QMessageBox.information(self, "Data", report.summary())
        self.changed.emit("items")

    def _backup(self) -> None:
        path = self.app.store.backup("manual")
        QMessageBox.information(self, "Back up", f"Backed up to {path}.")

    # ---- appearance ----------------------------------------------------------------

    def _appearance_page(self) -> QWidget:
        page = QWidget()
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
        form = QFormLayout(page)
        form.addRow("Theme", self.theme)
        form.addRow("Text size", self.text_size)
        form.addRow("Fetch new items every", self.refresh)
        form.addRow("Notifications", self.notify_mentions)
        form.addRow("", self.notify_spikes)
        form.addRow("", save)
        return page

    def _theme_changed(self) -> None:
        """Theme and text size apply as they are chosen, to every open window."""
        self.window_.set_theme(self.theme.currentData(), self.text_size.currentData())

    def _save_appearance(self) -> None:
        with self.app.store.write() as db:
            settings_store.set_setting(db, "refresh.minutes", self.refresh.value())
            settings_store.set_setting(db, "notify.mentions", self.notify_mentions.isChecked())
            settings_store.set_setting(db, "notify.spikes", self.notify_spikes.isChecked())
        self.changed.emit("settings")


class SecretPrompt(QDialog):
    """Asks for a password or key without ever showing it."""

    def __init__(self, parent: QWidget, label: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(label)
        self.edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   accepted=self.accept, rejected=self.reject)
        layout = QFormLayout(self)
        layout.addRow(label, self.edit)
        layout.addRow(buttons)

    @classmethod
    def ask(cls, parent: QWidget, label: str) -> str | None:
        prompt = cls(parent, label)
        return prompt.edit.text() if prompt.exec() == QDialog.DialogCode.Accepted else None


class SourceEditor(QDialog):
    """Adds or edits one source: its plugin's fields become the form."""

    def __init__(self, settings: SettingsDialog, plugins: dict[str, type], row: SourceRow | None = None) -> None:
        super().__init__(settings)
        self.settings, self.plugins, self.row = settings, plugins, row
        self.setWindowTitle("Edit source" if row else "Add a source")
        self.plugin = QComboBox()
        self.plugin.setAccessibleName("Kind of source")
        for plugin_id, plugin in sorted(plugins.items()):
            self.plugin.addItem(plugin.name, plugin_id)
        if row:
            self.plugin.setCurrentIndex(max(0, self.plugin.findData(row.plugin)))
            self.plugin.setEnabled(False)
        self.name = QLineEdit(row.name if row else "")
        self.name.setAccessibleName("Source name")
        self.form = QFormLayout()
        self.inputs: dict[str, QWidget] = {}
        fields = QWidget()
        fields.setLayout(self.form)
        scroll = QScrollArea(widgetResizable=True)  # some plugins have many settings, each explained
        scroll.setWidget(fields)
        self.plugin.currentIndexChanged.connect(self._build_form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                   accepted=self._save, rejected=self.reject)
        top = QFormLayout()
        top.addRow("Kind", self.plugin)
        top.addRow("Name", self.name)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        fit_on_screen(self, 640, 600)
        self._build_form()

    def _fields(self) -> tuple[ConfigField, ...]:
        return tuple(self.plugins[self.plugin.currentData()].config_fields)

    def _build_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.inputs.clear()
        if self.row:
            current = self.row.config
        else:  # a new source starts from the ward's own values where the plugin has such a setting
            with self.settings.app.store.read() as db:
                current = ward_defaults(settings_store.load_ward(db))
        for field in self._fields():
            value = current.get(field.key, field.default)
            if field.kind == "bool":
                widget = QCheckBox(checked=bool(value))
            elif field.kind == "choice":
                widget = QComboBox()
                for choice in field.choices:
                    widget.addItem(choice, choice)
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif field.kind == "int":
                widget = QSpinBox(minimum=field.minimum, maximum=field.maximum, value=int(value or field.minimum))
                if field.default is None:  # optional: the lowest value shows as empty and means "not set"
                    widget.setSpecialValueText(" ")
            elif field.kind == "list":
                widget = text_box("\n".join(value or []))
                widget.setMaximumHeight(80)
            else:
                widget = QLineEdit("" if field.kind == "secret" else str(value or ""))
                if field.kind == "secret":
                    widget.setEchoMode(QLineEdit.EchoMode.Password)
                    if self.row:
                        widget.setPlaceholderText("Leave empty to keep the saved one")
            widget.setToolTip(field.help)
            widget.setAccessibleName(field.label)
            widget.setAccessibleDescription(field.help)
            self.form.addRow(field.label + (" *" if field.required else ""), widget)
            if field.help:
                self.form.addRow("", help_label(field.help))
            self.inputs[field.key] = widget

    def _values(self) -> tuple[dict, dict]:
        values, secrets = {}, {}
        for field in self._fields():
            widget = self.inputs[field.key]
            if isinstance(widget, QCheckBox):
                values[field.key] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                values[field.key] = widget.currentData()
            elif isinstance(widget, QSpinBox):
                unset = widget.specialValueText() and widget.value() == widget.minimum()
                values[field.key] = "" if unset else widget.value()
            elif isinstance(widget, QPlainTextEdit):
                values[field.key] = widget.toPlainText().splitlines()
            elif field.kind == "secret":
                if widget.text():
                    secrets[field.key] = widget.text()
            else:
                values[field.key] = widget.text()
        return values, secrets

    def _save(self) -> None:
        values, secrets = self._values()
        try:
            with self.settings.app.store.write() as db:
                source_config.save_source(db, self.plugin.currentData(), self._fields(), self.name.text(), values,
                                          secrets, clock.now_iso(), existing=self.row)
        except NcError as exc:
            explain(self, exc)
            return
        self.accept()


def _whole(value) -> int:
    """A days setting for a spin box; anything unreadable shows as 0 (the check on save explains it)."""
    try:
        return max(0, int(str(value)))
    except ValueError:
        return 0
