"""The tray icon and desktop notifications: quiet unless the councillor asks for them."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from networked_councillor.insights.alerts import Alert, check_alerts
from networked_councillor.ui.icons import source_icon


class Notifier(QObject):
    """After each fetch: new mentions and busy topics, if the councillor turned them on."""

    shown = Signal(object)  # Alert, for tests and the status bar
    activated = Signal(object)  # Alert clicked (or the tray icon)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window_ = window
        self.tray: QSystemTrayIcon | None = None
        self._last: Alert | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(source_icon("networked-councillor", "Networked Councillor", size=32), window)
            self.tray.setToolTip("Networked Councillor")
            menu = QMenu(window)
            menu.addAction("Show Networked Councillor", window.showNormal)
            menu.addAction(window.fetch_action)
            menu.addSeparator()
            menu.addAction(window.quit_action)
            self.tray.setContextMenu(menu)
            self.tray.messageClicked.connect(lambda: self.activated.emit(self._last))
            self.tray.activated.connect(lambda _reason: window.showNormal())
            self.tray.show()

    def check(self) -> list[Alert]:
        alerts = self.window_.app.perform(check_alerts, self.window_.ward.effective_threshold).value
        for alert in alerts:
            self._show(alert)
        return alerts

    def _show(self, alert: Alert) -> None:
        self._last = alert
        if self.tray is not None:
            self.tray.showMessage(alert.title, alert.message, QSystemTrayIcon.MessageIcon.Information, 10_000)
        self.window_.statusBar().showMessage(f"{alert.title}: {alert.message}", 15_000)
        self.shown.emit(alert)
