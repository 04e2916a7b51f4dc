"""Fetch -> normalise -> dedupe -> relevance -> tag -> store.

Sources are fetched concurrently (they wait on the network); everything that
touches the database happens on the calling thread, one source at a time,
each in one transaction together with the source's new cursor. So a source
that fails, or a process killed mid-run, leaves the store as it was before
that source: nothing half-written, and nothing skipped next time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from networked_councillor.base import clock
from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import Cancelled, ConfigError, NcError, SourceError, TaggerError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.base.text import dumps
from networked_councillor.base.ward import WardProfile
from networked_councillor.casework.conversations import join_conversations
from networked_councillor.casework.retention import RetentionReport, RetentionSettings, apply_retention
from networked_councillor.ingest.fetch_lock import only_fetch
from networked_councillor.ingest.normalise import normalise
from networked_councillor.ingest.relevance import RelevanceScorer
from networked_councillor.ingest.sources import Sources, source_secrets
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.plugin_api.loader import PluginFailure, PluginRegistry
from networked_councillor.plugin_api.source import (
    Progress,
    RawItem,
)
from networked_councillor.store import Store
from networked_councillor.store import attachments as attachment_store
from networked_councillor.store import items as item_store
from networked_councillor.store import sources as source_store
from networked_councillor.store import tags as tag_store
from networked_councillor.store.sources import SourceRow
from networked_councillor.tagger.result import Tagger

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SourceOutcome:
    source_id: str
    name: str
    error: str | None = None
    seen: int = 0
    new: int = 0
    updated: int = 0
    linked: int = 0
    unchanged: int = 0
    skipped: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)
    """The new items' ids, when the caller needs them (an imported file)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        if self.error:
            return f"{self.name}: {self.error}"
        parts = [f"{self.new} new", f"{self.updated} updated"]
        if self.linked:
            parts.append(f"{self.linked} also seen elsewhere")
        if self.skipped:
            parts.append(f"{self.skipped} unreadable items skipped")
        return f"{self.name}: {', '.join(parts)} ({self.seen} in the feed)"


@dataclass(slots=True)
class FetchReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    plugin_failures: list[PluginFailure] = field(default_factory=list)
    retention: RetentionReport = field(default_factory=RetentionReport)
    retention_problem: str = ""

    @property
    def changes(self) -> Changes:
        return Changes(inbox=True, sources=True)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)


@dataclass(slots=True)
class _Fetched:
    items: list[RawItem]
    state: dict
    started: str
    seconds: float
    warnings: list[str]


