"""A real HTTP server on 127.0.0.1 for tests: serves canned replies, misbehaves on request."""

from __future__ import annotations

import gzip as gziplib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    hold: threading.Event | None = None  # answer only once the test sets it: a reply in flight, without a clock
    gzip: bool = False
    truncate: bool = False  # promise the full length, send half, hang up
    chunked: bool = False  # no Content-Length
    drip: float = 0.0  # send the body a byte at a time, this many seconds apart (a slow-loris server: realtime)
    cut: bool = False  # no Content-Length: send half the body and hang up, as if it were all


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class LocalServer:
    def __init__(self, tls=None) -> None:
        """``tls``: an ``ssl.SSLContext`` with the server's certificate, to serve https."""
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Request] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self)

            def do_POST(self) -> None:
                server._handle(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address) -> None:
                pass  # clients that hang up early are part of the tests

        self._httpd = Server(("127.0.0.1", 0), Handler)
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *replies: Reply) -> str:
        """Serve these replies in turn at ``path``; the last one repeats."""
        self.routes[path] = list(replies)
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        self.requests.append(Request(h.command, h.path, {k.lower(): v for k, v in h.headers.items()}, body))
        replies = self.routes.get(h.path.split("?")[0])
        if not replies:
            h.send_response(404)
            h.send_header("Content-Length", "9")
            h.end_headers()
            h.wfile.write(b"not found")
            return
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if reply.hold is not None:
            reply.hold.wait()
        if reply.etag and h.headers.get("If-None-Match") == reply.etag:
            return self._not_modified(h)
        if reply.last_modified and h.headers.get("If-Modified-Since") == reply.last_modified:
            return self._not_modified(h)
        payload = gziplib.compress(reply.body) if reply.gzip else reply.body
        h.send_response(reply.status)
        for key, value in reply.headers.items():
            h.send_header(key, value)
        if reply.gzip:
            h.send_header("Content-Encoding", "gzip")
        if reply.etag:
            h.send_header("ETag", reply.etag)
        if reply.last_modified:
            h.send_header("Last-Modified", reply.last_modified)
        if reply.chunked:
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            for start in range(0, len(payload), 65536):
                chunk = payload[start : start + 65536]
                try:
                    h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    return
            h.wfile.write(b"0\r\n\r\n")
            return
        if reply.cut:
            h.send_header("Connection", "close")
            h.end_headers()
            h.wfile.write(payload[: len(payload) // 2])
            h.close_connection = True
            return
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        if reply.drip:
            for byte in payload:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                time.sleep(reply.drip)
            return
        if reply.truncate:
            h.wfile.write(payload[: len(payload) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        h.wfile.write(payload)

    @staticmethod
    def _not_modified(h: BaseHTTPRequestHandler) -> None:
        h.send_response(304)
        h.send_header("Content-Length", "0")
        h.end_headers()
