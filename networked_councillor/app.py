"""The composition root: the one place that wires store, plugins, pipeline and tagger, and the one write path.

The CLI and the desktop UI both start here, so they always see the same data folder, the same plugins and the
same rules. Every user action that writes goes through `App.perform` (or `App.fetch`, which applies retention
after storing), which tells the listeners what changed: the window's views refresh from that alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from networked_councillor.base import logs, paths
from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import ConfigError, TaggerError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.ingest.by_hand import HandPost, add_post
from networked_councillor.ingest.imports import ImportReport, import_files
from networked_councillor.ingest.live import LiveListener, LiveStatus, live_sources
from networked_councillor.ingest.pipeline import FetchReport, Pipeline, SourceOutcome
from networked_councillor.ingest.sources import Sources, source_secrets
from networked_councillor.plugin_api.loader import PluginRegistry, discover
from networked_councillor.plugin_api.source import Progress, can_sign_in
from networked_councillor.shared import connection as shared_connection
from networked_councillor.shared.sync import SyncReport, sync_once
from networked_councillor.store import Store
from networked_councillor.store import sources as source_store
from networked_councillor.store.sources import SourceRow
from networked_councillor.tagger.result import Tagger

if TYPE_CHECKING:
    from networked_councillor.tagger.model import LocalTagger

log = logging.getLogger(__name__)

Listener = Callable[[Changes, object], None]


class App:
    def __init__(self, data_dir: str | Path | None = None, *, verbose: bool = False, log_to_file: bool = True) -> None:
        self.data_dir = paths.data_dir(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = logs.setup(self.data_dir, verbose=verbose) if log_to_file else None
        self.store = Store(paths.database_path(self.data_dir))
        self.registry: PluginRegistry = discover()
        self._tagger: LocalTagger | None = None
        self.tagger_problem: str | None = None
        self.on_close: list[Callable[[], None]] = []
        self.listeners: list[Listener] = []
        """Told after every operation what it changed, with whoever asked for it (``initiator``)."""
        self.training = False
        """In training mode posting is simulated (`training.workspace` sets this)."""
        self.secrets_for: Callable[[SourceRow], SecretStore] = source_secrets
        """Each source's secrets: the keyring's (the demo ward swaps in its pretend account's, in memory)."""
        self.shared_secrets: SecretStore = shared_connection.SECRETS
        """The shared casework password (tests give each laptop its own, in memory)."""

    # ---- the one write path ----------------------------------------------------------

    def perform(self, op: Callable[..., Any], /, *args: Any, initiator: object = None, **kwargs: Any) -> Any:
        """Run ``op(db, *args, **kwargs)`` in one write transaction, then tell the listeners what it changed.

        An operation returns `Changes`, or a result that carries them as ``.changes`` (a report); either is
        returned as it is.
        """
        with self.store.write() as db:
            result = op(db, *args, **kwargs)
        self.announce(result if isinstance(result, Changes) else result.changes, initiator)
        return result

    def run(self, op: Callable[..., Any], /, *args: Any, changes: Changes, initiator: object = None,
            **kwargs: Any) -> Any:
        """A long operation that goes to the network and writes in its own transactions (an Open311 report, a
        sync with the council): ``op(store, *args, **kwargs)``, then ``changes`` announced."""
        result = op(self.store, *args, **kwargs)
        self.announce(changes, initiator)
        return result

    def fetch(self, source_ids: Sequence[str] | None = None, *, cancel: threading.Event | None = None,
              progress: Progress | None = None, initiator: object = None) -> FetchReport:
        """Fetch and store, then apply retention (the pipeline's one path for every front end)."""
        report = self.pipeline().fetch(source_ids, cancel=cancel, progress=progress)
        self.announce(report.changes, initiator)
        return report

    def fetch_thread(self, item_id: int, cancel: threading.Event | None = None) -> SourceOutcome:
        """The whole conversation of a stored item, fetched and stored."""
        outcome = self.pipeline().fetch_thread(item_id, cancel)
        self.announce(Changes(inbox=True))
        return outcome

    def import_files(self, paths: Sequence[Path], *, cancel: threading.Event | None = None,
                     progress: Progress | None = None, initiator: object = None) -> ImportReport:
        """Emails (or other files a plugin reads) brought in by hand, stored as items."""
        report = import_files(self.pipeline(), paths, cancel=cancel, progress=progress)
        self.announce(report.changes, initiator)
        return report

    def add_post(self, post: HandPost, *, initiator: object = None) -> SourceOutcome:
        """A post the councillor pasted in (from a Facebook group, a letter, a phone call)."""
        outcome = add_post(self.pipeline(), post)
        self.announce(Changes(inbox=True, sources=True), initiator)
        return outcome

    def listen(self, cancel: threading.Event, *, source_ids: Sequence[str] | None = None,
               on_status: Callable[[LiveStatus], None] | None = None) -> list[LiveStatus]:
        """Listen to the enabled live sources (Bluesky's Jetstream), each on its own thread, until ``cancel``."""
        rows = [r for r in live_sources(self.store, self.registry) if not source_ids or r.id in source_ids]
        pipeline = self.pipeline()

        def heard(status: LiveStatus) -> None:
            if status.new_ids:
                self.announce(Changes(inbox=True))
            if on_status is not None:
                on_status(status)

        listeners = [LiveListener(pipeline, row, on_status=heard) for row in rows]
        threads = [threading.Thread(target=listener.run, args=(cancel,), name=f"listen-{listener.row.id}",
                                    daemon=True) for listener in listeners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [listener.status for listener in listeners]

    def sign_in(self, source_id: str, open_page: Callable[[str], None], say: Callable[[str], None],
                cancel: threading.Event | None = None) -> str:
        """Sign a source in on its service's own page (Mastodon, Microsoft 365); the token goes to the keyring."""
        sources = self.sources()
        with self.store.read() as db:
            row = source_store.get(db, source_id)
        with sources.http_factory() as http:
            source, _api = sources.open(row, http, sources.ward())
            if not can_sign_in(source):
                raise ConfigError(f"{row.name} is not signed in on a web page: give its password or key in its "
                                  "settings instead.")
            who = source.sign_in(open_page, say, cancel or threading.Event())
        self.perform(source_store.note_secrets, source_id)
        return who

    def sync_shared(self, cancel: threading.Event | None = None) -> SyncReport:
        """Send this laptop's casework edits to the shared casework database and read colleagues' back."""
        report = sync_once(self.store, secrets=self.shared_secrets, cancel=cancel)
        self.announce(Changes(issues=bool(report.issues)))
        return report

    def announce(self, changes: Changes, initiator: object = None) -> None:
        if changes:
            for listener in list(self.listeners):
                listener(changes, initiator)

    # ---- what operations are made from ------------------------------------------------

    def load_tagger(self, *, reload: bool = False) -> LocalTagger:
        """The configured tagger, loaded once (raises `TaggerError` with a plain reason)."""
        if self._tagger is None or reload:
            from networked_councillor.tagger.learning import load_tagger

            self._tagger = load_tagger(self.store, self.data_dir)
        return self._tagger

    def tagger_or_none(self) -> Tagger | None:
        """For fetching: without a working model, items are still stored, just untagged."""
        try:
            return self.load_tagger()
        except TaggerError as exc:
            self.tagger_problem = str(exc)
            log.warning("tagging is off: %s", exc)
            return None

    def pipeline(self, **kwargs) -> Pipeline:
        kwargs.setdefault("tagger", self.tagger_or_none())
        kwargs.setdefault("secrets_for", self.secrets_for)
        return Pipeline(self.store, self.registry, **kwargs)

    def sources(self) -> Sources:
        return Sources(self.store, self.registry, secrets_for=self.secrets_for)

    def close(self) -> None:
        for callback in self.on_close:
            callback()
        self.store.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
