"""What a councillor changes about what the app listens to: the ward, its sources and their passwords."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.base.changes import Changes, Done
from networked_councillor.base.secrets import SecretStore
from networked_councillor.ingest import source_config
from networked_councillor.ingest.wardsetup import WardSetup, default_sources
from networked_councillor.plugin_api.loader import PluginRegistry
from networked_councillor.plugin_api.source import ConfigField
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store
from networked_councillor.store.sources import SourceRow

SOURCES = Changes(sources=True)


def save_source(db: Database, plugin_id: str, fields: Sequence[ConfigField], name: str, values: Mapping[str, Any],
                secrets: Mapping[str, str], *, existing: SourceRow | None = None, source_id: str | None = None
                ) -> Done:
    """A source added or changed, with its secrets in the keyring (all or none); its id."""
    saved = source_config.save_source(db, plugin_id, fields, name, values, secrets, clock.now_iso(),
                                      existing=existing, source_id=source_id)
    return Done(saved, SOURCES)


def import_sources(db: Database, plugin_id: str, fields: Sequence[ConfigField],
                   found: Iterable[tuple[str, Mapping[str, Any]]]) -> Done:
    """A list of feeds (an OPML file) added; what was added and what was refused."""
    return Done(source_config.import_sources(db, plugin_id, fields, found, clock.now_iso()), SOURCES)


def remove_source(db: Database, source_id: str) -> Done:
    """A source and the items only it brought (worked-on items stay); how many items went."""
    return Done(source_store.remove(db, source_id), Changes(sources=True, inbox=True))


def save_secret(db: Database, namespace: str, name: str, secret: str, *, of_source: bool = True) -> Changes:
    """A password or key into the keyring; a keyring that refuses it leaves the source as it was."""
    if of_source:
        source_store.note_secrets(db, namespace)
    SecretStore(namespace).set(name, secret)
    return SOURCES


def apply_setup(db: Database, registry: PluginRegistry, setup: WardSetup, *, with_sources: bool = True) -> Done:
    """The ward profile from a set-up, and its sources (those not there already); the names of those added."""
    changes = settings_store.save_ward(db, setup.profile(settings_store.load_ward(db)), clock.now_iso())
    added: list[str] = []
    if not with_sources:
        return Done(added, changes)
    existing = {(r.plugin, json.dumps(r.config, sort_keys=True)) for r in source_store.all_sources(db)}
    for plugin_id, name, config in default_sources(setup):
        plugin = registry.get(plugin_id)
        if plugin is None:
            setup.notes.append(f"The {plugin_id} plugin is not installed, so “{name}” was not added.")
            continue
        config = source_config.validate(plugin.config_fields, config)
        if (plugin_id, json.dumps(config, sort_keys=True)) not in existing:
            source_store.add(db, plugin_id, name, config, clock.now_iso())
            added.append(name)
    return Done(added, changes | SOURCES)
