"""The small grey explanation shown under a setting: every setting says what it is for."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def help_label(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setProperty("role", "help")
    label.setTextFormat(Qt.TextFormat.AutoText)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label
