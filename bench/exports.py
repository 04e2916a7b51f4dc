"""Casework exports: 5,000 issues, each with two linked posts and three notes, to CSV, XLSX and JSON.

A councillor's whole casework log is hundreds of issues; 5,000 is a busy council's year. Target:
every format in a few seconds, so an export never feels like waiting.

    python bench/exports.py [--issues 5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from networked_councillor.casework.issues import NewIssue, add_note, create_issue  # noqa: E402
from networked_councillor.exporters import export_issues  # noqa: E402
from networked_councillor.store import Store  # noqa: E402

NOW = "2026-11-24T10:00:00+00:00"


def build(store: Store, count: int) -> None:
    with store.write() as db:
        db["items"].insert_all(({"id": n, "source_id": "bench", "external_id": f"x{n}", "first_seen_at": NOW,
                                 "url": f"https://forum.example/t/{n}/1", "text": "Pothole"}
                                for n in range(1, 2 * count + 1)), batch_size=1000)
        for n in range(count):
            issue = create_issue(db, NewIssue(title=f"Pothole outside {n} Oak Road", ward="Millbrook",
                                              description="Deep, by the drain. " * 5, address=f"{n} Oak Road",
                                              postcode="AC4 2RD", lat=52.28, lon=-1.17, category="roads_pavements",
                                              item_ids=[2 * n + 1, 2 * n + 2]), NOW)
            for k in range(3):
                add_note(db, issue, f"Chased the depot ({k + 1})", NOW)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=5000)
    count = parser.parse_args().issues
    with tempfile.TemporaryDirectory(prefix="nc-bench-exports-") as name:
        run(Path(name), count)


def run(folder: Path, count: int) -> None:
    store = Store(folder / "nc.sqlite")
    began = time.perf_counter()
    build(store, count)
    print(f"built {count} issues in {time.perf_counter() - began:.1f} s")
    for fmt in ("csv", "xlsx", "json"):
        began = time.perf_counter()
        result = export_issues(store, fmt, folder / f"issues.{fmt}")
        took = time.perf_counter() - began
        size = result.path.stat().st_size / 1e6
        print(f"{fmt:>4}: {result.count} issues in {took:.2f} s ({result.count / took:,.0f} issues/s, {size:.1f} MB)")
    store.close()


if __name__ == "__main__":
    main()
