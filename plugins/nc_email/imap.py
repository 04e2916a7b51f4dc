"""Reading a mailbox folder over IMAP: only messages new since last time, by UID, never marking them read.

The folder is opened read-only and bodies are fetched with BODY.PEEK, so the councillor's mail client sees
nothing change. The plugin's state holds the folder's UIDVALIDITY and the highest UID stored; the app saves it
in the same transaction as the messages, so a connection that drops half-way stores nothing and the next fetch
reads the same messages again.
"""

from __future__ import annotations

import imaplib
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from networked_councillor.plugin_api import Cancelled, SourceError, utcnow

log = logging.getLogger(__name__)

BATCH = 25
"""Messages fetched per round trip: small enough that a 25 MB attachment does not hold many in memory."""
MAX_PER_FETCH = 500
"""A flood (a mailing list, an email bomb) is read 500 at a time, so one fetch stays short."""
LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class Mailbox:
    """One IMAP folder, as the email source reads it."""

    def __init__(self, host: str, port: int, security: str, username: str, folder: str,
                 login: Callable[[object], None], ssl_context: ssl.SSLContext, timeout: float = 30.0) -> None:
        if security == "none" and host not in LOOPBACK:
            raise SourceError(f"The mail server {host} would be reached without encryption.",
                              hint="Choose SSL/TLS (port 993) or STARTTLS in the source's settings.")
        self.host, self.port, self.security, self.username, self.folder = host, port, security, username, folder
        self.login, self.ssl_context, self.timeout = login, ssl_context, timeout

    @contextmanager
    def session(self) -> Iterator[object]:
        from imapclient import IMAPClient
        from imapclient.exceptions import LoginError

        try:
            client = IMAPClient(self.host, self.port, ssl=self.security == "ssl", ssl_context=self.ssl_context,
                                timeout=self.timeout)
            if self.security == "starttls":
                client.starttls(self.ssl_context)
        except ssl.SSLCertVerificationError as exc:
            raise SourceError(f"The mail server {self.host} showed a certificate this computer does not trust "
                              f"({exc.verify_message}).",
                              hint="Check the server's name. A council's own mail server may need IT to add its "
                                   "certificate authority to this computer.") from exc
        except (OSError, imaplib.IMAP4.error) as exc:
            raise SourceError(f"Could not reach the mail server {self.host}:{self.port} ({exc}).",
                              hint="Check the server's name and port, and that this computer is online.") from exc
        try:
            try:
                self.login(client)
            except LoginError as exc:
                raise SourceError(f"The mail server refused to sign in {self.username}.",
                                  hint="Check the user name and app password in the source's settings.") from exc
            yield client
        finally:
            try:
                client.logout()
            except Exception:  # noqa: S110 (a connection that already dropped cannot say goodbye)
                pass

    def new_messages(self, state: dict, since_days: int, cancel: threading.Event
                     ) -> Iterator[tuple[int, bytes]]:
        """(uid, message bytes) of messages not read before, oldest first; updates ``state`` as it goes."""
        try:
            with self.session() as client:
                yield from self._read(client, state, since_days, cancel)
        except (OSError, socket.timeout, imaplib.IMAP4.abort) as exc:
            raise SourceError(f"The mail server {self.host} closed the connection while the app was reading "
                              f"({type(exc).__name__}). Nothing from this run was stored; the same messages "
                              "are read again next time.") from exc
        except imaplib.IMAP4.error as exc:
            raise SourceError(f"The mail server {self.host} answered with an error: {exc}") from exc

    def _read(self, client, state: dict, since_days: int, cancel: threading.Event) -> Iterator[tuple[int, bytes]]:
        try:
            info = client.select_folder(self.folder, readonly=True)
        except Exception as exc:
            raise SourceError(f"There is no folder called {self.folder!r} on {self.host}.",
                              hint="Give the folder's name as your mail client shows it (INBOX for the inbox).") from exc
        validity = int(info.get(b"UIDVALIDITY", 0))
        where = f"{self.username}@{self.host}/{self.folder}"
        if state.get("mailbox") not in (None, where):  # another folder or server: its numbers mean nothing here
            state.pop("last_uid", None)
            state.pop("uidvalidity", None)
        state["mailbox"] = where
        if state.get("uidvalidity") not in (None, validity):  # the server renumbered the folder: read it afresh
            log.info("%s: UIDVALIDITY changed; reading the folder again", self.folder)
            state.pop("last_uid", None)
        state["uidvalidity"] = validity
        last = int(state.get("last_uid") or 0)
        if last:
            uids = [u for u in client.search(["UID", f"{last + 1}:*"]) if u > last]
        else:
            start = (utcnow() - timedelta(days=since_days)).date()
            uids = client.search(["SINCE", start])
        uids = sorted(uids)
        state["waiting"] = max(0, len(uids) - MAX_PER_FETCH)
        todo = uids[:MAX_PER_FETCH]
        for i in range(0, len(todo), BATCH):
            if cancel.is_set():
                raise Cancelled()
            batch = todo[i:i + BATCH]
            answers = client.fetch(batch, ["BODY.PEEK[]"])
            for uid in batch:
                data = answers.get(uid, {}).get(b"BODY[]")
                if isinstance(data, bytes):
                    yield uid, data
                state["last_uid"] = max(uid, int(state.get("last_uid") or 0))
        if not state["waiting"]:  # everything older than the first fetch's horizon is left behind for good
            state["last_uid"] = max(int(state.get("last_uid") or 0), int(info.get(b"UIDNEXT", 1)) - 1)
