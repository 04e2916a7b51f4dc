"""FixMyStreet report titles around Cambridge / Great Shelford, scraped from fixmystreet.com map pins (2026).

Only titles were scraped (not report details), and only some reports carry the FMS category they were
fetched under. Each daily commit rewrote data/*.json, so every version up to the pinned commit is merged,
newest first (first title and first category seen for an id win). Mapping table: maps/fixmystreet_cambridge.json.
"""
from __future__ import annotations

import json
import subprocess

from .common import load_map
from .topics import mapped, select

REPO, COMMIT = "seanatwork/fixmystreetuk", "6acce8b4d98824ae813639f156f1e580bed38d84"


def read_json(repo, commit: str, name: str):
    try:
        return json.loads(repo.show(commit, f"data/{name}.json"))
    except subprocess.CalledProcessError:  # not every commit has every file
        return None


def extract(open_repo) -> dict[str, list[dict]]:
    repo = open_repo(REPO, COMMIT)
    titles: dict[int, str] = {}
    categories: dict[int, str] = {}
    for commit in repo.git("rev-list", COMMIT).decode().split():
        for name in ("reports", "fixed"):
            for pin in (read_json(repo, commit, name) or {}).get("reports", []):
                titles.setdefault(pin["id"], pin["title"])
                if pin.get("category"):
                    categories.setdefault(pin["id"], pin["category"])
        for pid, entry in (read_json(repo, commit, "category_cache") or {}).items():
            categories.setdefault(int(pid), entry["category"])
    pairs = ((title, categories[pid]) for pid, title in titles.items() if pid in categories)
    mapping = load_map("fixmystreet_cambridge")
    return {"fixmystreet_cambridge_uk.jsonl": select(mapped(pairs, mapping, "fixmystreet_cambridge_uk"))}
