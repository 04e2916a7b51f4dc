"""Finding and erasing one person in a store of 100,000 posts (a busy ward's year and more).

Targets: finding everything about a person under 2 s; erasing it, with the file rewritten so no erased
word is left on disk, under 10 s.

    python bench/privacy.py [--items 100000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from networked_councillor.casework.erasure import erase_and_scrub  # noqa: E402
from networked_councillor.casework.privacy import PersonQuery, find_person  # noqa: E402
from networked_councillor.store import Store  # noqa: E402

NOW = "2026-11-24T10:00:00+00:00"
WORDS = ("pothole bins parking Oak Road Mill Lane council thanks flooding light broken again week still "
         "nobody fixed street corner school bus late noise dog trees park").split()


def build(store: Store, count: int) -> None:
    rng = random.Random(7)
    with store.write() as db:
        db["authors"].insert_all(({"id": n, "source_id": "s", "handle": f"user{n}.bsky.social",
                                   "display_name": f"Resident {n}"} for n in range(1, 2001)), batch_size=1000)
        db["authors"].insert({"id": 5000, "source_id": "s", "handle": "samira-ok.bsky.social",
                              "display_name": "Samira Okonkwo"})

        def item(n: int) -> dict:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
            author = 5000 if n % 5000 == 0 else rng.randint(1, 2000)
            if n % 2500 == 1:
                text += " as Samira Okonkwo said, ring 07700 900461"
            return {"id": n, "source_id": "s", "external_id": f"x{n}", "text": text, "author_id": author,
                    "first_seen_at": NOW}

        db["items"].insert_all((item(n) for n in range(1, count + 1)), batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    count = parser.parse_args().items
    store = Store(Path(tempfile.mkdtemp(prefix="nc-bench-privacy-")) / "nc.sqlite")
    began = time.perf_counter()
    build(store, count)
    print(f"built {count:,} posts in {time.perf_counter() - began:.1f} s "
          f"({store.path.stat().st_size / 1e6:.0f} MB)")
    who = PersonQuery(name="Samira Okonkwo", handles=("samira-ok.bsky.social",), phone="07700 900461")
    began = time.perf_counter()
    with store.read() as db:
        report = find_person(db, who)
    print(f"find: {len(report.findings)} records in {time.perf_counter() - began:.2f} s")
    began = time.perf_counter()
    erasure = erase_and_scrub(store, report, NOW)
    print(f"erase and rewrite the file: {erasure.total} records in {time.perf_counter() - began:.2f} s")
    store.close()


if __name__ == "__main__":
    main()
