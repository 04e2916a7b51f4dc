"""Signing in to a Mastodon server, for servers that show their timelines only to signed-in people.

OAuth 2 authorization code with a loopback redirect (RFC 8252) and PKCE: the app registers itself on the server
(POST /api/v1/apps, read access only), opens the server's own sign-in page in the browser, and catches the
answer on 127.0.0.1 at a port of its own. The councillor's password never passes through the app; the access
token goes to the keyring, where the source reads it like a pasted one.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from networked_councillor.plugin_api import SourceApi, SourceError

SCOPES = "read"
WAIT_SECONDS = 300.0
APP_NAME = "Networked Councillor"
APP_SITE = "https://github.com/networked-councillor"


class _Catcher(BaseHTTPRequestHandler):
    """Answers the browser's one visit to the redirect address, and hands its query to the app."""

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        parts = urlsplit(self.path)
        if parts.path != "/callback":
            self.send_error(404)
            return
        self.server.answer = {k: v[0] for k, v in parse_qs(parts.query).items()}
        ok = "code" in self.server.answer
        message = ("Signed in. You can close this tab and go back to Networked Councillor." if ok else
                   f"Not signed in: {self.server.answer.get('error_description') or self.server.answer.get('error')}")
        body = f"<!doctype html><meta charset=utf-8><title>{APP_NAME}</title><p>{html.escape(message)}</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.arrived.set()

    def log_message(self, *args) -> None:  # the query holds the one-time code: never logged
        pass


def sign_in(api: SourceApi, base: str, open_page: Callable[[str], None], say: Callable[[str], None],
            cancel: threading.Event, wait: float = WAIT_SECONDS) -> str:
    """Register, open the sign-in page, wait for the answer, keep the token; returns the account's name."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Catcher)
    server.answer, server.arrived = {}, threading.Event()
    redirect = f"http://127.0.0.1:{server.server_address[1]}/callback"
    worker = threading.Thread(target=server.serve_forever, daemon=True)
    worker.start()
    try:
        app = api.http.post(f"{base}/api/v1/apps", data={
            "client_name": APP_NAME, "redirect_uris": redirect, "scopes": SCOPES, "website": APP_SITE}).json()
        if not isinstance(app, dict) or not app.get("client_id") or not app.get("client_secret"):
            raise SourceError(f"{urlsplit(base).hostname} did not register the app for signing in.")
        verifier = secrets.token_urlsafe(48)
        state = secrets.token_urlsafe(16)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        page = f"{base}/oauth/authorize?" + urlencode({
            "client_id": app["client_id"], "redirect_uri": redirect, "response_type": "code", "scope": SCOPES,
            "state": state, "code_challenge": challenge, "code_challenge_method": "S256"})
        say(f"Sign in to {urlsplit(base).hostname} in the browser page that opened, then allow "
            f"{APP_NAME} to read. If no page opened, visit:\n{page}")
        open_page(page)
        waited = 0.0
        while not server.arrived.wait(0.25):
            waited += 0.25
            if cancel.is_set() or waited >= wait:
                raise SourceError("The sign-in was not completed in time." if not cancel.is_set() else
                                  "The sign-in was cancelled.")
        answer = server.answer
        if answer.get("state") != state:
            raise SourceError("The sign-in answer did not match the request (state); nothing was kept.")
        if "code" not in answer:
            raise SourceError(f"{urlsplit(base).hostname} did not sign you in: "
                              f"{answer.get('error_description') or answer.get('error') or 'no reason given'}.")
        token = api.http.post(f"{base}/oauth/token", data={
            "grant_type": "authorization_code", "code": answer["code"], "client_id": app["client_id"],
            "client_secret": app["client_secret"], "redirect_uri": redirect, "scope": SCOPES,
            "code_verifier": verifier}).json()
        if not isinstance(token, dict) or not token.get("access_token"):
            raise SourceError(f"{urlsplit(base).hostname} did not give the app a token.")
        api.secrets.set("access_token", token["access_token"])
        who = api.http.get(f"{base}/api/v1/accounts/verify_credentials",
                           headers={"Authorization": f"Bearer {token['access_token']}"}).json()
        return f"@{who.get('acct')}" if isinstance(who, dict) and who.get("acct") else "signed in"
    finally:
        server.shutdown()
        server.server_close()
