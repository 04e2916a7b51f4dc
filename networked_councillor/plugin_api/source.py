"""What a source plugin is, and what it gets from the app.

A plugin is a class registered under the entry-point group
``networked_councillor.sources``. The app makes one instance per configured
source (one RSS plugin serves many feeds), handing it a `SourceApi`. Plugins
return data; they never touch SQLite or Qt.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from networked_councillor.base.secrets import SecretStore
    from networked_councillor.base.ward import WardProfile
    from networked_councillor.plugin_api.http import HttpClient

API_VERSION = 1
"""Bumped when the contract below changes in a way old plugins cannot meet."""

Progress = Callable[[float | None, str], None]
"""progress(fraction or None, message): fraction in 0..1, None when unknown."""

FieldKind = Literal["text", "url", "int", "bool", "secret", "choice", "list"]


@dataclass(frozen=True, slots=True)
class ConfigField:
    """One setting a plugin needs; the UI builds its form from these.

    A ``secret`` field is never stored with the rest of the config: the app
    keeps it in the OS keyring and the plugin reads it via ``api.secrets``.
    A ``list`` field holds several values (one per line in the form). An
    ``int`` field takes whole numbers from ``minimum`` to ``maximum``.
    """

    key: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    default: Any = None
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 100_000


@dataclass(slots=True)
class Author:
    handle: str
    display_name: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with an item (an email's attachment, a pasted photo). Kept, never opened by the app.

    ``data`` is None when the file was not kept (too large); ``note`` then says why.
    """

    name: str
    content_type: str = "application/octet-stream"
    size: int = 0
    data: bytes | None = None
    note: str = ""


@dataclass(slots=True)
class RawItem:
    """One post, report, article or notice, as a source saw it.

    Either ``text`` (plain) or ``html`` (untrusted: the pipeline sanitises it)
    or both; ``title`` is plain text (use `html_to_plain` on an HTML title). Times must be timezone-aware. ``thread_id`` and ``parent_id`` are
    the source's own ids of the conversation root and of the item replied to.
    """

    external_id: str
    url: str | None = None
    title: str | None = None
    text: str | None = None
    html: str | None = None
    author: Author | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    kind: str = "post"
    thread_id: str | None = None
    thread_title: str | None = None
    parent_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    categories: Sequence[str] = ()
    engagement: Mapping[str, int] = field(default_factory=dict)
    enclosures: Sequence[Mapping[str, Any]] = ()
    langs: Sequence[str] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    raw: Any = None
    attachments: Sequence[Attachment] = ()


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """The stored item a councillor is replying to, as its plugin needs it."""

    external_id: str
    url: str | None
    thread_id: str | None
    extra: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ReplyResult:
    external_id: str
    url: str | None = None


@dataclass(slots=True)
class SourceApi:
    """Everything a plugin instance may use. Plugins import no app globals.

    ``state`` is the plugin's own memory between runs (cursors, ETags); the
    app saves it only when a fetch completes, in the same transaction as the
    items, so a failed or killed fetch never skips anything next time.
    """

    source_id: str
    config: Mapping[str, Any]
    http: HttpClient
    secrets: SecretStore
    ward: WardProfile
    state: dict[str, Any] = field(default_factory=dict)
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("networked_councillor.plugins"))
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        """Something the councillor should know although the fetch went ahead (shown beside the source)."""
        self.log.warning("%s: %s", self.source_id, message)
        self.warnings.append(message)


@runtime_checkable
class Source(Protocol):
    """The contract every source plugin meets."""

    id: ClassVar[str]
    name: ClassVar[str]
    api_version: ClassVar[int]
    config_fields: ClassVar[Sequence[ConfigField]]

    def __init__(self, api: SourceApi) -> None: ...

    def fetch(
        self, since: datetime | None, cancel: threading.Event, progress: Progress
    ) -> Iterable[RawItem]:
        """Items new or changed since ``since`` (the last successful run; None the first time).

        Raise `SourceError` with a plain message when the source cannot be
        read; check ``cancel`` between requests.
        """
        ...