class Pipeline:
    def __init__(self, store: Store, registry: PluginRegistry, *, tagger: Tagger | None = None,
                 http_factory: Callable[[], HttpClient] = HttpClient, max_workers: int = 4,
                 secrets_for: Callable[[SourceRow], SecretStore] = source_secrets) -> None:
        self.sources = Sources(store, registry, http_factory=http_factory, secrets_for=secrets_for)
        self.store = store
        self.registry = registry
        self.tagger = tagger
        self.max_workers = max_workers

    def fetch(
        self,
        source_ids: Sequence[str] | None = None,
        *,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
    ) -> FetchReport:
        """Fetch the enabled sources (or just ``source_ids``), store what they bring, then apply retention."""
        with only_fetch(self.store.path.parent):
            report = self._fetch(source_ids, cancel or threading.Event(), progress)
        try:
            with self.store.write() as db:
                report.retention = apply_retention(db, RetentionSettings.load(db), clock.utcnow())
        except NcError as exc:
            report.retention_problem = f"Retention was not applied: {exc}"
        return report

    def _fetch(self, source_ids: Sequence[str] | None, cancel: threading.Event, progress: Progress | None
               ) -> FetchReport:
        report = FetchReport(plugin_failures=list(self.registry.failures))
        ward = self.sources.ward()
        with self.store.read() as db:
            rows = source_store.all_sources(db)
        if source_ids:
            known = {r.id for r in rows}
            unknown = [s for s in source_ids if s not in known]
            if unknown:
                raise ConfigError(f"There is no source with the id {unknown[0]!r}.", hint="See `sources list`.")
            rows = [r for r in rows if r.id in set(source_ids)]
        else:
            rows = [r for r in rows if r.enabled]
        scorer = RelevanceScorer(ward)
        tracker = _ProgressTracker([r.id for r in rows], progress)
        runnable = []
        for row in rows:
            waiting = _still_waiting(row)
            if waiting:
                report.outcomes.append(SourceOutcome(row.id, row.name, error=waiting))
                tracker.done(row.id)
            else:
                runnable.append(row)
        with self.sources.http_factory() as http, ThreadPoolExecutor(max(1, min(self.max_workers, len(runnable)))) as pool:
            futures: dict[Future, SourceRow] = {
                pool.submit(self._run_plugin, row, http, ward, cancel, tracker.for_source(row)): row
                for row in runnable
            }
            for future in as_completed(futures):
                row = futures[future]
                report.outcomes.append(self._store(row, future, scorer, cancel))
                tracker.done(row.id)
        report.outcomes.sort(key=lambda o: o.name.lower())
        return report

    def try_source(self, row: SourceRow, cancel: threading.Event | None = None) -> list[RawItem]:
        """Fetch once without storing anything: the settings dialog's "Test connection"."""
        probe = SourceRow(row.id, row.plugin, row.name, config=dict(row.config))  # no cursor: a full read
        with self.sources.http_factory() as http:
            return self._run_plugin(probe, http, self.sources.ward(), cancel or threading.Event(), lambda f, m: None).items

    def fetch_thread(self, item_id: int, cancel: threading.Event | None = None) -> SourceOutcome:
        """Fetch and store the whole conversation of a stored item, from the source it came from."""
        row, target = self.sources.target(item_id)
        with self.sources.http_factory() as http:
            source, _api = self.sources.open(row, http, self.sources.ward())
            if not callable(getattr(source, "thread", None)):
                raise SourceError(f"{row.name} cannot fetch whole conversations.")
            items = source.thread(target, cancel)
        return self.ingest(row, items, cancel)

    def ingest(self, row: SourceRow, items: list[RawItem], cancel: threading.Event | None = None, *,
               scorer: RelevanceScorer | None = None, record=None) -> SourceOutcome:
        """Store items that did not come from a fetch (a conversation, dropped emails, a live stream): one
        transaction, with ``record(db, plan)`` in it when given (a live source's cursor)."""
        outcome = SourceOutcome(row.id, row.name, seen=len(items))
        plan = self._ingest(row, items, outcome, scorer or RelevanceScorer(self.sources.ward()),
                            cancel or threading.Event(), record)
        outcome.new, outcome.updated, outcome.linked = len(plan.new), len(plan.changed), len(plan.linked)
        outcome.item_ids = [inc.item_id for inc in plan.new]
        return outcome

    # ---- in a worker thread: network and parsing only -------------------------

    def _run_plugin(
        self, row: SourceRow, http: HttpClient, ward: WardProfile, cancel: threading.Event, progress: Progress
    ) -> _Fetched:
        started, t0 = clock.now_iso(), time.perf_counter()
        source, api = self.sources.open(row, http, ward)
        since = datetime.fromisoformat(row.last_success_at) if row.last_success_at else None
        items = list(source.fetch(since, cancel, progress))
        undated = sum(1 for item in items if isinstance(item, RawItem) and item.created_at is None)
        if undated:
            api.warn(f"{undated} item(s) had no date the app could read; they are dated when first seen.")
        return _Fetched(items, api.state, started, time.perf_counter() - t0, api.warnings)

    # ---- on the calling thread: the one writer --------------------------------

    def _store(self, row: SourceRow, future: Future, scorer: RelevanceScorer, cancel: threading.Event) -> SourceOutcome:
        outcome = SourceOutcome(row.id, row.name)
        now = clock.now_iso()
        try:
            fetched = future.result()
        except Exception as exc:
            outcome.error = _explain(row, exc)
            retry_after = getattr(exc, "retry_after", None)
            until = (clock.utcnow() + timedelta(seconds=retry_after)).isoformat(timespec="seconds") if retry_after else None
            with self.store.write() as db:
                source_store.record_run(db, row.id, started=now, finished=now, error=outcome.error, retry_after=until)
            return outcome
        outcome.seconds = fetched.seconds
        outcome.seen = len(fetched.items)
        outcome.warnings.extend(fetched.warnings)

        def record(db, plan: item_store.Plan) -> None:
            source_store.record_run(
                db, row.id, started=fetched.started, finished=clock.now_iso(), state=fetched.state,
                new=len(plan.new), updated=len(plan.changed), linked=len(plan.linked), seen=outcome.seen,
                note=" ".join(fetched.warnings) or None,
            )

        try:
            plan = self._ingest(row, fetched.items, outcome, scorer, cancel, record)
        except Exception as exc:
            outcome.error = _explain(row, exc)
            with self.store.write() as db:
                source_store.record_run(db, row.id, started=fetched.started, finished=clock.now_iso(), error=outcome.error)
            return outcome
        outcome.new, outcome.updated, outcome.linked, outcome.unchanged = (
            len(plan.new), len(plan.changed), len(plan.linked), plan.unchanged)
        return outcome

    def _ingest(self, row: SourceRow, raws: list[RawItem], outcome: SourceOutcome, scorer: RelevanceScorer,
                cancel: threading.Event, record=None) -> item_store.Plan:
        """Normalise, dedupe, score, tag and store ``raws`` in one transaction (with ``record``, if given)."""
        now = clock.now_iso()
        incoming = self._normalise(row, raws, outcome)
        with self.store.read() as db:
            plan = item_store.plan(db, row.id, incoming)
        ward_feed = bool(row.config.get("ward_feed"))
        for inc in plan.to_score:
            extra = inc.origin.extra or {}
            score, evidence = scorer.score(  # a plugin may know an item comes from the ward's own feed
                _relevance_text(inc.text, extra), inc.row["lat"], inc.row["lon"],
                mentions=extra.get("mentions", ()), ward_feed=ward_feed or extra.get("ward_feed") is True,
            )
            inc.row["relevance"] = score
            inc.row["evidence"] = dumps([{"kind": e.kind, "term": e.term} for e in evidence])
            inc.row["mentions_me"] = int(any(e.kind == "handle" for e in evidence))
        tags = self._tag(plan.to_score, outcome)
        if cancel.is_set():
            raise Cancelled()
        with self.store.write() as db:
            item_store.apply(db, row.id, plan, now)
            item_store.lift_conversations(db, [i.row["thread_id"] for i in plan.to_score if i.row["thread_id"]],
                                          scorer.threshold)
            if tags is not None:
                self._save_tags(db, [i.item_id for i in plan.to_score], tags, now)
            for inc in plan.new:
                if inc.origin.attachments:
                    attachment_store.save(db, inc.item_id, inc.origin.attachments)
            join_conversations(db, [inc.item_id for inc in plan.new if inc.row["kind"] == "email"], now)
            if record is not None:
                record(db, plan)
        return plan

    def _normalise(self, row: SourceRow, raws: Iterable[RawItem], outcome: SourceOutcome) -> list[item_store.Incoming]:
        incoming = []
        for raw in raws:
            try:
                if not isinstance(raw, RawItem) or not str(raw.external_id or "").strip():
                    raise ValueError("not a RawItem with an external_id")
                n = normalise(raw)
            except Exception as exc:  # one bad item must not cost the whole feed
                outcome.skipped += 1
                log.warning("source %s: skipped an unreadable item: %r", row.id, exc)
                continue
            incoming.append(item_store.Incoming(n.row, n.link_key, n.text, n.author, n.thread, origin=raw))
        return incoming

    def _save_tags(self, db, item_ids: list[int], tags: list, now: str) -> None:
        tag_store.save_model_tags(db, item_ids, tags, self.tagger.version, now)
        with_vectors = [(i, t.embedding) for i, t in zip(item_ids, tags, strict=True) if t.embedding is not None]
        if with_vectors and self.tagger.embedding_model:
            ids, vectors = zip(*with_vectors, strict=True)
            tag_store.save_embeddings(db, ids, vectors, self.tagger.embedding_model)

    def _tag(self, batch: list[item_store.Incoming], outcome: SourceOutcome):
        if self.tagger is None or not batch:
            return None
        try:
            return self.tagger.tag([inc.text for inc in batch])
        except TaggerError as exc:
            outcome.warnings.append(f"Items were stored without topics: {exc}")
            log.warning("tagging failed for %s: %s", outcome.source_id, exc)
            return None


