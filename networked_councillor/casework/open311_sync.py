"""Casework and the council's Open311 service: an issue reported, and the council's answers brought back.

The client (`exporters.open311`) does the talking; this module keeps the issues in step with what the council
said. Each runs as a long operation (`App.run`): the network first, then one write.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError, NcError, StoreError
from networked_councillor.base.secrets import SecretStore
from networked_councillor.casework import audit
from networked_councillor.casework.issues import DONE, add_event, update_issue
from networked_councillor.exporters.open311 import (
    MAX_DESCRIPTION,
    SECRETS,
    SETTING_ENDPOINT,
    SETTING_JURISDICTION,
    Open311Client,
    Open311Endpoint,
    ReportFailed,
    RequestStatus,
    Submitted,
    contact_to_send,
)
from networked_councillor.exporters.records import export_records
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.store import Store
from networked_councillor.store import settings as settings_store


@dataclass
class RefreshResult:
    checked: int = 0  # reports the council's system answered about
    updated: int = 0  # issues given a council update
    resolved: int = 0  # issues moved to Resolved because the council closed its report
    references: int = 0  # pending tokens swapped for the council's reference
    problems: list[str] = field(default_factory=list)


def endpoint_from_settings(store: Store) -> Open311Endpoint | None:
    """The council's Open311 endpoint as set in Settings, with its API key from the keyring; None if not set."""
    with store.read() as db:
        url = settings_store.get_setting(db, SETTING_ENDPOINT)
        jurisdiction = settings_store.get_setting(db, SETTING_JURISDICTION)
    if not url or not str(url).strip():
        return None
    return Open311Endpoint(str(url), jurisdiction, SecretStore(SECRETS).get("api_key"))


def report_issue(store: Store, http: HttpClient, endpoint: Open311Endpoint, issue_id: int, service_code: str,
                 attributes: Mapping[str, Any] | None = None, include_contact: bool = False) -> Submitted:
    """Report an issue to the council, then mark it "Reported to council" with the council's reference.

    Every report that reached the council's system is in the audit log, made or
    not, since what it carried has left the app.
    """
    with store.read() as db:
        issue = next(db.query("SELECT * FROM issues WHERE id = ?", [issue_id]), None)
        if issue is None:
            raise ConfigError(f"There is no issue {issue_id}.")
        if issue.get("open311_service_code") and (issue.get("agency_ref") or issue.get("open311_token")):
            raise ConfigError(f"{issue['reference']} has been reported through Open311 already "
                              f"({issue.get('agency_ref') or 'token ' + str(issue.get('open311_token'))}).",
                              hint="Reporting it again would make a second report at the council.")
        record = export_records(db, [issue_id], include_personal=include_contact, today=clock.today())[0]
    client = Open311Client(http, endpoint)
    try:
        submitted = client.submit(record, service_code, attributes, include_contact)
    except ReportFailed as exc:
        if exc.outcome != "not_sent":
            with store.write() as db:
                _audit_submission(db, endpoint, record, service_code, exc.outcome,
                                  bool(contact_to_send(record, include_contact)), clock.now_iso())
        raise
    try:
        with store.write() as db:
            _store_submission(db, issue_id, endpoint, service_code, submitted, clock.now_iso())
            _audit_submission(db, endpoint, record, service_code, "made", submitted.contact_sent, clock.now_iso(),
                              submitted)
    except (NcError, sqlite3.DatabaseError) as exc:
        raise StoreError(f"The council accepted the report ({_reference_words(submitted)}), but the app could not "
                         f"save that on {record['reference']}: {getattr(exc, 'message', exc)}",
                         hint="Note the council's reference on the issue by hand; do not report it again.") from exc
    return submitted


