"""The inbox's table view: a row per post, chips for topics, columns a councillor can hide."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView

from networked_councillor.ui.itemmodels.inbox import COLUMN_NAMES, POST, RELEVANCE, TOPICS, InboxModel
from networked_councillor.ui.widgets.chips import TopicChipDelegate


class InboxTable(QTableView):
    """The inbox view: the source column shows the source's icon; chips paint the topics.

    Relevance is hidden at first (the item pane shows it, and a laptop screen needs the room for the post);
    right-click the header to show or hide any column but the post.
    """

    def __init__(self, model: InboxModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setAccessibleName("Inbox")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setItemDelegateForColumn(TOPICS, TopicChipDelegate(self))
        header = self.horizontalHeader()
        for column, width in enumerate((28, 110, 0, 140, 76, 72, 64)):
            if width:
                self.setColumnWidth(column, width)
        header.setSectionResizeMode(POST, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.setColumnHidden(RELEVANCE, True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)

    def _column_menu(self, position) -> None:
        menu = QMenu(self)
        for column, name in enumerate(COLUMN_NAMES):
            if column == POST:
                continue
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(column))
            action.toggled.connect(lambda shown, c=column: self.setColumnHidden(c, not shown))
        menu.popup(self.horizontalHeader().mapToGlobal(position))
