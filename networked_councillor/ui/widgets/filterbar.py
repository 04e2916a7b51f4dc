"""Search and filters above the inbox."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base import clock
from networked_councillor.store.inbox import STATES, UNSURE, InboxFilter

SEARCH_HELP = """<b>Search</b> finds words anywhere in a post (newest found first).<br>
<tt>pothole mill</tt> &nbsp; posts with both words (and their forms: potholes)<br>
<tt>"oak road"</tt> &nbsp; the exact phrase<br>
<tt>bins OR recycling</tt> &nbsp; either word<br>
<tt>flooding NOT river</tt> &nbsp; leave out posts with a word<br>
<tt>park*</tt> &nbsp; words starting with park (parking, parks)<br>
<tt>title: closure</tt> &nbsp; only in titles"""
DATES = ("Any time", "Last 24 hours", "Last 7 days", "Last 30 days", "Between dates…")
STATE_NAMES = {"new": "New", "needs_reply": "Needs reply", "replied": "Replied", "done": "Done"}


class FilterBar(QWidget):
    """Emits ``changed`` with the filter fields it owns; the view (Inbox, Needs reply…) comes from the sidebar."""

    changed = Signal()
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        first, second = QHBoxLayout(), QHBoxLayout()
        layout.addLayout(first)
        layout.addLayout(second)
        self.search = QLineEdit(placeholderText="Search the ward's posts (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip(SEARCH_HELP)
        self.search.setAccessibleName("Search")
        self._debounce = QTimer(self, singleShot=True, interval=250, timeout=self.changed.emit)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self.changed.emit)
        self.topic = self._combo("Topic", [("Any topic", None)])
        self.sentiment = self._combo("Feeling", [("Any feeling", None), ("Negative", "negative"),
                                                 ("Neutral", "neutral"), ("Positive", "positive"),
                                                 ("Unsure", UNSURE)])
        self.source = self._combo("Source", [("Any source", None)])
        self.state = self._combo("State", [("Any state", None), *[(STATE_NAMES[s], s) for s in STATES]])
        self.dates = self._combo("Date range", [(d, d) for d in DATES])
        self.date_from = QDateEdit(calendarPopup=True, date=QDate(clock.today()).addDays(-7))
        self.date_to = QDateEdit(calendarPopup=True, date=QDate(clock.today()))
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date")):
            edit.setAccessibleName(name)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.dateChanged.connect(lambda _d: self.changed.emit())
            edit.hide()
        self.dates.currentIndexChanged.connect(self._dates_changed)
        self.clear_button = QPushButton("Clear", clicked=self.clear)
        self.clear_button.setAccessibleName("Clear search and filters")
        self.save_button = QPushButton("Save search…", clicked=lambda: self.save_requested.emit())
        self.save_button.setAccessibleName("Save this search as a view")
        first.addWidget(self.search, 1)
        first.addWidget(self.clear_button)
        first.addWidget(self.save_button)
        for widget in (self.topic, self.sentiment, self.source, self.state, self.dates, self.date_from, self.date_to):
            widget.setMinimumContentsLength(8) if isinstance(widget, QComboBox) else None
            second.addWidget(widget)
        second.addStretch(1)

    def _combo(self, name: str, entries: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        for label, value in entries:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return combo

    def set_choices(self, topics: dict[str, str], sources: list[tuple[str, str, str]]) -> None:
        for combo, entries, label in ((self.topic, list(topics.items()), "Any topic"),
                                      (self.source, [(s[0], s[1]) for s in sources], "Any source")):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(label, None)
            for value, name in entries:
                combo.addItem(name, value)
            if combo is self.topic:
                combo.addItem("Topic unsure", UNSURE)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def apply_to(self, f: InboxFilter) -> InboxFilter:
        since = until = None
        choice = self.dates.currentData()
        now = clock.utcnow()
        if choice == "Last 24 hours":
            since = now - timedelta(days=1)
        elif choice == "Last 7 days":
            since = now - timedelta(days=7)
        elif choice == "Last 30 days":
            since = now - timedelta(days=30)
        elif choice == "Between dates…":
            since = _start_of(self.date_from.date())
            until = _start_of(self.date_to.date().addDays(1))
        return f.with_(query=self.search.text().strip(), topic=self.topic.currentData(),
                       sentiment=self.sentiment.currentData(), source_id=self.source.currentData(),
                       state=self.state.currentData(),
                       since=since.isoformat(timespec="seconds") if since else None,
                       until=until.isoformat(timespec="seconds") if until else None)

    def show_filter(self, f: InboxFilter) -> None:
        """Set the controls to show ``f`` (from a saved search or a chart click)."""
        self.blockSignals(True)
        for combo in (self.topic, self.sentiment, self.source, self.state, self.dates):
            combo.blockSignals(True)
        self.search.blockSignals(True)
        self.search.setText(f.query)
        for combo, value in ((self.topic, f.topic), (self.sentiment, f.sentiment), (self.source, f.source_id),
                             (self.state, f.state)):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        if f.since or f.until:
            self.dates.setCurrentIndex(self.dates.findData("Between dates…"))
            local = lambda iso: datetime.fromisoformat(iso).astimezone().date()  # noqa: E731
            if f.since:
                self.date_from.setDate(QDate(local(f.since)))
            if f.until:
                self.date_to.setDate(QDate(local(f.until)).addDays(-1))
        else:
            self.dates.setCurrentIndex(0)
        self._show_dates()
        for combo in (self.topic, self.sentiment, self.source, self.state, self.dates):
            combo.blockSignals(False)
        self.search.blockSignals(False)
        self.blockSignals(False)

    def clear(self) -> None:
        self.show_filter(InboxFilter())
        self.changed.emit()

    def _dates_changed(self) -> None:
        self._show_dates()
        self.changed.emit()

    def _show_dates(self) -> None:
        custom = self.dates.currentData() == "Between dates…"
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)


def _start_of(day: QDate) -> datetime:
    return datetime.combine(day.toPython(), time()).astimezone().astimezone(timezone.utc)
