"""One casework issue: its details (editable), the resident's contact (personal data), its posts and timeline."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.casework import issues as casework
from networked_councillor.casework import ops as casework_ops
from networked_councillor.casework.issues import (
    PRIORITIES,
    STATUS_NAMES,
    STATUSES,
    Contact,
)
from networked_councillor.shared.sync import known_me
from networked_councillor.ui.operations import perform
from networked_councillor.ui.widgets.text_box import text_box

ItemIdRole = Qt.ItemDataRole.UserRole + 1
NO_DATE = QDate(2000, 1, 1)  # the date edit's minimum, shown as "No due date"
CONSENT = "They agreed these may go to the council"
CONSENT_SHARED = "They agreed these may be shared"
CONSENT_TIP = "The resident agreed that these details may be passed to the council"
CONSENT_TIP_SHARED = ("The resident agreed that these details may be passed to the council, and seen by the "
                      "colleagues and officers who share this casework")


class IssuePanel(QWidget):
    """Edits are saved together with one button, so a half-typed change never reaches the timeline."""

    saved = Signal(int)  # issue id
    open_item = Signal(int)  # item id

    def __init__(self, app, topic_names: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.store = app.store
        self.issue: dict | None = None
        self.setAccessibleName("Issue details")
        self.heading = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.heading.setObjectName("subheading")
        self.title = QLineEdit()
        self.category = QComboBox()
        self.category.addItem("(none)", None)
        for topic_id, name in topic_names.items():
            self.category.addItem(name, topic_id)
        self.status = QComboBox()
        for status in STATUSES:
            self.status.addItem(STATUS_NAMES[status], status)
        self.priority = QComboBox()
        for priority in PRIORITIES:
            self.priority.addItem(priority.capitalize(), priority)
        self.due = QDateEdit(calendarPopup=True, displayFormat="dd MMM yyyy", minimumDate=NO_DATE)
        self.due.setSpecialValueText("No due date")
        self.address = QLineEdit()
        self.postcode = QLineEdit()
        self.lat, self.lon = _coordinate(-90, 90), _coordinate(-180, 180)
        self.handled_by = QComboBox()
        self.handled_by.setToolTip("Who is handling it: you, a ward colleague or a member-support officer")
        self.people: dict[str, str] = {}
        self.agency = QLineEdit(placeholderText="The council or body it was reported to")
        self.agency_ref = QLineEdit(placeholderText="Their reference, once reported")
        self.description = text_box()
        self.description.setMaximumHeight(110)
        self.note = QLineEdit(placeholderText="What happened, what you did, what they said…")
        self.contact = {key: QLineEdit() for key in ("name", "email", "phone", "address")}
        self.consent = QCheckBox(CONSENT, toolTip=CONSENT_TIP)
        save = QPushButton("Save changes", clicked=self.save)
        add_note = QPushButton("Add note", clicked=self.add_note)
        self.note.returnPressed.connect(self.add_note)
        self.items = QListWidget()
        self.items.setMaximumHeight(110)
        self.items.itemActivated.connect(lambda entry: self.open_item.emit(entry.data(ItemIdRole)))
        self.timeline = QListWidget()
        self.timeline.setWordWrap(True)
        for widget, name in ((self.title, "Issue title"), (self.category, "Category"), (self.status, "Status"),
                             (self.priority, "Priority"), (self.due, "Due date"), (self.address, "Address"),
                             (self.postcode, "Postcode"), (self.lat, "Latitude"), (self.lon, "Longitude"),
                             (self.agency, "Reported to"), (self.agency_ref, "Council reference"),
                             (self.description, "Description"), (self.note, "New note"), (self.items, "Linked posts"),
                             (self.timeline, "Timeline"), (self.consent, "Resident's consent"),
                             (self.handled_by, "Handled by")):
            widget.setAccessibleName(name)
        for key, widget in self.contact.items():
            widget.setAccessibleName(f"Resident's {key}")

        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Category", self.category)
        form.addRow("Status", self.status)
        form.addRow("Priority", self.priority)
        form.addRow("Due", self.due)
        form.addRow("Handled by", self.handled_by)
        self.form = form
        form.addRow("Address", self.address)
        form.addRow("Postcode", self.postcode)
        where = QHBoxLayout()
        where.addWidget(self.lat)
        where.addWidget(self.lon)
        form.addRow("Lat, lon", where)
        form.addRow("Reported to", self.agency)
        form.addRow("Their reference", self.agency_ref)
        form.addRow("Description", self.description)
        contact = QGroupBox("Resident's contact details: personal data")
        contact.setToolTip("Kept on this computer only. Left out of exports and reports unless you ask, "
                           "and only passed to the council with the resident's agreement.")
        contact_form = QFormLayout(contact)
        for key, widget in self.contact.items():
            contact_form.addRow(key.capitalize(), widget)
        contact_form.addRow(self.consent)
        notes = QHBoxLayout()
        notes.addWidget(self.note, 1)
        notes.addWidget(add_note)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(contact)
        layout.addWidget(save, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addWidget(QLabel("Posts it came from (double-click to open):"))
        layout.addWidget(self.items)
        layout.addWidget(QLabel("Timeline:"))
        layout.addWidget(self.timeline, 1)
        layout.addLayout(notes)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(body)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # it narrows; it never scrolls
        scroll.setMinimumWidth(body.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.show_issue(None)

    def show_issue(self, issue_id: int | None) -> None:
        if issue_id is None:
            self.issue = None
            self.heading.setText("Choose an issue to see and change it.")
            self.setEnabled(False)
            return
        with self.store.read() as db:
            self.issue = casework.get_issue(db, issue_id)
            me = known_me(db)
        issue = self.issue
        self._show_sharing(me, issue.get("assigned_to"))
        self.setEnabled(True)
        self.heading.setText(f"{html.escape(issue['reference'])}: {html.escape(issue['title'])}")
        self.title.setText(issue["title"])
        for combo, value in ((self.category, issue["category"]), (self.status, issue["status"]),
                             (self.priority, issue["priority"])):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.due.setDate(QDate.fromString(issue["due_date"], "yyyy-MM-dd") if issue["due_date"] else NO_DATE)
        for widget, key in ((self.address, "address"), (self.postcode, "postcode"), (self.agency, "agency"),
                            (self.agency_ref, "agency_ref")):
            widget.setText(issue.get(key) or "")
        self.lat.setValue(issue["lat"] if issue["lat"] is not None else self.lat.minimum())
        self.lon.setValue(issue["lon"] if issue["lon"] is not None else self.lon.minimum())
        self.description.setPlainText(issue["description"] or "")
        person = issue["contact"] or Contact()
        for key, widget in self.contact.items():
            widget.setText(getattr(person, key))
        self.consent.setChecked(bool(issue.get("contact_consent")))
        self.items.clear()
        for item in issue["items"]:
            text = " ".join((item["text"] or item["title"] or "").split())[:110]  # replies share their thread's title
            entry = QListWidgetItem(f"{item['source_name'] or ''}: {text}")
            entry.setData(ItemIdRole, item["id"])
            entry.setToolTip(item["url"] or "")
            self.items.addItem(entry)
        self.timeline.clear()
        for event in issue["events"]:
            when = datetime.fromisoformat(event["at"]).astimezone().strftime("%d %b %Y %H:%M")
            by = f"{event['actor']}: " if event["actor"] in self.people.values() else ""  # a colleague's entry
            self.timeline.addItem(f"{when}  {by}{casework.describe_event(event, self.people)}")
        self.timeline.scrollToBottom()

    def changes(self) -> dict:
        """What the form says, as casework fields (update_issue keeps only what really changed)."""
        due = self.due.date()
        contact = Contact(**{key: widget.text() for key, widget in self.contact.items()})
        return {
            "title": self.title.text(), "category": self.category.currentData(), "status": self.status.currentData(),
            "priority": self.priority.currentData(),
            "due_date": None if due == NO_DATE else due.toString("yyyy-MM-dd"),
            "address": self.address.text(), "postcode": self.postcode.text(),
            "lat": None if self.lat.value() == self.lat.minimum() else self.lat.value(),
            "lon": None if self.lon.value() == self.lon.minimum() else self.lon.value(),
            "agency": self.agency.text(), "agency_ref": self.agency_ref.text(),
            "description": self.description.toPlainText(), "contact": contact.to_json(),
            "contact_consent": self.consent.isChecked(),
        } | ({"assigned_to": self.handled_by.currentData()} if self.people else {})

    def _show_sharing(self, me, assigned: str | None) -> None:
        """Only while the casework is shared: who of the ward's people is handling it, and what consent shares."""
        self.people = me.people if me else {}
        self.form.setRowVisible(self.handled_by, bool(self.people))
        self.consent.setText(CONSENT_SHARED if self.people else CONSENT)
        self.consent.setToolTip(CONSENT_TIP_SHARED if self.people else CONSENT_TIP)
        self.handled_by.clear()
        self.handled_by.addItem("(nobody yet)", None)
        for login, name in sorted(self.people.items(), key=lambda p: p[1]):
            self.handled_by.addItem(name + (" (you)" if me and login == me.login else ""), login)
        if assigned and self.handled_by.findData(assigned) < 0:
            self.handled_by.addItem(assigned, assigned)  # someone who has since left
        self.handled_by.setCurrentIndex(max(0, self.handled_by.findData(assigned)))

    def save(self) -> None:
        if self.issue is None:
            return
        issue_id = self.issue["id"]
        if perform(self.app, self, casework_ops.edit, issue_id, self.changes()) is not None:
            self.saved.emit(issue_id)

    def add_note(self) -> None:
        if self.issue is None or not self.note.text().strip():
            return
        issue_id, text = self.issue["id"], self.note.text()
        if perform(self.app, self, casework_ops.add_note, issue_id, text) is not None:
            self.note.clear()
            self.saved.emit(issue_id)


def _coordinate(low: float, high: float) -> QDoubleSpinBox:
    """A latitude or longitude; the lowest value shows as empty and means "not known"."""
    box = QDoubleSpinBox(decimals=6, minimum=low - 1, maximum=high, singleStep=0.001)
    box.setSpecialValueText("unknown")
    return box

