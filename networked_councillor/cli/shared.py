"""`networked-councillor shared …`: the shared casework database.

For council IT (once): `shared sql` prints the schema to read or run with psql; `shared setup` creates or
upgrades it; `shared add-user` / `remove-user` / `people` manage who may use it. These connect as IT's own
PostgreSQL user (`--admin-address`, `--admin-user`; the password from PGPASSWORD or asked for).
For a councillor: `shared connect` (once), then `shared sync` and `shared status`; the window syncs by itself.
"""

from __future__ import annotations

import getpass
import os

import psycopg

from networked_councillor.base.errors import ConfigError, SharedError
from networked_councillor.cli.args import EXIT_OK, EXIT_PARTIAL, when
from networked_councillor.shared import admin
from networked_councillor.shared.connection import PASSWORD, SharedSettings, explain, save_settings
from networked_councillor.shared.outbox import waiting
from networked_councillor.shared.server_schema import setup_script
from networked_councillor.shared.sync import LAST_SYNC, check
from networked_councillor.store import settings as settings_store


def add_parsers(commands) -> None:
    shared = commands.add_parser("shared", help="casework shared with ward colleagues and officers (PostgreSQL)")
    actions = shared.add_subparsers(dest="shared_command", metavar="ACTION", required=True)
    actions.add_parser("sql", help="print the database schema (roles, tables, policies) for council IT")
    for name, words in (("setup", "create or upgrade the shared casework schema"),
                        ("add-user", "add a person (or change their role and wards)"),
                        ("remove-user", "end a person's access"), ("people", "list the people and their wards")):
        action = actions.add_parser(name, help=f"IT: {words}")
        action.add_argument("--admin-address", required=True, metavar="SERVER/DATABASE",
                            help="the database, as server[:port]/database")
        action.add_argument("--admin-user", default="postgres", help="IT's own PostgreSQL user (default postgres)")
        action.add_argument("--ca-file", default="", help="the council's certificate authority file, if needed")
        if name in ("add-user", "remove-user"):
            action.add_argument("login", help="their login name, like cllr_asmith")
        if name == "add-user":
            action.add_argument("--name", required=True, help='how colleagues see them: "Cllr Ann Smith"')
            action.add_argument("--role", required=True, choices=sorted(admin.ROLES))
            action.add_argument("--ward", action="append", default=[], metavar="ID[=NAME]",
                                help="a ward they work on (repeatable): its code, and its name the first time")
    connect = actions.add_parser("connect", help="connect this computer to the shared casework")
    connect.add_argument("address", metavar="SERVER/DATABASE", help="as council IT gave it")
    connect.add_argument("--user", required=True, help="your login name there")
    connect.add_argument("--ward", default="", help="the ward your new casework goes to (if you have several)")
    connect.add_argument("--ca-file", default="", help="the council's certificate authority file, if needed")
    connect.add_argument("--client-cert", default="", help="your certificate and key (PEM), if IT uses them "
                         "instead of passwords (you are asked for the key's passphrase)")
    actions.add_parser("sync", help="send your casework edits and read your colleagues' now")
    actions.add_parser("status", help="where this computer syncs, when it last did, and what waits")
    actions.add_parser("disconnect", help="stop sharing (your copy of the casework stays)")


def cmd_shared(app, args) -> int:
    return ACTIONS[args.shared_command](app, args)


def _admin(args) -> psycopg.Connection:
    settings = SharedSettings(address=args.admin_address, user=args.admin_user, ca_file=args.ca_file)
    password = os.environ.get("PGPASSWORD") or getpass.getpass(f"Password for {args.admin_user} (not shown): ")
    try:
        return psycopg.connect(autocommit=True, password=password, **settings.conninfo())
    except psycopg.OperationalError as exc:
        raise explain(exc, settings) from exc


def _sql(app, args) -> int:
    print(setup_script(), end="")
    return EXIT_OK


def _setup(app, args) -> int:
    with _admin(args) as conn:
        applied = admin.setup(conn)
        version = admin.schema_version(conn)
    print(f"Applied schema versions {', '.join(map(str, applied))}." if applied else "Already up to date.",
          f"The shared casework schema is at version {version}.")
    return EXIT_OK


def _add_user(app, args) -> int:
    person = admin.Person(args.login, args.name, args.role, admin.parse_wards(args.ward))
    with _admin(args) as conn:
        password = admin.add_person(conn, person, os.environ.get("NC_NEW_USER_PASSWORD"))
    print(f"{args.name} ({admin.ROLE_NAMES[args.role].lower()}) can now use the shared casework as "
          f"{args.login}" + (f", in {', '.join(w for w, _ in person.wards)}." if person.wards else "."))
    if not os.environ.get("NC_NEW_USER_PASSWORD"):
        print(f"Their password (shown once; give it to them in person): {password}")
    return EXIT_OK


def _remove_user(app, args) -> int:
    with _admin(args) as conn:
        closed = admin.end_access(conn, args.login)
    print(f"{args.login} can no longer use the shared casework ({closed} open connection(s) closed). "
          "What they wrote stays on the timelines under their name.")
    return EXIT_OK


def _people(app, args) -> int:
    with _admin(args) as conn:
        for person in admin.people(conn):
            state = " (access ended)" if person["ended"] else ""
            print(f"{person['login']:<20} {person['display_name']:<28} {person['role']:<11} "
                  f"{', '.join(person['wards']) or '-'}{state}")
    return EXIT_OK


def _connect(app, args) -> int:
    settings = SharedSettings(address=args.address, user=args.user, ward=args.ward, ca_file=args.ca_file,
                              client_cert=args.client_cert)
    settings.conninfo()  # a malformed address is said before the password is asked for
    asked = "Passphrase of your certificate's key" if args.client_cert else f"Password for {args.user}"
    app.shared_secrets.set(PASSWORD.name, getpass.getpass(f"{asked} (not shown): "))
    me = check(settings, app.shared_secrets)
    if args.ward and args.ward not in me.wards:
        raise ConfigError(f"You are not in ward {args.ward!r} there; your wards: {', '.join(me.wards)}.")
    app.perform(save_settings, settings)
    print(f"Connected as {me.name} ({admin.ROLE_NAMES[me.role].lower()}), wards: {', '.join(me.wards.values())}.")
    return _sync(app, args)


def _sync(app, args) -> int:
    try:
        report = app.sync_shared()
    except SharedError as exc:
        print(f"Not synced: {exc}")
        return EXIT_PARTIAL
    print(f"Synced: {report.summary()}.")
    return EXIT_OK


def _status(app, args) -> int:
    with app.store.read() as db:
        settings = SharedSettings.load(db)
        last, left = settings_store.get_setting(db, LAST_SYNC), waiting(db)
    if not settings.enabled:
        print("This computer does not share its casework. `shared connect` sets it up.")
        return EXIT_OK
    print(f"Shared casework at {settings.address} as {settings.user}; last synced {when(last) or 'never'}; "
          f"{left} change(s) waiting to be sent.")
    return EXIT_OK


def _disconnect(app, args) -> int:
    app.perform(save_settings, SharedSettings())
    app.shared_secrets.delete(PASSWORD.name)
    print("This computer no longer syncs its casework. Its copy stays here.")
    return EXIT_OK


ACTIONS = {"sql": _sql, "setup": _setup, "add-user": _add_user, "remove-user": _remove_user, "people": _people,
           "connect": _connect, "sync": _sync, "status": _status, "disconnect": _disconnect}
HANDLERS = {"shared": cmd_shared}
