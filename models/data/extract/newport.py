"""Newport RI SeeClickFix issues archive (Sept 2017): residents' summaries and descriptions.

Category = request_type.title; mapping table maps/newport.json ('skip' = thank-you posts).
"""
from __future__ import annotations

import json

from .common import load_map
from .topics import join_title, mapped, select

REPO = "NewportDataProject/seeclickfix-analysis"
COMMIT = "af6e815a0c463ea2ea45a982f72e4f3b5260946c"  # the commit that added the archive
PATH = "20170903_newport_issues_archive.json"


def extract(open_repo) -> dict[str, list[dict]]:
    issues = json.loads(open_repo(REPO, COMMIT).text(COMMIT, PATH))
    pairs = []
    for i in issues:
        cat = i.get("request_type.title") or i.get("summary")
        pairs.append((join_title(i.get("summary"), i.get("description"), cat), cat))
    return {"newport_ri_seeclickfix.jsonl": select(mapped(pairs, load_map("newport"), "newport_ri_seeclickfix"))}
