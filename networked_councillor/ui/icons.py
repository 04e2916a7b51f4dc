"""Small drawn icons, so the app ships no image files and every source is told apart at a glance.

A source's icon is its own initial on a colour for what it brings: the platform's colour for Bluesky,
Mastodon, Reddit and the rest, and for plain feeds the colour of their kind (street reports, news,
forum posts, council business), so the FixMyStreet feed and the local paper no longer look alike.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

PLUGIN_COLOURS = {
    "bluesky": "#1160c9", "mastodon": "#5150d9", "discourse": "#2b7a4b", "reddit": "#c73a00",
    "fixmystreet": "#8a6a00", "citizenspace": "#6d4f9b", "moderngov": "#3f5f91", "planning": "#7a5c38",
}
KIND_COLOURS = {
    "report": "#8a6a00", "article": "#55606e", "post": "#2b7a4b", "consultation": "#6d4f9b",
    "meeting": "#3f5f91", "planning": "#7a5c38", "email": "#0b6e75",
}
FEED_COLOUR = "#b35400"


def source_colour(plugin: str, kind: str = "") -> str:
    if plugin in PLUGIN_COLOURS:
        return PLUGIN_COLOURS[plugin]
    return KIND_COLOURS.get(kind, FEED_COLOUR)


def source_icon(plugin: str, name: str = "", kind: str = "", size: int = 16) -> QIcon:
    """The icon of a source called ``name`` (its initial), of ``plugin``, bringing items of ``kind``."""
    initial = next((c for c in name.removeprefix("r/") if c.isalnum()), plugin[:1] or "?").upper()
    return _icon(initial, source_colour(plugin, kind), size)


@lru_cache(maxsize=256)
def _icon(letter: str, colour: str, size: int) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(QRectF(0, 0, size, size))
    painter.setPen(QColor("white"))  # every colour above carries white text at 4.5:1 or more
    font = QFont()
    font.setPixelSize(int(size * 0.62))
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, letter)
    painter.end()
    return QIcon(pixmap)
