"""Loopback only: in training mode nothing may leave the computer, whichever library makes the request.

The guard sits below every HTTP client the app uses (its own, atproto's,
anything a plugin brings): name lookups and connections to anything but this
computer fail at once with a plain reason, so a trainee's practice reply can
never reach a real resident, and a lookup never even reaches a DNS server.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading

log = logging.getLogger(__name__)

REFUSAL = "Training mode: nothing leaves this computer, so {host} was not contacted."
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}

_lock = threading.Lock()
_saved: dict[str, object] = {}


class OffTheNetwork(ConnectionRefusedError):
    """A request to somewhere other than this computer, refused by training mode."""


def is_loopback(host: object) -> bool:
    name = str(host or "").strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def loopback_only() -> None:
    """From now on, in this process, only this computer can be reached (until `allow_network`)."""
    with _lock:
        if _saved:
            return
        _saved.update(getaddrinfo=socket.getaddrinfo, connect=socket.socket.connect,
                      connect_ex=socket.socket.connect_ex, create_connection=socket.create_connection)

        def getaddrinfo(host, *args, **kwargs):
            if host is not None:  # None is this computer (binding a local server)
                _check(host)
            return _saved["getaddrinfo"](host, *args, **kwargs)

        def connect(sock, address):
            _check_address(sock, address)
            return _saved["connect"](sock, address)

        def connect_ex(sock, address):
            _check_address(sock, address)
            return _saved["connect_ex"](sock, address)

        def create_connection(address, *args, **kwargs):
            _check(address[0])
            return _saved["create_connection"](address, *args, **kwargs)

        socket.getaddrinfo = getaddrinfo
        socket.socket.connect = connect
        socket.socket.connect_ex = connect_ex
        socket.create_connection = create_connection
    log.info("training mode: network access limited to this computer")


def allow_network() -> None:
    """Undo `loopback_only` (tests, and leaving training mode)."""
    with _lock:
        if not _saved:
            return
        socket.getaddrinfo = _saved["getaddrinfo"]
        socket.socket.connect = _saved["connect"]
        socket.socket.connect_ex = _saved["connect_ex"]
        socket.create_connection = _saved["create_connection"]
        _saved.clear()


def is_guarded() -> bool:
    return bool(_saved)


def _check_address(sock: socket.socket, address) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        _check(address[0])


def _check(host) -> None:
    if not is_loopback(host):
        log.warning("training mode refused a connection to %s", host)
        raise OffTheNetwork(REFUSAL.format(host=host or "the network"))
