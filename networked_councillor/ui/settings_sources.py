"""Settings > Sources: the sources the app reads, and the editor for one of them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import NcError
from networked_councillor.ingest import ops as ingest_ops
from networked_councillor.ingest.wardsetup import ward_defaults
from networked_councillor.plugin_api.source import ConfigField
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store
from networked_councillor.store.sources import SourceRow
from networked_councillor.ui.errors import explain
from networked_councillor.ui.itemmodels.sources import (
    SourceStatusModel,
    configure_view,
)
from networked_councillor.ui.links import open_address
from networked_councillor.ui.screen import fit_on_screen
from networked_councillor.ui.settings_page import SettingsPage
from networked_councillor.ui.widgets.help import help_label
from networked_councillor.ui.widgets.text_box import text_box


class _SignInRelay(QObject):
    """Brings a sign-in's requests (open this page, tell them this) from the background to the window."""

    open_page = Signal(str)
    say = Signal(str)


class SourcesPage(SettingsPage):
    """The sources the app reads: add, edit, turn on or off, remove, test, import."""

    def __init__(self, dialog) -> None:
        super().__init__(dialog)
        self.ops.changed.connect(self._on_changed)
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
                            ("Test connection", self._test_source), ("Sign in…", self._sign_in),
                            ("Import OPML…", self._import_opml)):
            button = QPushButton(label, clicked=slot)
            button.setAccessibleName(f"{label.rstrip('…')} source")
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sources_view)
        layout.addLayout(buttons)
        layout.addWidget(self.test_result)


    def _selected_source(self) -> SourceRow | None:
        rows = self.sources_view.selectionModel().selectedRows()
        if not rows:
            QMessageBox.information(self, "Sources", "Choose a source in the list first.")
            return None
        return self.sources_model.source(rows[0].row())

    def _add_source(self) -> None:
        editor = SourceEditor(self, self.app.registry.plugins)
        editor.exec()

    def _edit_source(self) -> None:
        row = self._selected_source()
        if row:
            SourceEditor(self, self.app.registry.plugins, row).exec()

    def _toggle_source(self) -> None:
        row = self._selected_source()
        if row:
            self.ops.perform(self, source_store.set_enabled, row.id, not row.enabled)

    def _remove_source(self) -> None:
        row = self._selected_source()
        if row is None:
            return
        answer = QMessageBox.question(self, "Remove source", f"Remove “{row.name}” and the items only it brought? "
                                      "Items you have pinned, corrected, replied to or logged as casework are kept.")
        if answer == QMessageBox.StandardButton.Yes:
            self.ops.perform(self, ingest_ops.remove_source, row.id)

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

    def _sign_in(self) -> None:
        """Mastodon, Microsoft 365: sign in on the service's own page, in the background; the page opens here."""
        row = self._selected_source()
        if row is None:
            return
        relay = _SignInRelay(self)
        relay.open_page.connect(open_address)
        relay.say.connect(self.test_result.setText)
        self.test_result.setText(f"Signing in to {row.name}…")
        self.window_.runner.submit(
            "sign-in", lambda cancel, progress: self.app.sign_in(row.id, relay.open_page.emit, relay.say.emit, cancel),
            on_done=lambda who: self.test_result.setText(f"{row.name}: signed in as {who}. The token is kept in "
                                                         "this computer's keyring."),
            on_error=lambda error: self.test_result.setText(f"{row.name}: {error}"))

    def _import_opml(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import feeds from OPML", "", "OPML files (*.opml *.xml)")
        if not path:
            return
        plugin = self.app.registry.get("rss")
        try:
            found = plugin.import_sources(Path(path).read_bytes())
        except (NcError, OSError) as exc:
            explain(self, exc)
            return
        done = self.ops.perform(self, ingest_ops.import_sources, "rss", plugin.config_fields, found)
        if done is not None:
            QMessageBox.information(self, "Import", done.value.summary())

    def _on_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.sources:
            self.sources_model.refresh()


class SourceEditor(QDialog):
    """Adds or edits one source: its plugin's fields become the form."""

    def __init__(self, settings: QWidget, plugins: dict[str, type], row: SourceRow | None = None) -> None:
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
            done = self.settings.app.perform(ingest_ops.save_source, self.plugin.currentData(), self._fields(),
                                             self.name.text(), values, secrets, existing=self.row)
        except NcError as exc:
            explain(self, exc)
            return
        if done is not None:
            self.accept()
