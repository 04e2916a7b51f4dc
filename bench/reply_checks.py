"""Reply checks as the councillor types, and the suggested draft when the composer opens.

Targets: every check (without the tone model) in well under 16 ms per keystroke, so underlining keeps
up with typing; the tone model on a draft (run once typing pauses) under 100 ms; a suggested draft,
with the nearest past replies out of 500 over 10,000 embedded posts, under 100 ms.

    python bench/reply_checks.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from networked_councillor.replies import drafts  # noqa: E402
from networked_councillor.replies.checks import ReplyContext, check_reply  # noqa: E402
from networked_councillor.replies.drafting import suggest_draft  # noqa: E402
from networked_councillor.store import Store  # noqa: E402

PHRASES = ["Thanks for raising this.", "I've reported the pothole on Oak Road to highways.", "Ring me on 07700 900123.",
           "I WILL get this fixed!!!", "The council has launched a new scheme.", "Drop me a private message.",
           "What a shambles.", "The planning officer, John Smith, is useless.", "Is that AC4 2RD?",
           "I'll chase the waste team today and let you know.", "Vote for me in May!", "Sorry to hear about the bins."]
NOW = "2026-11-24T10:00:00+00:00"


def percentile(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * p))]


def bench_checks() -> None:
    rng = random.Random(7)
    context = ReplyContext(platform="bluesky", streets=("Oak Road", "Mill Lane", "Station Road"),
                           blocked_words=("shambles",), pre_election=(date(2027, 3, 25), date(2027, 5, 6)),
                           today=date(2027, 4, 20))
    drafts_text = []
    while len(drafts_text) < 1000:
        text = " ".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 8)))
        if 50 <= len(text) <= 300:
            drafts_text.append(text)
    times = []
    for text in drafts_text:
        began = time.perf_counter()
        check_reply(text, context)
        times.append((time.perf_counter() - began) * 1000)
    print(f"check_reply, no model, 1,000 drafts of 50-300 characters: median {statistics.median(times):.2f} ms, "
          f"p95 {percentile(times, 0.95):.2f} ms, worst {max(times):.2f} ms")


def bench_tone_model() -> None:
    try:
        from networked_councillor.tagger.learning import load_tagger

        folder = Path(tempfile.mkdtemp(prefix="nc-bench-tone-"))
        tagger = load_tagger(Store(folder / "nc.sqlite"), folder)
    except Exception as exc:  # the figures are still useful without the model
        print(f"tone model not measured: {exc}")
        return
    context = ReplyContext(platform="bluesky", sentiment=lambda text: tagger.tag([text])[0].sentiment)
    text = "Thanks for raising this, I've reported the pothole on Oak Road and will let you know what they say."
    check_reply(text, context)
    times = []
    for _ in range(50):
        began = time.perf_counter()
        check_reply(text, context)
        times.append((time.perf_counter() - began) * 1000)
    print(f"check_reply with the tone model: median {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms")


def bench_suggestion() -> None:
    folder = Path(tempfile.mkdtemp(prefix="nc-bench-drafts-"))
    store = Store(folder / "nc.sqlite")
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(10_000, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with store.write() as db:
        db["items"].insert_all(({"id": n + 1, "source_id": "s", "external_id": f"x{n}", "text": "Pothole",
                                 "topic": "roads_pavements", "first_seen_at": NOW} for n in range(10_000)),
                               batch_size=2000)
        db["embeddings"].insert_all(({"item_id": n + 1, "model": "minilm", "dim": 384,
                                      "vector": vectors[n].tobytes()} for n in range(10_000)), batch_size=2000)
        for n in range(500):
            drafts.record_posted(db, n * 20 + 2, "bluesky", f"Thanks, reported ({n}).", NOW)
    times = []
    with store.read() as db:
        for n in range(50):
            began = time.perf_counter()
            suggest_draft(db, n * 7 + 1)
            times.append((time.perf_counter() - began) * 1000)
    print(f"suggest_draft (10,000 embedded posts, 500 past replies): median {statistics.median(times):.1f} ms, "
          f"p95 {percentile(times, 0.95):.1f} ms")
    store.close()


if __name__ == "__main__":
    bench_checks()
    bench_tone_model()
    bench_suggestion()
