"""The composition root: the one place that wires store, plugins, pipeline and tagger.

The CLI and the desktop UI both start here, so they always see the same data
folder, the same plugins and the same rules.
"""

from __future__ import annotations

from pathlib import Path

from networked_councillor.core import logs, paths
from networked_councillor.core.pipeline import Pipeline
from networked_councillor.core.tagging import Tagger
from networked_councillor.plugin_api.loader import PluginRegistry, discover
from networked_councillor.store import Store


class App:
    def __init__(self, data_dir: str | Path | None = None, *, verbose: bool = False, log_to_file: bool = True) -> None:
        self.data_dir = paths.data_dir(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = logs.setup(self.data_dir, verbose=verbose) if log_to_file else None
        self.store = Store(paths.database_path(self.data_dir))
        self.registry: PluginRegistry = discover()
        self.tagger: Tagger | None = None

    def pipeline(self, **kwargs) -> Pipeline:
        return Pipeline(self.store, self.registry, tagger=self.tagger, **kwargs)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
