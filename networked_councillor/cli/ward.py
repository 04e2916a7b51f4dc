"""`networked-councillor ward ...`: the ward profile, set by hand or from a postcode."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from networked_councillor.base import clock
from networked_councillor.base.files import read_json
from networked_councillor.base.ward import TERM_KINDS, WardProfile
from networked_councillor.cli.args import EXIT_OK
from networked_councillor.cli.progress import ProgressBar


def add_parsers(commands) -> None:
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
    app.perform(settings_store.save_ward, ward, clock.now_iso())
    print("Ward profile saved. New fetches use it; `ward show` prints it.")
    return EXIT_OK


def _ward_setup(app, args, current: WardProfile) -> int:
    from networked_councillor.base import postcodes
    from networked_councillor.base.secrets import SecretStore
    from networked_councillor.ingest.ops import apply_setup
    from networked_councillor.ingest.wardsetup import MAPIT_SECRET, finder_for
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
    added = app.perform(apply_setup, app.registry, setup, with_sources=not args.no_sources).value
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




HANDLERS = {"ward": cmd_ward}