def _relevance_text(text: str, extra: dict) -> str:
    address = extra.get("address")
    return f"{text}\n{address}" if address else text


def _still_waiting(row: SourceRow) -> str | None:
    if not row.retry_after:
        return None
    until = datetime.fromisoformat(row.retry_after)
    if until <= clock.utcnow():
        return None
    local = until.astimezone().strftime("%H:%M")
    return f"Waiting until {local} before asking again: the service asked the app to slow down."


def _explain(row: SourceRow, exc: BaseException) -> str:
    if isinstance(exc, Cancelled):
        return "Cancelled; nothing from this run was stored."
    if isinstance(exc, NcError):
        return str(exc)
    log.error("source %s (%s) failed unexpectedly", row.id, row.plugin, exc_info=exc)
    return (f"The '{row.plugin}' plugin failed unexpectedly ({type(exc).__name__}: {exc}). "
            "Nothing from this run was stored; details are in the log.")


class _ProgressTracker:
    """Turns per-source progress (from worker threads) into one overall figure."""

    def __init__(self, source_ids: list[str], callback: Progress | None) -> None:
        self._fractions = dict.fromkeys(source_ids, 0.0)
        self._callback = callback
        self._lock = threading.Lock()

    def for_source(self, row: SourceRow) -> Progress:
        def report(fraction: float | None, message: str) -> None:
            self._update(row.id, fraction, f"{row.name}: {message}")
        return report

    def done(self, source_id: str) -> None:
        self._update(source_id, 1.0, "")

    def _update(self, source_id: str, fraction: float | None, message: str) -> None:
        if self._callback is None:
            return
        with self._lock:
            if fraction is not None:
                self._fractions[source_id] = max(0.0, min(1.0, fraction))
            overall = sum(self._fractions.values()) / max(1, len(self._fractions))
        try:
            self._callback(overall, message)
        except Exception:  # a broken progress display must not break a fetch
            log.exception("progress callback failed")
