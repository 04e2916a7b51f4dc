"""Opening a source's plugin: the one place that builds a plugin with the api it may use.

Fetching (the pipeline), loading a whole conversation and posting a reply all start here, so a plugin always
sees the same configuration, secrets and ward, whichever of them asks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from networked_councillor.base.errors import NcError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.base.ward import WardProfile
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.plugin_api.loader import PluginRegistry
from networked_councillor.plugin_api.source import ReplyTarget, Source, SourceApi
from networked_councillor.store import Store
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store
from networked_councillor.store.sources import SourceRow


def source_secrets(row: SourceRow) -> SecretStore:
    """A source's secrets, in the keyring; one that never stored any is not asked for them there."""
    return SecretStore(row.id, in_use=row.keeps_secrets is not False)


class Sources:
    """The configured sources and the installed plugins that read them."""

    def __init__(self, store: Store, registry: PluginRegistry, *, http_factory: Callable[[], HttpClient] = HttpClient,
                 secrets_for: Callable[[SourceRow], SecretStore] = source_secrets) -> None:
        self.store = store
        self.registry = registry
        self.http_factory = http_factory
        self.secrets_for = secrets_for

    def ward(self) -> WardProfile:
        with self.store.read() as db:
            return settings_store.load_ward(db)

    def open(self, row: SourceRow, http: HttpClient, ward: WardProfile) -> tuple[Source, SourceApi]:
        """An instance of ``row``'s plugin, with the api it may use."""
        plugin = self.registry.get(row.plugin)
        if plugin is None:
            raise NcError(f"The '{row.plugin}' plugin is not installed or failed to load.")
        api = SourceApi(
            source_id=row.id,
            config=dict(row.config),
            http=http,
            secrets=self.secrets_for(row),
            ward=ward,
            state=dict(row.state),
            log=logging.getLogger(f"networked_councillor.plugins.{row.plugin}"),
        )
        return plugin(api), api

    def target(self, item_id: int) -> tuple[SourceRow, ReplyTarget]:
        """The source a stored item came from, and the item as its plugin knows it."""
        with self.store.read() as db:
            item = db.execute(
                "SELECT items.source_id, items.external_id, items.url, threads.external_id, items.extra FROM items "
                "LEFT JOIN threads ON threads.id = items.thread_id WHERE items.id = ?", [item_id]).fetchone()
            if item is None:
                raise NcError(f"There is no item {item_id}.")
            row = source_store.get(db, item[0])
        return row, ReplyTarget(item[1], item[2], item[3], json.loads(item[4]) if item[4] else {})
