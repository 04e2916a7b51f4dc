"""Settings > Replies: the signature, blocked words, the pre-election period, templates per topic, saved replies."""

from __future__ import annotations

import html

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
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
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base import clock
from networked_councillor.base.errors import NcError
from networked_councillor.replies import ops as reply_ops
from networked_councillor.replies import snippets
from networked_councillor.replies.context import (
    BLOCKED_WORDS_KEY,
    PRE_ELECTION_KEY,
    SIGNATURE_KEY,
    parse_pre_election,
    parse_word_list,
)
from networked_councillor.replies.placeholders import PLACEHOLDERS
from networked_councillor.replies.templates import (
    GENERAL,
    PARTS,
    template_for,
)
from networked_councillor.store import settings as settings_store
from networked_councillor.ui.errors import explain
from networked_councillor.ui.operations import perform
from networked_councillor.ui.widgets.help import help_label
from networked_councillor.ui.widgets.text_box import text_box

PART_LABELS = {"acknowledge": "Acknowledge", "inform": "Inform", "invite": "Invite"}
PART_HELP = {"acknowledge": "Thank them and name the issue, so they know they were heard.",
             "inform": "What you know, or what you will do next.",
             "invite": "Keep the conversation going, or offer to talk privately."}


class RepliesPage(QWidget):

    def __init__(self, app, topic_names: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.topic_names = topic_names
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(self._checks_box())
        layout.addWidget(self._templates_box())
        layout.addWidget(self._snippets_box())
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(inner)
        QVBoxLayout(self).addWidget(scroll)

    # ---- what the checks use -------------------------------------------------------------------
    def _checks_box(self) -> QGroupBox:
        with self.app.store.read() as db:
            signature = settings_store.get_setting(db, SIGNATURE_KEY) or ""
            blocked = parse_word_list(settings_store.get_setting(db, BLOCKED_WORDS_KEY))
            try:
                period = parse_pre_election(settings_store.get_setting(db, PRE_ELECTION_KEY))
            except NcError:
                period = None
        box = QGroupBox("What the reply checks use")
        form = QFormLayout(box)
        self.signature = QLineEdit(str(signature))
        self.signature.setAccessibleName("Your signature")
        self.signature.setPlaceholderText("Cllr Jo Whitfield, Millbrook ward · jo.whitfield@ashcombe.gov.uk")
        form.addRow("Signature", self.signature)
        form.addRow("", help_label("Fills {councillor} in templates. Contact details in it are yours to share, so the "
                              "personal-data check lets them through."))
        self.blocked = text_box("\n".join(blocked))
        self.blocked.setAccessibleName("Blocked words")
        self.blocked.setMaximumHeight(90)
        form.addRow("Blocked words", self.blocked)
        form.addRow("", help_label("One word or phrase per line: a reply that uses one is flagged."))
        self.pre_election = QCheckBox("Warn about campaigning and council publicity between")
        self.pre_election.setChecked(period is not None)
        today = QDate(clock.today())
        self.period_start = QDateEdit(QDate(period[0]) if period else today, calendarPopup=True)
        self.period_end = QDateEdit(QDate(period[1]) if period else today.addDays(42), calendarPopup=True)
        for edit, name in ((self.period_start, "Pre-election period starts"),
                           (self.period_end, "Pre-election period ends")):
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(name)
        dates = QHBoxLayout()
        dates.addWidget(self.pre_election)
        dates.addWidget(self.period_start)
        dates.addWidget(QLabel("and"))
        dates.addWidget(self.period_end)
        dates.addStretch(1)
        form.addRow("Pre-election period", dates)
        form.addRow("", help_label("From the notice of election to polling day. Your council's elections office "
                              "publishes the dates."))
        save = QPushButton("Save", clicked=self.save_checks)
        form.addRow("", save)
        return box

    def save_checks(self) -> None:
        period = None
        if self.pre_election.isChecked():
            period = {"start": self.period_start.date().toPython().isoformat(),
                      "end": self.period_end.date().toPython().isoformat()}
            try:
                parse_pre_election(period)
            except NcError as exc:
                explain(self, exc, "Pre-election period")
                return
        words = parse_word_list(self.blocked.toPlainText())
        perform(self.app, self, settings_store.save_settings, {
            SIGNATURE_KEY: self.signature.text().strip(), BLOCKED_WORDS_KEY: words, PRE_ELECTION_KEY: period})

    # ---- templates -----------------------------------------------------------------------------
    def _templates_box(self) -> QGroupBox:
        box = QGroupBox("Reply templates by topic")
        layout = QVBoxLayout(box)
        layout.addWidget(help_label("The composer suggests a first draft from these. Placeholders: " + ", ".join(
            f"<b>{{{name}}}</b> {html.escape(words)}" for name, words in PLACEHOLDERS.items())
            + ". Words in [square brackets] around a placeholder are left out when it has no value."))
        self.template_topic = QComboBox()
        self.template_topic.setAccessibleName("Template for topic")
        self.template_topic.addItem("Any other topic", GENERAL)
        for topic_id, name in sorted(self.topic_names.items(), key=lambda kv: kv[1]):
            if topic_id != GENERAL:
                self.template_topic.addItem(name, topic_id)
        self.template_topic.currentIndexChanged.connect(self._show_template)
        self.template_state = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.template_topic, 1)
        top.addWidget(self.template_state)
        layout.addLayout(top)
        form = QFormLayout()
        self.template_parts: dict[str, QPlainTextEdit] = {}
        for part in PARTS:
            edit = text_box()
            edit.setAccessibleName(f"{PART_LABELS[part]} part of the template")
            edit.setToolTip(PART_HELP[part])
            edit.setMaximumHeight(64)
            self.template_parts[part] = edit
            form.addRow(PART_LABELS[part], edit)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(QPushButton("Reset to the standard template", clicked=self.reset_template))
        buttons.addWidget(QPushButton("Save template", clicked=self.save_template))
        layout.addLayout(buttons)
        self._show_template()
        return box

    def _show_template(self) -> None:
        topic = self.template_topic.currentData()
        with self.app.store.read() as db:
            template = template_for(db, topic)
        for part, edit in self.template_parts.items():
            edit.setPlainText(getattr(template, part))
        mine = template.custom and template.topic == topic
        self.template_state.setText("Your own template" if mine else "Standard template")

    def save_template(self) -> None:
        topic = self.template_topic.currentData()
        parts = [self.template_parts[p].toPlainText() for p in PARTS]
        done = perform(self.app, self, reply_ops.save_template, topic, *parts, title="Reply template")
        if done is None:
            return
        unknown = done.value
        self._show_template()
        if unknown:
            QMessageBox.warning(self, "Reply template", "Saved, but the app cannot fill " + ", ".join(
                f"{{{name}}}" for name in unknown) + ": check the spelling.")

    def reset_template(self) -> None:
        perform(self.app, self, reply_ops.reset_template, self.template_topic.currentData())
        self._show_template()

    # ---- saved replies -------------------------------------------------------------------------
    def _snippets_box(self) -> QGroupBox:
        box = QGroupBox("Saved replies")
        layout = QHBoxLayout(box)
        self.snippet_list = QListWidget()
        self.snippet_list.setAccessibleName("Saved replies")
        self.snippet_list.currentItemChanged.connect(self._show_snippet)
        layout.addWidget(self.snippet_list, 1)
        editor = QVBoxLayout()
        self.snippet_name = QLineEdit(placeholderText="Name, e.g. Pothole reported")
        self.snippet_name.setAccessibleName("Saved reply name")
        self.snippet_text = text_box()
        self.snippet_text.setAccessibleName("Saved reply text")
        self.snippet_text.setPlaceholderText("Thanks {name}, I've reported this to the council as {issue_ref}.")
        buttons = QHBoxLayout()
        buttons.addWidget(QPushButton("New", clicked=self._new_snippet))
        buttons.addWidget(QPushButton("Delete", clicked=self.delete_snippet))
        buttons.addStretch(1)
        buttons.addWidget(QPushButton("Save reply", clicked=self.save_snippet))
        editor.addWidget(self.snippet_name)
        editor.addWidget(self.snippet_text)
        editor.addLayout(buttons)
        layout.addLayout(editor, 2)
        self._refresh_snippets()
        return box

    def _refresh_snippets(self, select: int | None = None) -> None:
        with self.app.store.read() as db:
            rows = snippets.list_snippets(db)
        self.snippet_list.clear()
        for row in rows:
            entry = QListWidgetItem(row["name"])
            entry.setData(Qt.ItemDataRole.UserRole, row)
            self.snippet_list.addItem(entry)
            if row["id"] == select:
                self.snippet_list.setCurrentItem(entry)

    def _show_snippet(self, entry: QListWidgetItem | None) -> None:
        row = entry.data(Qt.ItemDataRole.UserRole) if entry else None
        self.snippet_name.setText(row["name"] if row else "")
        self.snippet_text.setPlainText(row["text"] if row else "")

    def _new_snippet(self) -> None:
        self.snippet_list.setCurrentItem(None)
        self._show_snippet(None)
        self.snippet_name.setFocus()

    def save_snippet(self) -> None:
        entry = self.snippet_list.currentItem()
        snippet_id = entry.data(Qt.ItemDataRole.UserRole)["id"] if entry is not None else None
        done = perform(self.app, self, reply_ops.save_snippet, snippet_id, self.snippet_name.text(),
                       self.snippet_text.toPlainText(), title="Saved reply")
        if done is None:
            return
        snippet_id, unknown = done.value
        self._refresh_snippets(select=snippet_id)
        if unknown:
            QMessageBox.warning(self, "Saved reply", "Saved, but the app cannot fill " + ", ".join(
                f"{{{name}}}" for name in unknown) + ": check the spelling.")

    def delete_snippet(self) -> None:
        entry = self.snippet_list.currentItem()
        if entry is None:
            return
        perform(self.app, self, reply_ops.delete_snippet, entry.data(Qt.ItemDataRole.UserRole)["id"])
        self._refresh_snippets()
        self._show_snippet(None)
