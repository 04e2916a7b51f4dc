"""Which subreddit the councillor means, however they typed it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from networked_councillor.plugin_api import SourceError

REDDIT = "https://www.reddit.com"
_IN_ADDRESS = re.compile(r"^/*r/([^/?#]+)", re.I)
_ALONE = re.compile(r"^/*(?:r/)?([^/?#]+)/*$", re.I)
_NAME = re.compile(r"[A-Za-z0-9_]{2,21}(?:\+[A-Za-z0-9_]{2,21})*")  # several joined by + read as one feed


def parse_subreddit(value: str) -> tuple[str, str]:
    """(site, name) from "r/Name", "Name" or an address such as https://old.reddit.com/r/Name/new/.

    Any reddit.com address is read from www.reddit.com; another host (a test
    server, a mirror) is kept as given.
    """
    text = value.strip()
    site = REDDIT
    if "://" in text or text.lower().split("/", 1)[0].endswith("reddit.com"):
        parts = urlsplit(text if "://" in text else "https://" + text)
        host = (parts.hostname or "").lower()
        if not (host == "reddit.com" or host.endswith(".reddit.com")):
            site = f"{parts.scheme}://{parts.netloc}"
        found = _IN_ADDRESS.match(parts.path)
    else:
        found = _IN_ADDRESS.match(text) or _ALONE.match(text)
    name = found.group(1) if found else ""
    if not _NAME.fullmatch(name):
        raise SourceError(f"'{text}' is not a subreddit the app can read.",
                          hint="Give it as r/Name, as Name alone, or as its address (https://www.reddit.com/r/Name).")
    return site, name
