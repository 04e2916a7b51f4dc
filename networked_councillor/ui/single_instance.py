"""One window per data folder: starting the app again brings the open window to the front.

Two copies of the app on one database would be two writers (and two sets of timers fetching at once). The first
copy listens on a local socket named after its data folder; a second copy finds it there, asks it to come to the
front, and exits without opening the database.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

SHOW = b"show\n"
WAIT_MS = 1000


def socket_name(data_dir: Path, training: bool = False) -> str:
    key = f"{Path(data_dir).resolve()}|{'training' if training else 'app'}"
    return "networked-councillor-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def hand_over(name: str) -> bool:
    """True when another copy of the app is listening on ``name`` and has been asked to come to the front."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(WAIT_MS):
        return False
    socket.write(SHOW)
    socket.waitForBytesWritten(WAIT_MS)
    socket.disconnectFromServer()
    return True


class FirstInstance(QObject):
    """Listens for later copies of the app; `show_requested` when one asks."""

    show_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)  # this user's copies only
        QLocalServer.removeServer(name)  # a socket left behind by a copy that crashed
        self.listening = self.server.listen(name)
        self.server.newConnection.connect(self._connected)

    def _connected(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if SHOW.strip() in bytes(socket.readAll()):
            self.show_requested.emit()


def bring_to_front(window) -> None:
    window.showNormal()
    window.raise_()
    window.activateWindow()
