"""The source that holds posts added by hand. It fetches nothing: the councillor brings every item in."""

from __future__ import annotations

import threading
from datetime import datetime

from networked_councillor.plugin_api import API_VERSION, Progress, RawItem, SourceApi


class ByHandSource:
    id = "by-hand"
    name = "Posts added by hand"
    api_version = API_VERSION
    config_fields = ()

    def __init__(self, api: SourceApi) -> None:
        self.api = api

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        return []
