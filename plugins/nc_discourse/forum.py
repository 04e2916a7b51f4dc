"""One Discourse forum's JSON addresses, asked through the app's shared HTTP client.

Every request carries the forum's API key when the councillor gave one
(``Api-Key`` and ``Api-Username`` headers), and a refusal (401, 403, 404) comes
back as `Refused`, which keeps the HTTP status so the caller can explain it in
context: a forum that is not there, a private forum, or one topic gone.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from networked_councillor.plugin_api import SourceApi, SourceError

REFUSALS = (401, 403, 404, 410)


class Refused(SourceError):
    """The forum answered 401, 403, 404 or 410 (``status`` says which)."""


class Forum:
    def __init__(self, api: SourceApi, base_url: str, cancel: threading.Event) -> None:
        self.api = api
        self.base = base_url
        self.host = urlsplit(base_url).hostname or base_url
        self.cancel = cancel
        self.headers = {"Accept": "application/json"}
        key = (api.secrets.get("api_key") or "").strip()
        username = str(api.config.get("api_username") or "").strip()
        if key:
            self.headers["Api-Key"] = key
            if username:
                self.headers["Api-Username"] = username
        self.signed_in = bool(key)

    def get(self, path: str, params: dict[str, Any] | Sequence[tuple[str, Any]] | None = None) -> Any:
        """The parsed JSON at ``path`` (relative to the forum's address)."""
        try:
            response = self.api.http.get(self.base + path, params=params, headers=self.headers, cancel=self.cancel)
        except SourceError as exc:
            if exc.status in REFUSALS:
                raise self._refused(exc.status) from exc
            raise
        return response.json()

    def _refused(self, status: int) -> Refused:
        if status in (404, 410):
            return Refused(f"{self.host} has no such page (HTTP {status}).", status=status)
        if self.signed_in:
            return Refused(
                f"{self.host} did not accept the API key (HTTP {status}).",
                hint="Check the API key and the forum username in this source's settings: the key may have been "
                     "revoked, or may not be allowed to read topics.",
                status=status,
            )
        return Refused(
            f"{self.host} is a private forum: it shows its topics only to signed-in members (HTTP {status}).",
            hint="Ask the forum's administrators for a read-only API key, then add it with your forum username "
                 "in this source's settings.",
            status=status,
        )

