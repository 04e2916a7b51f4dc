"""What an empty inbox says: never a blank table, always the next step."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyInbox(QWidget):
    """Shown in place of the inbox when it has nothing to show, with buttons for what to do about it."""

    def __init__(self, actions: dict[str, tuple[str, object]]) -> None:
        """``actions``: key -> (button text, slot) for "ward", "demo", "sources", "fetch" and "clear"."""
        super().__init__()
        self.message = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.message.setObjectName("subheading")
        self.message.setAccessibleName("The inbox is empty")
        self.buttons = {key: QPushButton(text, clicked=lambda _=False, slot=slot: slot())
                        for key, (text, slot) in actions.items()}
        row = QHBoxLayout()
        row.addStretch(1)
        for button in self.buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addLayout(row)
        layout.addStretch(2)

    def explain(self, *, ward_set_up: bool, sources: int, fetched: bool, filtered: bool) -> None:
        """Say why the inbox is empty and offer the one or two things that would fill it."""
        if not ward_set_up and not sources:
            text, offer = ("Your inbox is empty because the app does not know your ward yet. Set it up from one "
                           "of its postcodes, or look around the demo ward first."), ("ward", "demo")
        elif not sources:
            text, offer = ("No sources yet: add your ward's feeds, forums and Bluesky in Settings, or open the "
                           "demo ward to see how it works."), ("sources", "demo")
        elif filtered:
            text, offer = "Nothing here matches these filters.", ("clear",)
        elif not fetched:
            text, offer = "Your sources have not been fetched yet.", ("fetch", "sources")
        else:
            text, offer = ("Nothing from your sources mentions your ward yet. Check the ward's streets and places "
                           "in Settings, or fetch again later."), ("fetch", "sources")
        self.message.setText(text)
        for key, button in self.buttons.items():
            button.setVisible(key in offer)
