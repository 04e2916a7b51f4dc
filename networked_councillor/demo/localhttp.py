"""A small HTTP server on 127.0.0.1, in a background thread, for the demo's stand-ins for real services."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(dispatch: Callable[[BaseHTTPRequestHandler], None]) -> ThreadingHTTPServer:
    """Start serving GET and POST with ``dispatch`` on a free port of this computer; quiet, never crashing."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            dispatch(self)

        def do_POST(self) -> None:  # noqa: N802
            dispatch(self)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address) -> None:
            pass

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server
