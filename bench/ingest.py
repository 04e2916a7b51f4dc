"""Ingest speed: the whole pipeline against feedparser's own parse rate.

Generates an RSS feed of 10,000 realistic ward items, then times, in one run:
  1. feedparser.parse alone (the floor we cannot beat);
  2. fetch -> parse -> normalise -> dedupe -> relevance -> store, tagger off,
     through the real RSS plugin and Pipeline into a fresh SQLite file;
  3. the same feed again (everything unchanged: the incremental path).
Target: the whole pipeline at >= 50% of feedparser's parse rate.

    python bench/ingest.py [--items 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers import MILLBROOK  # noqa: E402

from networked_councillor.base import clock  # noqa: E402
from networked_councillor.ingest.pipeline import Pipeline  # noqa: E402
from networked_councillor.plugin_api.loader import discover  # noqa: E402
from networked_councillor.store import Store  # noqa: E402
from networked_councillor.store import settings as settings_store  # noqa: E402
from networked_councillor.store import sources as source_store  # noqa: E402

STREETS = ["Oak Road", "Mill Lane", "Station Road", "Church Walk", "Summit Road", "Bridge Street", "Elm Grove",
           "Quarry Lane", "Victoria Terrace", "Castle Hill"]
PROBLEMS = ["Pothole outside number {n}", "Street light out near {n}", "Bins not collected at {n}",
            "Fly-tipping behind {n}", "Graffiti on the wall by {n}", "Blocked drain flooding the road at {n}"]
BODIES = [
    "<p>This has been reported before and nothing has happened. It is getting worse after the rain and cars "
    "are swerving round it. Please can someone look at it before somebody gets hurt.</p>",
    "<p>Reported by a resident. <b>Urgent</b>: the pavement is blocked and people with buggies have to walk "
    "in the road.</p><p>See photo.</p><img src=\"https://photos.example/{n}.jpeg\">",
    "<p>Third time this month. The bags have been split open by foxes and there is rubbish all along the "
    "path to the school. <a href=\"https://example.org/report/{n}\">Earlier report</a></p>",
]


def make_feed(count: int, path: Path) -> None:
    rng = random.Random(42)
    start = datetime(2026, 11, 24, tzinfo=timezone.utc)
    parts = ['<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:georss="http://www.georss.org/georss" '
             'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Bench ward feed</title>'
             '<link>https://bench.example/</link><description>bench</description>']
    for n in range(count):
        street = rng.choice(STREETS)
        title = rng.choice(PROBLEMS).format(n=f"{rng.randint(1, 200)} {street}")
        body = rng.choice(BODIES).format(n=n) + f"<p>Ref {n}. Postcode AC4 {rng.randint(1, 9)}XY.</p>"
        lat, lon = 52.27 + rng.random() * 0.04, -1.19 + rng.random() * 0.05
        when = start - timedelta(minutes=n * 7)
        parts.append(
            f"<item><title>{escape(title)}</title><link>https://bench.example/report/{n}</link>"
            f"<guid>https://bench.example/report/{n}</guid><description>{escape(body)}</description>"
            f"<pubDate>{format_datetime(when)}</pubDate><category>Potholes</category>"
            f"<dc:creator>Resident {n % 300}</dc:creator><georss:point>{lat:.5f} {lon:.5f}</georss:point></item>"
        )
    parts.append("</channel></rss>")
    path.write_text("".join(parts), encoding="utf-8")


def time_feedparser(data: bytes) -> tuple[float, int]:
    started = time.perf_counter()
    parsed = feedparser.parse(data, sanitize_html=False)
    return time.perf_counter() - started, len(parsed.entries)


def time_pipeline(feed: Path, folder: Path) -> tuple[float, float, int]:
    store = Store(folder / "bench.sqlite")
    with store.write() as db:
        settings_store.save_ward(db, MILLBROOK, clock.now_iso())
        source_store.add(db, "rss", "Bench", {"url": feed.as_uri()}, clock.now_iso(), source_id="bench")
    pipeline = Pipeline(store, discover(), tagger=None)
    started = time.perf_counter()
    report = pipeline.fetch()
    first = time.perf_counter() - started
    (outcome,) = report.outcomes
    assert outcome.ok, outcome.error
    feed.touch()  # defeat the unchanged-file shortcut so the incremental pass really reads and compares
    started = time.perf_counter()
    again = pipeline.fetch()
    second = time.perf_counter() - started
    assert again.outcomes[0].unchanged == outcome.new
    store.close()
    return first, second, outcome.new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        feed = folder / "feed.xml"
        make_feed(args.items, feed)
        data = feed.read_bytes()
        print(f"feed: {args.items} items, {len(data) / 1e6:.1f} MB")
        parse_runs, first_runs, second_runs = [], [], []
        for i in range(args.repeat):
            seconds, count = time_feedparser(data)
            assert count == args.items
            parse_runs.append(seconds)
            run_dir = folder / f"run{i}"
            run_dir.mkdir()
            first, second, stored = time_pipeline(feed, run_dir)
            assert stored == args.items, stored
            first_runs.append(first)
            second_runs.append(second)
        parse_rate = args.items / statistics.median(parse_runs)
        pipe_rate = args.items / statistics.median(first_runs)
        again_rate = args.items / statistics.median(second_runs)
        print(f"feedparser.parse alone:          {parse_rate:8.0f} items/s (median of {args.repeat})")
        print(f"whole pipeline, new items:       {pipe_rate:8.0f} items/s  = {pipe_rate / parse_rate:.0%} of feedparser")
        print(f"whole pipeline, unchanged items: {again_rate:8.0f} items/s  = {again_rate / parse_rate:.0%} of feedparser")
        print(f"target: >= 50% of feedparser -> {'MET' if pipe_rate >= 0.5 * parse_rate else 'NOT MET'}")


if __name__ == "__main__":
    main()
