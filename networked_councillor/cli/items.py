"""`networked-councillor items ...`: list, search and show what the ward is saying."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

from networked_councillor.base.errors import ConfigError
from networked_councillor.cli.args import EXIT_OK, EXIT_PARTIAL, MAX_ID, count_between, when
from networked_councillor.cli.progress import ProgressBar
from networked_councillor.ingest.by_hand import PLACES


def add_parsers(commands) -> None:
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
    bring = items.add_parser("import", help="bring in emails saved from a mail client (.eml, Outlook .msg)")
    bring.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add = items.add_parser("add", help="add a post by hand (from a Facebook group, Nextdoor, a letter, a call...)")
    add.add_argument("text", help="what the resident said; - reads it from standard input")
    add.add_argument("--link", default="", help="the post's web address, if it has one (fills in --where)")
    add.add_argument("--who", default="", help="who said it")
    add.add_argument("--where", default="", choices=("", *PLACES), metavar="PLACE",
                     help=f"where it was said: {', '.join(PLACES)}")
    add.add_argument("--image", action="append", type=Path, default=[], metavar="FILE",
                     help="a picture that came with it (repeat for more)")


def cmd_items(app, args) -> int:
    from networked_councillor.store import items as item_store
    from networked_councillor.store import settings as settings_store

    if args.action == "import":
        return _import(app, args.files)
    if args.action == "add":
        return _add(app, args)
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


def _import(app, files: list[Path]) -> int:
    bar = ProgressBar() if sys.stderr.isatty() else None
    try:  # Ctrl+C stops between files; each batch of files is stored whole or not at all
        report = app.import_files(files, progress=bar)
    finally:
        if bar:
            bar.close()
    for problem in report.problems:
        print(f"Not brought in: {problem}", file=sys.stderr)
    print(f"Emails: {report.summary()}" + (" See them with the app's Casework mail view (Ctrl+8)."
                                           if report.stored else ""))
    return EXIT_PARTIAL if report.problems or report.cancelled else EXIT_OK


def _add(app, args) -> int:
    from networked_councillor.ingest.by_hand import HandPost

    text = sys.stdin.read() if args.text == "-" else args.text
    try:
        images = [(path.name, path.read_bytes()) for path in args.image]
    except OSError as exc:
        raise ConfigError(f"Could not read the picture {exc.filename}: {exc.strerror}.") from exc
    outcome = app.add_post(HandPost(text, args.link, args.who, args.where, images=images))
    if outcome.item_ids:
        print(f"Added as item {outcome.item_ids[0]}.")
    else:
        print("That post was already added.")
    return EXIT_OK


def _print_item_line(row: dict) -> None:
    columns = shutil.get_terminal_size((100, 20)).columns
    who = row.get("author_name") or row.get("author_handle") or row.get("source_name") or ""
    headline = row.get("title") or row.get("text") or ""
    headline = " ".join(headline.split())
    evidence = ", ".join(e["term"] for e in row.get("evidence") or [])
    print(f"#{row['id']:<6} {when(row['created_at']):<16} {row['relevance']:.2f}  {who[:20]:<20} "
          f"{headline[: max(20, columns - 60)]}")
    if evidence:
        print(f"{'':8}matched: {evidence}")


def _print_item_full(item: dict) -> None:
    print(f"#{item['id']}  {item.get('title') or ''}".rstrip())
    print(f"From {item.get('source_name')} · {item.get('author_name') or item.get('author_handle') or 'unknown author'}"
          f" · {when(item['created_at'])}")
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






HANDLERS = {"items": cmd_items}
