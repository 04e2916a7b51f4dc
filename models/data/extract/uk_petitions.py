"""UK Parliament e-petitions (2017-2023) cached by mySociety's scraper: titles and texts by members of the public.

Topics come from keyword rules on the title (maps/uk_petitions.json); only petitions matching exactly one
topic are kept. This set covers topics street-report services never see (schools, health, council tax...).
"""
from __future__ import annotations

import json
import re

from .common import load_map
from .topics import join_parts, select

REPO, COMMIT = "mysociety/uk-parl-petitions-scraper", "6cab86c4325a60b0da452803dea3f49300007aee"
CACHE = "data/interim/cache/petition.parliament.uk/"
SOURCE = "uk_parliament_petitions_mysoc"


def load_petitions(repo) -> dict[int, dict]:
    """id -> attributes, from the cached search pages and single-petition files (first copy kept)."""
    petitions: dict[int, dict] = {}
    for path in repo.ls(COMMIT, CACHE):
        data = json.loads(repo.show(COMMIT, path))["data"]
        for p in data if isinstance(data, list) else [data]:
            petitions.setdefault(p["id"], p["attributes"])
    return petitions


def topic_hits(title: str, rules: dict) -> dict[str, str]:
    """topic -> matched keyword (first matching pattern of each topic)."""
    hits = {}
    for topic, patterns in rules["topics"].items():
        for p in patterns:
            flags = 0 if p in rules["case_sensitive"] else re.IGNORECASE
            m = re.search(r"(?<![\w])" + p + r"(?![\w])", title, flags)
            if m:
                hits[topic] = m.group(0).lower()
                break
    return hits


def extract(open_repo) -> dict[str, list[dict]]:
    rules = load_map("uk_petitions")
    exclude = re.compile(rules["exclude"], re.IGNORECASE)
    rows = []
    for pid, a in sorted(load_petitions(open_repo(REPO, COMMIT)).items()):
        title = a.get("action") or ""
        if exclude.search(title):
            continue
        hits = topic_hits(title, rules)
        if len(hits) != 1:
            continue
        (topic, keyword), = hits.items()
        text = join_parts(a.get("action"), a.get("background"), a.get("additional_details"))
        rows.append({"text": text, "category": "keyword:" + keyword, "topic": topic, "source": SOURCE})
    return {"uk_parliament_petitions_mysoc.jsonl": select(rows, topic_cap=400)}
