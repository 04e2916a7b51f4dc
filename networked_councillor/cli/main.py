"""`networked-councillor`: the desktop app with no arguments, headless sub-commands otherwise."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import shutil
import sys
import textwrap
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from networked_councillor import __version__
from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError, FetchBusy, NcError
from networked_councillor.base.files import read_json
from networked_councillor.base.ward import TERM_KINDS, WardProfile
from networked_councillor.cli import casework as cli_casework
from networked_councillor.cli import model as cli_model
from networked_councillor.cli import privacy as cli_privacy
from networked_councillor.cli import training as cli_training
from networked_councillor.cli.args import MAX_ID, count_between
from networked_councillor.ingest import source_config
from networked_councillor.plugin_api.source import ConfigField

EXIT_OK, EXIT_PARTIAL, EXIT_ERROR = 0, 1, 2


class OneLineParser(argparse.ArgumentParser):
    """A mistake on the command line is one line and exit 2 (argparse prints the whole usage first)."""

    def error(self, message: str):
        self.exit(EXIT_ERROR, f"Error: {message}. See `{self.prog} --help`.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="networked-councillor",
        description="Hear what your ward is saying, answer conversationally, and turn it into casework. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="where the app keeps its data (default: $NC_DATA_DIR, "
                        "then your user data folder)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print what the app is doing")
    parser.add_argument("--training", action="store_true", help="open the training workspace (the demo ward, "
                        "guided exercises; nothing is posted or sent)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("gui", help="open the desktop app (the default)")

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
    imp = sources.add_parser("import", help="add every feed in an OPML file (or another plugin's list format)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--plugin", default="rss", help="which plugin reads the file (default: rss)")

    fetch = commands.add_parser("fetch", help="fetch new items from the enabled sources")
    fetch.add_argument("--source", action="append", metavar="ID", help="fetch only this source (repeatable)")

    items = commands.add_parser("items", help="list, search and show items").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    lst = items.add_parser("list", help="the newest items about the ward")
    search = items.add_parser("search", help="full-text search (words, \"phrases\", OR, NOT, prefix*)")
    search.add_argument("query")
    for sub in (lst, search):
        sub.add_argument("--limit", type=count_between(1, 100_000), default=20)
        sub.add_argument("--all", action="store_true", help="include items below the ward relevance threshold")
        sub.add_argument("--json", action="store_true", help="print JSON Lines")
    lst.add_argument("--source", metavar="ID")
    show = items.add_parser("show", help="one item in full, with why it is relevant")
    show.add_argument("id", type=count_between(1, MAX_ID))

    ward = commands.add_parser("ward", help="show and edit the ward profile").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    ward.add_parser("show", help="the ward profile")
    wset = ward.add_parser("set", help="set name, council, gss_code, councillor, threshold, or boundary (a GeoJSON file)")
    wset.add_argument("field", choices=("name", "council", "gss_code", "councillor", "threshold", "boundary"))
    wset.add_argument("value")
    for verb in ("add-term", "remove-term"):
        sub = ward.add_parser(verb, help=f"{verb.split('-')[0]} place names, streets, postcodes, hashtags or handles")
        sub.add_argument("kind", choices=TERM_KINDS)
        sub.add_argument("terms", nargs="+")
    wsetup = ward.add_parser("setup", help="set the ward up from one of its postcodes (postcodes.io and MapIt)")
    wsetup.add_argument("postcode")
    wsetup.add_argument("--no-sources", action="store_true", help="do not add FixMyStreet and planning sources")
    wsetup.add_argument("--mapit-key", action="store_true", help="ask for a MapIt API key and keep it in the keyring")
    wsetup.add_argument("--postcodes-url", help=argparse.SUPPRESS)
    wsetup.add_argument("--mapit-url", help=argparse.SUPPRESS)
    wimp = ward.add_parser("import", help="replace the ward profile with one from a JSON file")
    wimp.add_argument("file", type=Path)
    wexp = ward.add_parser("export", help="print the ward profile as JSON")
    wexp.add_argument("file", type=Path, nargs="?")

    demo = commands.add_parser("demo", help="load the fictional demo ward (Millbrook) and fetch its sources")
    demo.add_argument("--force", action="store_true", help="load it even though another ward is set up here")

    cli_model.add_parsers(commands)
    cli_casework.add_parsers(commands)
    cli_privacy.add_parsers(commands)
    cli_training.add_parsers(commands)
    commands.add_parser("doctor", help="check the install: Qt, model files, database, keyring, plugins")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        from networked_councillor.ui.main import run

        return run(args.data_dir, training=args.training)
    handler = _HANDLERS[args.command]
    try:
        from networked_councillor.app import App

        with App(args.data_dir, verbose=args.verbose) as app:
            return handler(app, args)
    except NcError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # a fault of the app's, not of the input: one line here, the details in the log
        logging.getLogger(__name__).exception("`%s` failed unexpectedly", args.command)
        print(f"Error: something went wrong that the app did not expect ({type(exc).__name__}: {exc}). "
              "The details are in the log file in the app's data folder.", file=sys.stderr)
        return EXIT_ERROR


# ---- sources ---------------------------------------------------------------

def cmd_sources(app, args) -> int:
    from networked_councillor.store import sources as source_store

    if args.action == "plugins":
        for plugin_id, plugin in sorted(app.registry.plugins.items()):
            print(f"{plugin_id}: {plugin.name}")
            for f in plugin.config_fields:
                req = " (required)" if f.required else ""
                print(f"    {f.key} [{f.kind}]{req}: {f.label}")
        _print_plugin_failures(app)
        return EXIT_OK
    if args.action == "list":
        with app.store.read() as db:
            rows = source_store.all_sources(db)
        if not rows:
            print("No sources yet. Add one with `sources add`, or load the demo ward with `demo`.")
        for row in rows:
            status = "enabled " if row.enabled else "disabled"
            last = f"last fetched {_when(row.last_fetch_at)}" if row.last_fetch_at else "never fetched"
            health = f"ERROR: {row.last_error}" if row.last_error else (
                f"{row.last_new} new of {row.last_seen}" if row.last_seen is not None else "")
            print(f"{row.id:<28} {status} {row.plugin:<8} {row.name} ({last}) {health}".rstrip())
        _print_plugin_failures(app)
        return EXIT_OK
    if args.action == "add":
        plugin = _plugin(app, args.plugin)
        values = parse_values(plugin.config_fields, args.set)
        source_config.validate(plugin.config_fields, values)  # a mistake is reported before any password is asked
        secrets = {key: getpass.getpass(f"{key} (not shown): ") for key in args.secret}
        with app.store.write() as db:
            source_id = source_config.save_source(db, args.plugin, plugin.config_fields, args.name, values, secrets,
                                                  clock.now_iso(), source_id=args.id)
        print(f"Added source {source_id}. Fetch it with: networked-councillor fetch --source {source_id}")
        return EXIT_OK
    if args.action == "remove":
        if not args.yes and not _confirm(f"Remove source {args.id} and the items only it brought?"):
            return EXIT_ERROR
        with app.store.write() as db:
            removed = source_store.remove(db, args.id)
        print(f"Removed source {args.id} and {removed} items (items linked to casework, drafts or pins were kept).")
        return EXIT_OK
    if args.action in ("enable", "disable"):
        with app.store.write() as db:
            source_store.set_enabled(db, args.id, args.action == "enable")
        print(f"Source {args.id} {args.action}d.")
        return EXIT_OK
    if args.action == "import":
        plugin = _plugin(app, args.plugin)
        reader = getattr(plugin, "import_sources", None)
        if reader is None:
            raise ConfigError(f"The {args.plugin} plugin cannot import lists of sources.")
        try:
            found = reader(args.file.read_bytes())
        except OSError as exc:
            raise ConfigError(f"Could not read {args.file} ({exc.strerror}).") from exc
        with app.store.write() as db:
            imported = source_config.import_sources(db, args.plugin, plugin.config_fields, found, clock.now_iso())
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


def _print_plugin_failures(app) -> None:
    for failure in app.registry.failures:
        print(f"Plugin problem: {failure}", file=sys.stderr)


# ---- fetch -----------------------------------------------------------------

def cmd_fetch(app, args) -> int:
    bar = ProgressBar() if sys.stderr.isatty() else None
    cancel = threading.Event()
    try:
        report = app.pipeline().fetch(args.source, cancel=cancel, progress=bar)
    except FetchBusy as busy:
        print(busy)
        return EXIT_OK
    except KeyboardInterrupt:
        cancel.set()
        raise
    finally:
        if bar:
            bar.close()
    _print_plugin_failures(app)
    if not report.outcomes:
        print("No enabled sources to fetch. Add one with `sources add`, or load the demo ward with `demo`.")
        return EXIT_OK
    for outcome in report.outcomes:
        print(("  ok    " if outcome.ok else "  FAIL  ") + outcome.summary())
        for warning in outcome.warnings:
            print(f"        {warning}")
    print(f"{report.new} new items.")
    if app.tagger_problem:
        print(f"Items were stored without topics: {app.tagger_problem}")
    return EXIT_OK if report.ok else EXIT_PARTIAL


class ProgressBar:
    """A one-line progress bar on stderr."""

    def __init__(self, width: int = 28) -> None:
        self.width = width
        self._lock = threading.Lock()

    def __call__(self, fraction: float | None, message: str) -> None:
        fraction = fraction or 0.0
        filled = int(self.width * fraction)
        columns = shutil.get_terminal_size((80, 20)).columns
        line = f"[{'#' * filled}{'-' * (self.width - filled)}] {fraction:4.0%} {message}"
        with self._lock:
            sys.stderr.write("\r" + line[: columns - 1].ljust(columns - 1))
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\r" + " " * (shutil.get_terminal_size((80, 20)).columns - 1) + "\r")
        sys.stderr.flush()


# ---- items -----------------------------------------------------------------

def cmd_items(app, args) -> int:
    from networked_councillor.store import items as item_store
    from networked_councillor.store import settings as settings_store

    with app.store.read() as db:
        threshold = 0.0 if getattr(args, "all", False) else settings_store.load_ward(db).effective_threshold
        if args.action == "show":
            item = item_store.get(db, args.id)
            if item is None:
                raise ConfigError(f"There is no item {args.id}.")
            _print_item_full(item)
            return EXIT_OK
        if args.action == "list":
            rows = item_store.recent(db, limit=args.limit, min_relevance=threshold, source_id=args.source)
        else:
            rows = item_store.search(db, args.query, limit=args.limit, min_relevance=threshold)
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("Nothing found." + ("" if getattr(args, "all", False) else " (--all includes items below the ward "
                                  "relevance threshold.)"))
    for row in rows:
        _print_item_line(row)
    return EXIT_OK


def _print_item_line(row: dict) -> None:
    columns = shutil.get_terminal_size((100, 20)).columns
    who = row.get("author_name") or row.get("author_handle") or row.get("source_name") or ""
    headline = row.get("title") or row.get("text") or ""
    headline = " ".join(headline.split())
    evidence = ", ".join(e["term"] for e in row.get("evidence") or [])
    print(f"#{row['id']:<6} {_when(row['created_at']):<16} {row['relevance']:.2f}  {who[:20]:<20} "
          f"{headline[: max(20, columns - 60)]}")
    if evidence:
        print(f"{'':8}matched: {evidence}")


def _print_item_full(item: dict) -> None:
    print(f"#{item['id']}  {item.get('title') or ''}".rstrip())
    print(f"From {item.get('source_name')} · {item.get('author_name') or item.get('author_handle') or 'unknown author'}"
          f" · {_when(item['created_at'])}")
    if item.get("url"):
        print(item["url"])
    print()
    print(textwrap.fill(item.get("text") or "", width=min(100, shutil.get_terminal_size((100, 20)).columns),
                        replace_whitespace=False))
    print()
    evidence = ", ".join(f"{e['kind']}: {e['term']}" for e in item.get("evidence") or [])
    print(f"Relevance {item['relevance']:.2f}" + (f" (matched {evidence})" if evidence else " (nothing matched)"))
    if item.get("topic") or item.get("sentiment"):
        print(f"Topic {item.get('topic') or '?'} · sentiment {item.get('sentiment') or '?'}")
    if item.get("sightings"):
        print(f"Also seen through {item['sightings']} other source(s).")


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y %H:%M")


# ---- ward ------------------------------------------------------------------

def cmd_ward(app, args) -> int:
    from networked_councillor.store import settings as settings_store

    with app.store.read() as db:
        ward = settings_store.load_ward(db)
    if args.action == "show":
        _print_ward(ward)
        return EXIT_OK
    if args.action == "setup":
        return _ward_setup(app, args, ward)
    if args.action == "export":
        text = json.dumps(ward.to_dict(), indent=2, ensure_ascii=False)
        if args.file:
            args.file.write_text(text + "\n", encoding="utf-8")
            print(f"Wrote {args.file}.")
        else:
            print(text)
        return EXIT_OK
    if args.action == "import":
        ward = WardProfile.load(args.file)
    elif args.action == "set":
        if args.field == "boundary":
            from networked_councillor.base.geo import Boundary

            ward.boundary = read_json(args.value, "a GeoJSON boundary")
            Boundary(ward.boundary)
        else:
            setattr(ward, args.field, args.value)
    elif args.action == "add-term":
        for term in args.terms:
            ward.add_term(args.kind, term)
    elif args.action == "remove-term":
        for term in args.terms:
            if not ward.remove_term(args.kind, term):
                print(f"{term!r} was not in {args.kind}.")
    with app.store.write() as db:
        settings_store.save_ward(db, ward, clock.now_iso())
    print("Ward profile saved. New fetches use it; `ward show` prints it.")
    return EXIT_OK


def _ward_setup(app, args, current: WardProfile) -> int:
    from networked_councillor.base import postcodes
    from networked_councillor.base.secrets import SecretStore
    from networked_councillor.ingest.wardsetup import MAPIT_SECRET, apply_setup, finder_for
    from networked_councillor.plugin_api.http import HttpClient

    if args.mapit_key:
        SecretStore(MAPIT_SECRET.namespace).set(MAPIT_SECRET.name, getpass.getpass("MapIt API key (not shown): "))
    bar = ProgressBar() if sys.stderr.isatty() else None
    try:
        with HttpClient() as http:
            finder = finder_for(app, http, postcodes_url=args.postcodes_url, mapit_url=args.mapit_url)
            setup = finder.find(args.postcode, progress=bar or (lambda f, m: None))
    finally:
        if bar:
            bar.close()
    added = apply_setup(app, setup, current, with_sources=not args.no_sources)
    print(f"{setup.ward} ward ({setup.ward_gss}), {setup.district}" + (f", {setup.county}" if setup.county else ""))
    sectors = {postcodes.sector(pc) for pc in setup.postcodes}
    print(f"Boundary: {'from MapIt (area ' + str(setup.mapit_id) + ')' if setup.boundary else 'none'}; "
          f"{len(setup.postcodes)} postcodes found in the ward, in {len(sectors)} sectors.")
    for name in added:
        print(f"Added source: {name}")
    for note in setup.notes:
        print(f"Note: {note}")
    print('Next: add your ward\'s streets with `ward add-term streets "Mill Road" ...` and your handles with '
          "`ward add-term handles you.bsky.social`.")
    return EXIT_OK


def _print_ward(ward: WardProfile) -> None:
    if not ward.name:
        print("No ward is set up yet. Use `ward set name ...`, `ward import FILE`, or `demo`.")
        return
    print(f"{ward.name} ward, {ward.council}".rstrip(", ") + (f" ({ward.gss_code})" if ward.gss_code else ""))
    if ward.councillor:
        print(f"Councillor: {ward.councillor}")
    for kind in TERM_KINDS:
        values = getattr(ward, kind)
        print(f"{kind.capitalize():<10} {', '.join(values) if values else '(none)'}")
    print(f"Boundary   {'set' if ward.boundary else '(none)'}")
    print(f"Threshold  {ward.threshold:.2f} (items scoring below this are hidden unless you ask for all)")


# ---- demo and doctor --------------------------------------------------------

def cmd_demo(app, args) -> int:
    from networked_councillor.demo import load_demo

    summary = load_demo(app, force=args.force)
    print(summary)
    return EXIT_OK


def cmd_doctor(app, args) -> int:
    from networked_councillor.cli.doctor import run_checks

    worst = EXIT_OK
    for check in run_checks(app):
        print(f"{'ok  ' if check.ok else ('warn' if not check.critical else 'FAIL')}  {check.name}: {check.detail}")
        if not check.ok:
            worst = max(worst, EXIT_ERROR if check.critical else EXIT_PARTIAL)
    return worst


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        print(f"{question} Pass --yes to confirm.", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


_HANDLERS = {
    "sources": cmd_sources,
    "fetch": cmd_fetch,
    "items": cmd_items,
    "ward": cmd_ward,
    "demo": cmd_demo,
    "doctor": cmd_doctor,
    "model": cli_model.cmd_model,
    "topics": cli_model.cmd_topics,
    "issues": cli_casework.cmd_issues,
    "privacy": cli_privacy.cmd_privacy,
    "training": cli_training.cmd_training,
}


if __name__ == "__main__":
    raise SystemExit(main())
