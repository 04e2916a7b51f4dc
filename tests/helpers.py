"""Small builders shared by the tests."""

from __future__ import annotations

import threading

from networked_councillor.base import clock
from networked_councillor.base.secrets import SecretStore
from networked_councillor.base.ward import WardProfile
from networked_councillor.ingest.pipeline import Pipeline
from networked_councillor.ingest.sources import Sources
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.plugin_api.loader import PluginRegistry, discover
from networked_councillor.plugin_api.source import SourceApi
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store

MILLBROOK = WardProfile.from_dict({
    "name": "Millbrook",
    "council": "Ashcombe District Council",
    "places": ["Millbrook", "Millbrook Park"],
    "streets": ["Oak Road", "Mill Lane", "Church Walk", "Cooper's Yard", "Station Road"],
    "postcodes": ["AC4 2", "AC4 3"],
    "hashtags": ["#Millbrook"],
    "handles": ["cllr-jo-whitfield.bsky.social"],
    "boundary": {"type": "Polygon", "coordinates": [[[-1.19, 52.27], [-1.14, 52.27], [-1.14, 52.30],
                                                     [-1.19, 52.30], [-1.19, 52.27]]]},
})


def no_sleep(seconds, cancel):
    pass


def fast_http() -> HttpClient:
    return HttpClient(timeout=2, sleep=no_sleep)


def plugin_api(config: dict, http: HttpClient | None = None, ward: WardProfile = MILLBROOK) -> SourceApi:
    return SourceApi(source_id="test", config=config, http=http or fast_http(), secrets=SecretStore("test"), ward=ward)


def fetch_with(plugin_cls, config: dict, http: HttpClient | None = None):
    api = plugin_api(config, http)
    return list(plugin_cls(api).fetch(None, threading.Event(), lambda f, m: None)), api


def setup_ward(store, ward: WardProfile = MILLBROOK) -> None:
    with store.write() as db:
        settings_store.save_ward(db, ward, clock.now_iso())


def add_source(store, name: str, url: str, plugin: str = "rss", **config) -> str:
    with store.write() as db:
        return source_store.add(db, plugin, name, {"url": url, **config}, clock.now_iso())


def add_signed_in_source(store, plugin: str, name: str, config: dict, secrets: dict[str, str]) -> str:
    """A source saved as the settings dialog saves it: its config in the database, its secrets in the keyring."""
    from networked_councillor.ingest.source_config import save_source

    fields = discover().get(plugin).config_fields
    with store.write() as db:
        return save_source(db, plugin, fields, name, config, secrets, clock.now_iso())


def close_app(window) -> None:
    """Close the window before its app's database, so no late repaint reads from a closed store."""
    window.close()
    window.app.close()


def registry_with(*plugins) -> PluginRegistry:
    """The installed plugins plus test-only ones."""
    registry = discover()
    merged = PluginRegistry(dict(registry.plugins), list(registry.failures))
    for plugin in plugins:
        merged.plugins[plugin.id] = plugin
    return merged


def pipeline(store, registry: PluginRegistry | None = None, **kwargs) -> Pipeline:
    kwargs.setdefault("http_factory", fast_http)
    return Pipeline(store, registry or discover(), **kwargs)


class Poster:
    """What posting a reply needs of the app, over a bare store: its sources and its one write path."""

    training = False

    def __init__(self, store, registry: PluginRegistry | None = None) -> None:
        self.store, self.registry = store, registry or discover()

    def sources(self) -> Sources:
        return Sources(self.store, self.registry, http_factory=fast_http)

    def perform(self, op, /, *args, **kwargs):
        with self.store.write() as db:
            return op(db, *args, **kwargs)


def item_rows(store, where: str = "1", params=()) -> list[dict]:
    with store.read() as db:
        return list(db.query(f"SELECT * FROM items WHERE {where} ORDER BY id", list(params)))


def demo_item_id(store, post: str) -> int:
    """The stored id of a demo post named by its id in the demo content (``bsky-002``), whatever order the
    demo's sources were fetched in."""
    from networked_councillor.demo import demo_material
    from networked_councillor.training.exercises import DemoPosts

    with store.read() as db:
        found = DemoPosts(demo_material()).id(db, post)
    assert found is not None, f"the demo ward has no post {post}"
    return found


def peak_memory(action) -> int:
    """The most memory Python held while ``action()`` ran (it may raise: what it held until then)."""
    import tracemalloc

    tracemalloc.start()
    try:
        action()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def open_composer_on_a_feed_item(window):
    """The composer on a feed's item that has a web address (feeds take no replies from the app)."""
    with window.app.store.read() as db:
        item_id = db.execute("SELECT items.id FROM items JOIN sources ON sources.id = items.source_id "
                             "WHERE sources.plugin = 'rss' AND items.url LIKE 'http%' LIMIT 1").fetchone()[0]
    window.show_item(item_id)
    window.reply_action.trigger()
    return window.composers[item_id]
