"""The left pane: the ward, its views, topics, sources and saved searches."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from networked_councillor.store.inbox import VIEWS, InboxFilter
from networked_councillor.ui.icons import source_icon
from networked_councillor.ui.theme import current as current_theme

FilterRole = Qt.ItemDataRole.UserRole + 1


class Sidebar(QTreeWidget):
    """Each leaf holds a filter; choosing it shows that view in the inbox."""

    chosen = Signal(object)  # InboxFilter
    delete_saved = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setAccessibleName("Views, topics and sources")
        self.setRootIsDecorated(True)
        self.itemSelectionChanged.connect(self._selected)

    def populate(self, ward_name: str, topics: dict[str, str], sources: list[tuple[str, str, str, str, str | None]],
                 saved: list[dict]) -> None:
        """sources: (id, name, plugin, kind, the last fetch's problem or None); saved: {"name", "filter"} dicts.

        A source whose last fetch failed stays marked, its problem in its tooltip, until a fetch succeeds."""
        current = self.current_filter()
        self.blockSignals(True)
        self.clear()
        views = self._group(f"{ward_name} ward" if ward_name else "My ward")
        for view, label in VIEWS.items():
            self._leaf(views, label, InboxFilter(view=view))
        topic_group = self._group("Topics")
        for topic_id, name in topics.items():
            self._leaf(topic_group, name, InboxFilter(view="all", topic=topic_id))
        failing = sum(1 for *_rest, problem in sources if problem)
        source_group = self._group(f"Sources ({failing} with a problem)" if failing else "Sources")
        for source_id, name, plugin, kind, problem in sources:
            leaf = self._leaf(source_group, f"⚠ {name}" if problem else name,
                              InboxFilter(view="all", source_id=source_id))
            leaf.setIcon(0, source_icon(plugin, name, kind))
            if problem:
                leaf.setToolTip(0, f"The last fetch failed: {problem}")
                leaf.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{name}: the last fetch failed")
                leaf.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole, problem)
                leaf.setForeground(0, QColor(current_theme().danger))
        saved_group = self._group("Saved searches")
        for entry in saved:
            leaf = self._leaf(saved_group, entry["name"], InboxFilter.from_dict(entry["filter"]))
            leaf.setToolTip(0, "Press Delete to remove this saved search")
        topic_group.setExpanded(False)
        self.blockSignals(False)
        self.select_filter(current or InboxFilter())

    def _group(self, label: str) -> QTreeWidgetItem:
        group = QTreeWidgetItem(self, [label])
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        group.setExpanded(True)
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        return group

    @staticmethod
    def _leaf(parent: QTreeWidgetItem, label: str, f: InboxFilter) -> QTreeWidgetItem:
        leaf = QTreeWidgetItem(parent, [label])
        leaf.setData(0, FilterRole, f)
        return leaf

    def current_filter(self) -> InboxFilter | None:
        item = self.currentItem()
        return item.data(0, FilterRole) if item else None

    def select_filter(self, f: InboxFilter) -> None:
        """Highlight the leaf for ``f`` if there is one (without re-announcing it)."""
        self.blockSignals(True)
        self.setCurrentItem(None)
        for i in range(self.topLevelItemCount()):
            group = self.topLevelItem(i)
            for j in range(group.childCount()):
                leaf = group.child(j)
                if leaf.data(0, FilterRole) == f:
                    self.setCurrentItem(leaf)
        self.blockSignals(False)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        item = self.currentItem()
        if event.key() == Qt.Key.Key_Delete and item and item.parent() and item.parent().text(0) == "Saved searches":
            self.delete_saved.emit(item.text(0))
            return
        super().keyPressEvent(event)

    def _selected(self) -> None:
        f = self.current_filter()
        if f is not None:
            self.chosen.emit(f)
