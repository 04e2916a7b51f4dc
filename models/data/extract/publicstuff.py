"""PublicStuff (Accela) 311 app exports for New York City and Hoboken NJ, May 2019: residents' descriptions.

Category = ticket Title (usually the 311 descriptor); NYC tickets with only the placeholder description are
dropped by the length/dedup rules. Mapping tables: maps/nyc_publicstuff.json, maps/hoboken_publicstuff.json.
"""
from __future__ import annotations

import csv
import io

from .common import load_map
from .topics import mapped, select

REPO, COMMIT = "MileSquareDevelopers/City-311-Requests-To-CSV", "e67cfd8216e0854817198480d4ae3314c29b144f"
CITIES = {  # output file -> (path, mapping, source)
    "nyc_publicstuff_2019.jsonl": ("Collections/NYC_20190522.csv", "nyc_publicstuff", "nyc_publicstuff_2019"),
    "hoboken_publicstuff_2019.jsonl": ("Collections/Hoboken_20190521.csv", "hoboken_publicstuff",
                                       "hoboken_publicstuff_2019"),
}


def extract(open_repo) -> dict[str, list[dict]]:
    repo = open_repo(REPO, COMMIT)
    out = {}
    for file, (path, map_name, source) in CITIES.items():
        rows = csv.DictReader(io.StringIO(repo.show(COMMIT, path).decode("utf8", errors="replace")))
        out[file] = select(mapped(((r["Description"], r["Title"].strip()) for r in rows), load_map(map_name), source))
    return out
