"""`networked-councillor privacy ...`: a resident's data-protection requests, and retention, from the command line."""

from __future__ import annotations

from pathlib import Path

from networked_councillor.base import clock
from networked_councillor.base.changes import Changes
from networked_councillor.casework.erasure import erase_and_scrub, write_erasure_record
from networked_councillor.casework.ops import apply_retention_now
from networked_councillor.casework.privacy import PersonQuery, find_person
from networked_councillor.casework.retention import (
    CONTACT_DAYS_SETTING,
    DAYS_SETTING,
    RetentionSettings,
)
from networked_councillor.casework.subject_access import subject_access_export
from networked_councillor.cli.args import count_between
from networked_councillor.store import settings as settings_store


def add_parsers(commands) -> None:
    privacy = commands.add_parser("privacy", help="find, export or erase what the app holds about a person; "
                                  "retention").add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, words in (("find", "list every record about a person"),
                          ("export", "save a copy of everything held about a person (JSON and text)"),
                          ("erase", "erase everything held about a person (asks first)")):
        sub = privacy.add_parser(action, help=words)
        sub.add_argument("--name", default="")
        sub.add_argument("--handle", action="append", default=[], help="e.g. @sam.bsky.social (repeatable)")
        sub.add_argument("--email", default="")
        sub.add_argument("--phone", default="")
        if action == "export":
            sub.add_argument("--out", type=Path, required=True, help="the file name (.json and .txt are written)")
        if action == "erase":
            sub.add_argument("--yes", action="store_true", help="do not ask before erasing")
            sub.add_argument("--record", type=Path, help="also save the erasure record (who, what) to this file")
    retention = privacy.add_parser("retention", help="show or set how long posts and contact details are kept")
    retention.add_argument("--days", type=count_between(0, 36_500), help="keep posts this many days (0 keeps everything)")
    retention.add_argument("--contact-days", type=count_between(0, 36_500), help="keep residents' contact details this many days "
                           "after their issue closes (0 keeps them)")
    retention.add_argument("--apply", action="store_true", help="apply the settings now")


def cmd_privacy(app, args) -> int:
    if args.action == "retention":
        return _retention(app, args)
    who = PersonQuery(args.name, tuple(args.handle), args.email, args.phone)
    now = clock.now_iso()
    if args.action == "export":
        export = app.perform(subject_access_export, who, args.out, now)
        print(f"Saved {export.records} records to {export.json_path} and {export.text_path}.")
        print("Read it before sending: posts that mention them may name other people.")
        return 0
    with app.store.read() as db:
        report = find_person(db, who)
    print(report.describe())
    if args.action == "find" or not report.findings:
        return 0
    if not args.yes:
        answer = input(f"Erase these {len(report.findings)} records? This cannot be undone. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was erased.")
            return 1
    erasure = app.run(erase_and_scrub, report, now, changes=Changes(inbox=True, issues=True))
    print(erasure.describe())
    if args.record:
        print(f"Erasure record saved to {write_erasure_record(args.record, report, erasure)}.")
    return 0


def _retention(app, args) -> int:
    chosen = {key: days for key, days in ((DAYS_SETTING, args.days), (CONTACT_DAYS_SETTING, args.contact_days))
              if days is not None}
    if chosen:
        app.perform(settings_store.save_settings, chosen)
    with app.store.read() as db:
        settings = RetentionSettings.load(db)
    print(f"Posts are kept {settings.days} days" if settings.days else "Posts are kept until you delete them",
          end="; ")
    print(f"residents' contact details {settings.contact_days} days after their issue closes."
          if settings.contact_days else "residents' contact details until you remove them.")
    if args.apply:
        print(app.perform(apply_retention_now).summary())
    return 0


HANDLERS = {"privacy": cmd_privacy}
