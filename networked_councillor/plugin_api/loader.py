"""Find source plugins through entry points, tolerating broken ones.

Each plugin is loaded in its own try/except: one broken or outdated plugin
must never stop the app or hide the others. Every failure is collected so the
user sees them all in one report.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points

from networked_councillor.plugin_api.source import API_VERSION, ConfigField

log = logging.getLogger(__name__)

GROUP = "networked_councillor.sources"
BUILT_IN = "networked-councillor"
_ID = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


@dataclass(frozen=True, slots=True)
class PluginFailure:
    name: str
    origin: str
    message: str

    def __str__(self) -> str:
        return f"{self.name} ({self.origin}): {self.message}"


@dataclass(slots=True)
class PluginRegistry:
    plugins: dict[str, type] = field(default_factory=dict)
    failures: list[PluginFailure] = field(default_factory=list)

    def get(self, plugin_id: str) -> type | None:
        return self.plugins.get(plugin_id)


def discover(eps: Iterable[EntryPoint] | None = None) -> PluginRegistry:
    """Load every plugin registered under the sources entry-point group."""
    registry = PluginRegistry()
    origins: dict[str, str] = {}
    for ep in sorted(entry_points(group=GROUP) if eps is None else eps, key=_load_order):
        origin = _origin(ep)
        try:
            plugin = ep.load()
            problem = contract_problem(plugin)
        except Exception as exc:  # a plugin may raise anything at import
            log.exception("plugin %s failed to load", ep.name)
            registry.failures.append(PluginFailure(ep.name, origin, f"failed to load: {exc!r}"))
            continue
        if problem:
            registry.failures.append(PluginFailure(ep.name, origin, problem))
            continue
        if plugin.id in registry.plugins:
            registry.failures.append(
                PluginFailure(ep.name, origin, f"skipped: id '{plugin.id}' is already provided by {origins[plugin.id]}")
            )
            continue
        registry.plugins[plugin.id] = plugin
        origins[plugin.id] = origin
    for failure in registry.failures:
        log.warning("source plugin problem: %s", failure)
    return registry


def contract_problem(plugin: object) -> str | None:
    """Why ``plugin`` does not meet the Source contract, or None if it does."""
    if not isinstance(plugin, type):
        return "is not a class"
    plugin_id = getattr(plugin, "id", None)
    if not isinstance(plugin_id, str) or not _ID.match(plugin_id):
        return "has no valid id (lower-case letters, digits, - and _)"
    if not isinstance(getattr(plugin, "name", None), str):
        return "has no name"
    version = getattr(plugin, "api_version", None)
    if version != API_VERSION:
        return f"was written for plugin API {version!r}; this app supports {API_VERSION}"
    fields = getattr(plugin, "config_fields", None)
    if not isinstance(fields, (list, tuple)) or not all(isinstance(f, ConfigField) for f in fields):
        return "config_fields must be a list of ConfigField"
    if not callable(getattr(plugin, "fetch", None)):
        return "has no fetch() method"
    return None


def _load_order(ep: EntryPoint) -> tuple[bool, str]:
    """The app's own plugins first, so a third party can never take over a built-in id."""
    dist = getattr(ep, "dist", None)
    name = re.sub(r"[-_.]+", "-", dist.name).lower() if dist is not None else ""
    return (name != BUILT_IN, ep.name)


def _origin(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    name = f"{dist.name} {dist.version}" if dist is not None else "unknown package"
    return f"{name}: {ep.value}"
