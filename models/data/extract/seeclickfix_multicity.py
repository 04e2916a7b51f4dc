"""SeeClickFix API issues from many US cities (Aug 2024), as cached by a data-pipeline repository.

The repository never kept one complete dump, so six stored versions of its issue files are merged and
de-duplicated by issue id (first seen kept, in the order below). Category = request_type.title;
mapping table maps/seeclickfix_multicity.json (keyword rules plus hand overrides, checked by eye).
"""
from __future__ import annotations

import json

from .common import load_map
from .topics import join_title, mapped, norm, select

REPO = "ibrahim-alawaye/SeeClickFix_Pipeline"
RAW = "include/data/minio/scf-lakehouse/SeeClickFix_Raw/issues.json"
BLOBS = [  # (commit, path), in merge order
    ("eb71ff707d1e2219713c044140020af6cb432e53", f"{RAW}/4582823e-b547-43dd-b9d9-c98184540ac7/part.1"),
    ("eb71ff707d1e2219713c044140020af6cb432e53", "tests/issues.json"),
    ("674ac3c15cc5f3923cdae630b35941520d93a692", "tests/issues.json"),
    ("398e8eb2109bc857f6d3e02bde629443e95d6216", f"{RAW}/69599b35-4fdb-4e26-9c8d-8215c4aec278/part.1"),
    ("ad4b569ee51d2db5e731c7b475d95e7617ee1048", f"{RAW}/9476778e-482c-4e1d-983f-66241679c866/part.1"),
    ("674ac3c15cc5f3923cdae630b35941520d93a692", f"{RAW}/4997823a-d78c-4698-b8c9-17e351602e4e/part.1"),
]


def issues_in(raw: bytes) -> list[dict]:
    """Issues of the JSON array in a file, read object by object up to the first unreadable one.

    MinIO part files start with a binary header and insert a checksum block every 1 MiB, so the two
    larger parts can only be read up to their first 1 MiB (as when the set was first built).
    """
    text = raw[raw.index(b"["):].decode("utf8", errors="replace")
    decoder, issues, pos = json.JSONDecoder(), [], 1
    while True:
        while pos < len(text) and text[pos] in " ,\n":
            pos += 1
        try:
            issue, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return issues
        issues.append(issue)


def extract(open_repo) -> dict[str, list[dict]]:
    seen: set[int] = set()
    pairs = []
    for commit, path in BLOBS:
        for i in issues_in(open_repo(REPO, commit).show(commit, path)):
            if i["id"] in seen:
                continue
            seen.add(i["id"])
            cat = norm((i.get("request_type") or {}).get("title"))
            if cat:
                pairs.append((join_title(i.get("summary"), i.get("description"), cat), cat))
    mapping = load_map("seeclickfix_multicity")
    return {"seeclickfix_multicity_2024.jsonl": select(mapped(pairs, mapping, "seeclickfix_multicity_2024"))}
