"""Live Bluesky: the network's posts as they are made, from Jetstream, screened for the ward's words.

Jetstream (a public service run by Bluesky) sends every new post as one JSON message, about 300 a second at
the time of writing, and needs no account. Most are nothing to do with the ward, so each message is screened as
the text it arrived as, before any JSON is parsed: one regular expression of the ward's screening words over
the lower-cased message. Only the few that pass are parsed, turned into items and handed to the app, which
scores them by the same relevance rules as every other source and keeps those about the ward.

Resuming: every message carries ``time_us``; the app saves the last one of each batch with the batch, and on
reconnecting asks Jetstream to replay from a few seconds before it. Posts seen twice are the same item (their
at:// address), so a replay adds nothing twice.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from nc_bluesky.mapping import post_to_item
from nc_bluesky.stream import TICK, Stream, StreamError
from networked_councillor.plugin_api import (
    API_VERSION,
    ConfigField,
    LiveBatch,
    Progress,
    RawItem,
    SourceApi,
    SourceError,
)
from networked_councillor.plugin_api.http import system_trust

log = logging.getLogger(__name__)

INSTANCES = (
    "jetstream2.us-east.bsky.network",
    "jetstream1.us-east.bsky.network",
    "jetstream1.us-west.bsky.network",
    "jetstream2.us-west.bsky.network",
)
REWIND_US = 5_000_000
"""Replay from five seconds before the saved cursor: Jetstream's own advice for a gap-free reconnection."""
FLUSH_SECONDS = 1.0
"""Matched posts wait at most this long before the app stores them (and the cursor with them)."""
IDLE_FLUSH_SECONDS = 10.0
"""With nothing matched, the cursor is still saved this often, so a restart replays little."""
SILENCE_SECONDS = 60.0
"""The network posts several times a second: a minute of nothing means the connection is dead, though open."""
_TIME_US = re.compile(r'"time_us":(\d+)')


class Screen:
    """Does a raw Jetstream message possibly mention the ward? (A superset of what relevance scoring keeps.)

    A word counts where it starts a word: after anything but a letter or digit, or after a JSON escape ("\\n",
    "\\u0026") whose last character is one. The regular expression finds the words; that check runs only on
    what it finds, which keeps the screen at tens of thousands of messages a second (a lookbehind for it in the
    expression halved that).
    """

    def __init__(self, words: list[str]) -> None:
        alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)
        self.pattern = re.compile(alternatives) if alternatives else None

    def passes(self, message: str) -> bool:
        if self.pattern is None:
            return False
        text, search = message.lower(), self.pattern.search
        found = search(text)
        while found is not None:
            i = found.start()
            if i == 0 or text[i - 1] not in _WORD_CHARACTERS or text[i - 2:i] in _ESCAPES or \
                    (i >= 6 and text[i - 6:i - 4] == "\\u"):
                return True
            found = search(text, i + 1)  # a word may start inside one that did not count
        return False


_WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ESCAPES = frozenset(("\\n", "\\r", "\\t", "\\b", "\\f"))


def event_to_item(event: dict) -> RawItem | None:
    """A Jetstream commit that creates a post, as an item; None for anything else (deletes, identity, account)."""
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, dict) or commit.get("operation") != "create":
        return None
    record, did, rkey = commit.get("record"), event.get("did"), commit.get("rkey")
    if commit.get("collection") != "app.bsky.feed.post" or not isinstance(record, dict) or not did or not rkey:
        return None
    return post_to_item({"uri": f"at://{did}/app.bsky.feed.post/{rkey}", "cid": commit.get("cid"),
                         "author": {"did": did}, "record": record})


class BlueskyLiveSource:
    id = "bluesky-live"
    name = "Bluesky, live (Jetstream)"
    api_version = API_VERSION
    config_fields = (
        ConfigField("instance", "Jetstream service", "choice", default=INSTANCES[0], choices=INSTANCES,
                    help="Any of Bluesky's public Jetstream services; they all carry the same posts."),
        ConfigField("address", "Or another Jetstream address", "url",
                    help="For a council's own Jetstream relay, e.g. wss://jetstream.example.gov.uk"),
    )

    def __init__(self, api: SourceApi) -> None:
        self.api = api
        address = str(api.config.get("address") or "").strip()
        if not address:
            address = f"wss://{api.config.get('instance') or INSTANCES[0]}"
        parts = urlsplit(address if "://" in address else f"wss://{address}")
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise SourceError(f"'{address}' is not the address of a Jetstream service.",
                              hint="It starts with wss://, for example wss://jetstream2.us-east.bsky.network")
        if parts.scheme == "ws" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
            raise SourceError("A Jetstream service must be reached with wss:// (encrypted).")
        self.base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.screen = Screen(api.ward.screening_words())

    def fetch(self, since: datetime | None, cancel: threading.Event, progress: Progress) -> list[RawItem]:
        """Nothing to fetch: this source listens (while the app is open, or with `networked-councillor listen`)."""
        return []

    def url(self, cursor: int | None) -> str:
        query = [("wantedCollections", "app.bsky.feed.post")]
        if cursor:
            query.append(("cursor", str(max(0, int(cursor) - REWIND_US))))
        return f"{self.base}/subscribe?{urlencode(query)}"

    def listen(self, cursor: int | None, cancel: threading.Event) -> Iterator[LiveBatch]:
        if self.screen.pattern is None:
            raise SourceError("The ward has no places, streets, hashtags or postcodes to listen for.",
                              hint="Set up the ward first (Settings > Ward).")
        try:
            with Stream(self.url(cursor), ssl_context=system_trust()) as stream:
                yield from self._read(stream, cursor, cancel)
        except StreamError as exc:
            raise SourceError(f"The connection to {urlsplit(self.base).hostname} dropped: {exc}. The app "
                              "reconnects and carries on from where it was.") from exc

    def _read(self, stream: Stream, cursor: int | None, cancel: threading.Event) -> Iterator[LiveBatch]:
        batch = LiveBatch([], cursor)
        flushed = heard = time.monotonic()
        while not cancel.is_set():
            try:
                messages = stream.messages(TICK, cancel)
            except StreamError:  # the connection dropped: what was heard up to here is whole, so it is kept
                if batch.seen:
                    yield batch
                raise
            for message in messages:
                batch.seen += 1
                if self.screen.passes(message):
                    self._take(message, batch)
            now = time.monotonic()
            if messages:
                batch.cursor, heard = _time_us(messages[-1]) or batch.cursor, now
            elif now - heard > SILENCE_SECONDS:
                raise StreamError(f"nothing arrived for {SILENCE_SECONDS:.0f} seconds")
            if (batch.items and now - flushed >= FLUSH_SECONDS) or now - flushed >= IDLE_FLUSH_SECONDS:
                yield batch
                batch, flushed = LiveBatch([], batch.cursor), now
        if batch.seen:
            yield batch

    def _take(self, message: str, batch: LiveBatch) -> None:
        try:
            event = json.loads(message)
            item = event_to_item(event) if isinstance(event, dict) else None
        except (ValueError, RecursionError):
            batch.unreadable += 1
            log.warning("%s: a Jetstream message was not JSON: %.80r", self.api.source_id, message)
            return
        if item is not None:
            batch.items.append(item)


def _time_us(message: str) -> int | None:
    """The time_us of a raw message, read without parsing it (only the last of each tick is needed)."""
    found = _TIME_US.search(message)
    return int(found.group(1)) if found else None
