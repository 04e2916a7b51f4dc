"""Multi-line text boxes that do not trap the keyboard."""

from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit


def text_box(text: str = "", *, placeholder: str = "") -> QPlainTextEdit:
    """A text box where Tab moves on to the next control, as everywhere else (Ctrl+Tab types a tab)."""
    box = QPlainTextEdit(text)
    box.setTabChangesFocus(True)
    if placeholder:
        box.setPlaceholderText(placeholder)
    return box
