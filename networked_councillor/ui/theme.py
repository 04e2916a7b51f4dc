"""Light, dark and high-contrast themes (Fusion style, so they look the same on every laptop)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = {"light": "Light", "dark": "Dark", "contrast": "High contrast"}

_DARK = {
    QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1f1f1f", QPalette.ColorRole.AlternateBase: "#292929",
    QPalette.ColorRole.Text: "#e8e8e8", QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e8e8e8", QPalette.ColorRole.Highlight: "#3d7bd9",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#353535",
    QPalette.ColorRole.ToolTipText: "#e8e8e8", QPalette.ColorRole.Link: "#7fb2ff",
    QPalette.ColorRole.PlaceholderText: "#9a9a9a",
}
_CONTRAST = {
    QPalette.ColorRole.Window: "#000000", QPalette.ColorRole.WindowText: "#ffffff",
    QPalette.ColorRole.Base: "#000000", QPalette.ColorRole.AlternateBase: "#101010",
    QPalette.ColorRole.Text: "#ffffff", QPalette.ColorRole.Button: "#000000",
    QPalette.ColorRole.ButtonText: "#ffff00", QPalette.ColorRole.Highlight: "#ffff00",
    QPalette.ColorRole.HighlightedText: "#000000", QPalette.ColorRole.ToolTipBase: "#000000",
    QPalette.ColorRole.ToolTipText: "#ffffff", QPalette.ColorRole.Link: "#00ffff",
    QPalette.ColorRole.PlaceholderText: "#c0c0c0",
}
_CONTRAST_CSS = "*:focus { outline: 3px solid #ffff00; border: 2px solid #ffff00; }"


def apply_theme(app: QApplication, name: str) -> None:
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    colours = {"dark": _DARK, "contrast": _CONTRAST}.get(name, {})
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    app.setStyleSheet(_CONTRAST_CSS if name == "contrast" else "")
