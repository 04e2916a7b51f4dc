"""`networked-councillor issues ...`: the casework log from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from networked_councillor.base import clock
from networked_councillor.casework import issues as casework
from networked_councillor.casework import ops as casework_ops
from networked_councillor.casework.issues import STATUS_NAMES, STATUSES, IssueFilter
from networked_councillor.cli import exports as cli_exports

EXPORT_FORMATS = ("csv", "xlsx", "json", "pdf", "open311")


def add_parsers(commands) -> None:
    issues = commands.add_parser("issues", help="the casework log: list, show, update and export issues")
    actions = issues.add_subparsers(dest="action", metavar="ACTION", required=True)
    lst = actions.add_parser("list", help="open issues, overdue first (or --all)")
    lst.add_argument("--all", action="store_true", help="include resolved and closed issues")
    lst.add_argument("--status", choices=STATUSES)
    lst.add_argument("--overdue", action="store_true", help="only issues past their due date")
    lst.add_argument("--search", metavar="WORDS", help="in references, titles, descriptions and addresses")
    lst.add_argument("--json", action="store_true", help="print JSON Lines")
    show = actions.add_parser("show", help="one issue with its posts and timeline")
    show.add_argument("reference")
    status = actions.add_parser("status", help="move issues to a new status")
    status.add_argument("status", choices=STATUSES)
    status.add_argument("references", nargs="+")
    status.add_argument("--note", default="", help="a note for the timeline")
    note = actions.add_parser("note", help="add a note to an issue's timeline")
    note.add_argument("reference")
    note.add_argument("text")
    export = actions.add_parser(
        "export", help="export issues to a file (csv, xlsx, json), the ward report (pdf), or report them to the "
        "council (open311)", description="Examples: issues export --format xlsx --out casework.xlsx | "
        "issues export --format pdf --from 2026-11-01 --to 2026-11-30 | "
        "issues export --format open311 --service POTHOLE MB-0007")
    export.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    export.add_argument("references", nargs="*", help="only these issues (default: every issue, or those "
                        "chosen by --open or --status)")
    export.add_argument("--out", type=Path, help="the file to write (default: casework-DATE.FORMAT here)")
    export.add_argument("--open", action="store_true", help="only open issues")
    export.add_argument("--status", choices=STATUSES, help="only issues with this status")
    export.add_argument("--include-personal", "--with-contact", dest="include_personal", action="store_true",
                        help="include residents' contact details (only where they consented; for open311, sent "
                        "to the council); recorded in the audit log")
    export.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="pdf: first day (default: 28 days ago)")
    export.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="pdf: last day (default: today)")
    export.add_argument("--service", metavar="CODE", help="open311: the council's report type (see `issues "
                        "services`)")
    export.add_argument("--answer", action="append", default=[], metavar="QUESTION=ANSWER",
                        help="open311: an answer to one of the council's questions for the report type")
    actions.add_parser("services", help="the report types the council's Open311 service takes, and their questions")
    actions.add_parser("updates", help="bring the council's progress on reported issues back (Open311)")
    council = actions.add_parser("council", help="set the council's Open311 address, jurisdiction and API key")
    council.add_argument("--endpoint", required=True, help="e.g. https://council.example/open311/v2/")
    council.add_argument("--jurisdiction", default="", help="only if the council asks for one")
    council.add_argument("--api-key", action="store_true", help="ask for the API key (kept in the system keyring)")


def cmd_issues(app, args) -> int:
    if args.action == "list":
        return _list(app, args)
    if args.action == "show":
        return _show(app, args.reference)
    if args.action in ("export", "services", "updates", "council"):
        return getattr(cli_exports, args.action)(app, args)
    with app.store.read() as db:
        ids = [casework.id_of_reference(db, ref) for ref in (args.references if args.action == "status"
                                                              else [args.reference])]
    if args.action == "status":
        moved = app.perform(casework_ops.move, ids, args.status, args.note).value
        print(f"{moved} issue(s) moved to {STATUS_NAMES[args.status]}.")
    elif args.action == "note":
        app.perform(casework_ops.add_note, ids[0], args.text)
        print("Note added.")
    return 0


def _list(app, args) -> int:
    flt = IssueFilter(statuses=(args.status,) if args.status else (), open_only=not (args.all or args.status),
                      overdue_only=args.overdue, query=args.search or "")
    with app.store.read() as db:
        rows = casework.list_issues(db, flt, today=clock.today())
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if not rows:
        print("No issues match." if (args.all or args.status or args.overdue or args.search) else
              "No open issues. Log one from a post in the app (Ctrl+L).")
        return 0
    for row in rows:
        due = f"due {row['due_date']}" + (" OVERDUE" if row["overdue"] else "") if row["due_date"] else ""
        print(f"{row['reference']:<9} {STATUS_NAMES[row['status']]:<20} {due:<23} {row['title']}")
    print(f"{len(rows)} issue(s).")
    return 0


def _show(app, reference: str) -> int:
    with app.store.read() as db:
        issue = casework.get_issue(db, casework.id_of_reference(db, reference))
    print(f"{issue['reference']}: {issue['title']}")
    print(f"Status: {STATUS_NAMES[issue['status']]}   Priority: {issue['priority']}   "
          f"Due: {issue['due_date'] or '—'}   Category: {issue['category'] or '—'}")
    for label, key in (("Where", "address"), ("Postcode", "postcode"), ("Reported to", "agency"),
                       ("Their reference", "agency_ref")):
        if issue.get(key):
            print(f"{label}: {issue[key]}")
    if issue["contact"]:
        print("Resident's contact details: held (personal data; not shown here).")
    if issue["description"]:
        print(f"\n{issue['description']}\n")
    print("Posts:")
    for item in issue["items"] or [{"url": "(none)", "source_name": ""}]:
        print(f"  {item.get('source_name') or ''} {item['url'] or ''}".rstrip())
    print("Timeline:")
    for event in issue["events"]:
        print(f"  {event['at'][:16].replace('T', ' ')}  {casework.describe_event(event)}")
    return 0


HANDLERS = {"issues": cmd_issues}
