"""FixMyStreet reports within 5 km of Oswestry, Shropshire (Open311 GeoReport v2 harvest, 2024-2026).

Category = service_name; mapping table maps/fixmystreet_oswestry.json (unlisted categories such as
'Total failure' and 'RTC Attendance' are skipped). Reports are taken oldest first, so capped topics
(400 per topic) hold the oldest reports.
"""
from __future__ import annotations

import json

from .common import load_map
from .topics import join_parts, select

REPO, COMMIT = "shutpa01/oswestry-street-reports", "d79288a5a64975ae9262372c90aa4af462ca51c6"
PATH = "data/oswestry_reports.json"
SOURCE = "fixmystreet_oswestry_shropshire"


def extract(open_repo) -> dict[str, list[dict]]:
    reports = json.loads(open_repo(REPO, COMMIT).text(COMMIT, PATH))
    mapping = load_map("fixmystreet_oswestry")
    rows = []
    for r in sorted(reports, key=lambda x: x["requested_datetime"]):
        cat = r["service_name"]
        if not mapping.get(cat):
            continue
        title = r.get("title") or ""
        if title.strip().lower() == cat.lower():
            title = ""
        text = join_parts(title, r.get("detail") or r.get("description"))
        rows.append({"text": text, "category": cat, "topic": mapping[cat], "source": SOURCE})
    return {"fixmystreet_oswestry_shropshire.jsonl": select(rows, topic_cap=400)}
