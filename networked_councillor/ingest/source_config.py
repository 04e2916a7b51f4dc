"""Checking a source's settings against its plugin's fields (shared by the CLI and the settings dialog)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from networked_councillor.base.errors import ConfigError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.plugin_api.source import ConfigField
from networked_councillor.store import sources as source_store
from networked_councillor.store.sources import SourceRow


def coerce(field: ConfigField, value: Any) -> Any:
    """A typed value for ``field`` from what a person typed (text) or a form gave (typed)."""
    if field.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
            raise ConfigError(f"{field.label} must be yes or no.")
        return text in ("1", "true", "yes", "on")
    if field.kind == "int":
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            raise ConfigError(f"{field.label} must be a whole number.") from None
        if isinstance(value, bool) or not field.minimum <= number <= field.maximum:
            raise ConfigError(f"{field.label} must be a whole number from {field.minimum:,} to {field.maximum:,}.")
        return number
    if field.kind == "list":
        items = value if isinstance(value, (list, tuple)) else str(value).replace("\n", ",").split(",")
        return [str(v).strip() for v in items if str(v).strip()]
    value = str(value).strip()
    if field.kind == "choice" and field.choices and value not in field.choices:
        raise ConfigError(f"{field.label} must be one of: {', '.join(field.choices)}.")
    if field.kind == "url" and value:
        value = web_address(field, value)
    return value


def web_address(field: ConfigField, value: str) -> str:
    """A whole http(s) address with a host (or a file: one, for a feed saved on this computer)."""
    wrong = ConfigError(f"{field.label} must be a web address, such as https://www.example.gov.uk.")
    if not value.startswith(("http://", "https://", "file:")):
        if "://" in value or " " in value or "." not in value.split("/")[0]:
            raise wrong
        value = "https://" + value  # typed as people say it: "mastodon.social"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:
        raise wrong from None
    if parts.scheme in ("http", "https") and not parts.hostname or any(c.isspace() for c in value):
        raise wrong
    return value


def validate(fields: Sequence[ConfigField], values: Mapping[str, Any]) -> dict[str, Any]:
    """A complete config: defaults filled in, values typed, required fields present, secrets left out."""
    by_key = {f.key: f for f in fields}
    unknown = [k for k in values if k not in by_key]
    if unknown:
        raise ConfigError(f"Unknown setting {unknown[0]!r}. This plugin's settings are: {', '.join(by_key) or 'none'}.")
    config: dict[str, Any] = {}
    for field in fields:
        if field.kind == "secret":
            if field.key in values:
                raise ConfigError(f"{field.label} is secret: it is kept in the system keyring, not in the settings.")
            continue
        raw = values.get(field.key, field.default)
        if raw is None or raw == "":
            if field.required:
                raise ConfigError(f"Missing required setting: {field.key} ({field.label}).")
            continue
        config[field.key] = coerce(field, raw)
    return config


def save_source(db: Database, plugin_id: str, fields: Sequence[ConfigField], name: str, values: Mapping[str, Any],
                secrets: Mapping[str, str], now: str, *, existing: SourceRow | None = None,
                source_id: str | None = None) -> str:
    """Add a source, or change ``existing``, and keep its secrets in the keyring: all of it or none.

    Call it inside ``store.write()``: if the keyring refuses a secret, the
    error undoes the source's change too. Settings the app itself keeps in a
    source's config (the demo ward's flag) survive an edit.
    """
    secret_keys = {f.key for f in fields if f.kind == "secret"}
    unknown = [key for key in secrets if key not in secret_keys]
    if unknown:
        raise ConfigError(f"{unknown[0]} is not a secret setting of this plugin.")
    config = validate(fields, values)
    if existing is not None:
        own = {f.key for f in fields}
        config = {**{k: v for k, v in existing.config.items() if k not in own}, **config}
        db["sources"].update(existing.id, {"name": " ".join(name.split()) or existing.name})
        source_store.update_config(db, existing.id, config)
        source_id = existing.id
    else:
        source_id = source_store.add(db, plugin_id, name, config, now, source_id=source_id)
    for key, secret in secrets.items():
        SecretStore(source_id).set(key, secret)
    if secrets:
        source_store.note_secrets(db, source_id)
    return source_id


@dataclass
class Imported:
    added: int = 0
    already: int = 0
    refused: list[str] = dataclasses.field(default_factory=list)
    """One line per entry that was not added, saying why."""

    def summary(self, what: str = "feeds") -> str:
        words = f"Added {self.added} {what} ({self.already} were already there)."
        if self.refused:
            words += f" {len(self.refused)} could not be added:\n" + "\n".join(f"  {r}" for r in self.refused)
        return words


def import_sources(db: Database, plugin_id: str, fields: Sequence[ConfigField],
                   found: Iterable[tuple[str, Mapping[str, Any]]], now: str) -> Imported:
    """Add each (name, config) a list of feeds gave, checked exactly as `sources add` checks one typed in: an
    OPML file's ``javascript:`` or relative address is refused, with the reason, and the rest are added."""
    result = Imported()
    existing = {json.dumps(r.config, sort_keys=True) for r in source_store.all_sources(db) if r.plugin == plugin_id}
    for name, values in found:
        try:
            config = validate(fields, values)
        except ConfigError as exc:
            result.refused.append(f"{name}: {exc.message}")
            continue
        key = json.dumps(config, sort_keys=True)
        if key in existing:
            result.already += 1
            continue
        source_store.add(db, plugin_id, name or "Feed", config, now)
        existing.add(key)
        result.added += 1
    return result