def refresh_reports(store: Store, http: HttpClient, endpoint: Open311Endpoint) -> RefreshResult:
    """Swap pending tokens for references and bring the council's status of every reported issue back.

    Everything is asked before anything is written, and a failure only leaves
    some issues unrefreshed: nothing already stored is changed or lost.
    """
    client = Open311Client(http, endpoint)
    result = RefreshResult()
    with store.read() as db:
        rows = list(db.query("SELECT id, reference, agency_ref, open311_token, open311_status, status FROM issues "
                             "WHERE open311_service_code IS NOT NULL AND status != 'closed' "
                             "AND (agency_ref IS NOT NULL AND agency_ref != '' OR open311_token IS NOT NULL)"))
    new_refs: dict[int, str] = {}
    for row in (r for r in rows if not r["agency_ref"]):
        try:
            reference = client.resolve_token(row["open311_token"])
        except NcError as exc:
            result.problems.append(f"{row['reference']}: {exc}")
            continue
        if reference:
            new_refs[row["id"]] = reference
    refs = {row["id"]: row["agency_ref"] or new_refs.get(row["id"]) for row in rows}
    try:
        statuses = client.status(r for r in refs.values() if r)
    except NcError as exc:
        result.problems.append(str(exc))
        statuses = {}
    now = clock.now_iso()
    with store.write() as db:
        for row in rows:
            if row["id"] in new_refs:
                update_issue(db, row["id"], {"agency_ref": new_refs[row["id"]]}, now, actor="council",
                             note=f"{endpoint.host} gave the report its reference: {new_refs[row['id']]}.")
                result.references += 1
            status = statuses.get(refs[row["id"]] or "")
            if status is not None:
                _apply_status(db, row, status, endpoint, now, result)
    return result


def _store_submission(db, issue_id: int, endpoint: Open311Endpoint, service_code: str, submitted: Submitted,
                      now: str) -> None:
    db["issues"].update(issue_id, {"open311_service_code": service_code, "open311_token": submitted.token,
                                   "open311_checked_at": now})
    words = [f"Reported to {endpoint.host} through Open311 ({_reference_words(submitted)}, "
             f"report type {service_code})."]
    if submitted.service_notice:
        words.append(f"The council says: {submitted.service_notice}")
    if submitted.description_cut:
        words.append(f"The description was shortened to {MAX_DESCRIPTION:,} characters, the most Open311 takes.")
    words.append("The resident's contact details were sent with it." if submitted.contact_sent
                 else "The resident's contact details were not sent.")
    changes: dict[str, Any] = {"status": "reported"}
    if submitted.service_request_id:
        changes["agency_ref"] = submitted.service_request_id
    update_issue(db, issue_id, changes, now, note=" ".join(words))


def _audit_submission(db, endpoint: Open311Endpoint, record: Mapping[str, Any], service_code: str, outcome: str,
                      contact_sent: bool, now: str, submitted: Submitted | None = None) -> None:
    detail = {"endpoint": endpoint.host, "service_code": service_code, "reference": record["reference"],
              "outcome": outcome}
    if submitted is not None:
        detail |= {"service_request_id": submitted.service_request_id, "token": submitted.token}
    audit.record(db, "open311_submit", f"{record['reference']} sent to {endpoint.host} over Open311 ({outcome})",
                 now, records=1, personal_data=contact_sent, detail=detail)


def _apply_status(db, row: dict, status: RequestStatus, endpoint: Open311Endpoint, now: str,
                  result: RefreshResult) -> None:
    result.checked += 1
    db["issues"].update(row["id"], {"open311_status": status.status, "open311_checked_at": now})
    last = _last_council_update(db, row["id"])
    notes_changed = last is not None and not last.get("erased") and last.get("notes", "") != status.status_notes
    if status.status != (row["open311_status"] or "") or notes_changed:
        detail = {"status": status.status, "notes": status.status_notes, "time": status.updated_datetime or now}
        if status.agency_responsible:
            detail["agency"] = status.agency_responsible
        if status.expected_datetime:
            detail["expected"] = status.expected_datetime
        add_event(db, row["id"], "council_update", detail, now, actor="council")
        db["issues"].update(row["id"], {"updated_at": now})
        result.updated += 1
    if status.status == "closed" and row["status"] not in DONE:
        note = f"{endpoint.host} closed its report {status.service_request_id}."
        update_issue(db, row["id"], {"status": "resolved"}, now, actor="council",
                     note=f"{note} {status.status_notes}".strip())
        result.resolved += 1


def _last_council_update(db, issue_id: int) -> dict | None:
    row = db.execute("SELECT detail FROM issue_events WHERE issue_id = ? AND kind = 'council_update' "
                     "ORDER BY at DESC, id DESC LIMIT 1", [issue_id]).fetchone()
    return None if row is None else json.loads(row[0] or "{}")


def _reference_words(submitted: Submitted) -> str:
    if submitted.service_request_id:
        return f"request {submitted.service_request_id}"
    if submitted.token:
        return f"token {submitted.token}; the council's reference will follow"
    return "the council's system gives no reference"


# ---- reading answers ----------------------------------------------------------------


