"""Small drawn icons, so the app ships no image files and every source kind is told apart at a glance."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

PLUGIN_COLOURS = {
    "rss": "#e8710a", "bluesky": "#1185fe", "mastodon": "#6364ff", "discourse": "#2b7a4b", "reddit": "#ff4500",
    "fixmystreet": "#f2b705", "citizenspace": "#7b5ea7", "moderngov": "#4a6fa5", "planning": "#8c6d46",
}


@lru_cache(maxsize=64)
def source_icon(plugin: str, size: int = 16) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(PLUGIN_COLOURS.get(plugin, "#607080")))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(QRectF(0, 0, size, size))
    painter.setPen(QColor("white"))
    font = QFont()
    font.setPixelSize(int(size * 0.62))
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, (plugin[:1] or "?").upper())
    painter.end()
    return QIcon(pixmap)
