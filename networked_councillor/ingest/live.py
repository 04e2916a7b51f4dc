"""Listening to live sources (Bluesky's Jetstream): screen, score, store with the cursor, reconnect with back-off.

A live source's plugin yields batches of screened posts with a cursor. Here each batch is scored by the ward's
relevance rules, and the posts that pass are stored in one transaction with the cursor, so a crash or a kill
resumes from the last batch stored: nothing heard after it is lost (the stream replays it) and nothing stored
is stored twice (a post is its at:// address). A dropped connection is retried after 1, 2, 4... seconds, up to
five minutes, and the wait resets once a connection carries posts again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from networked_councillor.base import clock
from networked_councillor.base.errors import NcError
from networked_councillor.ingest.relevance import RelevanceScorer
from networked_councillor.plugin_api.source import LiveBatch, can_listen
from networked_councillor.store import sources as source_store
from networked_councillor.store.sources import SourceRow

log = logging.getLogger(__name__)

FIRST_WAIT, LONGEST_WAIT = 1.0, 300.0


@dataclass(slots=True)
class LiveStatus:
    """What one listener has done since it started: shown in the status bar and by `listen`."""

    source_id: str
    name: str
    connected: bool = False
    heard: int = 0
    kept: int = 0
    unreadable: int = 0
    reconnects: int = 0
    problem: str = ""
    waiting: float = 0.0
    new_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        state = "listening" if self.connected else (f"reconnecting in {self.waiting:.0f} s" if self.problem
                                                    else "connecting")
        line = f"{self.name}: {state}; {self.heard:,} messages heard, {self.kept} posts about the ward"
        if self.unreadable:
            line += f", {self.unreadable} unreadable messages skipped"
        return line + (f". {self.problem}" if self.problem and not self.connected else "")


def live_sources(store, registry) -> list[SourceRow]:
    with store.read() as db:
        rows = source_store.all_sources(db)
    return [r for r in rows if r.enabled and can_listen(registry.get(r.plugin))]


class LiveListener:
    """Listens to one live source until ``cancel`` is set; ``on_status`` hears of every stored batch and problem."""

    def __init__(self, pipeline, row: SourceRow, *, on_status: Callable[[LiveStatus], None] | None = None,
                 first_wait: float = FIRST_WAIT, longest_wait: float = LONGEST_WAIT) -> None:
        self.pipeline, self.row = pipeline, row
        self.status = LiveStatus(row.id, row.name)
        self.on_status = on_status or (lambda status: None)
        self.first_wait, self.longest_wait = first_wait, longest_wait

    def run(self, cancel: threading.Event) -> LiveStatus:
        wait = self.first_wait
        while not cancel.is_set():
            heard = self.status.heard
            try:
                self._listen(cancel)
                problem = "The stream ended."
            except NcError as exc:
                problem = str(exc)
            except Exception as exc:  # a plugin's bug: logged, and retried like a dropped connection
                log.exception("live source %s failed", self.row.id)
                problem = (f"The '{self.row.plugin}' plugin failed unexpectedly ({type(exc).__name__}); "
                           "details are in the log.")
            if cancel.is_set():
                break
            if self.status.heard > heard:  # the connection carried posts: this problem is a fresh one
                wait = self.first_wait
            self._problem(problem, wait)
            self.status.reconnects += 1
            cancel.wait(wait)
            wait = min(self.longest_wait, wait * 2)
        self.status.connected = False
        return self.status

    def _listen(self, cancel: threading.Event) -> None:
        sources = self.pipeline.sources
        with self.pipeline.store.read() as db:
            row = source_store.get(db, self.row.id)
        ward = sources.ward()
        scorer = RelevanceScorer(ward)
        with sources.http_factory() as http:
            source, api = sources.open(row, http, ward)
            for batch in source.listen(row.state.get("cursor"), cancel):
                self.status.connected, self.status.problem = True, ""
                self._store(row, batch, scorer, api.warnings)

    def _store(self, row: SourceRow, batch: LiveBatch, scorer: RelevanceScorer, warnings: list[str]) -> None:
        status = self.status
        status.heard += batch.seen
        status.unreadable += batch.unreadable
        keep = [item for item in batch.items if scorer.score(item.text or "", item.lat, item.lon,
                                                             mentions=(item.extra or {}).get("mentions", ()))[0]
                >= scorer.threshold]
        note = status.summary()
        if warnings:
            note += " " + " ".join(warnings[-1:])

        def record(db, plan) -> None:
            source_store.record_live(db, row.id, state={**row.state, "cursor": batch.cursor}, note=note,
                                     now=clock.now_iso())

        outcome = self.pipeline.ingest(row, keep, scorer=scorer, record=record)
        status.kept += outcome.new
        status.new_ids = outcome.item_ids
        self.on_status(status)

    def _problem(self, message: str, wait: float) -> None:
        status = self.status
        status.connected, status.problem, status.waiting = False, message, wait
        log.warning("live source %s: %s", self.row.id, message)
        try:
            with self.pipeline.store.write() as db:
                source_store.record_live(db, self.row.id, state=None, note=None, error=message, now=clock.now_iso())
        except NcError:
            log.exception("could not note the problem of %s", self.row.id)
        self.on_status(status)
