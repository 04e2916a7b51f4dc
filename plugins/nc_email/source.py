"""Casework email: a mailbox folder read over IMAP, and .eml/.msg files a councillor drags in.

Signing in takes an app password (most providers) or, for Microsoft 365, an OAuth2 token from a device-code
sign-in (`nc_email.microsoft`); either way the secret lives in the keyring. A source with no server set holds
only the emails brought in by hand.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import PurePath

from nc_email.imap import MAX_PER_FETCH, Mailbox
from nc_email.message import read_eml
from nc_email.outlook import read_msg
from networked_councillor.plugin_api import (
    API_VERSION,
    ConfigField,
    Progress,
    RawItem,
    SourceApi,
    SourceError,
)
from networked_councillor.plugin_api.http import system_trust

log = logging.getLogger(__name__)

SECURITY = ("ssl", "starttls", "none")
SIGN_IN = ("app password", "microsoft 365")


class EmailSource:
    id = "email"
    name = "Email (casework)"
    api_version = API_VERSION
    file_types = (".eml", ".msg")
    config_fields = (
        ConfigField("host", "Mail server (IMAP)", "text",
                    help="For example imap.gmail.com or outlook.office365.com. Leave empty for a source that only "
                         "holds emails you drag onto the window."),
        ConfigField("port", "Port", "int", default=993, minimum=1, maximum=65535),
        ConfigField("security", "Security", "choice", default="ssl", choices=SECURITY,
                    help="ssl: port 993. starttls: port 143. none: only for a server on this computer."),
        ConfigField("username", "User name", "text", help="Usually your email address."),
        ConfigField("folder", "Folder", "text", default="INBOX",
                    help="The folder to read, as your mail client names it. A folder for casework keeps "
                         "newsletters out."),
        ConfigField("sign_in", "Sign in with", "choice", default="app password", choices=SIGN_IN),
        ConfigField("password", "App password", "secret",
                    help="An app password made in your email account's security settings, not your main password."),
        ConfigField("client_id", "Microsoft 365 application id", "text",
                    help="Only for Microsoft 365: the id of the app your council's IT registered in Entra ID."),
        ConfigField("tenant", "Microsoft 365 tenant", "text", default="organizations",
                    help="Your council's tenant id or domain (Microsoft 365 only)."),
        ConfigField("first_days", "On the first fetch, read the last (days)", "int", default=14, minimum=1,
                    maximum=365),
    )

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        self.host = str(api.config.get("host") or "").strip()

    @staticmethod
    def read_file(name: str, data: bytes) -> list[RawItem]:
        """A dropped or imported file: .eml (any mail client) or .msg (Outlook)."""
        suffix = PurePath(name).suffix.lower()
        if suffix == ".msg":
            return [read_msg(name, data)]
        if suffix == ".eml":
            return [read_eml(name, data)]
        raise SourceError(f"{name} is not an email file the app reads (.eml or .msg).")

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        if not self.host:
            return []  # holds only the emails brought in by hand
        mailbox = self.mailbox()
        items: list[RawItem] = []
        progress(None, f"reading {mailbox.folder} on {self.host}")
        days = int(self.api.config.get("first_days") or 14)
        for uid, data in mailbox.new_messages(self.api.state, days, cancel):
            try:
                item = read_eml(f"message {uid}", data)
            except SourceError as exc:  # one broken message must not stop the folder
                self.api.warn(str(exc))
                continue
            item.extra = {**item.extra, "mailbox": f"{self.host}/{mailbox.folder}", "imap_uid": uid}
            items.append(item)
        waiting = self.api.state.pop("waiting", 0)
        if waiting:
            self.api.warn(f"{waiting + MAX_PER_FETCH} new messages in {mailbox.folder}: the first {MAX_PER_FETCH} "
                          "were read, the rest come with the next fetches. If they are not casework (a mailing "
                          "list, a flood), move them out of the folder.")
        progress(1.0, f"{len(items)} new emails")
        return items

    def sign_in(self, open_page, say, cancel: threading.Event) -> str:
        """Microsoft 365: a device-code sign-in (a code to type at microsoft.com/devicelogin, in any browser)."""
        if self.api.config.get("sign_in") != "microsoft 365":
            raise SourceError("This mailbox signs in with an app password: give it in the source's settings.")
        from nc_email.microsoft import sign_in

        return sign_in(self.api, say, cancel=cancel)

    def mailbox(self) -> Mailbox:
        config = self.api.config
        username = str(config.get("username") or "").strip()
        if not username:
            raise SourceError("This email source has no user name.", hint="Add it in the source's settings.")
        security = str(config.get("security") or "ssl")
        port = int(config.get("port") or (993 if security == "ssl" else 143))
        return Mailbox(self.host, port, security, username, str(config.get("folder") or "INBOX").strip(),
                       self._login(username), system_trust())

    def _login(self, username: str):
        if self.api.config.get("sign_in") == "microsoft 365":
            from nc_email.microsoft import access_token

            token = access_token(self.api)
            return lambda client: client.oauth2_login(username, token)
        password = self.api.secrets.get("password")
        if not password:
            raise SourceError("This email source has no app password.",
                              hint="Add one in the source's settings (it is kept in your computer's keyring).")
        return lambda client: client.login(username, password)
