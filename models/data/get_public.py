"""Fetch the public labelled sets at their pinned commits and rebuild models/data/public/*.jsonl.

    python models/data/get_public.py [--mirrors DIR] [--only NAME ...]

NAME is a set name from public_sets.json, an output file name or an extractor module name.
Without --mirrors each repository is cloned (blob-less) into ~/.cache/networked-councillor/repos/;
with --mirrors DIR existing bare snapshots DIR/<owner>+<name>/ are read instead (no network needed).
The texts are not committed to this repository: see SOURCES.md for origins and licences.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from extract import EXTRACTORS
from extract.common import Repo, write_jsonl


def wanted_modules(names: list[str] | None) -> list[str]:
    """Resolve --only names (set, file or module) to extractor modules, keeping registry order."""
    if not names:
        return list(EXTRACTORS)
    sets = {s["name"]: s["file"] for s in json.loads((HERE / "public_sets.json").read_text())["sets"]}
    files = {sets.get(n, n) for n in names}
    unknown = files - set(EXTRACTORS) - {f for fs in EXTRACTORS.values() for f in fs}
    if unknown:
        sys.exit(f"unknown set/file/module: {', '.join(sorted(unknown))}")
    return [m for m, fs in EXTRACTORS.items() if m in files or files & set(fs)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirrors", type=Path, help="directory of bare git snapshots <owner>+<name>/")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="set names (public_sets.json), files or modules")
    ap.add_argument("--out", type=Path, default=HERE / "public", help="output folder (default: %(default)s)")
    args = ap.parse_args()

    repos: dict[str, Repo] = {}

    def open_repo(slug: str, commit: str) -> Repo:
        if slug not in repos:
            repos[slug] = Repo(slug, args.mirrors)
        repos[slug].checkout(commit)
        return repos[slug]

    args.out.mkdir(parents=True, exist_ok=True)
    for name in wanted_modules(args.only):
        outputs = importlib.import_module(f"extract.{name}").extract(open_repo)
        assert set(outputs) == set(EXTRACTORS[name]), (name, sorted(outputs))
        for file, rows in outputs.items():
            write_jsonl(args.out / file, rows)
            print(f"{file}: {len(rows)} rows")
    notes = sorted({n for r in repos.values() for n in r.notes})
    for n in notes:
        print("note:", n)


if __name__ == "__main__":
    main()
