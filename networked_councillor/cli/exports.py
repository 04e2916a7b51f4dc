"""`networked-councillor issues export|services|updates|council`: casework out of the app, from the command line."""

from __future__ import annotations

import getpass
from datetime import date, timedelta

from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError, NcError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.casework import issues as casework
from networked_councillor.casework.issues import IssueFilter
from networked_councillor.casework.open311_sync import endpoint_from_settings, refresh_reports, report_issue
from networked_councillor.casework.ops import ISSUES
from networked_councillor.cli.args import export_path
from networked_councillor.exporters import export_issues
from networked_councillor.exporters.open311 import (
    SECRETS,
    SETTING_ENDPOINT,
    SETTING_JURISDICTION,
    Open311Client,
    Open311Endpoint,
)
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.store import settings as settings_store

REPORT_DAYS = 28


def export(app, args) -> int:
    if args.format == "pdf":
        return _ward_report(app, args)
    ids = _chosen_issues(app, args)
    if args.format == "open311":
        return _report_to_council(app, args, ids)
    result = export_issues(app.store, args.format, export_path(args.format, args.out), issue_ids=ids,
                           include_personal=args.include_personal)
    personal = " with residents' contact details (where they consented)" if result.personal_data else ""
    print(f"Exported {result.count} issue(s){personal} to {result.path}.")
    return 0


def _chosen_issues(app, args) -> list[int]:
    if args.references and (args.open or args.status):
        raise ConfigError("Give either the issues' references or --open/--status, not both.")
    with app.store.read() as db:
        if args.references:
            return [casework.id_of_reference(db, ref) for ref in args.references]
        flt = IssueFilter(statuses=(args.status,) if args.status else (), open_only=args.open)
        rows = casework.list_issues(db, flt, today=clock.today())
    return [row["id"] for row in rows]


def _ward_report(app, args) -> int:
    from networked_councillor.printing.pdf import export_ward_report

    end = _day(args.end, "--to") if args.end else clock.today()
    start = _day(args.start, "--from") if args.start else end - timedelta(days=REPORT_DAYS)
    if start > end:
        raise ConfigError("The report's first day (--from) is after its last (--to).")
    path = export_path("pdf", args.out)
    _data, pages = export_ward_report(app.store, path, start, end)
    print(f"Ward report for {start:%d %b %Y} to {end:%d %b %Y}: {pages} page(s) in {path}.")
    return 0


def _report_to_council(app, args, ids: list[int]) -> int:
    if not args.service:
        raise ConfigError("Say which kind of report this is with --service CODE.",
                          hint="`networked-councillor issues services` lists the council's report types.")
    if not args.references:
        raise ConfigError("Name the issues to report (their references), so nothing is reported by accident.")
    endpoint = _endpoint(app)
    answers = dict(_answer(a) for a in args.answer)
    failed = 0
    with HttpClient() as http:
        for issue_id in ids:
            with app.store.read() as db:
                reference = casework.get_issue(db, issue_id)["reference"]
            try:
                sent = app.run(report_issue, http, endpoint, issue_id, args.service, answers,
                               include_contact=args.include_personal, changes=ISSUES)
            except NcError as exc:
                failed += 1
                print(f"{reference}: not reported. {exc}")
                continue
            their = sent.service_request_id or f"pending, token {sent.token}"
            print(f"{reference}: reported to {endpoint.host} (their reference {their}).")
    return 1 if failed else 0


def services(app, args) -> int:
    endpoint = _endpoint(app)
    with HttpClient() as http:
        client = Open311Client(http, endpoint)
        for service in client.services():
            print(f"{service.code:<12} {service.name}" + (f"  ({service.group})" if service.group else ""))
            if service.metadata:
                for attribute in client.service_definition(service.code).attributes:
                    if attribute.variable:
                        need = "required" if attribute.required else "optional"
                        values = ", ".join(key for key, _name in attribute.values)
                        print(f"    --answer {attribute.code}=…  {attribute.description} ({need})"
                              + (f": {values}" if values else ""))
    return 0


def updates(app, args) -> int:
    endpoint = _endpoint(app)
    with HttpClient() as http:
        result = app.run(refresh_reports, http, endpoint, changes=ISSUES)
    print(f"Checked {result.checked} report(s): {result.updated} updated, {result.resolved} resolved, "
          f"{result.references} given the council's reference.")
    for problem in result.problems:
        print(f"  {problem}")
    return 1 if result.problems else 0


def council(app, args) -> int:
    endpoint = Open311Endpoint(args.endpoint, args.jurisdiction)  # checks the address before it is saved
    app.perform(settings_store.save_settings, {SETTING_ENDPOINT: endpoint.url,
                                               SETTING_JURISDICTION: endpoint.jurisdiction_id})
    if args.api_key:
        key = getpass.getpass("The council's Open311 API key (not shown): ").strip()
        if key:
            SecretStore(SECRETS).set("api_key", key)
    print(f"Reports will go to {endpoint.url}. Try: networked-councillor issues services")
    return 0


def _endpoint(app) -> Open311Endpoint:
    endpoint = endpoint_from_settings(app.store)
    if endpoint is None:
        raise ConfigError("No council reporting service is set up.",
                          hint="networked-councillor issues council --endpoint https://…/open311/v2/ --api-key")
    return endpoint


def _answer(text: str) -> tuple[str, str]:
    code, sep, value = text.partition("=")
    if not sep or not code.strip():
        raise ConfigError(f"--answer {text!r} should look like QUESTION=ANSWER, e.g. column_number=MB-042.")
    return code.strip(), value.strip()


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a date like 2026-11-30.") from None
