"""Windows that fit the screen they open on: council laptops are often 1366x768."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

MARGIN = 24
"""Room left for the window's frame and title bar, so nothing of it falls off the screen."""


def available(widget: QWidget | None = None) -> QRect:
    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_on_screen(window: QWidget, width: int, height: int) -> None:
    """Open at the size the window was designed for, or at as much of the screen as there is."""
    room = available(window)
    window.resize(min(width, room.width() - MARGIN), min(height, room.height() - MARGIN * 2))


def keep_on_screen(window: QWidget) -> None:
    """A remembered size and place that no longer fit (a smaller screen, an unplugged monitor) are brought in."""
    room = available(window)
    frame = window.frameGeometry()
    width, height = min(frame.width(), room.width()), min(frame.height(), room.height())
    if (width, height) != (frame.width(), frame.height()) or not room.contains(frame):
        window.resize(max(1, window.width() - (frame.width() - width)),
                      max(1, window.height() - (frame.height() - height)))
        x = min(max(frame.x(), room.left()), room.right() - width + 1)
        y = min(max(frame.y(), room.top()), room.bottom() - height + 1)
        window.move(x, y)
