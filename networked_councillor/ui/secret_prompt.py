"""Asking for a password or key without ever showing it."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget


class SecretPrompt(QDialog):
    """Asks for a password or key without ever showing it."""

    def __init__(self, parent: QWidget, label: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(label)
        self.edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   accepted=self.accept, rejected=self.reject)
        layout = QFormLayout(self)
        layout.addRow(label, self.edit)
        layout.addRow(buttons)

    @classmethod
    def ask(cls, parent: QWidget, label: str) -> str | None:
        prompt = cls(parent, label)
        return prompt.edit.text() if prompt.exec() == QDialog.DialogCode.Accepted else None
