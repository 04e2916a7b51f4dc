"""The inbox table: a QAbstractTableModel over item ids, paged from the store.

Ids arrive a page at a time (Qt's canFetchMore/fetchMore, driven by the
scroll bar), and the text of a row is read only when the view asks for it,
a block of rows at a time, into a bounded cache. So a view of a million
items costs a few pages of ids and a few hundred cached rows.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from networked_councillor.base import clock
from networked_councillor.store import Store
from networked_councillor.store import inbox as inbox_store
from networked_councillor.store.inbox import InboxFilter
from networked_councillor.ui.icons import source_icon
from networked_councillor.ui.theme import current as current_theme

Index = QModelIndex | QPersistentModelIndex
ItemIdRole = Qt.ItemDataRole.UserRole + 1
TopicsRole = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("", "From", "Post", "Topics", "Feeling", "Relevance", "When")
COLUMN_NAMES = ("Source", "From", "Post", "Topics", "Feeling", "Relevance", "When")
SOURCE, AUTHOR, POST, TOPICS, FEELING, RELEVANCE, WHEN = range(7)
FEELINGS = {"negative": "Negative", "neutral": "Neutral", "positive": "Positive"}
UNSURE = "Unsure"
"""Shown instead of a label the model is not sure enough of (below its calibrated threshold)."""
CACHE_ROWS = 2000
_DISPLAY, _ACCESSIBLE, _DESCRIPTION, _TOOLTIP, _DECORATION, _FONT, _FOREGROUND, _ALIGN, _ID, _TOPICS = (
    int(r) for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                     Qt.ItemDataRole.AccessibleDescriptionRole, Qt.ItemDataRole.ToolTipRole,
                     Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ForegroundRole,
                     Qt.ItemDataRole.TextAlignmentRole, ItemIdRole, TopicsRole))
_SERVED = frozenset((_DISPLAY, _ACCESSIBLE, _DESCRIPTION, _TOOLTIP, _DECORATION, _FONT, _FOREGROUND, _ALIGN, _ID,
                     _TOPICS))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
BLOCK = 100


@lru_cache(maxsize=1)
def _bold() -> QFont:
    """The font of new items (made once, after the QApplication)."""
    font = QFont()
    font.setBold(True)
    return font


def _dim() -> QBrush:
    """Done items, dimmed, yet still readable (the theme's quieter text colour, 4.5:1 or more)."""
    return QBrush(QColor(current_theme().placeholder))


class InboxModel(QAbstractTableModel):
    def __init__(self, store: Store, topic_names: dict[str, str] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.topic_names = topic_names or {}
        self.filter = InboxFilter()
        self._ids: list[int] = []
        self._cursor: inbox_store.Cursor = None
        self._exhausted = True
        self._cache: OrderedDict[int, dict] = OrderedDict()
        self._now = clock.now_iso()

    # ---- loading -------------------------------------------------------------

    def set_filter(self, f: InboxFilter) -> None:
        self.beginResetModel()
        self.filter = f
        self._ids, self._cursor, self._exhausted = [], None, False
        self._cache.clear()
        self._now = clock.now_iso()
        self._load_page()
        self.endResetModel()

    def refresh(self) -> None:
        """Reload after the data changed, keeping as many rows loaded as before."""
        wanted = len(self._ids)
        self.set_filter(self.filter)
        while len(self._ids) < wanted and not self._exhausted:
            self.fetchMore(QModelIndex())

    def invalidate(self, ids: list[int]) -> None:
        """Rows whose data changed but whose place in the view did not."""
        for item_id in ids:
            self._cache.pop(item_id, None)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def _load_page(self) -> int:
        with self.store.read() as db:
            found = inbox_store.page(db, self.filter, self._now, self._cursor)
        if len(found) < inbox_store.PAGE:
            self._exhausted = True
        if found:
            self._cursor = inbox_store.next_cursor(self.filter, found[-1])
            self._ids.extend(item_id for item_id, _ in found)
        return len(found)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        with self.store.read() as db:
            found = inbox_store.page(db, self.filter, self._now, self._cursor)
        if len(found) < inbox_store.PAGE:
            self._exhausted = True
        if not found:
            return
        start = len(self._ids)
        self.beginInsertRows(QModelIndex(), start, start + len(found) - 1)
        self._cursor = inbox_store.next_cursor(self.filter, found[-1])
        self._ids.extend(item_id for item_id, _ in found)
        self.endInsertRows()

    def _row(self, position: int) -> dict | None:
        item_id = self._ids[position]
        row = self._cache.get(item_id)
        if row is not None:
            self._cache.move_to_end(item_id)
            return row
        block = self._ids[max(0, position - BLOCK // 4): position + BLOCK]
        with self.store.read() as db:
            fetched = inbox_store.rows(db, [i for i in block if i not in self._cache])
        self._cache.update(fetched)
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)
        return self._cache.get(item_id)

    # ---- the model API ---------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return COLUMN_NAMES[section]
        return None

    def item_id(self, position: int) -> int:
        return self._ids[position]

    def position_of(self, item_id: int) -> int | None:
        try:
            return self._ids.index(item_id)
        except ValueError:
            return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        if role not in _SERVED or not index.isValid() or index.row() >= len(self._ids):
            return None  # most of what a view asks, answered without touching the row cache
        if role == _ID:
            return self._ids[index.row()]
        row = self._row(index.row())
        if row is None:
            return None
        column = index.column()
        if role == _DISPLAY:
            return "" if column == SOURCE else self._display(row, column)
        if role == _ACCESSIBLE:
            return self._spoken(row, column)
        if role == _DESCRIPTION:  # a screen reader says it after any cell's name: the row as one sentence
            return ". ".join(self._spoken(row, c) for c in (AUTHOR, POST, TOPICS, FEELING, WHEN))
        if role == _TOOLTIP:
            return self._tooltip(row, column)
        if role == _DECORATION:
            return source_icon(row["plugin"] or "", row["source_name"] or "", row["kind"] or "") \
                if column == SOURCE else None
        if role == _TOPICS:  # the chips: a topic the model is unsure of carries a "?"
            names = [self.topic_names.get(t, t) for t in row["topics"][:3]]
            return [f"{names[0]}?", *names[1:]] if row["topic_unsure"] and names else names
        if role == _FONT:
            return _bold() if row["state"] == "new" else None
        if role == _FOREGROUND:
            return _dim() if row["state"] == "done" else None
        return _RIGHT if column == RELEVANCE else None  # alignment

    def _display(self, row: dict, column: int) -> str:
        if column == SOURCE:
            return row["source_name"] or row["source_id"]
        if column == AUTHOR:
            return posted_by(row["author"], row["kind"], row["source_name"])
        if column == POST:
            # ★ rather than 📌: every system font has it
            marks = ("★ " if row["pinned"] else "") + ("@ " if row["mentions_me"] else "")
            title = row["title"]
            text = " ".join((row["preview"] or "").split())
            return marks + (f"{title}: {text}" if title and not text.startswith(title) else text or title or "")
        if column == TOPICS:
            names = ", ".join(self.topic_names.get(t, t) for t in row["topics"][:3])
            return f"{UNSURE}: {names}?" if row["topic_unsure"] and names else names
        if column == FEELING:
            return UNSURE if row["sentiment_unsure"] else FEELINGS.get(row["sentiment"] or "", "")
        if column == RELEVANCE:
            return f"{row['relevance']:.0%}"
        return _when(row["created_at"])

    def _spoken(self, row: dict, column: int) -> str:
        """A cell as a screen reader should say it: words for the marks and the icon, and never nothing."""
        if column == POST:
            marks = ("Pinned. " if row["pinned"] else "") + ("Mentions you. " if row["mentions_me"] else "")
            return marks + self._display(row, column).removeprefix("★ ").removeprefix("@ ")[:300]
        if column == WHEN:
            return self._tooltip(row, column) or "Date not known"
        if column == TOPICS:
            return f"Topic: {self._display(row, column)}" if row["topics"] else "No topic yet"
        if column == RELEVANCE:
            return f"Relevance {self._display(row, column)}"
        empty = {FEELING: "No feeling yet", SOURCE: "Unknown source"}
        return self._display(row, column) or empty.get(column, "")

    def _tooltip(self, row: dict, column: int) -> str:
        if column == POST:
            return (row["preview"] or row["title"] or "")[:400]
        if column == WHEN and row["created_at"]:
            return datetime.fromisoformat(row["created_at"]).astimezone().strftime("%A %d %B %Y, %H:%M")
        return self._display(row, column)


def posted_by(author: str | None, kind: str | None, source_name: str | None) -> str:
    """Who a post is from. FixMyStreet and council feeds give no name, and "Unknown author" says nothing
    useful: a street report is a resident's, and a notice is its source's."""
    if author:
        return author
    return "A resident's report" if kind == "report" else source_name or "No name given"


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso).astimezone()
    today = clock.today()
    if moment.date() == today:
        return moment.strftime("%H:%M")
    if moment.year == today.year:
        return moment.strftime("%d %b")
    return moment.strftime("%d %b %Y")
