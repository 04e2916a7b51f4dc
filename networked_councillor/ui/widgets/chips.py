"""Topic chips in the inbox: small rounded labels, painted rather than made of widgets (fast for long lists)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from networked_councillor.ui.itemmodels.inbox import TopicsRole


class TopicChipDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        topics = index.data(TopicsRole) or []
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(option.font)
        x = option.rect.x() + 4
        height = metrics.height() + 2
        y = option.rect.y() + (option.rect.height() - height) / 2
        base = option.palette.color(QPalette.ColorRole.Highlight)
        for position, name in enumerate(topics):
            room = option.rect.right() - 2 - x
            width = metrics.horizontalAdvance(name) + 12
            if width > room:
                if position > 0 or room < 40:
                    break
                name = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room - 12)  # the primary always shows
                width = room
            chip = QColor(base)
            chip.setAlpha(200 if position == 0 else 70)
            painter.setBrush(chip)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(QRectF(x, y, width, height), height / 2, height / 2)
            selected = option.state & QStyle.StateFlag.State_Selected
            text_colour = option.palette.color(QPalette.ColorRole.HighlightedText if position == 0 or selected
                                               else QPalette.ColorRole.Text)
            painter.setPen(text_colour)
            painter.drawText(QRectF(x, y, width, height), Qt.AlignmentFlag.AlignCenter, name)
            x += width + 4
        painter.restore()
