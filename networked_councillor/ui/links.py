"""Opening an address in the browser: web and email addresses only, and a plain reason when it cannot.

Addresses come from feeds and posts, which anyone can write: a ``file:`` or
``smb:`` link would open a file or a network share on the council laptop.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

OPENABLE = ("http", "https", "mailto")


def open_address(address: str | QUrl) -> str | None:
    """Open ``address`` in the browser (or mail program): None when it opened, else why not, in words."""
    url = QUrl(address) if isinstance(address, str) else address
    scheme = url.scheme().lower()
    if scheme not in OPENABLE:
        kind = f"a {scheme}: address" if scheme else "this address"
        return f"Not opened: the app opens only web and email addresses, and this is {kind}."
    if not QDesktopServices.openUrl(url):
        QGuiApplication.clipboard().setText(url.toString())
        return "No web browser could be opened. The address is copied: paste it into your browser."
    return None
