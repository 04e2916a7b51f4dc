"""`networked-councillor sources ...`: the sources the app reads, and the plugins that read them."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from networked_councillor.base.errors import ConfigError
from networked_councillor.cli.args import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, confirm, when
from networked_councillor.ingest import ops as ingest_ops
from networked_councillor.ingest import source_config
from networked_councillor.plugin_api.source import ConfigField, can_import_sources


def add_parsers(commands) -> None:
    sources = commands.add_parser("sources", help="list, add, remove, enable or disable sources").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    sources.add_parser("list", help="the configured sources and how their last fetch went")
    sources.add_parser("plugins", help="the installed source plugins and their settings")
    add = sources.add_parser("add", help="add a source", description="Example: sources add rss \"Ashcombe Gazette\" "
                             "--set url=https://example.com/feed.xml")
    add.add_argument("plugin", help="plugin id (see `sources plugins`)")
    add.add_argument("name", help="a name you will recognise")
    add.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a setting (repeatable)")
    add.add_argument("--secret", action="append", default=[], metavar="KEY",
                     help="a secret setting to type in privately; kept in the system keyring")
    add.add_argument("--id", help="the source's id (default: from its name)")
    remove = sources.add_parser("remove", help="remove a source and the items only it brought")
    remove.add_argument("id")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for verb in ("enable", "disable"):
        sub = sources.add_parser(verb, help=f"{verb} a source")
        sub.add_argument("id")
    sign = sources.add_parser("sign-in", help="sign a source in on its service's own page (Mastodon, Microsoft 365)")
    sign.add_argument("id")
    imp = sources.add_parser("import", help="add every feed in an OPML file (or another plugin's list format)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--plugin", default="rss", help="which plugin reads the file (default: rss)")


def cmd_sources(app, args) -> int:
    from networked_councillor.store import sources as source_store

    if args.action == "plugins":
        for plugin_id, plugin in sorted(app.registry.plugins.items()):
            print(f"{plugin_id}: {plugin.name}")
            for f in plugin.config_fields:
                req = " (required)" if f.required else ""
                print(f"    {f.key} [{f.kind}]{req}: {f.label}")
        print_plugin_failures(app)
        return EXIT_OK
    if args.action == "list":
        with app.store.read() as db:
            rows = source_store.all_sources(db)
        if not rows:
            print("No sources yet. Add one with `sources add`, or load the demo ward with `demo`.")
        for row in rows:
            status = "enabled " if row.enabled else "disabled"
            last = f"last fetched {when(row.last_fetch_at)}" if row.last_fetch_at else "never fetched"
            health = f"ERROR: {row.last_error}" if row.last_error else (
                f"{row.last_new} new of {row.last_seen}" if row.last_seen is not None else "")
            print(f"{row.id:<28} {status} {row.plugin:<8} {row.name} ({last}) {health}".rstrip())
        print_plugin_failures(app)
        return EXIT_OK
    if args.action == "sign-in":
        who = app.sign_in(args.id, _open_in_browser, lambda text: print(text, flush=True))
        print(f"Signed in as {who}. The token is kept in this computer's keyring.")
        return EXIT_OK
    if args.action == "add":
        plugin = _plugin(app, args.plugin)
        values = parse_values(plugin.config_fields, args.set)
        source_config.validate(plugin.config_fields, values)  # a mistake is reported before any password is asked
        secrets = {key: getpass.getpass(f"{key} (not shown): ") for key in args.secret}
        source_id = app.perform(ingest_ops.save_source, args.plugin, plugin.config_fields, args.name, values, secrets,
                                source_id=args.id).value
        print(f"Added source {source_id}. Fetch it with: networked-councillor fetch --source {source_id}")
        return EXIT_OK
    if args.action == "remove":
        if not args.yes and not confirm(f"Remove source {args.id} and the items only it brought?"):
            return EXIT_ERROR
        removed = app.perform(ingest_ops.remove_source, args.id).value
        print(f"Removed source {args.id} and {removed} items (items linked to casework, drafts or pins were kept).")
        return EXIT_OK
    if args.action in ("enable", "disable"):
        app.perform(source_store.set_enabled, args.id, args.action == "enable")
        print(f"Source {args.id} {args.action}d.")
        return EXIT_OK
    if args.action == "import":
        plugin = _plugin(app, args.plugin)
        if not can_import_sources(plugin):
            raise ConfigError(f"The {args.plugin} plugin cannot import lists of sources.")
        try:
            found = plugin.import_sources(args.file.read_bytes())
        except OSError as exc:
            raise ConfigError(f"Could not read {args.file} ({exc.strerror}).") from exc
        imported = app.perform(ingest_ops.import_sources, args.plugin, plugin.config_fields, found).value
        print(f"From {args.file}: {imported.summary('sources')}")
        return EXIT_OK if not imported.refused else EXIT_PARTIAL
    raise AssertionError(args.action)


def parse_config(fields: Sequence[ConfigField], pairs: Sequence[str]) -> dict[str, Any]:
    """Turn KEY=VALUE strings into a config dict, typed by the plugin's fields."""
    return source_config.validate(fields, parse_values(fields, pairs))


def parse_values(fields: Sequence[ConfigField], pairs: Sequence[str]) -> dict[str, str]:
    """KEY=VALUE strings as a dict of what was typed (secrets are refused: they are asked for, unseen)."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"{pair!r} is not KEY=VALUE.")
        if any(f.key == key.strip() and f.kind == "secret" for f in fields):
            raise ConfigError(f"{key} is secret: pass --secret {key} and type it when asked, so it stays out of "
                              "your shell history.")
        values[key.strip()] = value.strip()
    return values


def _plugin(app, plugin_id: str):
    plugin = app.registry.get(plugin_id)
    if plugin is None:
        raise ConfigError(f"No plugin called {plugin_id!r} is installed.", hint="See `sources plugins`.")
    return plugin


def print_plugin_failures(app) -> None:
    for failure in app.registry.failures:
        print(f"Plugin problem: {failure}", file=sys.stderr)


def _open_in_browser(url: str) -> None:
    import webbrowser

    webbrowser.open(url)  # on a computer with no browser the address printed before is the way


HANDLERS = {"sources": cmd_sources}
