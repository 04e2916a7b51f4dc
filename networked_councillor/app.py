"""The composition root: the one place that wires store, plugins, pipeline and tagger.

The CLI and the desktop UI both start here, so they always see the same data
folder, the same plugins and the same rules.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from networked_councillor.base import logs, paths
from networked_councillor.base.errors import TaggerError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.ingest.pipeline import Pipeline, source_secrets
from networked_councillor.plugin_api.loader import PluginRegistry, discover
from networked_councillor.store import Store
from networked_councillor.store.sources import SourceRow
from networked_councillor.tagger.result import Tagger

if TYPE_CHECKING:
    from networked_councillor.tagger.model import LocalTagger

log = logging.getLogger(__name__)


class App:
    def __init__(self, data_dir: str | Path | None = None, *, verbose: bool = False, log_to_file: bool = True) -> None:
        self.data_dir = paths.data_dir(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = logs.setup(self.data_dir, verbose=verbose) if log_to_file else None
        self.store = Store(paths.database_path(self.data_dir))
        self.registry: PluginRegistry = discover()
        self._tagger: LocalTagger | None = None
        self.tagger_problem: str | None = None
        self.on_close: list = []
        self.training = False
        """In training mode posting is simulated (`training.workspace` sets this)."""
        self.progress = None
        self._demo_memory: dict[str, str] = {}
        from networked_councillor.demo import start_demo_services

        start_demo_services(self)

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
        kwargs.setdefault("simulate_posting", self.training)
        kwargs.setdefault("secrets_for", self._secrets_for)
        return Pipeline(self.store, self.registry, **kwargs)

    def _secrets_for(self, row: SourceRow) -> SecretStore:
        """Each source's secrets: the keyring's, but for the demo ward's pretend account, which lives in memory."""
        from networked_councillor.demo import demo_secrets

        return demo_secrets(row, self._demo_memory) or source_secrets(row)

    def close(self) -> None:
        for callback in self.on_close:
            callback()
        self.store.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
