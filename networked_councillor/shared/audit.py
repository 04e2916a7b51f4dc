"""The shared casework's own record of who changed what and when, as the database keeps it (never the laptop).

Timeline entries carry their author and arrival time, stamped by the server; changes to people, wards, issues
and every erasure are in ``casework.audit_log``, written by triggers. Both are read through the same policies
as the casework: a councillor sees their wards' record, an administrator all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from networked_councillor.shared.connection import SECRETS, SharedSettings, connect, explain

LOG = """
SELECT * FROM (
  SELECT e.received_at AS at, coalesce(p.display_name, e.author) AS who, w.name AS ward, i.reference,
         CASE WHEN e.field IS NOT NULL THEN 'changed ' || replace(e.field, '_', ' ') ELSE replace(e.kind, '_', ' ') END
  FROM casework.issue_event e JOIN casework.issue i ON i.id = e.issue_id
  LEFT JOIN casework.person p ON p.login = e.author LEFT JOIN casework.ward w ON w.id = e.ward_id
  UNION ALL
  SELECT a.at, coalesce(p.display_name, a.actor), w.name, a.detail ->> 'reference',
         CASE WHEN a.what = 'issue_event' THEN 'erased personal data in a timeline entry'
              WHEN a.what = 'ward_member' AND a.action = 'insert'
                THEN 'added ' || (a.detail ->> 'login') || ' to the ward'
              WHEN a.what = 'ward_member' AND a.action = 'delete'
                THEN 'removed ' || (a.detail ->> 'login') || ' from the ward'
              ELSE a.action || ' ' || replace(a.what, '_', ' ') END
  FROM casework.audit_log a LEFT JOIN casework.person p ON p.login = a.actor
  LEFT JOIN casework.ward w ON w.id = a.ward_id
  WHERE a.what <> 'issue'
) log ORDER BY at DESC LIMIT %s"""


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    who: str
    ward: str
    reference: str
    what: str


def shared_log(settings: SharedSettings, secrets=SECRETS, limit: int = 500) -> list[LogEntry]:
    try:
        with connect(settings, secrets) as conn:
            rows = conn.execute(LOG, [limit]).fetchall()
    except psycopg.Error as exc:
        raise explain(exc, settings) from exc
    return [LogEntry(at, who or "", ward or "", reference or "", what) for at, who, ward, reference, what in rows]