@runtime_checkable
class CanReply(Protocol):
    """Optional: a source that can post a reply on its platform."""

    def reply(self, target: ReplyTarget, text: str) -> ReplyResult: ...


@runtime_checkable
class SaysWhyNoReply(Protocol):
    """Optional, beside `CanReply`: why this source cannot post now (no account set up), or "" when it can.

    Asked before the composer opens, so the Post button says why it is off before anyone clicks it. It must not
    touch the network.
    """

    def reply_unavailable(self) -> str: ...


@runtime_checkable
class CanLoadThread(Protocol):
    """Optional: a source that can fetch the whole conversation a post belongs to."""

    def thread(self, target: ReplyTarget, cancel: threading.Event | None) -> list[RawItem]: ...


@runtime_checkable
class CanImportSources(Protocol):
    """Optional: a plugin that reads a list of sources (an OPML file of feeds) as (name, config) pairs.

    Called on the plugin class: nothing is fetched.
    """

    @staticmethod
    def import_sources(data: bytes) -> list[tuple[str, dict[str, Any]]]: ...


@runtime_checkable
class CanImportFiles(Protocol):
    """Optional: a plugin that reads files a councillor brings in (an email saved from Outlook) as items.

    Called on the plugin class. ``file_types`` are the suffixes it reads (".eml"); ``read_file`` raises
    `SourceError` with a plain message when a file is not what its name says.
    """

    file_types: ClassVar[tuple[str, ...]]

    @staticmethod
    def read_file(name: str, data: bytes) -> list[RawItem]: ...


@runtime_checkable
class CanSignIn(Protocol):
    """Optional: a source whose account is signed in on the service's own page (OAuth), not with a typed password.

    ``open_page(url)`` shows the service's page in the browser; ``say(text)`` tells the person what to do there
    (a code to type). Blocks until signed in, ``cancel`` is set or it times out; keeps the token in the keyring
    through ``api.secrets`` and returns who signed in.
    """

    def sign_in(self, open_page: Callable[[str], None], say: Callable[[str], None],
                cancel: threading.Event) -> str: ...


def can_sign_in(source: object) -> bool:
    return isinstance(source, CanSignIn)


@dataclass(slots=True)
class LiveBatch:
    """What a live source heard since its last batch: the posts worth scoring, and where to resume.

    ``cursor`` is opaque to the app (Jetstream's ``time_us``); the app saves it in the same transaction as
    ``items``, so after a crash the source resumes from the last batch stored, never past it.
    """

    items: list[RawItem]
    cursor: Any
    seen: int = 0
    """Events read from the stream for this batch, matched or not."""
    unreadable: int = 0
    """Messages that were not what the stream's format says (not JSON): skipped."""


@runtime_checkable
class CanListen(Protocol):
    """Optional: a source that follows a live stream rather than being fetched.

    ``listen`` connects, resumes from ``cursor`` (None: from now), and yields batches until ``cancel`` is set;
    when the connection fails it raises `SourceError` and the app reconnects with back-off.
    """

    def listen(self, cursor: Any, cancel: threading.Event) -> Iterable[LiveBatch]: ...


def can_listen(source: object) -> bool:
    return isinstance(source, CanListen)


def can_reply(source: object) -> bool:
    """Works on a plugin class or an instance (None: no plugin, no replies)."""
    return isinstance(source, CanReply)


def can_load_thread(source: object) -> bool:
    return isinstance(source, CanLoadThread)


def can_import_sources(source: object) -> bool:
    return isinstance(source, CanImportSources)


def can_import_files(source: object) -> bool:
    return isinstance(source, CanImportFiles)


def reply_unavailable(source: object) -> str:
    """Why ``source`` cannot post a reply now, or "" when it can."""
    if not can_reply(source):
        return "This source takes no replies from the app."
    return source.reply_unavailable() if isinstance(source, SaysWhyNoReply) else ""
