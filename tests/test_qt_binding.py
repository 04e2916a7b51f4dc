"""Guards against a Qt binding that loses references to None (PySide6 6.12.0 on Python 3.11 does).

Every time Qt hands Python an empty value, such a binding drops one reference to None;
after a few thousand, Python frees None and the app crashes mid-session (we saw it while
scrolling the inbox). pyproject.toml excludes the broken release; this test fails loudly
if another one arrives.
"""

import sys

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt


class Empty(QAbstractTableModel):
    def rowCount(self, parent=QModelIndex()):
        return 1

    def columnCount(self, parent=QModelIndex()):
        return 1

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        return None


def test_empty_values_from_qt_keep_none_alive(qapp):
    model = Empty()
    index = model.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(1000):
        index.data(Qt.ItemDataRole.UserRole)
        model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.UserRole)
    assert sys.getrefcount(None) >= before
