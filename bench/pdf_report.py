"""The PDF ward report: on the demo ward, and on a busy ward (20,000 posts, 1,000 issues) over three months.

Target: a report in a few seconds, so it can be made just before a meeting.

    python bench/pdf_report.py
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from networked_councillor.app import App  # noqa: E402
from networked_councillor.casework.issues import NewIssue, create_issue  # noqa: E402
from networked_councillor.demo import load_demo  # noqa: E402
from networked_councillor.printing.pdf import export_ward_report  # noqa: E402
from networked_councillor.tagger.topics import default_topics  # noqa: E402

TOPICS = [t.id for t in default_topics()]


def timed(app: App, folder: Path, name: str, days: int) -> None:
    today = date.today()
    began = time.perf_counter()
    _data, pages = export_ward_report(app.store, folder / f"{name}.pdf", today - timedelta(days=days), today)
    print(f"{name}: {pages} pages in {time.perf_counter() - began:.2f} s")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="nc-bench-pdf-"))
    with App(folder / "demo", log_to_file=False) as app:
        load_demo(app)
        timed(app, folder, "demo ward, 28 days", 28)
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    with App(folder / "busy", log_to_file=False) as app:
        with app.store.write() as db:
            db["items"].insert_all(({
                "id": n, "source_id": f"s{n % 8}", "external_id": f"x{n}", "text": f"Post {n} about Oak Road",
                "topic": rng.choice(TOPICS), "sentiment": rng.choice(["negative", "neutral", "positive"]),
                "relevance": rng.random(), "created_at": (now - timedelta(hours=n % 2160)).isoformat(),
                "first_seen_at": (now - timedelta(hours=n % 2160)).isoformat(), "url": f"https://x.example/{n}",
            } for n in range(1, 20_001)), batch_size=5000)
            for n in range(1000):
                create_issue(db, NewIssue(title=f"Issue {n}", category=rng.choice(TOPICS), ward="Busy",
                                          due_date=(now + timedelta(days=rng.randint(-20, 20))).date().isoformat()),
                             (now - timedelta(days=n % 90)).isoformat(timespec="seconds"))
        timed(app, folder, "busy ward, 90 days", 90)
    print(f"The reports are in {folder}")


if __name__ == "__main__":
    main()
