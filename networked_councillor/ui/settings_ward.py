"""Settings > Ward and Settings > Topics: what makes a post about this ward, and what it is about."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
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
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base import clock
from networked_councillor.base.errors import NcError
from networked_councillor.base.files import read_json
from networked_councillor.base.geo import Boundary
from networked_councillor.base.ward import TERM_KINDS, WardProfile
from networked_councillor.store import settings as settings_store
from networked_councillor.store import tags as tag_store
from networked_councillor.tagger.figures import headline
from networked_councillor.tagger.learning import heads_meta
from networked_councillor.tagger.topics import make_user_topic
from networked_councillor.ui.errors import explain
from networked_councillor.ui.itemmodels.sources import (
    SourceIdRole,
)
from networked_councillor.ui.settings_page import SettingsPage
from networked_councillor.ui.widgets.text_box import text_box

TERM_LABELS = {"places": "Place names", "streets": "Streets", "postcodes": "Postcodes, sectors or districts",
               "hashtags": "Hashtags", "handles": "Your handles (Bluesky, Mastodon)"}


class WardPage(SettingsPage):
    """The ward profile: names, streets, postcodes, handles, the boundary and the threshold."""

    def __init__(self, dialog) -> None:
        super().__init__(dialog)
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
        layout = QVBoxLayout(self)
        layout.addWidget(from_postcode)
        layout.addLayout(form)
        layout.addWidget(save)
        layout.addStretch(1)


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
        except NcError as exc:
            explain(self, exc)
            return
        if self.ops.perform(self, settings_store.save_ward, ward, clock.now_iso()) is None:
            return
        self.ward = ward
        QMessageBox.information(self, "Ward", "Ward profile saved. New items are scored against it from the next fetch.")


class TopicsPage(SettingsPage):
    """The councillor's own topics, and how well the model does."""

    def __init__(self, dialog) -> None:
        super().__init__(dialog)
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
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The 19 default topics are always there. Topics you add here work at once, "
                                "by their description and examples; correcting items to them teaches the model."
                                , wordWrap=True))
        layout.addWidget(self.topic_list)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self._model_figures())
        self._refresh_topics()


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
        except NcError as exc:
            explain(self, exc)
            return
        if self.ops.perform(self, tag_store.save_user_topic, topic.id, topic.name, topic.description, topic.examples,
                            clock.now_iso()) is None:
            return
        for widget in (self.topic_name, self.topic_description, self.topic_examples):
            widget.clear()
        self._refresh_topics()

    def _remove_topic(self) -> None:
        item = self.topic_list.currentItem()
        if item is None:
            return
        self.ops.perform(self, tag_store.remove_user_topic, item.data(SourceIdRole))
        self._refresh_topics()
