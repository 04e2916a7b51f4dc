"""A WebSocket connection read a tenth of a second at a time: websockets' protocol (Sans-I/O) over a plain socket.

Jetstream sends about 300 small messages a second. Read one by one (websockets' threaded or asyncio clients
wake for each), that cost 7-10% of a core doing little but waking up; read in ticks of 100 ms, letting the
operating system gather what arrived in between, the whole listener costs about 2% (bench/jetstream.py). The
protocol itself (handshake, framing, pings, closing) is websockets'; this only decides when to read.
A proxy from the environment or the system settings is used with HTTP CONNECT, as browsers do.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
import urllib.request
from urllib.parse import urlsplit

from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

TICK = 0.1
READ = 1 << 20


class StreamError(Exception):
    """The connection could not be made or was lost (the message says which, in words)."""


class Stream:
    def __init__(self, url: str, *, ssl_context: ssl.SSLContext, timeout: float = 15.0,
                 user_agent: str = "Networked Councillor", max_size: int = 2**22) -> None:
        uri = parse_uri(url)
        self.host = uri.host
        try:
            raw = _open(uri.host, uri.port, uri.secure, timeout)
            self.sock = ssl_context.wrap_socket(raw, server_hostname=uri.host) if uri.secure else raw
        except OSError as exc:
            raise StreamError(f"could not connect ({exc})") from exc
        try:
            self._handshake(uri, user_agent, max_size, timeout)
        except BaseException:
            self.sock.close()
            raise

    def _handshake(self, uri, user_agent: str, max_size: int, timeout: float) -> None:
        self.protocol = ClientProtocol(uri, max_size=max_size)
        request = self.protocol.connect()
        request.headers["User-Agent"] = user_agent
        self.protocol.send_request(request)
        self._send()
        deadline = time.monotonic() + timeout
        self.pending: list[str] = []
        while self.protocol.state is State.CONNECTING:
            if time.monotonic() > deadline:
                raise StreamError("the service did not answer the connection in time")
            self._read(TICK)
        if self.protocol.handshake_exc is not None:
            raise StreamError(f"the service refused the connection ({self.protocol.handshake_exc})")

    def messages(self, wait: float = TICK, cancel: threading.Event | None = None) -> list[str]:
        """What arrived in the next ``wait`` seconds (less, if ``cancel`` is set); `StreamError` once it has closed
        and everything that came before the close has been handed out."""
        if self.protocol.state is not State.CLOSED:
            (cancel or threading.Event()).wait(wait)  # a tick's messages gather in the OS's buffer: one wake-up
            self._read(0)
        found, self.pending = self.pending, []
        if not found and self.protocol.state is State.CLOSED:
            raise StreamError(f"the service closed the connection ({self.protocol.close_exc})")
        return found

    def _read(self, wait: float) -> None:
        ready = self._pending_bytes() or select.select([self.sock], [], [], wait)[0]
        while ready:
            try:
                data = self.sock.recv(READ)
            except (OSError, ssl.SSLError) as exc:
                raise StreamError(f"the connection was lost ({exc})") from exc
            if data:
                self.protocol.receive_data(data)
            else:
                self.protocol.receive_eof()
            self._take_events()
            self._send()
            if not data:
                break
            ready = self._pending_bytes() or select.select([self.sock], [], [], 0)[0]

    def _take_events(self) -> None:
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                continue
            if event.opcode is Opcode.TEXT:
                self.pending.append(event.data.decode("utf-8", "replace"))
            elif event.opcode is Opcode.BINARY:
                self.pending.append(bytes(event.data).decode("utf-8", "replace"))

    def _pending_bytes(self) -> bool:
        return isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0

    def _send(self) -> None:
        for chunk in self.protocol.data_to_send():
            try:
                if chunk:
                    self.sock.sendall(chunk)
                else:  # websockets' way of saying "half-close now"
                    self.sock.shutdown(socket.SHUT_WR)
            except OSError as exc:
                raise StreamError(f"the connection was lost ({exc})") from exc

    def close(self) -> None:
        try:
            if self.protocol.state is State.OPEN:
                self.protocol.send_close()
                self._send()
        except (StreamError, ConnectionClosed, InvalidHandshake):
            pass
        finally:
            self.sock.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _open(host: str, port: int, secure: bool, timeout: float) -> socket.socket:
    """A TCP connection to ``host``, through the system's HTTPS proxy when one is set."""
    proxy = urllib.request.getproxies().get("https" if secure else "http")
    if not proxy or urllib.request.proxy_bypass(host) or host in ("localhost", "127.0.0.1", "::1"):
        return socket.create_connection((host, port), timeout=timeout)
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    sock = socket.create_connection((parts.hostname, parts.port or 8080), timeout=timeout)
    sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    status = answer.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or status[1] != b"200":
        sock.close()
        raise OSError(f"the proxy {parts.hostname} refused the tunnel: {answer[:80]!r}")
    return sock
